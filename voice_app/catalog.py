"""The service's view of `build/catalog.json` (schema 4, written by `audio_build.catalog`).

The only module in voice_app that knows the JSON layout. It never parses scripts or runs TTS.
`CatalogSource` reloads the file when the build replaces it, so a rebuild needs no restart.

A `Catalog` is one language's view of the library: its practices and prompts, with the library
data, crisis lexicons and build shared by every language. `catalog.in_language("es")` is the
Spanish view; a practice has the same id in every language.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .crisis import CrisisLexicon
from .library import DEFAULT_LANGUAGE, Library, parse_library
from .library import EMPTY as EMPTY_LIBRARY
from .normalise import normalise

logger = logging.getLogger(__name__)

SCHEMA = 4
RELOAD_CHECK_S = 2.0


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class PhoneSegment:
    kind: str
    step: int
    file: str
    bytes: int
    sha256: str
    start_ms: int
    duration_ms: int
    pause_after_ms: int


@dataclass(frozen=True)
class Variant:
    minutes: int
    duration_ms: int
    file: str
    bytes: int
    sha256: str
    chapters: tuple[Chapter, ...]
    phone: tuple[PhoneSegment, ...]

    def step_at(self, offset_ms: int) -> int:
        """Index of the chapter playing at `offset_ms`."""
        index = 0
        for number, chapter in enumerate(self.chapters):
            if chapter.start_ms <= offset_ms:
                index = number
        return index


@dataclass(frozen=True)
class Step:
    title: str
    min_minutes: int | None
    text: tuple[str, ...]


@dataclass(frozen=True)
class Practice:
    practice_id: str
    title: str
    summary: str
    category: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    variants: tuple[Variant, ...]
    language: str = DEFAULT_LANGUAGE
    """The language the practice speaks; its id is the same in every language."""

    @property
    def lengths(self) -> tuple[int, ...]:
        return tuple(v.minutes for v in self.variants)

    def variant(self, minutes: int) -> Variant | None:
        return next((v for v in self.variants if v.minutes == minutes), None)

    def nearest_variant(self, minutes: float | None) -> Variant:
        """The length closest to what the listener asked for; the shortest if they said none.
        Ties go to the shorter one: on a break, running over is worse than finishing early."""
        if minutes is None:
            return self.variants[0]
        return min(self.variants, key=lambda v: (abs(v.minutes - minutes), v.minutes))


@dataclass(frozen=True)
class Prompt:
    text: str
    file: str
    bytes: int
    sha256: str
    duration_ms: int
    marks_ms: tuple[int, ...] = ()
    """Where each sentence of the prompt ends."""


@dataclass(frozen=True)
class Catalog:
    practices: tuple[Practice, ...]
    """This view's language's practices."""
    prompts: dict[str, Prompt]
    """This view's language's recorded phone prompts, by name."""
    build: dict[str, Any]
    crisis: dict[str, CrisisLexicon]
    """Crisis lexicons by language (always one for "en" in a built catalog)."""
    library: Library
    """Needs, menus and the words of each language (`library.py`)."""
    language: str = DEFAULT_LANGUAGE
    views: dict[str, Catalog] = field(default_factory=dict, compare=False, repr=False)
    """Every language's view, shared by all of them (`in_language`)."""
    all_files: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with practices built, English first."""
        return tuple(sorted((code for code, view in self.views.items() if view.practices),
                            key=lambda code: (code != DEFAULT_LANGUAGE, code)))

    def in_language(self, code: str) -> Catalog:
        """The view in `code`; the English view when that language has no practices built (a
        listener then hears English practices rather than none)."""
        view = self.views.get(code)
        if view is not None and view.practices:
            return view
        return self.views.get(DEFAULT_LANGUAGE, self)

    def get(self, practice_id: str) -> Practice | None:
        return next((p for p in self.practices if p.practice_id == practice_id), None)

    def match(self, spoken: str) -> Practice | None:
        """The practice a listener named, by id, title or alias, ignoring case and punctuation."""
        wanted = normalise(spoken)
        if not wanted:
            return None
        for practice in self.practices:
            names = {practice.practice_id, practice.title, *practice.aliases}
            if wanted in {normalise(n) for n in names}:
                return practice
        return None

    def files(self) -> frozenset[str]:
        """Every file name under the build dir the catalog names, in every language (what
        /audio may serve)."""
        return self.all_files


def _files(practices: tuple[Practice, ...], prompts: dict[str, Prompt]) -> set[str]:
    names = {v.file for p in practices for v in p.variants}
    names |= {s.file for p in practices for v in p.variants for s in v.phone}
    return names | {p.file for p in prompts.values()}


EMPTY = Catalog(practices=(), prompts={}, build={}, crisis={}, library=EMPTY_LIBRARY)


def parse_catalog(text: str) -> Catalog:
    data = json.loads(text)
    if data.get("schema") != SCHEMA:
        raise ValueError(f"catalog schema {data.get('schema')!r}, this service reads {SCHEMA}")
    practices = tuple(_practice(p) for p in data["practices"])
    prompts = {lang: {name: Prompt(**{**p, "marks_ms": tuple(p.get("marks_ms", ()))})
                      for name, p in by_name.items()}
               for lang, by_name in data.get("prompts", {}).items()}
    build = data.get("build", {})
    crisis = {lang: CrisisLexicon(tuple(words["crisis"]), tuple(words["not_crisis"]))
              for lang, words in data["crisis"].items()}
    library = parse_library(data["library"])
    codes = {DEFAULT_LANGUAGE, *prompts, *(p.language for p in practices)}
    views: dict[str, Catalog] = {}
    files: set[str] = set()
    for code in codes:
        own = tuple(p for p in practices if p.language == code)
        files |= _files(own, prompts.get(code, {}))
    for code in codes:
        views[code] = Catalog(
            practices=tuple(p for p in practices if p.language == code),
            prompts=prompts.get(code, {}), build=build, crisis=crisis, library=library,
            language=code, views=views, all_files=frozenset(files))
    return views[DEFAULT_LANGUAGE]


def _practice(data: dict[str, Any]) -> Practice:
    return Practice(
        practice_id=data["practice_id"], language=data["language"], title=data["title"],
        summary=data["summary"],
        category=data["category"], aliases=tuple(data["aliases"]), tags=tuple(data["tags"]),
        sources=tuple(data["sources"]),
        steps=tuple(Step(s["title"], s["min_minutes"], tuple(s["text"])) for s in data["steps"]),
        variants=tuple(Variant(
            minutes=v["minutes"], duration_ms=v["duration_ms"], file=v["file"],
            bytes=v["bytes"], sha256=v["sha256"],
            chapters=tuple(Chapter(**c) for c in v["chapters"]),
            phone=tuple(PhoneSegment(**s) for s in v["phone"]),
        ) for v in data["variants"]),
    )


class CatalogSource:
    """The current catalog, reloaded when `catalog.json` changes (checked every few seconds)."""

    def __init__(self, build_dir: Path) -> None:
        self.path = build_dir / "catalog.json"
        self._catalog = EMPTY
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.reload()

    @property
    def loaded(self) -> bool:
        return self._stamp is not None

    def get(self) -> Catalog:
        if time.monotonic() - self._checked > RELOAD_CHECK_S:
            self.reload()
        return self._catalog

    def reload(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            try:
                stat = self.path.stat()
            except OSError:
                return
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp == self._stamp:
                return
            try:
                self._catalog = parse_catalog(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError, TypeError) as error:
                logger.error("cannot read %s (keeping the previous catalog): %s", self.path, error)
                return
            self._stamp = stamp
            logger.info("catalog loaded: %d practices", len(self._catalog.practices))
