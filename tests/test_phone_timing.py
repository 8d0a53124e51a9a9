"""Minutes that matter: how long a caller waits from answer to the first word of a practice,
computed along a real walk of the call from the catalog's recorded prompt durations (and where
each sentence of a prompt ends), so a longer prompt fails it.

A first-time caller who listens hears the greeting and the first menu up to its first option,
then presses one; a caller who keys ahead presses one during the greeting. Both then hear
"starting" and the practice's first words. The not-a-crisis sentence stays in the greeting."""

from __future__ import annotations

from test_phone_calls import Caller

LISTENER_MS = 15_000
KEY_AHEAD_MS = 5_000


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
