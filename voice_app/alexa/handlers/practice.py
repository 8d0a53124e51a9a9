"""Choosing a practice: by name and length, by how someone feels, or from the list."""

from __future__ import annotations

import re

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from ...catalog import Catalog, Practice
from ...library import Need
from ...recommend import choices, recommend
from .. import playback, questions, responses
from ..checkin import start_practice
from ..services import (
    resolved_ids,
    resolved_names,
    services,
    session_get,
    session_set,
    slot_text,
    talk,
)
from .base import Handler

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
                       r"(?:(\d+(?:\.\d+)?)S)?)?$")


MAX_MINUTES = 24 * 60.0
"""Longer asks are treated as "the longest there is" (and keep float arithmetic exact)."""


def parse_duration_minutes(text: str | None) -> float | None:
    """Minutes in an AMAZON.DURATION value like PT5M, PT90S or PT1H; None if not a duration."""
    match = _DURATION.match(text or "")
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(g or 0) for g in match.groups())
    total = days * 1440 + hours * 60 + minutes + seconds / 60
    return min(total, MAX_MINUTES) if total > 0 else None


def asked_minutes(handler_input: HandlerInput) -> float | None:
    duration = parse_duration_minutes(slot_text(handler_input, "duration"))
    if duration is not None:
        return duration
    number = slot_text(handler_input, "minutes")
    if number and number.isdigit() and int(number) > 0:
        return min(float(number), MAX_MINUTES)
    remembered = session_get(handler_input, "minutes")
    return float(remembered) if isinstance(remembered, int | float) else None


def named_practice(handler_input: HandlerInput, catalog: Catalog) -> Practice | None:
    for practice_id in resolved_ids(handler_input, "practice"):
        if (found := catalog.get(practice_id)) is not None:
            return found
    heard = slot_text(handler_input, "practice")
    return catalog.match(heard) if heard else None


class StartPractice(Handler):
    intents = frozenset({"StartPracticeIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        catalog = services(handler_input).catalog
        minutes = asked_minutes(handler_input)
        practice = named_practice(handler_input, catalog)
        if practice is None or not practice.variants:
            return offer_choices(handler_input, catalog, minutes)
        cue = playback.start(practice, minutes)
        return start_practice(handler_input, cue,
                              talk(handler_input).starting(practice, cue.variant.minutes),
                              chosen=True)


def offer_choices(handler_input: HandlerInput, catalog: Catalog,
                  minutes: float | None) -> Response:
    if minutes is not None:
        session_set(handler_input, minutes=minutes)
    offered = choices(catalog, 3)
    if not offered:
        return responses.tell(handler_input, talk(handler_input).text("trouble"))
    heard = slot_text(handler_input, "practice")
    return responses.ask(handler_input, talk(handler_input).choices(offered, heard))


class Recommend(Handler):
    intents = frozenset({"RecommendIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        catalog = services(handler_input).catalog
        need = next((n for n in map(catalog.library.need, resolved_ids(handler_input, "feeling"))
                     if n is not None), None)
        said = " ".join([slot_text(handler_input, "feeling") or "",
                         *resolved_names(handler_input, "feeling")])
        return play_suggestion(handler_input, said, asked_minutes(handler_input), need)


def play_suggestion(handler_input: HandlerInput, said: str = "",
                    minutes: float | None = None, need: Need | None = None) -> Response:
    """The practice `recommend` suggests for what was said (the library's first for nothing)."""
    catalog = services(handler_input).catalog
    found = recommend(catalog, said, minutes, services(handler_input).language, need=need)
    if found is None:
        return offer_choices(handler_input, catalog, None)
    cue = playback.Cue(found.practice, found.variant, 0, 0)
    say = talk(handler_input).recommending(found.practice, found.variant.minutes, found.why)
    return start_practice(handler_input, cue, say, chosen=found.need_id is not None, said=said,
                          minutes=minutes)


LIST_PAGE = 3
"""Practices read per turn: Amazon's voice design guidance keeps spoken lists to about three."""


class ListPractices(Handler):
    """"List practices" reads the first few, by need; "more" (or yes) the next few."""

    intents = frozenset({"ListPracticesIntent", "AMAZON.MoreIntent"})

    def handle(self, handler_input: HandlerInput) -> Response:
        name = handler_input.request_envelope.request.intent.name
        return list_page(handler_input, more=name == "AMAZON.MoreIntent")


def list_page(handler_input: HandlerInput, *, more: bool) -> Response:
    """The next page of practices (from the session's `list_from`) or, without `more`, the
    first page."""
    speech = talk(handler_input)
    practices = by_need(services(handler_input).catalog, speech.text("other_practices"))
    if not practices:
        return responses.tell(handler_input, speech.text("trouble"))
    start = session_get(handler_input, "list_from") if more else 0
    if not isinstance(start, int) or not 0 <= start < len(practices):
        start = 0
    page = practices[start:start + LIST_PAGE]
    following = start + LIST_PAGE
    has_more = following < len(practices)
    session_set(handler_input, list_from=following if has_more else 0)
    if has_more:
        questions.ask_about(handler_input, questions.MORE)
    say = speech.practice_page(_grouped(page), total=len(practices), first=start == 0,
                               more=has_more)
    return responses.ask(handler_input, say,
                         speech.text("list_reprompt") if has_more else None)


def by_need(catalog: Catalog, other: str) -> list[tuple[str, Practice]]:
    """Playable practices with the title of the need they serve (in the view's language), in
    the library's order of needs, as the web page lists them (practices of a category the
    library's needs don't name come last, under `other`)."""
    words = catalog.library.language(catalog.language).needs
    needs = [need.need_id for need in catalog.library.needs if need.need_id in words]
    order = {need_id: index for index, need_id in enumerate(needs)}
    labels = {need_id: words[need_id].title for need_id in needs}
    playable = [p for p in catalog.practices if p.variants]
    playable.sort(key=lambda p: order.get(p.category, len(order)))
    return [(labels.get(p.category, other), p) for p in playable]


def _grouped(page: list[tuple[str, Practice]]) -> list[tuple[str, list[str]]]:
    groups: list[tuple[str, list[str]]] = []
    for label, practice in page:
        if groups and groups[-1][0] == label:
            groups[-1][1].append(practice.title)
        else:
            groups.append((label, [practice.title]))
    return groups
