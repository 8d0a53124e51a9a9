"""The Alexa interaction models, one per language, generated from the library by
`python -m audio_build skill-model` (skill-package/interactionModels/custom/<locale>.json: en-US
from English, es-US from Spanish).

The intents are listed here; everything said is data in the `alexa:` section of
`scripts/prompts/<lang>.yaml` (audio_build/words_alexa.py): the invocation name and the sample
utterances. Slot values come from the library: PracticeName from the language's scripts (titles,
ids and aliases), Feeling from the needs' words (each need is one value whose id is the need, its
words synonyms).
A word that is also a practice's name or alias is left out of Feeling: it leads to that practice,
and one utterance must never belong to two intents (tests/test_alexa_model.py). `make test` fails
when the committed model is stale, naming the command.

Every intent here has exactly one handler in `voice_app.alexa.skill.HANDLERS`, and every
handled intent is here (tests/test_alexa_model.py).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

from .config import DEFAULT_PROMPTS_DIR
from .language import DEFAULT_LANGUAGE
from .library import load_languages
from .library_data import LibraryData, load_library_data
from .located import load_located
from .outputs import write_if_changed
from .script import PracticeScript

MODELS_DIR = Path("skill-package/interactionModels/custom")


class _Samples(Sequence[str]):
    """One English sample list of the prompts file, read when first used (not at import)."""

    def __init__(self, name: str) -> None:
        self.name = name

    @functools.cached_property
    def _items(self) -> tuple[str, ...]:
        data = load_located(DEFAULT_PROMPTS_DIR / f"{DEFAULT_LANGUAGE}.yaml").data
        return tuple(str(s) for s in data["alexa"][self.name])

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)


_CRISIS = _Samples("crisis_samples")
"""The English CrisisIntent samples (tests/test_crisis_lexicon.py: each is in the lexicon too)."""

BUILT_IN_INTENTS = (
    "AMAZON.HelpIntent", "AMAZON.CancelIntent", "AMAZON.StopIntent", "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent",
    "AMAZON.StartOverIntent", "AMAZON.RepeatIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.LoopOnIntent",
    "AMAZON.LoopOffIntent", "AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent",
    "AMAZON.MoreIntent",
)


def speakable(text: str) -> str:
    """A slot value Alexa accepts: lower case words, no punctuation but apostrophes."""
    return " ".join(re.sub(r"[^\w']+", " ", text.lower().replace("_", " ")).split())


def practice_values(practices: Sequence[PracticeScript]) -> list[dict[str, Any]]:
    values = []
    for practice in practices:
        value = speakable(practice.title)
        synonyms = {speakable(a) for a in practice.aliases} | {speakable(practice.practice_id)}
        values.append({"id": practice.practice_id,
                       "name": {"value": value,
                                "synonyms": sorted(s for s in synonyms if s and s != value)}})
    return values


def feeling_values(practices: Sequence[PracticeScript], data: LibraryData, language: str
                   ) -> list[dict[str, Any]]:
    """Each need's words, less those that would make an utterance of another intent: a word
    that is a practice's name, or that some feeling sample turns into one ("me siento vacío" is
    a Spanish practice's alias). Such words lead to that practice instead."""
    named = {s for v in practice_values(practices)
             for s in (v["name"]["value"], *v["name"]["synonyms"])}
    samples = [s for s in data.languages[language].sections["alexa"].lists["recommend_samples"]
               if "{feeling}" in s and s.count("{") == 1]
    values = []
    for need in data.needs:
        words = [w for w in dict.fromkeys(speakable(w) for w in
                                          data.languages[language].needs[need.need_id].words)
                 if w and w not in named
                 and not any(s.replace("{feeling}", w) in named for s in samples)]
        if words:
            values.append({"id": need.need_id,
                           "name": {"value": words[0], "synonyms": words[1:]}})
    return values


def stress_values(data: LibraryData, language: str) -> list[dict[str, Any]]:
    """The check-in's answers, 1 to 5 (ids "1".."5"): each label ("quite a bit") with its number
    word ("four") as a synonym, which AMAZON.NUMBER alone would miss the other way round."""
    words = data.languages[language]
    return [{"id": str(value),
             "name": {"value": speakable(label),
                      "synonyms": [speakable(words.numbers[value])]}}
            for value, label in enumerate(words.checkin.labels, start=1)]


