"""The hotline's menus: which key plays which practice on which page, and what words choose.

Menus, pages and keys are library data (`scripts/library.yaml`, resolved by the build): a menu
longer than the keypad allows has several pages, the reserved `more` key goes to the next page
(and from a menu's last page to the next menu), `back` to the first page of the first menu. Each
page is one recorded prompt (`menu_<menu>_<page>`). Speech is matched against practice titles and
aliases first, then against the needs' words, so the phone and Alexa recommend the same practice
for the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog, Practice
from ..library import Language, Library
from ..normalise import normalise
from ..recommend import find_need, recommend
from . import speech

MAX_HINTS = 400
"""Twilio accepts a few hundred hint phrases; more would be cut."""


@dataclass(frozen=True)
class Page:
    """One page of one menu: where a caller is in the menus (it travels in action URLs)."""

    menu: str
    number: int

    @property
    def prompt(self) -> str:
        return f"menu_{self.menu}_{self.number}"


@dataclass(frozen=True)
class Choice:
    """A practice the caller chose, and the minutes they asked for (None: not said)."""

    practice: Practice
    minutes: int | None


@dataclass(frozen=True)
class MenuAnswer:
    """What an answer to a menu means: a practice, another page, the help, or nothing
    understood."""

    choice: Choice | None = None
    page: Page | None = None
    help: bool = False
    language: bool = False
    """The language key, or words asking for the other language ("español")."""


FORGET_KEY = "7"
"""In the help: delete this caller's saved place and history (after a confirmation)."""
CHECKIN_KEY = "5"
"""In the help (when check-ins are on): turn the check-in question off, or on again."""
WEEK_KEY = "6"
"""In the help (when check-ins are on): the last week's average change."""
CONFIRM_KEY = "1"


def first_page(library: Library) -> Page:
    return Page(library.menus[0].name, 1) if library.menus else Page("main", 1)


def page_of(library: Library, menu: str, number: int) -> Page:
    """The page an action URL names, or the first page if the library no longer has it."""
    found = library.menu(menu)
    return Page(menu, number) if found and 1 <= number <= len(found.pages) \
        else first_page(library)


def next_page(library: Library, page: Page) -> Page | None:
    names = [m.name for m in library.menus]
    menu = library.menus[names.index(page.menu)]
    if page.number < len(menu.pages):
        return Page(page.menu, page.number + 1)
    following = names.index(page.menu) + 1
    return Page(names[following], 1) if following < len(names) else None


def answer_menu(catalog: Catalog, page: Page, digits: str, said: str,
                language: Language, switch: tuple[str, ...] = ()) -> MenuAnswer:
    """Decide what a key or a sentence at `page` asks for; `switch` are the words that ask for
    the other language."""
    library = catalog.library
    if not digits and switch and speech.said_command(said, {"switch": switch}):
        return MenuAnswer(language=True)
    digits = digits or speech.said_digit(language, said) or ""
    if digits:
        if digits == library.keys.get("language") and page == first_page(library):
            return MenuAnswer(language=True)
        if digits == library.keys.get("more"):
            return MenuAnswer(page=next_page(library, page))
        if digits == library.keys.get("back"):
            return MenuAnswer(page=first_page(library))
        if digits == library.keys.get("help") and page == first_page(library):
            return MenuAnswer(help=True)
        menu = library.menu(page.menu)
        entries = menu.pages[page.number - 1] if menu else ()
        entry = next((e for e in entries if e.key == digits), None)
        practice = catalog.get(entry.practice_id) if entry else None
        return MenuAnswer(choice=Choice(practice, entry.minutes) if entry and practice
                          and practice.variants else None)
    if said.strip():
        choice = choose_by_speech(catalog, said, language)
        asks_help = choice is None and speech.said_command(
            said, {"help": language.commands.get("help", ())}) == "help"
        return MenuAnswer(choice=choice, help=asks_help)
    return MenuAnswer()


def answer_help(library: Library, language: Language, digits: str, said: str,
                checkins: bool = False) -> str:
    """What an answer to the help means: forget, menu, help (again), with `checkins` also
    checkins (turn them off or on) and week (the last week's change), or unknown."""
    if digits:
        keys = {FORGET_KEY: "forget", library.keys.get("back"): "menu",
                library.keys.get("help"): "help"}
        if checkins:
            keys |= {CHECKIN_KEY: "checkins", WEEK_KEY: "week"}
        return keys.get(digits, "unknown")
    if not said.strip():
        return "menu"
    return speech.said_command(said, {"forget": language.words.get("forget", ()),
                                      "help": language.commands.get("help", ()),
                                      "menu": language.commands.get("menu", ())}) or "unknown"


def answer_forget(language: Language, digits: str, said: str) -> bool:
    """True only for a clear yes to deleting: key 1, or a spoken yes; anything else keeps."""
    if digits:
        return digits == CONFIRM_KEY
    return speech.said_command(said, {"yes": language.words.get("confirm", ()),
                                      "no": language.words.get("keep", ())}) == "yes"


def choose_by_speech(catalog: Catalog, said: str, language: Language) -> Choice | None:
    """A practice named in the sentence ('five minute loving kindness'), else one for the
    feeling it names ('I feel numb'), else None."""
    minutes = speech.said_minutes(language, said)
    practice = named_practice(catalog, said)
    if practice is not None:
        return Choice(practice, minutes)
    need = find_need(catalog, said, language.code)
    if need is None:
        return None
    found = recommend(catalog, said, minutes, language.code, need=need)
    if found is None:
        return None
    if minutes is None and need.minutes:
        minutes = found.variant.minutes
    return Choice(found.practice, minutes)


def named_practice(catalog: Catalog, said: str) -> Practice | None:
    """The practice whose id, title or alias appears in what was said (the longest name wins)."""
    text = f" {normalise(said)} "
    found = [(len(name), practice.practice_id, practice) for practice in catalog.practices
             if practice.variants for name in _names(practice) if f" {name} " in text]
    return max(found, key=lambda f: (f[0], f[1]))[2] if found else None


def _names(practice: Practice) -> set[str]:
    names = {practice.practice_id.replace("-", " "), practice.title, *practice.aliases}
    return {n for n in (normalise(name) for name in names) if n}


def hints(catalog: Catalog, language: Language) -> str:
    """Speech hints for the menus: every title and alias, and the first words of each need."""
    phrases: list[str] = []
    for practice in catalog.practices:
        for name in (practice.title, *practice.aliases):
            if normalise(name) not in phrases:
                phrases.append(normalise(name))
    for text in language.needs.values():
        phrases += [normalise(word) for word in text.words[:2]]
    return ", ".join(dict.fromkeys(phrases[:MAX_HINTS]))


def playback_hints(language: Language) -> str:
    return ", ".join(phrases[0] for phrases in language.commands.values() if phrases)
