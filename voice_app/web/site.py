"""What every web route needs from the app: settings, the current catalog, links, a variant."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app

from ..catalog import Catalog, Practice, Variant
from ..settings import Settings
from .feed import Links


def settings() -> Settings:
    return current_app.extensions["settings"]


def catalog() -> Catalog:
    return current_app.extensions["catalog"].get()


def links() -> Links:
    current = settings()
    return Links(site=current.PUBLIC_BASE_URL.rstrip("/"), audio=current.audio_base_url)


def practice_or_404(practice_id: str) -> Practice:
    practice = catalog().get(practice_id)
    if practice is None:
        abort(404)
    return practice


def variant_or_404(practice_id: str, minutes: int) -> tuple[Practice, Variant]:
    practice = practice_or_404(practice_id)
    variant = practice.variant(minutes)
    if variant is None:
        abort(404)
    return practice, variant


def audio_file(variant: Variant) -> Path:
    """The variant's file under the build dir, or 404 when the build lacks it."""
    root = settings().build_dir.resolve()
    path = (root / variant.file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    return path
