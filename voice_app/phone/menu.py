"""The hotline's menus: which key plays which practice, and what a caller's words choose.

The recorded `menu` and `more_menu` prompts say these numbers (a test keeps them in step). Speech
is matched against practice titles and aliases first, then against the feeling words of
`voice_app.recommend`, so the phone and Alexa recommend the same practice for the same words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import Catalog, Practice, normalise
from ..recommend import find_need, recommend
from . import speech

MAIN = "main"
MORE = "more"
MORE_KEY = "9"
BACK_KEY = "*"
HELP_KEY = "0"
"""At the main menu: what the keys do, the crisis line, privacy, and the way to forget."""
FORGET_KEY = "7"
"""In the help: delete this caller's saved place and history (after a confirmation)."""
CONFIRM_KEY = "1"

MENUS: dict[str, dict[str, str]] = {
    MAIN: {
        "1": "between-patients",
        "2": "grounding-when-overwhelmed",
        "3": "reconnecting-when-numb",
        "4": "loving-kindness",
        "5": "the-pause",
        "6": "end-of-shift",
    },
    MORE: {
        "1": "settling-the-mind",
        "2": "recalling-your-intention",
        "3": "self-compassion",
        "4": "compassion-for-a-loved-one",
        "5": "common-humanity",
        "6": "compassion-for-others",
        "7": "being-with-suffering",
        "8": "active-compassion",
    },
}
"""Key → practice id, per menu. Chosen for calls on a break: short practices on the first menu."""

MAX_HINTS = 400
"""Twilio accepts a few hundred hint phrases; more would be cut."""


@dataclass(frozen=True)
class Choice:
    """A practice the caller chose, and the minutes they asked for (None: not said)."""

    practice: Practice
    minutes: int | None


@dataclass(frozen=True)
class MenuAnswer:
    """What an answer to a menu means: a practice, another menu, the help, or nothing
    understood."""

    choice: Choice | None = None
    menu: str | None = None
    help: bool = False


def answer_menu(catalog: Catalog, menu: str, digits: str, said: str) -> MenuAnswer:
    """Decide what a key or a sentence at `menu` asks for."""
    digits = digits or speech.said_digit(said) or ""
    if digits:
        if menu == MAIN and digits == MORE_KEY:
            return MenuAnswer(menu=MORE)
        if menu == MAIN and digits == HELP_KEY:
            return MenuAnswer(help=True)
        if digits == BACK_KEY:
            return MenuAnswer(menu=MAIN)
        practice = catalog.get(MENUS[menu].get(digits, ""))
        return MenuAnswer(choice=Choice(practice, None) if practice and practice.variants else None)
    if said.strip():
        choice = choose_by_speech(catalog, said)
        asks_help = choice is None and speech.said_command(said, speech.HELP_WORDS) == "help"
        return MenuAnswer(choice=choice, help=asks_help)
    return MenuAnswer()


def answer_help(digits: str, said: str) -> str:
    """What an answer to the help means: forget, menu, help (again) or unknown."""
    if digits:
        return {FORGET_KEY: "forget", BACK_KEY: "menu", HELP_KEY: "help"}.get(digits, "unknown")
    if not said.strip():
        return "menu"
    return speech.said_command(said, speech.HELP_WORDS) or "unknown"


def answer_forget(digits: str, said: str) -> bool:
    """True only for a clear yes to deleting: key 1, or a spoken yes; anything else keeps."""
    if digits:
        return digits == CONFIRM_KEY
    return speech.said_command(said, speech.CONFIRM_WORDS) == "yes"


def choose_by_speech(catalog: Catalog, said: str) -> Choice | None:
    """A practice named in the sentence ('five minute loving kindness'), else one for the
    feeling it names ('I feel numb'), else None."""
    minutes = speech.said_minutes(said)
    practice = named_practice(catalog, said)
    if practice is not None:
        return Choice(practice, minutes)
    need = find_need(said)
    if need is None:
        return None
    found = recommend(catalog, said, minutes)
    if found is None:
        return None
    if minutes is None and need.name == "short-on-time":
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


def hints(catalog: Catalog) -> str:
    """Speech hints for the menus: every title and alias, and the commonest feeling words."""
    phrases: list[str] = []
    for practice in catalog.practices:
        for name in (practice.title, *practice.aliases):
            if normalise(name) not in phrases:
                phrases.append(normalise(name))
    phrases += ["overwhelmed", "numb", "stressed", "exhausted", "end of shift", "lost a patient"]
    return ", ".join(dict.fromkeys(phrases[:MAX_HINTS]))


def playback_hints() -> str:
    return ", ".join(phrases[0] for phrases in speech.PLAYBACK_WORDS.values())