def checkin_words(data: LibraryData, language: str, name: str) -> list[str]:
    """The check-in's own words for turning it off or on (`checkin:` of the prompts file)."""
    return list(dict.fromkeys(speakable(w) for w in data.languages[language].checkin.words[name]))


def interaction_model(practices: Sequence[PracticeScript], data: LibraryData,
                      language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    words = data.languages[language].sections["alexa"]
    samples = words.lists
    start_slots = [{"name": "practice", "type": "PracticeName"},
                   {"name": "duration", "type": "AMAZON.DURATION"},
                   {"name": "minutes", "type": "AMAZON.NUMBER"}]
    intents = [
        {"name": "StartPracticeIntent", "slots": start_slots,
         "samples": list(samples["start_samples"])},
        {"name": "RecommendIntent",
         "slots": [{"name": "feeling", "type": "Feeling"},
                   {"name": "minutes", "type": "AMAZON.NUMBER"}],
         "samples": list(samples["recommend_samples"])},
        {"name": "ListPracticesIntent", "samples": list(samples["list_samples"])},
        {"name": "ProgressIntent", "samples": list(samples["progress_samples"])},
        {"name": "CrisisIntent", "samples": list(samples["crisis_samples"])},
        {"name": "ForgetMeIntent", "samples": list(samples["forget_samples"])},
        {"name": "CheckinAnswerIntent", "slots": [{"name": "level", "type": "StressLevel"}],
         "samples": list(samples["checkin_answer_samples"])},
        {"name": "CheckinHistoryIntent", "samples": list(samples["checkin_history_samples"])},
        {"name": "CheckinOffIntent", "samples": checkin_words(data, language, "off")},
        {"name": "CheckinOnIntent", "samples": checkin_words(data, language, "on")},
        {"name": "DoneIntent", "samples": list(samples["done_samples"])},
        *({"name": name, "samples": []} for name in BUILT_IN_INTENTS),
    ]
    types = [{"name": "PracticeName", "values": practice_values(practices)},
             {"name": "Feeling", "values": feeling_values(practices, data, language)},
             {"name": "StressLevel", "values": stress_values(data, language)}]
    return {"interactionModel": {"languageModel": {
        "invocationName": words.texts["invocation_name"], "intents": intents, "types": types}}}


def interaction_model_text(practices: Sequence[PracticeScript], data: LibraryData,
                           language: str = DEFAULT_LANGUAGE) -> str:
    return json.dumps(interaction_model(practices, data, language), indent=2,
                      ensure_ascii=False) + "\n"


def model_texts(paths: Sequence[Path], library: Path, prompts_dir: Path,
                languages: Sequence[str] | None = None) -> dict[str, str]:
    """Each language's model text by its file name ("es-US.json"): the languages whose scripts
    and prompts file the library has (or only `languages`)."""
    libraries = load_languages(paths)
    data = load_library_data(libraries[DEFAULT_LANGUAGE].practices, library, prompts_dir)
    return {f"{data.languages[code].locale}.json":
            interaction_model_text(libraries[code].practices, data, code)
            for code in libraries if code in data.languages
            and (languages is None or code in languages)}


def write_models(paths: Sequence[Path], library: Path, prompts_dir: Path, out_dir: Path,
                 check: bool = False, only: Path | None = None) -> int:
    """Write (or, with `check`, compare) every language's model under `out_dir`; 1 if any
    committed model is stale. `only`: the English model alone, at that path."""
    stale = 0
    texts = model_texts(paths, library, prompts_dir,
                        languages=(DEFAULT_LANGUAGE,) if only else None)
    for name, text in texts.items():
        path = only or out_dir / name
        if check:
            current = path.read_text(encoding="utf-8") if path.is_file() else ""
            if current != text:
                print(f"{path} is stale: run python -m audio_build skill-model", file=sys.stderr)
                stale = 1
            else:
                print(f"{path} is current")
            continue
        changed = write_if_changed(path, text)
        print(f"{path} {'written' if changed else 'unchanged'}")
    return stale
