"""The library's own data as the service reads it from the catalog (`library`, schema 4): needs,
the practice to begin with, the phone menus and their reserved keys, and per language the words
the service says and listens for. Written by `audio_build.library_data` from `scripts/`; the
service holds no practice id, title, need or feeling word of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Need:
    need_id: str
    """A practice category."""
    also: tuple[str, ...]
    """Categories tried next, in order, when the library has nothing in this one."""
    minutes: int | None
    """The length offered when this need is named without a time."""


@dataclass(frozen=True)
class NeedText:
    title: str
    line: str
    why: str
    words: tuple[str, ...]


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
class CheckinText:
    """The check-in's words in one language (`checkin:` of scripts/prompts/<lang>.yaml): the
    question, its five labels, what is said around it and the words listened for. Channels say
    these; `checkins.parse_answer` reads answers with them."""

    texts: dict[str, str] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def question(self, after: bool = False) -> str:
        """The question with what comes before it: "Before we begin, … Right now, …"."""
        return f"{self.texts['after' if after else 'before']} {self.texts['question']}"

    def label(self, value: int) -> str:
        return self.labels[value - 1]

    def said_back(self, value: int) -> str:
        """The answer repeated back in a few words: "Quite a bit. Thank you." """
        text = self.texts["said_back"].format(label=self.label(value))
        return text[:1].upper() + text[1:]

    def support(self, crisis_line: str, support_line: str = "", *, after: bool = False,
                wrap: Callable[[str], str] = str) -> str:
        """What a 5 hears, once: the staff-support line when there is one, and the crisis line
        (already told as the language tells it: `Language.crisis_line`); before a practice,
        that the practice is there for them now (`after`: the practice is over). `wrap` takes
        each sentence before it is filled (the web: escaped Markup, so the lines may be links)."""
        if support_line:
            text = wrap(self.texts["support"]).format(support_line=support_line,
                                                      crisis_line=crisis_line)
        else:
            text = wrap(self.texts["support_no_line"]).format(crisis_line=crisis_line)
        return text if after else text + wrap(" ") + wrap(self.texts["support_close"])

    def decimal(self, value: float) -> str:
        """One decimal, the language's way ("1.5", "1,5"); whole numbers without one."""
        text = f"{value:.1f}".removesuffix(".0")
        return text.replace(".", self.texts.get("decimal", "."))

    def history(self, pairs: Sequence[tuple[int, int]]) -> str:
        """A listener's own (before, after) pairs, in one sentence of averages."""
        if not pairs:
            return self.texts["history_none"]
        return self.texts["history"].format(
            count=len(pairs), before=self.decimal(sum(b for b, _ in pairs) / len(pairs)),
            after=self.decimal(sum(a for _, a in pairs) / len(pairs)))

    def week(self, change: tuple[float, int] | None) -> str:
        """The last week's mean change (after minus before) over `count` pairs."""
        if change is None:
            return self.texts["week_none"]
        mean, count = change
        if abs(mean) < 0.25:
            return self.texts["week_same"].format(count=count)
        name = "week_lower" if mean < 0 else "week_higher"
        return self.texts[name].format(count=count, points=self.decimal(abs(mean)))


@dataclass(frozen=True)
class Words:
    """One channel's own section of a prompts file (`phone:`, `web:`, `alexa:`): sentences and
    word lists by name (audio_build/words_<channel>.py lists them)."""

    texts: dict[str, str] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def text(self, name: str, **values: Any) -> str:
        return self.texts[name].format(**values) if values else self.texts[name]


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    locale: str
    numbers: tuple[str, ...]
    keys: dict[str, str]
    or_word: str
    needs: dict[str, NeedText]
    first_why: str
    commands: dict[str, tuple[str, ...]]
    words: dict[str, tuple[str, ...]]
    spoken: dict[str, str]
    templates: dict[str, str]
    """Recorded prompts that name the crisis line, unfilled: `<Say>` them with the configured
    line when the recording names another."""
    crisis_via: str = "{line}"
    """How the main crisis line is told in this language ("{line}, y oprime el 2 para
    español") when the deployment gives the language no line of its own."""
    checkin: CheckinText = field(default_factory=CheckinText)
    sections: dict[str, Words] = field(default_factory=dict)

    def words_of(self, section: str) -> Words:
        """A channel's own words ("phone", "web", "alexa"); empty if the catalog has none."""
        return self.sections.get(section) or Words()

    def crisis_line(self, main: str, own: str = "",
                    say: Callable[[str], str] = lambda number: number) -> str:
        """The crisis line as this language says it: its own line (CRISIS_LINE_ES) or the main
        one with how to reach this language's service; `say` renders a number (digits spoken
        one by one, SSML, ...)."""
        return say(own) if own else self.crisis_via.format(line=say(main))

    def number(self, value: int) -> str:
        return self.numbers[value] if 0 <= value < len(self.numbers) else str(value)

    def spoken_list(self, items: Sequence[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.or_word} {items[-1]}"


@dataclass(frozen=True)
class Library:
    first: str
    needs: tuple[Need, ...]
    keys: dict[str, str]
    """Reserved keys: help, more, back, end."""
    menus: tuple[Menu, ...]
    languages: dict[str, Language] = field(default_factory=dict)

    def language(self, code: str = DEFAULT_LANGUAGE) -> Language:
        return self.languages.get(code) or self.languages.get(DEFAULT_LANGUAGE) or EMPTY_LANGUAGE

    def need(self, need_id: str) -> Need | None:
        return next((n for n in self.needs if n.need_id == need_id), None)

    def menu(self, name: str) -> Menu | None:
        return next((m for m in self.menus if m.name == name), None)


EMPTY_LANGUAGE = Language("en", "English", "en-US", (), {}, "or", {}, "{title}", {}, {}, {}, {})
EMPTY = Library(first="", needs=(), keys={}, menus=())


def parse_library(data: dict[str, Any]) -> Library:
    return Library(
        first=data["first"],
        needs=tuple(Need(n["need_id"], tuple(n["also"]), n["minutes"]) for n in data["needs"]),
        keys=dict(data["keys"]),
        menus=tuple(Menu(m["name"], tuple(tuple(MenuEntry(**e) for e in page)
                                          for page in m["pages"])) for m in data["menus"]),
        languages={code: _language(code, lang) for code, lang in data["languages"].items()},
    )


def _language(code: str, data: dict[str, Any]) -> Language:
    return Language(
        code=code, name=data["name"], locale=data["locale"], numbers=tuple(data["numbers"]),
        keys=dict(data["keys"]), or_word=data["or"],
        needs={k: NeedText(v["title"], v["line"], v["why"], tuple(v["words"]))
               for k, v in data["needs"].items()},
        first_why=data["first_why"],
        commands={k: tuple(v) for k, v in data["commands"].items()},
        words={k: tuple(v) for k, v in data["words"].items()},
        spoken=dict(data["spoken"]), templates=dict(data["templates"]),
        crisis_via=data.get("crisis_line", "{line}"),
        checkin=CheckinText(dict(data["checkin"]["texts"]), tuple(data["checkin"]["labels"]),
                            {k: tuple(v) for k, v in data["checkin"]["words"].items()})
        if "checkin" in data else CheckinText(),
        sections={name: Words(dict(v["texts"]), {k: tuple(x) for k, x in v["lists"].items()})
                  for name, v in data.get("sections", {}).items()})
