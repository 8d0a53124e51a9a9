"""`python -m bench program`: the program view over 1 million check-ins on PostgreSQL.

Seeds 1,000,000 `sessions` rows (20,000 keyed listeners, skewed use, 16 weeks ending 4 weeks
ago) with one INSERT ... SELECT generate_series in a schema of its own (`program_bench_<random>`
on TEST_DATABASE_URL's server, dropped afterwards: it never touches the test tables), then
measures, in the same run:

- a bare `SELECT count(*) FROM sessions` (the baseline; median of 5);
- the one-off roll-up of every complete month (what the first view or `db prune` after a month
  ends pays, once: the view reads only `program_rollups` after that);
- `GET /program` signed in, through the real app: the first render in a fresh app (charts not
  yet cached) and the median of 10 more.

Target: a render ≤ 500 ms. The ratio reported is render / count(*).
"""

from __future__ import annotations

import os
import re
import statistics
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .report import Figure

ROWS = 1_000_000
LISTENERS = 20_000
TARGET_MS = 500.0
PASSWORD = "benchmark program password"

SEED = """
INSERT INTO sessions (listener_key, channel, practice_id, minutes, language, started_at,
                      finished_at, asked, before, after, after_delay_s, after_declined)
SELECT md5(n::text),
       CASE WHEN n % 10 < 6 THEN 'alexa' WHEN n % 10 < 9 THEN 'phone' ELSE 'web' END,
       (ARRAY['the-pause','breathing-space','loving-kindness','body-scan','grounding',
              'self-compassion-break','rest-after-shift','kindness-to-others'])[p + 1],
       (ARRAY[1, 3, 10, 5, 3, 5, 10, 5])[p + 1], 'en', t,
       CASE WHEN r1 < 0.75 THEN t + interval '6 minutes' END,
       r2 < 0.7,
       CASE WHEN r2 < 0.5 THEN b END,
       CASE WHEN r2 < 0.5 AND r1 < 0.4 THEN greatest(1, b - (r3 < 0.5)::int) END,
       CASE WHEN r2 < 0.5 AND r1 < 0.4 THEN 30 END,
       false
FROM (SELECT floor(power(random(), 3) * :listeners)::int AS n, random() AS r1,
             random() AS r2, random() AS r3, floor(random() * 8)::int AS p,
             1 + floor(random() * 5)::int AS b,
             CAST(:start AS timestamptz) + random() * interval '112 days' AS t
      FROM generate_series(1, :rows)) AS g
"""


def server_url() -> str:
    return (os.environ.get("TEST_DATABASE_URL")
            or "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def own_schema(base: str):  # type: ignore[no-untyped-def]
    schema = f"program_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, connect_args={"connect_timeout": 3})
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(build_dir: Path) -> tuple[list[Figure], dict[str, Any]]:
    from werkzeug.security import generate_password_hash

    from voice_app import create_app
    from voice_app.program.rollup import roll_up_due
    from voice_app.schema import upgrade
    from voice_app.store import Store, now

    raw: dict[str, Any] = {"rows": ROWS, "listeners": LISTENERS}
    with own_schema(server_url()) as url:
        upgrade(url)
        store = Store(url)
        start = now() - timedelta(weeks=20)
        began = time.perf_counter()
        with store.engine.begin() as conn:
            conn.execute(sa.text(SEED), {"listeners": LISTENERS, "start": start, "rows": ROWS})
            conn.execute(sa.text("ANALYZE sessions"))
        raw["seed_s"] = round(time.perf_counter() - began, 2)
        counts = []
        with store.engine.connect() as conn:
            for _ in range(6):
                began = time.perf_counter()
                found = conn.execute(sa.text("SELECT count(*) FROM sessions")).scalar()
                counts.append((time.perf_counter() - began) * 1000)
        assert found == ROWS, found
        raw["count_ms"] = round(statistics.median(counts[1:]), 1)
        app = create_app({"APP_ENV": "test", "BUILD_DIR": str(build_dir), "DATABASE_URL": url,
                          "SECRET_KEY": "bench", "PROGRAM_PASSWORD_HASH":
                          generate_password_hash(PASSWORD), "RETENTION_SWEEP_MINUTES": 0})
        zone = app.extensions["program"].zone
        began = time.perf_counter()
        months = roll_up_due(store, zone)
        raw["rollup_s"] = round(time.perf_counter() - began, 2)
        raw["months_rolled_up"] = len(months)
        client = app.test_client()
        page = client.get("/program/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert client.post("/program/sign-in", data={"csrf": csrf, "password": PASSWORD}) \
            .status_code == 303
        renders = []
        for _ in range(11):
            began = time.perf_counter()
            answer = client.get("/program")
            renders.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200 and "hidden" in answer.text
        raw["first_render_ms"] = round(renders[0], 1)
        raw["render_ms"] = round(statistics.median(renders[1:]), 1)
        raw["page_kb"] = round(len(answer.data) / 1024, 1)
        store.dispose()
        app.extensions["store"].dispose()
    return figures(raw), raw


def figures(raw: dict[str, Any]) -> list[Figure]:
    count = raw["count_ms"]
    return [
        Figure("program", "view render (warm) / count(*) of 1M", raw["render_ms"] / count,
               f"render ≤ {TARGET_MS:.0f} ms", raw["render_ms"] <= TARGET_MS,
               f"{raw['render_ms']} ms vs {count} ms"),
        Figure("program", "first render (charts drawn) / count(*)",
               raw["first_render_ms"] / count, f"render ≤ {TARGET_MS:.0f} ms",
               raw["first_render_ms"] <= TARGET_MS,
               f"{raw['first_render_ms']} ms vs {count} ms"),
        Figure("program", "one-off roll-up of 1M / count(*)", raw["rollup_s"] * 1000 / count,
               "(reported)", True, f"{raw['rollup_s']} s, {raw['months_rolled_up']} months"),
    ]
