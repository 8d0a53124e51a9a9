"""Handler latency, measured in-process for a realistic request mix (reported, loosely bounded).

Two numbers per mix: the whole POST /alexa (verification with a cached certificate, JSON,
ask-sdk dispatch, store round trips, serialisation) and the ask-sdk invoke alone (handlers and
store). Run with `-s` to see the table; the issue note quotes it.
"""

from __future__ import annotations

import statistics
import time

import pytest
from alexa_helpers import (
    audio_event,
    intent,
    make_alexa_client,
    player,
    postgres_schema,
    slot,
    token_for,
)

from voice_app import create_app

ROUNDS = 60


def request_mix(app):
    token = token_for(app, "loving-kindness", 5)
    playing = player(token, 72_000, "PLAYING")
    return [
        ("launch", {"type": "LaunchRequest"}, True, None),
        ("start", intent("StartPracticeIntent", slot("practice", "loving kindness",
                                                      resolved="loving-kindness"),
                         slot("duration", "PT5M")), True, None),
        ("started", audio_event("PlaybackStarted", token, 0), False, None),
        ("pause", intent("AMAZON.PauseIntent"), True, playing),
        ("stopped", audio_event("PlaybackStopped", token, 72_000), False, None),
        ("resume", intent("AMAZON.ResumeIntent"), True, None),
        ("next", intent("AMAZON.NextIntent"), True, playing),
        ("recommend", intent("RecommendIntent", slot("feeling", "overwhelmed")), True, None),
        ("nearly", audio_event("PlaybackNearlyFinished", token, 290_000), False, None),
        ("finished", audio_event("PlaybackFinished", token, 300_000), False, None),
        ("progress", intent("ProgressIntent"), True, None),
        ("help", intent("AMAZON.HelpIntent"), True, None),
        ("ended", {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}, True, None),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(app) -> tuple[list[float], list[float]]:
    alexa = make_alexa_client(app)
    skill = app.extensions["alexa"].skill
    invoke = skill.invoke
    handler_ms: list[float] = []

    def timed(**kwargs):
        began = time.perf_counter()
        try:
            return invoke(**kwargs)
        finally:
            handler_ms.append((time.perf_counter() - began) * 1000)

    skill.invoke = timed
    mix = request_mix(app)
    for _, request, in_session, audio_player in mix:  # warm-up: certificate cache, pools
        alexa.send(request, in_session=in_session, audio_player=audio_player)
    handler_ms.clear()
    whole_ms: list[float] = []
    for round_number in range(ROUNDS):
        alexa.user_id = f"amzn1.ask.account.LATENCY-{round_number % 7}"
        for _, request, in_session, audio_player in mix:
            alexa.clock.advance(seconds=1)
            began = time.perf_counter()
            alexa.send(request, in_session=in_session, audio_player=audio_player)
            whole_ms.append((time.perf_counter() - began) * 1000)
    return whole_ms, handler_ms


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_handler_latency_for_a_request_mix(app_config, database, capsys, request):
    if database == "sqlite":
        whole, handler = measure(create_app(app_config))
    else:
        with postgres_schema(request.getfixturevalue("postgres_url")) as url:
            app = create_app({**app_config, "DATABASE_URL": url})
            whole, handler = measure(app)
            app.extensions["store"].dispose()
    rows = [(name, statistics.median(values), percentile(values, 0.99))
            for name, values in (("POST /alexa", whole), ("ask-sdk invoke", handler))]
    with capsys.disabled():
        print(f"\nAlexa latency, {database}, {len(whole)} requests "
              f"({len(whole) // ROUNDS}-request mix x {ROUNDS}):")
        for name, median, p99 in rows:
            print(f"  {name:15} median {median:6.2f} ms   p99 {p99:6.2f} ms")
    assert len(handler) == len(whole)
    assert rows[0][2] < 500 and rows[1][2] < 500
