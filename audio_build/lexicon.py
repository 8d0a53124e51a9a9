"""The crisis lexicon: words that are answered with the crisis line, never with a practice.

One YAML file per language in `scripts/crisis/` (`en.yaml`, ...), kept as data so a clinician can
review it and a translator can translate it. Each has lists of phrases: `crisis`, `not_crisis`
(idioms and negations that cancel a crisis phrase they cover), and `ordinary`: examples of hard
but ordinary days ("se me murió un paciente") that must still get a practice. The build checks
them (every problem as path:line:col: an `ordinary` example that would get the crisis response
fails the build) and copies `crisis` and `not_crisis`, normalised, into the catalog; the service
matches what people say against them (`voice_app/crisis.py`). Both sides normalise and match text
the same way (`normalise_phrase`, `is_crisis` here; `voice_app.crisis` there): the packages
never import each other, so a test keeps the two in step.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import ScriptError, ScriptErrors
from .located import Located, load_located

FIELDS = ("crisis", "not_crisis", "ordinary")
STORED = ("crisis", "not_crisis")
"""The lists the service needs; `ordinary` holds checked examples only."""


@dataclass(frozen=True)
class CrisisWords:
    """One language's lexicon, every phrase normalised."""

    crisis: tuple[str, ...]
    not_crisis: tuple[str, ...]


def normalise_phrase(text: str) -> str:
    """Lower case, accents folded, anything but letters and digits as single spaces."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold())
                     if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def load_crisis_lexicons(folder: Path) -> dict[str, CrisisWords]:
    """Every `<language>.yaml` in `folder`; raises `ScriptErrors` with every problem found."""
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not any(path.stem == "en" for path in files):
        raise ScriptErrors([ScriptError(str(folder / "en.yaml"), 0, 0,
                                        "no crisis lexicon",
                                        "the service must recognise words of crisis: restore "
                                        "scripts/crisis/en.yaml")])
    lexicons: dict[str, CrisisWords] = {}
    errors: list[ScriptError] = []
    for path in files:
        try:
            lexicons[path.stem] = load_crisis_lexicon(path)
        except ScriptErrors as failure:
            errors.extend(failure.errors)
    if errors:
        raise ScriptErrors(errors)
    return lexicons


def load_crisis_lexicon(path: Path) -> CrisisWords:
    doc = load_located(path)
    if not isinstance(doc.data, dict):
        raise ScriptErrors([doc.error((), "expected the lists crisis:, not_crisis: and "
                                      "ordinary:")])
    lists, errors = _lists(doc)
    errors += _check(path, lists)
    if errors:
        raise ScriptErrors(errors)
    return CrisisWords(**{name: tuple(normalise_phrase(text) for text, _ in lists[name])
                          for name in STORED})


Phrases = list[tuple[str, tuple[int, int]]]
"""Phrases as written, each with its line and column."""


def _lists(doc: Located) -> tuple[dict[str, Phrases], list[ScriptError]]:
    lists: dict[str, Phrases] = {name: [] for name in FIELDS}
    errors: list[ScriptError] = []
    for name, value in doc.data.items():
        if name not in FIELDS:
            errors.append(doc.error((name,), f"unknown list '{name}'",
                                    "use crisis:, not_crisis: and ordinary:"))
            continue
        if not isinstance(value, list):
            errors.append(doc.error((name,), f"'{name}' must be a list of phrases"))
            continue
        for index, item in enumerate(value):
            if not isinstance(item, str) or not normalise_phrase(item):
                errors.append(doc.error((name, index), "a phrase must be words",
                                        "write the phrase as plain text"))
                continue
            lists[name].append((item, doc.at(name, index)))
    if not lists["crisis"] and not errors:
        errors.append(doc.error((), "the crisis list is empty"))
    return lists, errors


def _check(path: Path, lists: dict[str, Phrases]) -> list[ScriptError]:
    """No phrase twice; every not_crisis phrase covers a crisis phrase (else it does nothing);
    no ordinary example gets the crisis response."""
    errors: list[ScriptError] = []
    seen: dict[str, str] = {}
    for name in STORED:
        for text, at in lists[name]:
            phrase = normalise_phrase(text)
            if phrase in seen:
                errors.append(ScriptError(str(path), *at, f"'{text}' is listed twice "
                                          f"(also under {seen[phrase]})", "keep one"))
            seen.setdefault(phrase, name)
    crisis = [normalise_phrase(text) for text, _ in lists["crisis"]]
    for text, at in lists["not_crisis"]:
        padded = f" {normalise_phrase(text)} "
        if not any(f" {phrase} " in padded for phrase in crisis):
            errors.append(ScriptError(str(path), *at, f"'{text}' contains no crisis phrase, "
                                      "so it cancels nothing",
                                      "list it under ordinary: if it is an example of a hard "
                                      "day, or add the crisis phrase it should cancel"))
    words = CrisisWords(tuple(crisis), tuple(normalise_phrase(t) for t, _ in lists["not_crisis"]))
    for text, at in lists["ordinary"]:
        if is_crisis(words, text):
            errors.append(ScriptError(str(path), *at, f"the ordinary example '{text}' would get "
                                      "the crisis response",
                                      "add a not_crisis phrase that covers its crisis words, "
                                      "or move it under crisis:"))
    return errors


def is_crisis(words: CrisisWords, said: str) -> bool:
    """The service's rule (`voice_app.crisis.CrisisLexicon.matches`): a crisis phrase as whole
    words that no not_crisis phrase found in the same words covers entirely."""
    heard = normalise_phrase(said).split()

    def spans(phrases: tuple[str, ...]) -> list[tuple[int, int]]:
        found = []
        for phrase in phrases:
            size = len(phrase.split())
            found += [(i, i + size) for i in range(len(heard) - size + 1)
                      if heard[i:i + size] == phrase.split()]
        return found

    cancelling = spans(words.not_crisis)
    return any(not any(a <= s and e <= b for a, b in cancelling) for s, e in spans(words.crisis))
