"""`build/catalog.json`: the one contract between the audio build and the voice app.

This module is the only place on the build side that knows the JSON layout. Schema 4:

    {
      "schema": 4,
      "build": {"engine", "voice", "voice_sha256", "settings": {...}, "licence" (English's),
                "voices": {language: {"engine", "voice", "voice_sha256", "settings", "licence"}},
                "content_licence", "built_at"},
      "practices": [{
        "practice_id", "language", "title", "summary", "category", "aliases": [...], "tags": [...],
        "sources": [...],
        "steps": [{"title", "min_minutes" (int or null), "text": [sentence, ...]}],
        "variants": [{
          "minutes", "duration_ms", "file" (relative to the build dir), "bytes", "sha256",
          "chapters": [{"title", "start_ms", "end_ms"}],
          "phone": [{"kind": "speech"|"bell", "step" (index into steps), "file", "bytes",
                     "sha256", "start_ms", "duration_ms", "pause_after_ms"}]
        }]
      }],
      "prompts": {language: {name: {"text", "file", "bytes", "sha256", "duration_ms",
                                    "marks_ms": [where each sentence ends, ...]}}},
      "crisis": {language: {"crisis": [phrase, ...], "not_crisis": [phrase, ...]}},
      "library": {
        "first": practice_id,
        "needs": [{"need_id" (a category), "also": [category, ...], "minutes" (int or null)}],
        "keys": {"help", "more", "back", "end"},
        "menus": [{"name", "pages": [[{"key", "practice_id", "minutes" (int or null)}]]}],
        "languages": {language: {
          "name", "locale", "numbers": [word, ... 0 to 20], "keys": {"*": word, "#": word},
          "or", "needs": {need_id: {"title", "line", "why", "words": [phrase, ...]}},
          "first_why" ({title}), "commands": {command: [phrase, ...]},
          "words": {"yes"|"no"|"connect"|"another": [phrase, ...]},
          "spoken": {name: text with {values} the service fills},
          "crisis_line": how the main line is told in this language ({line}),
          "templates": {prompt name: its text with {crisis_line} unfilled}}}
      }
    }

Prompts hold every recorded phone sentence: the fixed ones, `resume_<id>`, `lengths_<id>` and
one `menu_<menu>_<page>` per menu page, each with the text it says.

Schema 4 made the library multilingual: a practice exists once per language under the same id
(`scripts/meditations/<lang>/`), each with its own audio, and prompts are kept per language.

Schema 2 added `crisis` (required: a service must never run without its crisis lexicon), the
normalised phrases of `scripts/crisis/<language>.yaml` (see `lexicon.py`). Schema 3 added
`library` (`library_data.py`): the library's needs, menus and words, so the service holds none.

Practices are sorted by language and id, variants by minutes. Audio files carry a content hash
in their name, so a URL never changes meaning. `built_at` changes only when something else does.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .lexicon import CrisisWords

SCHEMA = 4
CATALOG_NAME = "catalog.json"
CONTENT_LICENCE = "CC BY-SA 4.0"


@dataclass(frozen=True)
class StoredFile:
    """An output file, by path relative to the build dir, with its size and sha256."""

    file: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class PhoneSegment:
    kind: str
    """'speech' (a spoken stretch) or 'bell'."""
    step: int
    file: str
    bytes: int
    sha256: str
    start_ms: int
    """Where this segment starts in the variant's MP3: the same place on every channel."""
    duration_ms: int
    pause_after_ms: int
    """Silence to keep after this segment: described, not stored as audio."""


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Variant:
    minutes: int
    duration_ms: int
    file: str
    bytes: int
    sha256: str
    chapters: tuple[Chapter, ...]
    phone: tuple[PhoneSegment, ...]


@dataclass(frozen=True)
class StepInfo:
    title: str
    min_minutes: int | None
    text: tuple[str, ...]
    """The step's sentences, in order: the transcript."""


@dataclass(frozen=True)
class PracticeEntry:
    practice_id: str
    language: str
    title: str
    summary: str
    category: str
    aliases: tuple[str, ...]
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    steps: tuple[StepInfo, ...]
    variants: tuple[Variant, ...]


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
    build: dict[str, Any]
    practices: tuple[PracticeEntry, ...]
    prompts: dict[str, dict[str, Prompt]] = field(default_factory=dict)
    """By language, then by name."""
    crisis: dict[str, CrisisWords] = field(default_factory=dict)
    library: dict[str, Any] = field(default_factory=dict)
    """JSON-ready (`library_data.to_catalog`): only the service reads it into types."""
    schema: int = SCHEMA

    def practice(self, practice_id: str, language: str = "en") -> PracticeEntry | None:
        return next((p for p in self.practices
                     if p.practice_id == practice_id and p.language == language), None)

    def files(self) -> list[StoredFile]:
        """Every audio file the catalog names, once each."""
        seen: dict[str, StoredFile] = {}
        for practice in self.practices:
            for variant in practice.variants:
                seen[variant.file] = StoredFile(variant.file, variant.bytes, variant.sha256)
                for segment in variant.phone:
                    seen[segment.file] = StoredFile(segment.file, segment.bytes, segment.sha256)
        for prompt in (p for by_name in self.prompts.values() for p in by_name.values()):
            seen[prompt.file] = StoredFile(prompt.file, prompt.bytes, prompt.sha256)
        return list(seen.values())


def to_json(catalog: Catalog) -> str:
    data = {"schema": catalog.schema, "build": catalog.build,
            "practices": [asdict(p) for p in catalog.practices],
            "prompts": {lang: {name: asdict(p) for name, p in sorted(by_name.items())}
                        for lang, by_name in sorted(catalog.prompts.items())},
            "crisis": {lang: asdict(w) for lang, w in sorted(catalog.crisis.items())},
            "library": catalog.library}
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def from_json(text: str) -> Catalog:
    data = json.loads(text)
    if data.get("schema") != SCHEMA:
        raise ValueError(f"catalog schema {data.get('schema')!r} is not {SCHEMA}; rebuild")
    return Catalog(
        build=data["build"],
        practices=tuple(_practice(p) for p in data["practices"]),
        prompts={lang: {name: Prompt(**{**p, "marks_ms": tuple(p.get("marks_ms", ()))})
                        for name, p in by_name.items()}
                 for lang, by_name in data.get("prompts", {}).items()},
        crisis={lang: CrisisWords(tuple(w["crisis"]), tuple(w["not_crisis"]))
                for lang, w in data["crisis"].items()},
        library=data["library"],
    )


def _practice(data: dict[str, Any]) -> PracticeEntry:
    return PracticeEntry(
        **{k: tuple(data[k]) for k in ("aliases", "tags", "sources")},
        **{k: data[k] for k in ("practice_id", "language", "title", "summary", "category")},
        steps=tuple(StepInfo(s["title"], s["min_minutes"], tuple(s["text"]))
                    for s in data["steps"]),
        variants=tuple(Variant(
            minutes=v["minutes"], duration_ms=v["duration_ms"], file=v["file"],
            bytes=v["bytes"], sha256=v["sha256"],
            chapters=tuple(Chapter(**c) for c in v["chapters"]),
            phone=tuple(PhoneSegment(**s) for s in v["phone"]),
        ) for v in data["variants"]),
    )


def load_catalog(build_dir: Path) -> Catalog | None:
    """The catalog in `build_dir`, or None if there is none or it is from another schema."""
    try:
        return from_json((build_dir / CATALOG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
