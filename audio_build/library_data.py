"""Library data: the needs, the first practice and the phone menus (`scripts/library.yaml`), and
per language every sentence the hotline speaks and every word the service listens for
(`scripts/prompts/<lang>.yaml`).

`load_library_data` checks both against the practices (every problem at once, as path:line:col)
and resolves the menus into pages with keys. `prompt_texts` renders every recorded sentence:
fixed prompts, and templates filled from the library (menu pages, "<title> comes in three or five
minutes", "continue <title> where you left off"), so nothing hand-copies a title, a key or a
length. `to_catalog` is the JSON-ready form the catalog carries to the service.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from dataclasses import field as default
from pathlib import Path
from typing import Any

from . import words_alexa, words_phone, words_web
from .config import DEFAULT_LIBRARY_PATH, DEFAULT_PROMPTS_DIR
from .errors import ScriptError, ScriptErrors
from .located import Located, load_located
from .script import PracticeScript

RESERVED = ("help", "more", "back", "end")
"""Keys the hotline keeps on every menu (library.yaml `keys:`)."""
OPTIONAL_KEYS = ("language",)
"""Reserved too when library.yaml names them: `language` switches a call to the other language."""
DIGITS = "123456789"
COMMANDS = ("pause", "resume", "next", "back", "menu", "help", "end")
WORD_LISTS = ("yes", "no", "connect", "another", "forget", "confirm", "keep")
TEMPLATES: dict[str, frozenset[str]] = {
    "menu_item": frozenset({"label", "key"}), "menu_next": frozenset({"key"}),
    "menu_back": frozenset({"key"}), "menu_speak": frozenset(), "menu_help": frozenset({"key"}),
    "resume": frozenset({"title"}), "lengths": frozenset({"title", "lengths"}),
    "menu_label": frozenset({"title", "shortest"}),
}
LABEL_FIELDS = frozenset({"title", "shortest"})
SPOKEN: dict[str, frozenset[str]] = {"support_offer": frozenset({"support_line"})}
PROMPTS = ("greeting", "choose_length", "starting", "paused", "still_paused", "paused_goodbye",
           "help_keys", "not_understood", "practice_done", "goodbye", "trouble", "crisis",
           "crisis_connect", "crisis_connecting", "crisis_dial_failed", "crisis_goodbye",
           "menu_help", "forget_confirm", "forgotten", "forget_kept", "forget_nothing_saved",
           "forget_withheld")
"""The fixed prompts the hotline plays; each language's prompts file has them all."""
PROMPT_FIELDS = frozenset({"crisis_line"})
CHECKIN_TEXTS: dict[str, frozenset[str]] = {
    "question": frozenset(), "before": frozenset(), "after": frozenset(),
    "said_back": frozenset({"label"}), "skipped": frozenset(),
    "support": frozenset({"support_line", "crisis_line"}),
    "support_no_line": frozenset({"crisis_line"}), "support_close": frozenset(),
    "history": frozenset({"count", "before", "after"}), "history_none": frozenset(),
    "week_lower": frozenset({"count", "points"}), "week_higher": frozenset({"count", "points"}),
    "week_same": frozenset({"count"}), "week_none": frozenset(),
    "turned_off": frozenset(), "turned_on": frozenset(), "decimal": frozenset(),
}
"""The check-in's sentences (docs/checkin.md), each prompts file's `checkin:` section."""
CHECKIN_WORDS = ("skip", "off", "on")
"""Words listened for: skip the question; turn check-ins off; turn them on."""
SECTIONS = {"phone": words_phone, "web": words_web, "alexa": words_alexa}
"""Each channel's own section of a prompts file, specified by its `words_<channel>` module."""


@dataclass(frozen=True)
class Need:
    need_id: str
    """A practice category."""
    also: tuple[str, ...]
    minutes: int | None


@dataclass(frozen=True)
class MenuEntry:
    key: str
    practice_id: str
    minutes: int | None


@dataclass(frozen=True)
class Menu:
    name: str
    pages: tuple[tuple[MenuEntry, ...], ...]


