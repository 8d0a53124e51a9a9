"""Which language a page is in, and its words.

English lives at the site's root (`/`, `/practices/<id>`, `/feed.xml`); every other language of
the library under its own path (`/es/`, `/es/practices/<id>`, `/es/feed.xml`). `route` registers
a view at both; the view gets `lang`. Inside a request `url_for` keeps the page's language
unless told otherwise, so a Spanish page links to Spanish pages. Every word a page shows is the
language's `web:` section (scripts/prompts/<lang>.yaml, specified by audio_build/words_web.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, request, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter

from ..library import DEFAULT_LANGUAGE, Language, Words

ARG = "lang"


class LanguageConverter(BaseConverter):
    """A two-letter language code in the path; whether the library has it is checked after."""

    regex = "[a-z]{2}"


def route(blueprint: Blueprint, rule: str, **options: Any) -> Callable[[Any], Any]:
    """Register the view at `rule` (English) and at `/<lang>rule` (every other language)."""
    def decorator(view: Any) -> Any:
        # The English rule first: url_for(..., lang="en") builds the first rule that fits.
        blueprint.add_url_rule(rule, view_func=view, defaults={ARG: DEFAULT_LANGUAGE},
                               **options)
        blueprint.add_url_rule(f"/<{ARG}:{ARG}>{rule}", view_func=view, **options)
        return view
    return decorator


def install(app: Flask) -> None:
    app.url_map.converters[ARG] = LanguageConverter
    app.url_value_preprocessor(_take_language)
    app.url_defaults(_keep_language)


def _take_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or ARG not in values:
        return
    code = values[ARG]
    if code != DEFAULT_LANGUAGE and code not in codes():
        abort(404)
    g.lang = code


def _keep_language(endpoint: str, values: dict[str, Any]) -> None:
    if ARG not in values and current_app.url_map.is_endpoint_expecting(endpoint, ARG):
        values[ARG] = current()


def current() -> str:
    return g.get("lang", DEFAULT_LANGUAGE)


def codes() -> tuple[str, ...]:
    """The library's languages, English first."""
    languages = current_app.extensions["catalog"].get().library.languages
    return tuple(sorted(languages, key=lambda code: (code != DEFAULT_LANGUAGE, code)))


def language(code: str | None = None) -> Language:
    return current_app.extensions["catalog"].get().library.language(code or current())


def words(code: str | None = None) -> Words:
    return language(code).words_of("web")


@dataclass(frozen=True)
class Switch:
    """A link to the same page in another language, labelled in that language."""

    code: str
    label: str
    url: str


def switches() -> list[Switch]:
    """The same page in each other language: a plain link, kept with its query."""
    endpoint, args = request.endpoint, dict(request.view_args or {})
    if endpoint is None or request.method != "GET":
        return []
    found = []
    for code in codes():
        if code == current():
            continue
        url = url_for(endpoint, **{**args, ARG: code}, **request.args.to_dict())
        found.append(Switch(code, words(code).texts.get("language_link", code), url))
    return found


class Texts:
    """A page's words for its template: `w("name", value=...)` gives escaped markup, and a value
    that is already markup (a link) goes in as it is."""

    def __init__(self, chosen: Words) -> None:
        self.words = chosen

    def __call__(self, name: str, **values: Any) -> Markup:
        return Markup(escape(self.words.texts[name])).format(**values) if values \
            else escape(self.words.texts[name])

    def plain(self, name: str, **values: Any) -> str:
        return self.words.text(name, **values)


def tel(number: str) -> Markup:
    """A number as a link a phone can call."""
    return Markup('<a href="tel:{}">{}</a>').format(re.sub(r"[^\d+]", "", number), number)


def crisis_line(lang: Language, main: str, own: str = "") -> Markup:
    """The crisis line as the language tells it (988, "y oprime el 2 para español"), the
    number a link."""
    if own:
        return tel(own)
    return Markup(escape(lang.crisis_via)).format(line=tel(main))


def own_crisis_line(settings: Any, code: str) -> str:
    """A language's own crisis line, when the deployment gives it one (CRISIS_LINE_ES)."""
    return str(getattr(settings, f"CRISIS_LINE_{code.upper()}", "") or "")
