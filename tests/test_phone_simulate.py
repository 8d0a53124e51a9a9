"""The call simulator names what plays from the URL the call follows, not from the file."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import pytest

from voice_app.phone.simulate import Simulator

ACTION = "https://example.test/phone/play?p={p}&m={m}&s={s}"


def gather(action: str, file: str, base: str) -> str:
    return (f'<Response><Gather action={quoteattr(action)} input="dtmf speech">'
            f"<Play>{base}/{file}</Play></Gather></Response>")


def test_a_shared_segment_is_named_after_the_practice_playing_it(app):
    """Every practice of the fixture library speaks the same first sentence, so its segment
    file is one file; each call hears it named after its own practice, length and step."""
    catalog = app.extensions["catalog"].get()
    base = app.extensions["settings"].audio_base_url
    simulator = Simulator(app, "+15550123456")
    owners: dict[str, list[tuple[str, int]]] = {}
    for practice in catalog.practices:
        for variant in practice.variants:
            owners.setdefault(variant.phone[0].file, []).append((practice.practice_id,
                                                                 variant.minutes))
    file, shared = max(owners.items(), key=lambda item: len(item[1]))
    assert len(shared) > 1, "the fixture library shares a segment between practices"
    for practice_id, minutes in shared:
        action = ACTION.format(p=practice_id, m=minutes, s=0)
        (heard,) = simulator.turn(gather(action, file, base)).heard
        assert heard.startswith(f"{practice_id} {minutes} min, step 1, "), heard


@pytest.mark.parametrize("query", ["p=nope&m=3&s=0", "p=the-pause&m=99&s=0",
                                   "p=the-pause&m=1&s=999", "p=the-pause&m=x&s=0"])
def test_a_url_that_names_nothing_falls_back_to_the_file(app, query):
    catalog = app.extensions["catalog"].get()
    base = app.extensions["settings"].audio_base_url
    file = catalog.get("the-pause").variants[0].phone[0].file
    action = "https://example.test/phone/play?" + query
    (heard,) = Simulator(app, "+15550123456").turn(gather(action, file, base)).heard
    assert heard == file


def test_a_spanish_call_in_the_terminal(app_config, tmp_path):
    """`--lang es` calls as the Spanish number would: Spanish prompts and segments named."""
    import io

    from voice_app.phone.simulate import main

    out = io.StringIO()
    assert main(["--lang", "es", "--build-dir", app_config["BUILD_DIR"], "--database-url",
                 f"sqlite:///{tmp_path / 'sim.sqlite3'}"], io.StringIO("4\n5\n#\nhangup\n"),
                out) == 0
    text = out.getvalue()
    assert "prompt greeting (es)" in text and "prompt lengths_loving-kindness (es)" in text
    assert "loving-kindness 5 min, step 1" in text
