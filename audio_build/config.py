"""The one frozen configuration a build is given (no global configuration).

Its own module so that the build's stages (`build`, `prompts`) can all read it without
importing each other; `build` re-exports it for callers.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    engine: str = "piper"
    voice: str | None = None
    jobs: int = 1
    library_path: Path = DEFAULT_LIBRARY_PATH
    """Needs, the first practice and the phone menus (`library_data.py`)."""
    prompts_dir: Path = DEFAULT_PROMPTS_DIR
    """`<language>.yaml`: the hotline's sentences and the words the service listens for."""
    crisis_dir: Path = DEFAULT_CRISIS_DIR
    """`<language>.yaml` crisis lexicons (`lexicon.py`); English is required."""
    crisis_line: str = "988"
    cache_dir: Path | None = None
    """Where synthesized sentences are kept; default `<out_dir>/cache`."""

    @property
    def segment_cache_dir(self) -> Path:
        return self.cache_dir or self.out_dir / "cache"

    @property
    def voice_work_dir(self) -> Path:
        """Where the engine keeps files derived from its voice (the windowed cut)."""
        return self.segment_cache_dir / "voices"