@dataclass(frozen=True)
class NeedWords:
    title: str
    line: str
    why: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class CheckinWords:
    """The check-in question, its five labels (1 to 5), what is said around it and the words
    listened for (`checkin:` in a prompts file)."""

    texts: dict[str, str]
    labels: tuple[str, ...]
    words: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Words:
    """One channel's section of a prompts file: sentences by name, word lists by name."""

    texts: dict[str, str]
    lists: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    locale: str
    numbers: tuple[str, ...]
    keys: dict[str, str]
    """How "*" and "#" are said."""
    or_word: str
    needs: dict[str, NeedWords]
    first_why: str
    commands: dict[str, tuple[str, ...]]
    words: dict[str, tuple[str, ...]]
    """yes, no, connect (to the crisis line), another (practice, after one ends), forget, confirm
    and keep (the help's way to delete a caller's data)."""
    menu_labels: dict[str, str]
    templates: dict[str, str]
    spoken: dict[str, str]
    prompts: dict[str, str]
    crisis_via: str = "{line}"
    """How the main crisis line is told to speakers of this language ("{line}, and press 2 for
    Spanish"), when the deployment gives the language no line of its own."""
    engine: str | None = None
    """The engine this language's library is built with by default (None: the build's)."""
    voices: dict[str, str] = default(default_factory=dict)
    """The voice for each engine (an engine not named: its default voice)."""
    prompt_pace: dict[str, float] = default(default_factory=dict)
    """The phone prompts' length scale for each engine (an engine not named: the build's
    everyday prompt pace, `prompts.PROMPT_SETTINGS`)."""
    checkin: CheckinWords = default(default_factory=lambda: CheckinWords({}, (), {}))
    sections: dict[str, Words] = default(default_factory=dict)
    """Each channel's own words (`SECTIONS`), by section name."""

    def crisis_line(self, main: str, own: str = "") -> str:
        """The crisis line as this language says it: its own line, or the main one with how to
        reach this language's service (`spoken_number` digits for a recording)."""
        return own or self.crisis_via.format(line=main)

    def number(self, value: int) -> str:
        return self.numbers[value] if 0 <= value < len(self.numbers) else str(value)

    def key_word(self, key: str) -> str:
        return self.keys.get(key) or self.number(int(key))

    def spoken_list(self, items: Sequence[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.or_word} {items[-1]}"


@dataclass(frozen=True)
class LibraryData:
    first: str
    needs: tuple[Need, ...]
    keys: dict[str, str]
    menus: tuple[Menu, ...]
    languages: dict[str, Language]


def load_library_data(practices: Sequence[PracticeScript],
                      library_path: Path = DEFAULT_LIBRARY_PATH,
                      prompts_dir: Path = DEFAULT_PROMPTS_DIR,
                      translations: Mapping[str, Sequence[PracticeScript]] | None = None
                      ) -> LibraryData:
    """The library data checked against `practices` (English) and each language's prompts file
    against that language's practices (`translations`, from `library.load_languages`; a
    language without its own scripts is checked against the English ones); raises
    `ScriptErrors` with every problem."""
    errors: list[ScriptError] = []
    shape = load_located(library_path)
    first, needs, keys, menus = _library(shape, {p.practice_id: p for p in practices}, errors)
    languages: dict[str, Language] = {}
    files = sorted(prompts_dir.glob("*.yaml")) if prompts_dir.is_dir() else []
    if not any(path.stem == "en" for path in files):
        errors.append(ScriptError(str(prompts_dir / "en.yaml"), 0, 0, "no English prompts file",
                                  "restore scripts/prompts/en.yaml"))
    for path in files:
        own = (translations or {}).get(path.stem) or practices
        languages[path.stem] = _language(load_located(path), needs, own, errors)
    if errors:
        raise ScriptErrors(errors)
    return LibraryData(first, needs, keys, menus, languages)


# --- library.yaml ---------------------------------------------------------------------------

def _library(doc: Located, practices: Mapping[str, PracticeScript], errors: list[ScriptError]
             ) -> tuple[str, tuple[Need, ...], dict[str, str], tuple[Menu, ...]]:
    data = doc.data if isinstance(doc.data, dict) else {}
    for name in sorted(set(data) - {"first", "needs", "keys", "menus"}):
        errors.append(doc.error((name,), f"unknown entry '{name}'",
                                "use first, needs, keys and menus"))
    first = str(data.get("first", ""))
    if first not in practices:
        errors.append(doc.error(("first",), f"first: no practice called '{first}'",
                                "name a practice of scripts/meditations"))
    needs = _needs(doc, data.get("needs"), practices, errors)
    keys = _keys(doc, data.get("keys"), errors)
    menus = _menus(doc, data.get("menus"), practices, keys, errors)
    return first, needs, keys, menus


def _needs(doc: Located, raw: Any, practices: Mapping[str, PracticeScript],
           errors: list[ScriptError]) -> tuple[Need, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append(doc.error(("needs",), "needs: must list the library's needs"))
        return ()
    categories = {p.category for p in practices.values()}
    needs: list[Need] = []
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        need_id = str(item.get("need", ""))
        if need_id not in categories:
            errors.append(doc.error(("needs", index, "need"), f"no practice has the category "
                                    f"'{need_id}'", "a need is a category of practices"))
        also = tuple(str(c) for c in item.get("also", []) or [])
        for number, category in enumerate(also):
            if category not in categories:
                errors.append(doc.error(("needs", index, "also", number),
                                        f"no practice has the category '{category}'"))
        minutes = item.get("minutes")
        if minutes is not None and (not isinstance(minutes, int) or minutes < 1):
            errors.append(doc.error(("needs", index, "minutes"), "minutes must be a whole "
                                    "number of minutes"))
            minutes = None
        needs.append(Need(need_id, also, minutes))
    listed = [n.need_id for n in needs]
    for practice in practices.values():
        if practice.category not in listed:
            errors.append(ScriptError(str(practice.path), *_field_line(practice.path, "category"),
                                      f"category '{practice.category}' is not a need of "
                                      "scripts/library.yaml", "add it under needs: (and its "
                                      "words in each prompts file), or use one of "
                                      + ", ".join(listed)))
    for need_id in {n for n in listed if listed.count(n) > 1}:
        errors.append(doc.error(("needs",), f"need '{need_id}' is listed twice"))
    return tuple(needs)


def _field_line(path: Path, field: str) -> tuple[int, int]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1, 1
    number = next((n for n, line in enumerate(lines, 1) if line.startswith(f"{field}:")), 1)
    return number, len(field) + 3 if number > 1 else 1


def _keys(doc: Located, raw: Any, errors: list[ScriptError]) -> dict[str, str]:
    raw = raw if isinstance(raw, dict) else {}
    keys = {name: str(raw.get(name, "")) for name in RESERVED}
    keys |= {name: str(raw[name]) for name in OPTIONAL_KEYS if name in raw}
    for name, key in keys.items():
        if len(key) != 1 or key not in "0123456789*#":
            errors.append(doc.error(("keys", name), f"keys: {name} must be one keypad key"))
    if len(set(keys.values())) != len(keys):
        errors.append(doc.error(("keys",), "keys: each reserved key must be different"))
    return keys


def _menus(doc: Located, raw: Any, practices: Mapping[str, PracticeScript],
           keys: dict[str, str], errors: list[ScriptError]) -> tuple[Menu, ...]:
    if not isinstance(raw, dict) or not raw:
        errors.append(doc.error(("menus",), "menus: must list at least one menu"))
        return ()
    # Reserved keys hold on every page; the optional ones (the language switch) only on the
    # first page of the first menu, where the greeting offers them.
    free = [d for d in DIGITS if d not in (keys[n] for n in RESERVED)]
    opening = [d for d in free if d not in keys.values()]
    placed: dict[str, str] = {}
    menus = []
    for number, (name, entries) in enumerate(raw.items()):
        entries = entries if isinstance(entries, list) else []
        menus.append(Menu(name, _pages(doc, name, entries, practices, free, placed, errors,
                                       first=opening if number == 0 else free)))
    for practice_id in practices:
        if practice_id not in placed:
            errors.append(doc.error(("menus",), f"'{practice_id}' is on no phone menu",
                                    "add it to a menu here"))
    return tuple(menus)


def _pages(doc: Located, name: str, entries: list[Any], practices: Mapping[str, PracticeScript],
           free: list[str], placed: dict[str, str], errors: list[ScriptError], *,
           first: list[str]) -> tuple[tuple[MenuEntry, ...], ...]:
    """Entries into pages: the first of at most len(first) keys, with the pinned keys; the
    others of at most len(free)."""
    pinned: dict[str, int] = {}
    wanted: list[tuple[int, str, int | None, str | None]] = []
    for index, item in enumerate(entries):
        item = item if isinstance(item, dict) else {"practice": item}
        where = ("menus", name, index)
        practice_id = str(item.get("practice", ""))
        practice = practices.get(practice_id)
        if practice is None:
            errors.append(doc.error((*where, "practice"), f"no practice called '{practice_id}'"))
            continue
        if practice_id in placed:
            errors.append(doc.error(where, f"'{practice_id}' is already on the "
                                    f"{placed[practice_id]} menu", "put each practice on one menu"))
            continue
        placed[practice_id] = name
        minutes = item.get("minutes")
        if minutes is not None and minutes not in practice.lengths:
            errors.append(doc.error((*where, "minutes"), f"'{practice_id}' has no {minutes}-minute"
                                    " length", f"use one of {list(practice.lengths)}"))
            minutes = None
        key = str(item["key"]) if "key" in item else None
        if key is not None and (key not in first or key in pinned):
            errors.append(doc.error((*where, "key"), f"key {key} cannot be pinned here",
                                    f"use a free key: {', '.join(first)}, once per menu"))
            key = None
        if key is not None:
            pinned[key] = index
        wanted.append((index, practice_id, minutes, key))
    pages: list[tuple[MenuEntry, ...]] = []
    rest = list(wanted)
    while rest:
        taken = {k for _, _, _, k in rest if k} if not pages else set()
        page_keys = free if pages else first
        keys = iter(k for k in page_keys if k not in taken)
        page: list[MenuEntry] = []
        while rest and len(page) < len(page_keys):
            _, practice_id, minutes, key = rest.pop(0)
            chosen = key if key and not pages else next(keys)
            page.append(MenuEntry(chosen, practice_id, minutes))
        pages.append(tuple(sorted(page, key=lambda e: e.key)))
    return tuple(pages)


# --- prompts/<lang>.yaml ----------------------------------------------------------------------

def _language(doc: Located, needs: Sequence[Need], practices: Sequence[PracticeScript],
              errors: list[ScriptError]) -> Language:
    data = doc.data if isinstance(doc.data, dict) else {}
    info = data.get("language") or {}
    numbers = tuple(str(n) for n in data.get("numbers") or ())
    if len(numbers) < 21:
        errors.append(doc.error(("numbers",), "numbers: list the words for zero to twenty"))
    need_words = _need_words(doc, data.get("needs"), needs, errors)
    ids = {p.practice_id for p in practices}
    labels = {str(k): str(v) for k, v in (data.get("menu_labels") or {}).items()
              if str(k) in ids}  # labels of practices this library lacks: kept out, as needs
    for practice_id, label in labels.items():
        _check_fields(doc, ("menu_labels", practice_id), label, LABEL_FIELDS, errors)
    crisis_via = " ".join(str(info.get("crisis_line") or "{line}").split())
    _check_fields(doc, ("language", "crisis_line"), crisis_via, frozenset({"line"}), errors)
    if "{line}" not in crisis_via:
        errors.append(doc.error(("language", "crisis_line"), "crisis_line never says the line",
                                "write {line} where the number goes"))
    return Language(
        code=doc.path.stem, name=str(info.get("name", doc.path.stem)),
        locale=str(info.get("locale", doc.path.stem)), numbers=numbers,
        keys={str(k): str(v) for k, v in (data.get("keys") or {}).items()},
        or_word=str(data.get("or", "or")), needs=need_words,
        first_why=_text(doc, data, "first_why", frozenset({"title"}), errors),
        commands=_word_lists(doc, data, "commands", COMMANDS, errors),
        words=_word_lists(doc, data, None, WORD_LISTS, errors),
        menu_labels=labels,
        templates=_texts(doc, data, "templates", TEMPLATES, errors),
        spoken=_texts(doc, data, "spoken", SPOKEN, errors),
        prompts=_texts(doc, data, "prompts", dict.fromkeys(PROMPTS, PROMPT_FIELDS), errors,
                       extra_ok=True),
        crisis_via=crisis_via,
        engine=str(info["engine"]) if info.get("engine") else None,
        voices={str(k): str(v) for k, v in (info.get("voices") or {}).items()},
        prompt_pace=_prompt_pace(doc, info.get("prompt_pace"), errors),
        checkin=_checkin(doc, data, errors),
        sections={name: _section(doc, data, name, spec.TEXTS, spec.LISTS, errors)
                  for name, spec in SECTIONS.items()})


def _section(doc: Located, data: dict[str, Any], name: str,
             texts: Mapping[str, frozenset[str]], lists: Sequence[str],
             errors: list[ScriptError]) -> Words:
    """A channel's section: every text of `texts` (with only its values) and every list of
    `lists`; nothing else."""
    raw = data.get(name)
    if raw is None and not texts and not lists:
        return Words({}, {})
    if not isinstance(raw, dict):
        errors.append(doc.error((), f"'{name}' is missing",
                                f"add the {name} section (see scripts/prompts/en.yaml)"))
        return Words({}, {})
    for key in sorted(set(map(str, raw)) - set(texts) - set(lists)):
        errors.append(doc.error((name, key), f"{name}: unknown '{key}'"))
    only_texts = {k: v for k, v in raw.items() if k in texts}
    found = _texts(doc, {name: only_texts}, name, texts, errors) if texts else {}
    words = _word_lists(doc, data, name, lists, errors) if lists else {}
    return Words(found, words)


def _prompt_pace(doc: Located, raw: Any, errors: list[ScriptError]) -> dict[str, float]:
    pace: dict[str, float] = {}
    for engine, value in (raw or {}).items() if isinstance(raw, dict) else ():
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0.5 <= value <= 2.0:
            errors.append(doc.error(("language", "prompt_pace", engine), "prompt_pace must be a "
                                    "length scale between 0.5 and 2.0", "e.g. kokoro: 1.0"))
            continue
        pace[str(engine)] = float(value)
    if raw is not None and not isinstance(raw, dict):
        errors.append(doc.error(("language", "prompt_pace"), "prompt_pace: give a length "
                                "scale for each engine", "e.g. {kokoro: 1.0}"))
    return pace


def _checkin(doc: Located, data: dict[str, Any], errors: list[ScriptError]) -> CheckinWords:
    raw = data.get("checkin")
    if not isinstance(raw, dict):
        errors.append(doc.error((), "'checkin' is missing", "add the check-in's question, "
                                "labels and words (see scripts/prompts/en.yaml)"))
        return CheckinWords({}, (), {})
    texts = _texts(doc, {**data, "checkin": {k: v for k, v in raw.items()
                                           if k not in ("labels", *CHECKIN_WORDS)}},
                   "checkin", CHECKIN_TEXTS, errors)
    labels = tuple(" ".join(str(x).split()) for x in raw.get("labels") or ())
    if len(labels) != 5 or not all(labels):
        errors.append(doc.error(("checkin", "labels"), "checkin: labels must name the five "
                                "answers, 1 to 5", "[not at all, a little, moderately, quite a "
                                "bit, extremely]"))
    words = _word_lists(doc, data, "checkin", CHECKIN_WORDS, errors)
    return CheckinWords(texts, labels, words)


def _need_words(doc: Located, raw: Any, needs: Sequence[Need], errors: list[ScriptError]
                ) -> dict[str, NeedWords]:
    raw = raw if isinstance(raw, dict) else {}
    found: dict[str, NeedWords] = {}
    owner: dict[str, str] = {}
    for need in needs:
        item = raw.get(need.need_id)
        if not isinstance(item, dict):
            errors.append(doc.error(("needs",), f"needs: no words for '{need.need_id}'",
                                    "give it a title, line, why and words"))
            continue
        texts = {f: str(item.get(f) or "").strip() for f in ("title", "line", "why")}
        for field, text in texts.items():
            if not text:
                errors.append(doc.error(("needs", need.need_id), f"'{need.need_id}' needs a "
                                        f"{field}"))
        words = tuple(str(w).strip() for w in item.get("words") or () if str(w).strip())
        for index, word in enumerate(words):
            spoken = " ".join(word.casefold().split())
            if owner.setdefault(spoken, need.need_id) != need.need_id:
                errors.append(doc.error(("needs", need.need_id, "words", index),
                                        f"'{word}' also leads to '{owner[spoken]}'",
                                        "a word leads to one need"))
        found[need.need_id] = NeedWords(texts["title"], texts["line"], texts["why"], words)
    # Words for a need this library does not have are kept out, not refused: one prompts file
    # serves the whole library and any part of it (a test library, a benchmark's one practice).
    return found


def _word_lists(doc: Located, data: dict[str, Any], section: str | None,
                names: Iterable[str], errors: list[ScriptError]) -> dict[str, tuple[str, ...]]:
    raw = data.get(section) if section else data
    raw = raw if isinstance(raw, dict) else {}
    out = {}
    for name in names:
        words = tuple(str(w) for w in raw.get(name) or () if str(w).strip())
        if not words:
            errors.append(doc.error((section,) if section else (), f"no words for '{name}'"))
        out[name] = words
    return out


def _texts(doc: Located, data: dict[str, Any], section: str,
           wanted: Mapping[str, frozenset[str]], errors: list[ScriptError], *,
           extra_ok: bool = False) -> dict[str, str]:
    raw = data.get(section) if isinstance(data.get(section), dict) else {}
    out = {}
    for name in wanted:
        if name not in raw:
            errors.append(doc.error((section,), f"{section}: '{name}' is missing"))
    for name, value in raw.items():
        if name not in wanted and not extra_ok:
            errors.append(doc.error((section, name), f"{section}: unknown '{name}'"))
        text = " ".join(str(value or "").split())
        _check_fields(doc, (section, name), text, wanted.get(name, PROMPT_FIELDS), errors)
        out[str(name)] = text
    return out


def _text(doc: Located, data: dict[str, Any], name: str, fields: frozenset[str],
          errors: list[ScriptError]) -> str:
    text = " ".join(str(data.get(name) or "").split())
    if not text:
        errors.append(doc.error((), f"'{name}' is missing"))
    _check_fields(doc, (name,), text, fields, errors)
    return text


def _check_fields(doc: Located, key: tuple[str | int, ...], text: str, allowed: frozenset[str],
                  errors: list[ScriptError]) -> None:
    try:
        used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as error:
        errors.append(doc.error(key, f"a stray brace: {error}", "write {name} for a value"))
        return
    for field in sorted(used - allowed):
        errors.append(doc.error(key, f"unknown value {{{field}}}",
                                "use " + (", ".join(f"{{{f}}}" for f in sorted(allowed))
                                          or "no values here")))


# --- rendering -------------------------------------------------------------------------------

def spoken_number(number: str) -> str:
    """'988' → '9 8 8', so a voice says each digit instead of 'nine hundred eighty-eight'."""
    return " ".join(ch for ch in number if ch.isdigit()) or number


def prompt_texts(data: LibraryData, practices: Sequence[PracticeScript], language: str,
                 crisis_line: str, own_line: str = "") -> dict[str, str]:
    """Every sentence recorded for the phone in `language`, by prompt name. `crisis_line` is the
    main line; `own_line` this language's own, if the deployment has one (CRISIS_LINE_ES)."""
    words = data.languages[language]
    line = words.crisis_line(spoken_number(crisis_line),
                             spoken_number(own_line) if own_line else "")
    texts = {name: text.replace("{crisis_line}", line) for name, text in words.prompts.items()}
    texts |= checkin_prompts(words.checkin)
    for practice in practices:
        texts[f"resume_{practice.practice_id}"] = words.templates["resume"].format(
            title=practice.title)
        if len(practice.lengths) > 1:
            texts[f"lengths_{practice.practice_id}"] = words.templates["lengths"].format(
                title=practice.title,
                lengths=words.spoken_list([words.number(n) for n in practice.lengths]))
    by_id = {p.practice_id: p for p in practices}
    for index, menu in enumerate(data.menus):
        last_menu = index == len(data.menus) - 1
        for number, page in enumerate(menu.pages, start=1):
            more = number < len(menu.pages) or not last_menu
            texts[menu_prompt(menu.name, number)] = _menu_page(
                words, page, by_id, data.keys, more=more, back=index > 0 or number > 1,
                speak=index == 0 and number == 1)
    return texts


def checkin_prompts(checkin: CheckinWords) -> dict[str, str]:
    """The check-in's fixed sentences as the `checkin:` section says them, for the phone to
    play recorded: the question before and after, each answer said back, skipped, turned off
    and on (`checkin_<name>`; voice_app.library.CheckinText says the same words)."""
    texts = checkin.texts
    if not texts:
        return {}
    prompts = {"checkin_before": f"{texts['before']} {texts['question']}",
               "checkin_after": f"{texts['after']} {texts['question']}"}
    for value, label in enumerate(checkin.labels, start=1):
        said = texts["said_back"].format(label=label)
        prompts[f"checkin_said_back_{value}"] = said[:1].upper() + said[1:]
    prompts |= {f"checkin_{name}": texts[name] for name in ("skipped", "turned_off", "turned_on")}
    return prompts


def menu_prompt(menu: str, page: int) -> str:
    return f"menu_{menu}_{page}"


def _menu_page(words: Language, page: Iterable[MenuEntry], by_id: Mapping[str, PracticeScript],
               keys: Mapping[str, str], *, more: bool, back: bool, speak: bool) -> str:
    lines = []
    for entry in page:
        practice = by_id[entry.practice_id]
        label = words.menu_labels.get(entry.practice_id, words.templates["menu_label"]).format(
            title=practice.title, shortest=words.number(min(practice.lengths)))
        lines.append(words.templates["menu_item"].format(label=label,
                                                         key=words.key_word(entry.key)))
    if more:
        lines.append(words.templates["menu_next"].format(key=words.key_word(keys["more"])))
    if back:
        lines.append(words.templates["menu_back"].format(key=words.key_word(keys["back"])))
    if speak:
        lines.append(words.templates["menu_speak"])
        lines.append(words.templates["menu_help"].format(key=words.key_word(keys["help"])))
    return " ".join(lines)


def to_catalog(data: LibraryData) -> dict[str, Any]:
    """The catalog's `library` section (documented in `catalog.py`)."""
    return {
        "first": data.first,
        "needs": [asdict(n) for n in data.needs],
        "keys": data.keys,
        "menus": [{"name": m.name, "pages": [[asdict(e) for e in page] for page in m.pages]}
                  for m in data.menus],
        "languages": {code: _language_json(lang) for code, lang in sorted(
            data.languages.items())},
    }


def _language_json(language: Language) -> dict[str, Any]:
    return {"name": language.name, "locale": language.locale, "numbers": list(language.numbers),
            "keys": language.keys, "or": language.or_word,
            "needs": {k: asdict(v) for k, v in language.needs.items()},
            "first_why": language.first_why,
            "commands": {k: list(v) for k, v in language.commands.items()},
            "words": {k: list(v) for k, v in language.words.items()},
            "spoken": language.spoken, "crisis_line": language.crisis_via,
            "checkin": {"texts": language.checkin.texts, "labels": list(language.checkin.labels),
                        "words": {k: list(v) for k, v in language.checkin.words.items()}},
            "sections": {name: {"texts": words.texts,
                                "lists": {k: list(v) for k, v in words.lists.items()}}
                         for name, words in language.sections.items()},
            "templates": {k: v for k, v in language.prompts.items() if "{crisis_line}" in v}}
