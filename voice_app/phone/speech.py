"""Everything the hotline says or listens for, in one place to review and translate.

Recorded prompts (scripts/prompts.yaml, in the practices' own voice) are preferred; the texts here
are what `<Say>` speaks when a recording is missing or no longer says the right thing, and the
sentences that name a practice or its lengths, which a recording must match word for word.
"""

from __future__ import annotations

import re

from ..catalog import normalise

FALLBACK: dict[str, str] = {
    "menu": "For a one minute reset between patients, press one. If you feel overwhelmed, press "
            "two. If you feel numb or far away, press three. For loving kindness, press four. For "
            "a pause after a death, press five. For the end of your shift, press six. For more "
            "practices, press nine. Or just say the name of a practice, or how you feel. For "
            "help, press zero.",
    "more_menu": "Press the number of a practice, or say its name. To go back, press star.",
    "choose_length": "How many minutes do you have? Press or say the number of minutes.",
    "starting": "Here is your practice. Press one at any time to pause, or zero for help.",
    "paused": "Paused. Press one when you are ready to go on. Take your time.",
    "still_paused": "Still here whenever you are ready. Press one to go on, or hash to end.",
    "paused_goodbye": "I have kept your place. Call back any time to continue where you left "
                      "off. Goodbye for now.",
    "help_keys": "During a practice, press one to pause or go on, four to go back a step, six to "
                 "skip ahead, star for the menu, and hash to end.",
    "not_understood": "Sorry, I did not catch that.",
    "practice_done": "That is the end of the practice. Thank you for taking this time. Press star "
                     "for the menu, or simply hang up.",
    "goodbye": "Thank you for calling. Go gently.",
    "trouble": "Sorry, something went wrong on our side. Please try again in a moment.",
    "forget_confirm": "This deletes your saved place and your practice history. To delete "
                      "them, press one. To keep them, press star.",
    "forgotten": "Done. Your saved place and practice history are deleted.",
    "forget_kept": "All right, nothing was deleted.",
    "forget_nothing_saved": "There was nothing saved for this number, so there was nothing to "
                            "delete.",
    "forget_withheld": "Your number is withheld, so nothing is saved about you, and there is "
                       "nothing to delete.",
}
"""What `<Say>` speaks for a prompt the catalog has no recording of."""

CRISIS: dict[str, str] = {
    "crisis": "I'm really glad you told me. You don't have to go through this alone, and help is "
              "there right now. You can call or text {crisis_line}, the Suicide and Crisis "
              "Lifeline, any time, day or night. If you are in danger right now, hang up and "
              "call 9 1 1.",
    "crisis_connect": "To be connected to the Lifeline now, press one, or say yes.",
    "crisis_connecting": "Connecting you now. Please stay on the line.",
    "crisis_dial_failed": "I could not put the call through. Please hang up and dial "
                          "{crisis_line} yourself, or text {crisis_line}. To try again, press "
                          "one.",
    "crisis_goodbye": "{crisis_line} is there whenever you need it, by call or text. Please take "
                      "care of yourself.",
}
"""The crisis response (recorded in scripts/prompts.yaml with the build's crisis line): what
`<Say>` speaks when no recording names the configured CRISIS_LINE."""

CRISIS_YES = ("yes", "yeah", "yes please", "connect me", "connect", "please", "okay", "ok",
              "put me through", "call them", "i want to talk to someone")
"""Accepting the offer to be connected to the crisis line."""


def crisis_text(name: str, crisis_line: str) -> str:
    return CRISIS[name].replace("{crisis_line}", spoken_digits(crisis_line))


def support_offer(support_line: str) -> str:
    """Said (never recorded: each hospital has its own) after the crisis line."""
    return (f"Your hospital's staff support line is {spoken_digits(support_line)}. "
            "To be connected to it, press two.")

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen", "twenty")

