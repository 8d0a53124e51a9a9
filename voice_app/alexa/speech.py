"""Everything the skill says, in one place so it can be reviewed and translated.

Functions return SSML fragments (already escaped); the response builder wraps them in <speak>.
The tone follows CONTENT.md: plain, invitational, short, and honest that this is not a crisis
service.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from ..catalog import Practice

ASK_WHAT_NEXT = "Name a practice, or tell me how you feel."
TROUBLE = "Sorry, I'm having trouble right now. Please try again in a moment."
APOLOGY = "Sorry, something went wrong on my side. Please try again."
NOT_AVAILABLE = "Looping and shuffling aren't available for guided practices."
GOODBYE = "Take care."
NOTHING_TO_RESUME = "There's nothing paused right now. " + ASK_WHAT_NEXT
NOTHING_PLAYING = "Nothing is playing right now. " + ASK_WHAT_NEXT
LAST_STEP = "This is already the last part of the practice."
FALLBACK = ("Sorry, I didn't catch that. You can name a practice, tell me how you feel, or say "
            "list practices.")
NO = "All right. " + ASK_WHAT_NEXT


def number(value: int) -> str:
    """Digits: Alexa says them in the listener's language (no number-words table of our own;
    the phone's, which its recordings need, is library data)."""
    return str(value)


def minutes(value: int) -> str:
    return f"{number(value)} minute{'' if value == 1 else 's'}"


def say_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])}, or {items[-1]}"


def welcome() -> str:
    return ("Welcome to Compassion Break: short guided practices for people who care for "
            "others. " + ASK_WHAT_NEXT)


def welcome_back(title: str, offset_ms: int) -> str:
    return (f"You paused {escape(title)} {time_in(offset_ms)}. Say resume, or name another "
            "practice.")


def time_in(offset_ms: int) -> str:
    whole = offset_ms // 60_000
    return "less than a minute in" if whole < 1 else f"{minutes(whole)} in"


def resume_reprompt() -> str:
    return "Say resume to carry on where you left off, or name a practice."


def reprompt() -> str:
    return "You can name a practice, tell me how you feel, or say list practices."


def starting(practice: Practice, length: int) -> str:
    return f"Here is {escape(practice.title)}, {minutes(length)}."


def recommending(practice: Practice, length: int, why: str) -> str:
    return f"{escape(why)} Here is {escape(practice.title)}, {minutes(length)}."


def choices(offered: Sequence[Practice], heard: str | None) -> str:
    """One question, asked once: what we can offer, then "Which would you like?"."""
    titles = say_list([escape(p.title) for p in offered])
    opening = f"I don't have a practice called {escape(heard)}. " if heard else ""
    return f"{opening}I can offer {titles}. Which would you like?"


def practice_list(practices: Sequence[Practice]) -> str:
    titles = say_list([escape(p.title) for p in practices])
    return f"There are {number(len(practices))} practices: {titles}. Which would you like?"


def help_text(crisis_line: str, example: str) -> str:
    """`example`: a practice title from the library (its `first`), or "" for none."""
    like = f", like {escape(example)}" if example else ""
    return ("Compassion Break offers short guided practices for people who care for others. "
            f"Name a practice{like}, tell me how you feel, or say list "
            "practices. During a practice you can say pause, resume, next, previous, repeat or "
            "start over. This is not a crisis or emergency service. If you are in crisis, "
            f"call {crisis(crisis_line)}. To delete your saved place and history, say forget "
            "me. " + ASK_WHAT_NEXT)


def crisis(line: str) -> str:
    return f'<say-as interpret-as="telephone">{escape(line)}</say-as>'


def progress(count: int, total_minutes: int) -> str:
    if count == 0:
        return "You haven't finished a practice this week yet. Would you like one now?"
    times = "once" if count == 1 else f"{number(count)} times"
    return (f"This week you've practised {times}, {minutes(total_minutes)} in all. "
            "Would you like another practice?")


def gone(title_or_id: str) -> str:
    return (f"The practice you paused, {escape(title_or_id)}, is no longer available. "
            + ASK_WHAT_NEXT)


def subtitle(length: int) -> str:
    return f"{length}-minute guided practice · Compassion Break"


# --- crisis (CONTENT.md "When someone says they are in crisis"; 988 Lifeline and SPRC safe
# messaging: brief, warm, direct; help is available now and how to reach it; no judgement, no
# method talk, no promises, no lecture) ---------------------------------------------------------

CRISIS_CARD_TITLE = "Help is available now"


