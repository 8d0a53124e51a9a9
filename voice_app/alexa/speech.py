"""Everything the skill says, in the listener's language: the `alexa:` section of the prompts
files (scripts/prompts/<lang>.yaml, specified by audio_build/words_alexa.py), read from the
catalog. No sentence is written here; this module only fills them in and marks them up.

`Speech.of(language)` speaks one language; its methods return SSML fragments (titles and other
values already escaped; the response builder wraps them in <speak>). The tone follows
CONTENT.md: plain, invitational, short, and honest that this is not a crisis service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from ..catalog import Practice
from ..library import Language, Words

EMERGENCY = "911"
"""The emergency number the crisis answers name (the skill is published in the US only)."""


def number(value: int) -> str:
    """Digits: Alexa says them in the listener's language (no number-words table of our own;
    the phone's, which its recordings need, is library data)."""
    return str(value)


def telephone(line: str) -> str:
    return f'<say-as interpret-as="telephone">{escape(line)}</say-as>'


def slow_number(line: str) -> str:
    """A phone number said digit by digit, slowly enough to write down."""
    return f'<prosody rate="slow">{telephone(line)}</prosody>'


@dataclass(frozen=True)
class Speech:
    language: Language
    words: Words
    crisis_own: str = ""
    """This language's own crisis line (CRISIS_LINE_ES for Spanish), if the deployment has one."""

    @classmethod
    def of(cls, language: Language, crisis_own: str = "") -> Speech:
        return cls(language, language.words_of("alexa"), crisis_own)

    def text(self, name: str, **values: Any) -> str:
        return self.words.text(name, **values)

    # -- pieces ----------------------------------------------------------------------------

    def minutes(self, value: int) -> str:
        return self.text("minute" if value == 1 else "minutes", count=number(value))

    def say_list(self, items: Sequence[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return self.text("list_last", items=", ".join(items[:-1]), last=items[-1])

    def time_in(self, offset_ms: int) -> str:
        whole = offset_ms // 60_000
        return self.text("time_under_a_minute") if whole < 1 \
            else self.text("time_in", minutes=self.minutes(whole))

    def language_name(self, code: str) -> str:
        """How this language names the language `code` ("inglés"); the code if not listed."""
        for entry in self.words.lists.get("language_names", ()):
            key, _, name = entry.partition(":")
            if key.strip() == code:
                return escape(name.strip())
        return escape(code)

    def crisis_line(self, main: str, say: Any = slow_number) -> str:
        return self.language.crisis_line(main, self.crisis_own, say)

    # -- the check-in (its words: the checkin: section of the prompts files) ----------------

    def checkin_question(self, *, after: bool = False) -> str:
        return escape(self.language.checkin.question(after=after))

    def said_back(self, value: int) -> str:
        return escape(self.language.checkin.said_back(value))

    def checkin_text(self, name: str) -> str:
        """"skipped", "turned_off", "turned_on"."""
        return escape(self.language.checkin.texts[name])

    def support(self, crisis_line: str, support_line: str, *, after: bool = False) -> str:
        """What a 5 hears, once: the staff-support line if there is one, and the crisis line
        (`after`: answered after the practice, so not "the practice is here for you")."""
        return self.language.checkin.support(
            self.crisis_line(crisis_line), slow_number(support_line) if support_line else "",
            after=after)

    def checkin_history(self, pairs: Sequence[tuple[int, int]]) -> str:
        return escape(self.language.checkin.history(pairs))

    # -- opening ---------------------------------------------------------------------------

    def welcome(self) -> str:
        return self.text("welcome")

    def welcome_back(self, title: str, offset_ms: int) -> str:
        return self.text("welcome_back", title=escape(title), time=self.time_in(offset_ms))

    def welcome_back_other(self, title: str, offset_ms: int, language: str) -> str:
        return self.text("welcome_back_other", title=escape(title), time=self.time_in(offset_ms),
                         language=self.language_name(language))

    def welcome_playing(self, title: str, offset_ms: int) -> str:
        return self.text("welcome_playing", title=escape(title), time=self.time_in(offset_ms))

    def resume_reprompt(self) -> str:
        return self.text("resume_reprompt")

    def reprompt(self) -> str:
        return self.text("reprompt")

    # -- practices -------------------------------------------------------------------------

    def starting(self, practice: Practice, length: int) -> str:
        return self.text("starting", title=escape(practice.title), minutes=self.minutes(length))

    def recommending(self, practice: Practice, length: int, why: str) -> str:
        return self.text("recommending", why=escape(why), title=escape(practice.title),
                         minutes=self.minutes(length))

    def choices(self, offered: Sequence[Practice], heard: str | None) -> str:
        """One question, asked once: what we can offer, then "Which would you like?"."""
        titles = self.say_list([escape(p.title) for p in offered])
        if heard:
            return self.text("choices_heard", heard=escape(heard), titles=titles)
        return self.text("choices", titles=titles)

    def practice_page(self, groups: Sequence[tuple[str, Sequence[str]]], *, total: int,
                      first: bool, more: bool) -> str:
        """A few practices under the need they serve. `groups` are (need label, titles)."""
        heard = [self.text("list_group", label=escape(label),
                           titles=self.say_list([escape(t) for t in titles]))
                 for label, titles in groups]
        opening = [self.text("list_opening", count=number(total))] if first else []
        closing = self.text("list_more" if more else "list_end")
        return " ".join([*opening, *heard, closing])

    def help_text(self, crisis_line: str, example: str) -> str:
        """`example`: a practice title from the library (its `first`), or "" for none."""
        like = self.text("help_example", title=escape(example)) if example else ""
        return self.text("help", example=like,
                         crisis_line=self.crisis_line(crisis_line, telephone))

    def progress(self, count: int, total_minutes: int) -> str:
        if count == 0:
            return self.text("progress_none")
        if count == 1:
            return self.text("progress_once", minutes=self.minutes(total_minutes))
        return self.text("progress_many", count=number(count),
                         minutes=self.minutes(total_minutes))

    def gone(self, title_or_id: str) -> str:
        return self.text("gone", title=escape(title_or_id))

    def subtitle(self, length: int) -> str:
        return self.text("subtitle", minutes=number(length))

    def finished(self, title: str) -> str:
        return self.text("finished", title=escape(title))

    def needs_audio(self, web_host: str) -> str:
        """For a device whose request says it has no AudioPlayer (some screens, apps, cars)."""
        return self.text("needs_audio", host=escape(web_host))

    def needs_audio_card(self, web_url: str) -> str:
        return self.text("needs_audio_card", url=web_url)

    def forgotten(self, rows: int) -> str:
        return self.text("forgotten_nothing" if rows == 0 else "forgotten")

    # -- crisis (CONTENT.md "When someone says they are in crisis"; 988 Lifeline and SPRC safe
    # messaging: brief, warm, direct; help is available now and how to reach it; no judgement,
    # no method talk, no promises, no lecture) -------------------------------------------------

    def crisis_lines(self, crisis_line: str, support_line: str) -> str:
        parts = [self.text("crisis_lines", crisis_line=self.crisis_line(crisis_line),
                           text_line=slow_number(crisis_line))]
        if support_line:
            parts.append(self.text("crisis_support", support_line=slow_number(support_line)))
        parts.append(self.text("crisis_danger", emergency=slow_number(EMERGENCY)))
        return " ".join(parts)

    def crisis_response(self, crisis_line: str, support_line: str) -> str:
        return self.text("crisis_response", lines=self.crisis_lines(crisis_line, support_line))

    def crisis_again(self, crisis_line: str, support_line: str) -> str:
        return self.text("crisis_again", lines=self.crisis_lines(crisis_line, support_line))

    def crisis_goodbye(self, crisis_line: str) -> str:
        return self.text("crisis_goodbye", crisis_line=self.crisis_line(crisis_line),
                         text_line=slow_number(crisis_line))

    def crisis_card(self, crisis_line: str, support_line: str) -> str:
        plain = self.crisis_line(crisis_line, say=lambda line: line)
        lines = [self.text("crisis_card_line", crisis_line=plain, text_line=crisis_line)]
        if support_line:
            lines.append(self.text("crisis_card_support", support_line=support_line))
        lines += [self.text("crisis_card_danger", emergency=EMERGENCY),
                  self.text("crisis_card_not_a_service")]
        return "\n".join(lines)

    def fallback(self, crisis_line: str) -> str:
        """AMAZON.FallbackIntent carries no words to check, so it names the crisis line
        briefly."""
        return " ".join([self.text("fallback"), self.text(
            "fallback_crisis", crisis_line=self.crisis_line(crisis_line))])
