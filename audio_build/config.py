"""The one frozen configuration a build is given (no global configuration).

Its own module so that the build's stages (`build`, `prompts`) can all read it without
importing each other; `build` re-exports it for callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LIBRARY_PATH = Path("scripts/library.yaml")
DEFAULT_PROMPTS_DIR = Path("scripts/prompts")
DEFAULT_CRISIS_DIR = Path("scripts/crisis")


@dataclass(frozen=True)
class BuildConfig:
    """Everything one build needs, passed explicitly (no global configuration)."""

    out_dir: Path = Path("build")
    scripts: tuple[Path, ...] = ()
    only: tuple[str, ...] = ()
    engine: str | None = None
    """The engine for the languages built (None: each language's own, from its prompts file's
    `language.engine`, else Piper)."""
    voice: str | None = None
    """The voice for the languages built (None: the language's voice for its engine)."""
    languages: tuple[str, ...] = ()
    """Languages to build (empty: every language the library has)."""
    jobs: int = 1
    library_path: Path = DEFAULT_LIBRARY_PATH
    """Needs, the first practice and the phone menus (`library_data.py`)."""
    prompts_dir: Path = DEFAULT_PROMPTS_DIR
    """`<language>.yaml`: the hotline's sentences and the words the service listens for."""
    crisis_dir: Path = DEFAULT_CRISIS_DIR
    """`<language>.yaml` crisis lexicons (`lexicon.py`); English is required."""
    crisis_line: str = "988"
    own_crisis_lines: dict[str, str] = field(default_factory=dict)
    """A language's own crisis line, where the deployment has one (`es`: CRISIS_LINE_ES);
    otherwise its speakers are told the main line as its prompts file says."""
    cache_dir: Path | None = None
    """Where synthesized sentences are kept; default `<out_dir>/cache`."""

    @property
    def segment_cache_dir(self) -> Path:
        return self.cache_dir or self.out_dir / "cache"

    @property
    def voice_work_dir(self) -> Path:
        """Where the engine keeps files derived from its voice (the windowed cut)."""
        return self.segment_cache_dir / "voices"