def slow_number(number: str) -> str:
    """A phone number said digit by digit, slowly enough to write down."""
    digits = escape(number)
    return (f'<prosody rate="slow"><say-as interpret-as="telephone">{digits}</say-as>'
            '</prosody>')


def crisis_lines(crisis_line: str, support_line: str) -> str:
    support = (f" Your hospital's staff support line is {slow_number(support_line)}."
               if support_line else "")
    return (f"You can call or text {slow_number(crisis_line)}, the Suicide and Crisis Lifeline, "
            f"any time, day or night.{support} If you are in danger right now, call "
            f"{slow_number('911')}.")


def crisis_response(crisis_line: str, support_line: str) -> str:
    return ("I'm really glad you told me. You don't have to go through this alone, and help is "
            "there right now. " + crisis_lines(crisis_line, support_line)
            + " Would you like me to say the number again?")


def crisis_again(crisis_line: str, support_line: str) -> str:
    return "Of course. " + crisis_lines(crisis_line, support_line) + " Shall I say it again?"


CRISIS_REPROMPT = "Would you like me to say the number again?"


def crisis_goodbye(crisis_line: str) -> str:
    return (f"All right. {slow_number(crisis_line)} is there whenever you need it, by call or "
            "text. Please take care of yourself.")


def crisis_card(crisis_line: str, support_line: str) -> str:
    lines = [f"Call or text {crisis_line}: the Suicide and Crisis Lifeline, any time, day or "
             "night."]
    if support_line:
        lines.append(f"Your hospital's staff support line: {support_line}.")
    lines += ["In danger right now: call 911.",
              "Compassion Break is not a crisis or emergency service."]
    return "\n".join(lines)


def fallback(crisis_line: str) -> str:
    """AMAZON.FallbackIntent carries no words to check, so it names the crisis line briefly."""
    return (FALLBACK + f" If you are in crisis, call or text {slow_number(crisis_line)}.")
# --- opening while a practice is on the device ---------------------------------------------------

def welcome_playing(title: str, offset_ms: int) -> str:
    """Opening the skill while this device is in the middle of a practice (not paused by us)."""
    return (f"You're in the middle of {escape(title)}, {time_in(offset_ms)}. Say resume to carry "
            "on, or name another practice.")


def finished(title: str) -> str:
    return f"You finished {escape(title)}. Would you like another practice?"


ANOTHER_REPROMPT = "Would you like another practice? Say yes, or name one."
NO_MORE_NOW = "All right. Take care."


# --- devices without an audio player --------------------------------------------------------------

def needs_audio(web_host: str) -> str:
    """For a device whose request says it has no AudioPlayer (some screens, apps, cars)."""
    return ("The practices are guided audio, and this device can't play them. Ask on an Echo "
            "or another device with a speaker, or listen on the web at "
            f"{escape(web_host)}.")


NEEDS_AUDIO_CARD_TITLE = "Compassion Break"


def needs_audio_card(web_url: str) -> str:
    return f"The practices need a device that plays audio. Listen on the web: {web_url}"


# --- the practice list, by need, a few at a time ------------------------------------------------

def practice_page(groups: Sequence[tuple[str, Sequence[str]]], *, total: int, first: bool,
                  more: bool) -> str:
    """A few practices under the need they serve. `groups` are (need label, titles)."""
    heard = " ".join(f"{escape(label)}: {say_list([escape(t) for t in titles])}."
                     for label, titles in groups)
    opening = f"There are {number(total)} practices. " if first else ""
    closing = (" Say more to hear others, or name the one you'd like." if more
               else " That's all of them. Which would you like?")
    return opening + heard + closing


LIST_REPROMPT = "Say more to hear other practices, or name the one you'd like."
OTHER_PRACTICES = "Other practices"
"""The heading for practices whose need the list doesn't know."""


# --- forget me ---------------------------------------------------------------------------------

FORGET_QUESTION = ("This deletes your saved place and your practice history from Compassion "
                   "Break. Shall I delete them?")
FORGET_REPROMPT = "Shall I delete your saved place and history? Say yes or no."
FORGET_KEPT = "All right, I've kept everything. " + ASK_WHAT_NEXT


def forgotten(rows: int) -> str:
    if rows == 0:
        return ("There was nothing saved for you, so there's nothing to delete. Compassion "
                "Break keeps nothing else about you.")
    return ("Done. I've deleted your saved place and practice history. Compassion Break keeps "
            "nothing else about you.")
