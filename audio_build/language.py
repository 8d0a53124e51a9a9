"""Which language a practice script is written in.

A language is a folder of scripts: `scripts/meditations/es/loving-kindness.md` is Spanish. The
language of a script is the name of its parent folder when that is a known language code, and
English otherwise (the English scripts sit directly in `scripts/meditations/`).
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "es")
"""Language codes a script folder may be named after."""


def language_of(path: Path) -> str:
    """'es' for `.../es/<id>.md`; 'en' for anything not in a known language folder."""
    folder = path.parent.name
    return folder if folder in LANGUAGES else DEFAULT_LANGUAGE
