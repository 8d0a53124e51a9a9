"""What every web route needs from the app: settings, the current catalog in the page's language,
links, a variant."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from flask import Response, abort, current_app, request

from ..catalog import Catalog, Practice, Variant
from ..files import build_file_or_404
from ..settings import Settings
from . import language
from .feed import Links


def settings() -> Settings:
    return current_app.extensions["settings"]


def catalog() -> Catalog:
    """The catalog in the page's language (English when that language has no practices)."""
    return current_app.extensions["catalog"].get().in_language(language.current())


def links() -> Links:
    current = settings()
    code = language.current()
    return Links(site=current.PUBLIC_BASE_URL.rstrip("/"), audio=current.audio_base_url,
                 prefix="" if code == language.DEFAULT_LANGUAGE else f"/{code}")


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
    return build_file_or_404(settings().build_dir, variant.file)


def cached_page(key: tuple[object, ...], render: Callable[[], str | bytes], *, mimetype: str,
                cache_control: str) -> Response:
    """A page rendered once per catalog (a rebuild makes a new one) and served with an ETag, so
    a browser or feed reader that has it gets 304. Pages depend only on the catalog, the
    settings, the page's language and `key` (the route and its arguments), never on who asks:
    nothing personal is ever rendered here (check-ins have pages of their own, never cached).

    Rendering the catalog page or the feed cost more than everything else in serving it."""
    current = catalog()
    pages = current_app.extensions.setdefault("rendered_pages", {})
    key = (language.current(), *key)
    found = pages.get(key)
    if found is None or found[0] is not current:
        rendered = render()
        body = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
        found = (current, body, hashlib.sha256(body).hexdigest()[:32])
        if len(pages) > 256:  # keys are routes x practices x filters; this is only a backstop
            pages.clear()
        pages[key] = found
    response = Response(found[1], mimetype=mimetype)
    response.set_etag(found[2])
    response.headers["Cache-Control"] = cache_control
    return response.make_conditional(request)
