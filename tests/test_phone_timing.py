"""Minutes that matter: how long a caller waits from answer to the first word of a practice,
computed along a real walk of the call from the catalog's recorded prompt durations (and where
each sentence of a prompt ends), so a longer prompt fails it.

A first-time caller who listens hears the greeting and the first menu up to its first option,
then presses one; a caller who keys ahead presses one during the greeting. Both then hear
"starting" and the practice's first words. The not-a-crisis sentence stays in the greeting."""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import pytest
from library_helpers import library_data_for
from test_phone_calls import Caller

from audio_build.build import BuildConfig, build_library
from voice_app import create_app

ROOT = Path(__file__).resolve().parent.parent
PIPER_BUILD = ROOT / "var" / "test-build-piper"

LISTENER_MS = 15_000
KEY_AHEAD_MS = 5_000


@pytest.fixture(scope="module")
def piper_build() -> Path:
    """The quick path's practice and the prompts on it (greeting, first menu, starting) as the
    library writes them, spoken by the real voice: the service's other tests use a tone engine,
    whose timing means nothing here. Prompts off the path are one short sentence, to keep the
    build quick. Incremental: after the first run it costs well under a second."""
    scripts = PIPER_BUILD / "scripts"
    PIPER_BUILD.mkdir(parents=True, exist_ok=True)
    with (PIPER_BUILD / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        scripts.mkdir(exist_ok=True)
        shutil.copy(ROOT / "tests" / "fixtures" / "library" / "between-patients.md", scripts)
        data = library_data_for(PIPER_BUILD, scripts, sentence="Thank you.",
                                keep=("greeting", "starting"))
        library = (PIPER_BUILD / "library.yaml").read_text()
        (PIPER_BUILD / "library.yaml").write_text(library.replace(
            "    - practice: between-patients\n",
            "    - practice: between-patients\n      minutes: 1\n"))
        build_library(BuildConfig(out_dir=PIPER_BUILD / "build", scripts=(scripts,), **data))
    return PIPER_BUILD / "build"


@pytest.fixture
def app(piper_build, app_config):
    return create_app({**app_config, "BUILD_DIR": str(piper_build)})


@pytest.fixture
def client(app):
    return app.test_client()


def prompt_ms(app, name: str, sentences: int | None = None) -> int:
    prompt = app.extensions["catalog"].get().prompts[name]
    if sentences is None:
        return prompt.duration_ms
    return prompt.marks_ms[sentences - 1]


def first_word_ms(app, caller: Caller) -> int:
    """From the start of this response to the first word of the practice it plays: prompts
    before the segment, and the segment's own lead-in (it starts on speech or a bell)."""
    waited = 0
    for verb in caller.twiml.iter("Play"):
        name = verb.text.rsplit("/", 1)[-1]
        if name.startswith("prompt-"):
            waited += prompt_ms(app, name.split("-")[1])
        else:
            return waited
    raise AssertionError(f"no practice audio in {caller.heard}")


def test_a_first_time_caller_who_listens_hears_a_practice_within_fifteen_seconds(app, client):
    caller = Caller(client).dial()
    assert caller.heard[:2] == ["greeting", "menu_main_1"]
    text = app.extensions["catalog"].get().prompts["greeting"].text
    assert "not a crisis" in text and "9 8 8" in text
    menu = app.extensions["catalog"].get().prompts["menu_main_1"]
    assert menu.text.split(".")[0].endswith("press one")
    before = prompt_ms(app, "greeting") + prompt_ms(app, "menu_main_1", sentences=1)
    caller.answer("1")
    assert caller.where[0] == "play", caller.heard  # no length question on the quick path
    total = before + first_word_ms(app, caller)
    print(f"\nanswer to first word, listening: {total / 1000:.1f} s")
    assert total <= LISTENER_MS


def test_a_caller_who_keys_ahead_hears_a_practice_within_five_seconds(app, client):
    caller = Caller(client).dial()
    caller.answer("1")  # pressed during the greeting: the menu's Gather takes it
    total = first_word_ms(app, caller)
    print(f"\nkey to first word, keying ahead: {total / 1000:.1f} s")
    assert total <= KEY_AHEAD_MS