PLAYBACK_WORDS: dict[str, tuple[str, ...]] = {
    "pause": ("pause", "stop", "hold on", "wait", "hang on", "one moment"),
    "resume": ("resume", "continue", "go on", "carry on", "play", "unpause", "ready"),
    "next": ("next", "skip", "skip ahead", "forward", "next step"),
    "back": ("back", "go back", "previous", "previous step", "repeat", "again"),
    "menu": ("menu", "main menu", "start over", "something else"),
    "help": ("help", "options", "what can i say"),
    "end": ("end", "goodbye", "good bye", "bye", "hang up", "quit", "finish", "i am done"),
}
"""Spoken commands during a practice; the longest phrase found in what was said wins."""

YES_WORDS = ("yes", "continue", "resume", "carry on", "go on", "where i left off")


def greeting(crisis_line: str) -> str:
    """The greeting `<Say>` speaks when the recording names another crisis line."""
    return ("Welcome to Compassion Break, a few minutes of calm for people who care for others. "
            "This is not a crisis or emergency line; if you need urgent help, hang up and call "
            f"{spoken_digits(crisis_line)}.")


def menu_help(crisis_line: str) -> str:
    """What `<Say>` speaks for help at the main menu when the recording names another line."""
    return ("Compassion Break plays short guided practices. At the menu, press the number of a "
            "practice, or say how you feel. During a practice, press zero to hear its keys. "
            "This is not a crisis line; if you need urgent help, hang up and call "
            f"{spoken_digits(crisis_line)}. Our privacy notice is on our website, on the privacy "
            "page. To delete your saved place and practice history, press seven. For the menu, "
            "press star.")


HELP_WORDS: dict[str, tuple[str, ...]] = {
    "forget": ("forget me", "delete", "delete my data", "delete my history", "forget"),
    "menu": ("menu", "main menu", "back", "go back"),
    "help": ("help", "options", "what can i say", "again", "repeat"),
}
"""Spoken answers to the help at the main menu."""
CONFIRM_WORDS: dict[str, tuple[str, ...]] = {
    "yes": ("yes", "delete", "delete them", "yes please", "confirm"),
    "no": ("no", "keep", "keep them", "cancel", "menu", "back"),
}
"""Spoken answers to 'delete your saved place and history?'."""


def spoken_digits(number: str) -> str:
    """'988' → '9 8 8': digits one by one, as the recording says them."""
    return " ".join(ch for ch in number if ch.isdigit()) or number


def number_word(number: int) -> str:
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


def resume_offer(title: str) -> str:
    return f"Press one to continue {title} where you left off, or two for the menu."


def lengths_question(title: str, lengths: tuple[int, ...]) -> str:
    words = [number_word(n) for n in lengths]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    return f"{title} comes in {listed} minutes. Press or say the number of minutes."


def said_command(said: str, table: dict[str, tuple[str, ...]]) -> str | None:
    """The command whose phrase appears in what was said (longest phrase first), if any."""
    text = f" {normalise(said)} "
    found = [(len(phrase), command) for command, phrases in table.items() for phrase in phrases
             if f" {normalise(phrase)} " in text]
    return max(found)[1] if found else None


def said_yes(said: str) -> bool:
    return said_command(said, {"yes": YES_WORDS}) == "yes"


_NUMBER = r"(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")"
_MINUTES = re.compile(r"\b" + _NUMBER + r"(?: |-)?min(?:ute)?s?\b")
_ANY_NUMBER = re.compile(r"\b" + _NUMBER + r"\b")
_A_MINUTE = re.compile(r"\ba (?:single |quick )?minute\b")


def said_minutes(said: str, *, bare: bool = False) -> int | None:
    """Minutes named in speech: 'five minute loving kindness' → 5. With `bare`, a number alone
    counts too ('ten' in answer to the length question)."""
    text = normalise(said)
    found = _MINUTES.search(text) or (_ANY_NUMBER.search(text) if bare else None)
    if found is None:
        return 1 if _A_MINUTE.search(text) else None
    word = found.group(1)
    return int(word) if word.isdigit() else NUMBER_WORDS.index(word)


def said_digit(said: str) -> str | None:
    """A menu number said aloud ('four', '4') as the key it stands for."""
    text = normalise(said)
    if text.isdigit() and len(text) == 1:
        return text
    return str(NUMBER_WORDS.index(text)) if text in NUMBER_WORDS[:10] else None
