"""The serving benchmarks: the real app and a minimal Flask app on the same gunicorn settings.

For each: an open loop at 200 requests/s (latency counted from when each request was due) and a
closed loop with 16 connections (throughput). The real app gets the realistic mix: Alexa with
verification on (test CA), signed Twilio webhooks, the catalog page, practice pages, the feed and
ranged audio. Each run of the load generator is its own process.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from .report import Figure
from .server import app_env, make_pki, run_loadgen, start_server

RATE = 200
OPEN_S = 20
CLOSED_S = 15
OPEN_MIX = (80, 60, 60)
CLOSED_MIX = (7, 5, 4)


def postgres_url() -> str | None:
    """A fresh schema URL on TEST_DATABASE_URL's PostgreSQL (default: the local server), or None
    (SQLite is used then)."""
    import os
    import uuid

    import sqlalchemy as sa

    base = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        engine = sa.create_engine(base, connect_args={"connect_timeout": 2})
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
    except sa.exc.OperationalError:
        return None
    return f"{base}?options=-csearch_path%3D{schema}"


def run(work: Path, build_dir: Path) -> tuple[list[Figure], dict[str, Any]]:
    trust, key = make_pki(work / "pki")
    database = postgres_url() or f"sqlite:///{work / 'store.sqlite3'}"
    raw: dict[str, Any] = {"database": database.split(":")[0]}
    common = {"catalog": str(build_dir / "catalog.json"), "key": str(key), "settle": False}
    env = app_env(build_dir, database, trust, work / "metrics-app")
    server = start_server("voice_app:create_app()", env, work / "app.log")
    with contextlib.closing(_Closer(server)):
        base = {"port": server.port, "mode_users": "mix", **common}
        run_loadgen({**base, "mode": "closed", "mix": list(CLOSED_MIX), "duration_s": 3},
                    work, "warmup")
        raw["app_open"] = run_loadgen({**base, "mode": "open", "mix": list(OPEN_MIX),
                                       "rate": RATE, "duration_s": OPEN_S}, work, "app-open")
        raw["app_closed"] = run_loadgen({**base, "mode": "closed", "mix": list(CLOSED_MIX),
                                         "duration_s": CLOSED_S}, work, "app-closed")
    minimal = start_server("bench.minimal_app:create_app()", {}, work / "minimal.log")
    with contextlib.closing(_Closer(minimal)):
        base = {"port": minimal.port, "mode_users": "fixed"}
        run_loadgen({**base, "mode": "closed", "users": 16, "duration_s": 2}, work, "warm-min")
        raw["min_open"] = run_loadgen({**base, "mode": "open", "users": 64, "rate": RATE,
                                       "duration_s": OPEN_S}, work, "min-open")
        raw["min_closed"] = run_loadgen({**base, "mode": "closed", "users": sum(CLOSED_MIX),
                                         "duration_s": CLOSED_S}, work, "min-closed")
    return figures(raw), raw


class _Closer:
    def __init__(self, server: Any) -> None:
        self.server = server

    def close(self) -> None:
        self.server.stop()


def figures(raw: dict[str, Any]) -> list[Figure]:
    app, mini = raw["app_open"], raw["min_open"]
    found = []
    for kind in ("alexa", "phone", "web"):
        stats = app["kinds"][kind]
        bad = sum(n for s, n in stats["statuses"].items() if s.startswith("5")) + stats["failed"]
        for share in ("p50_ms", "p99_ms"):
            ratio = stats[share] / mini[share]
            target = "≤ 50 ms" if share == "p99_ms" and kind != "web" else "(reported)"
            passed = bad == 0 and (stats[share] <= 50 if target != "(reported)" else True)
            found.append(Figure("serving", f"{kind} {share[:3]} at {RATE}/s / minimal app",
                                ratio, target, passed,
                                f"{stats[share]:.1f} ms vs {mini[share]:.1f} ms, {bad} errors"))
    achieved = app["throughput_rps"] / RATE
    found.append(Figure("serving", f"mix rate achieved / {RATE}/s offered", achieved, "≥ 0.97",
                        achieved >= 0.97, f"{app['throughput_rps']:.0f} req/s"))
    closed = raw["app_closed"]["throughput_rps"] / raw["min_closed"]["throughput_rps"]
    found.append(Figure("serving", "mix throughput / minimal app", closed, "≥ 0.5",
                        closed >= 0.5, f"{raw['app_closed']['throughput_rps']:.0f} vs "
                        f"{raw['min_closed']['throughput_rps']:.0f} req/s"))
    return found
