"""The script parser: the model it builds, and every problem it reports with its position."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio_build.errors import ScriptErrors
from audio_build.parse import load_script, parse_duration, parse_script
from audio_build.script import Bell, Pause, PracticeTime, Speech
from tests.conftest import VALID_SCRIPT


def test_valid_script_builds_the_model(write_script):
    script = load_script(write_script("loving-kindness.md", VALID_SCRIPT))
    assert script.practice_id == "loving-kindness"
    assert script.title == "Loving-Kindness"
    assert script.lengths == (3, 5, 10)
    assert script.aliases == ("loving kindness", "metta")
    assert [s.title for s in script.steps] == ["Settling", "Widening the circle"]
    settling, widening = script.steps
    assert settling.min_minutes is None and widening.min_minutes == 10
    assert [type(i) for i in settling.items] == [Speech, Pause, Speech, Pause, PracticeTime]
    assert settling.items[1] == Pause(duration_ms=3000, line=12)
    assert widening.items[1] == PracticeTime(duration_ms=90_000, line=18)
    assert isinstance(widening.items[-1], Bell)
    assert [s.title for s in script.steps_for(5)] == ["Settling"]
    assert len(script.steps_for(10)) == 2
    assert script.words_for(3) == 22


def test_model_is_immutable(write_script):
    script = load_script(write_script("loving-kindness.md", VALID_SCRIPT))
    with pytest.raises(AttributeError):
        script.title = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("text", "expected_ms"), [
    ("5s", 5000), ("90s", 90_000), ("2m", 120_000), ("1m30s", 90_000), ("2.5s", 2500),
    ("0s", None), ("3x", None), ("", None), ("m", None), ("5", None), ("-5s", None),
    ("31m", None), ("1h", None),
])
def test_durations(text, expected_ms):
    assert parse_duration(text) == expected_ms


def errors_of(write_script, name: str, text: str) -> list[str]:
    with pytest.raises(ScriptErrors) as caught:
        load_script(write_script(name, text))
    return [e.format() for e in caught.value.errors]


def replace(old: str, new: str) -> str:
    assert old in VALID_SCRIPT
    return VALID_SCRIPT.replace(old, new, 1)


# (name, script text, expected "line:col: message start") for every error class the issue names
CASES = [
    ("unknown directive", replace("[pause 3s]", "[wait 3s]"), "12:58: unknown directive"),
    ("malformed duration", replace("[pause 5s]", "[pause 5 secs]"), "13:49: [pause] needs one"),
    ("malformed duration unit", replace("[pause 5s]", "[pause 5x]"),
     "13:49: malformed duration '5x'"),
    ("missing field", replace("category: compassion-training\n", ""),
     "1:1: missing front-matter field 'category'"),
    ("wrongly typed field", replace("lengths: [3, 5, 10]", "lengths: three"),
     "6:10: 'lengths' must be a non-empty list"),
    ("wrongly typed list item", replace("aliases: [loving kindness, metta]",
                                        "aliases: [loving kindness, 42]"),
     "4:28: each of 'aliases' must be text"),
    ("empty title", replace("title: Loving-Kindness", "title: ''"),
     "2:8: 'title' must be non-empty text"),
    ("unknown field", replace("tags:", "duration: 5\ntags:"), "7:11: unknown field 'duration'"),
    ("empty step", replace("Now let the wish reach a little further. ", ""),
     "17:1: step 'Widening the circle' is empty"),
    ("text before first step", replace("\n## Settling", "Welcome.\n## Settling"),
     "10:1: text before the first step"),
    ("length marker not a length", replace("(10+ min)", "(7+ min)"),
     "17:24: '(7+ min)' is not one of the lengths [3, 5, 10]"),
    ("malformed length marker", replace("(10+ min)", "(ten+ min)"),
     "17:24: malformed length marker"),
    ("lengths not ascending", replace("[3, 5, 10]", "[3, 10, 5]"),
     "6:18: 'lengths' must be ascending"),
    ("malformed category", replace("compassion-training", "Training Now"),
     "5:11: category 'Training Now' is not a need's id"),
    ("unknown tag", replace("[hypo-engaged, seated]", "[hypo-engaged, sitting]"),
     "7:22: unknown tag 'sitting'"),
    ("no front matter", VALID_SCRIPT.split("---\n", 2)[2], "1:1: the script must start"),
    ("front matter not closed", VALID_SCRIPT.replace("---\n\n## Settling", "\n## Settling"),
     "1:1: front matter is not closed"),
    ("invalid yaml", replace("summary: Wishing yourself and others well.", "summary: [unclosed"),
     "4:8: front matter is not valid YAML"),
    ("unmatched bracket", replace("[pause 3s]", "[pause 3s"), "12:58: unmatched '['"),
    ("wrong heading level", replace("## Settling", "# Settling"),
     "11:1: only '## ' headings start a step"),
    ("length exceeded", replace("[practice 60s]", "[pause 2m50s]"),
     "6:11: the 3-minute variant needs at least 3m10s"),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_error_is_reported_at_its_position(write_script, case, text, expected):
    messages = errors_of(write_script, "loving-kindness.md", text)
    located = [m.split(":", 1)[1] for m in messages]
    assert any(m.startswith(expected) for m in located), messages
    assert all(m.startswith(str(Path(messages[0].split(":")[0]))) for m in messages)
    assert all("(hint: " in m for m in messages), messages


def test_id_not_a_slug(write_script):
    messages = errors_of(write_script, "Loving_Kindness.md", VALID_SCRIPT)
    assert messages == [messages[0]]
    assert messages[0].endswith(
        "Loving_Kindness.md:1:1: id 'Loving_Kindness' is not a slug (hint: rename the file to "
        "lowercase words joined by hyphens, e.g. loving-kindness.md)")


def test_all_problems_reported_at_once(write_script):
    text = (replace("[pause 3s]", "[wait 3s]")
            .replace("[pause 5s]", "[pause 5x]")
            .replace("(10+ min)", "(7+ min)")
            .replace("category: compassion-training\n", ""))
    messages = errors_of(write_script, "loving-kindness.md", text)
    assert len(messages) == 4, messages


def test_length_error_names_the_numbers_and_fix(write_script):
    text = replace("Now let the wish reach a little further.",
                   " ".join(["word"] * 1200) + ".")
    (message,) = errors_of(write_script, "loving-kindness.md", text)
    assert "the 10-minute variant needs at least" in message
    assert "1222 words of speech" in message
    assert "cut about" in message and "(N+ min)" in message


def test_not_utf8(tmp_path):
    path = tmp_path / "broken.md"
    path.write_bytes(b"---\ntitle: \xff\xfe\n")
    with pytest.raises(ScriptErrors) as caught:
        load_script(path)
    assert caught.value.errors[0].format().startswith(f"{path}:1:1: not UTF-8 text")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_only_raises_script_errors(text):
    try:
        parse_script(text, Path("fuzz.md"))
    except ScriptErrors as failure:
        assert failure.errors
        assert all(e.line >= 0 and e.col >= 0 for e in failure.errors)


FRAGMENTS = ["---\n", "title: x\n", "lengths: [1, 2]\n", "lengths: [2, 1]\n", "## A\n",
             "## B (2+ min)\n", "## C (x+ min)\n", "word ", "[pause 3s]", "[practice 1m]",
             "[bell]", "[", "]", "[pause]", "aliases: [a, b]\n", "tags: [any]\n", ": : :\n",
             "sources: [s]\n", "category: when-numb\n", "summary: s\n", "- x\n", "&a *a\n",
             "!!python/object:os.system\n", "{", "\n", "\t", "lengths: [1e9]\n", "#x\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_script_shaped_input_only_raises_script_errors(fragments):
    try:
        parse_script("".join(fragments), Path("shaped.md"))
    except ScriptErrors as failure:
        assert failure.errors


# Spanish: the language comes from the folder, the pace from the language, ¿…? and ¡…! stay whole.

ONE_MINUTE_SCRIPT = """\
---
title: Una prueba
summary: Un minuto.
aliases: [prueba]
category: compassion-training
lengths: [1]
tags: [any]
sources: ["Seppala et al. 2014, Emotion"]
---

## Llegar
{words}. [practice 5s]
"""


def _script_in(tmp_path: Path, folder: str, words: int) -> Path:
    (tmp_path / folder).mkdir(exist_ok=True)
    path = tmp_path / folder / "una-prueba.md"
    path.write_text(ONE_MINUTE_SCRIPT.format(words=" ".join(["palabra"] * words)),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("folder", "language"), [
    ("es", "es"), ("en", "en"), ("meditations", "en"), ("fr", "en"), ("ES", "en"),
])
def test_language_is_the_folder_name_when_known(tmp_path, folder, language):
    script = load_script(_script_in(tmp_path, folder, 10))
    assert script.language == language


def test_spanish_is_estimated_at_the_spanish_pace(tmp_path):
    from audio_build.timing import SPANISH_WORDS_PER_MINUTE, estimate_variant

    english = load_script(_script_in(tmp_path, "meditations", 95))
    assert estimate_variant(english, 1).speech_ms == 95 * 60_000 // 110
    with pytest.raises(ScriptErrors) as caught:
        load_script(_script_in(tmp_path, "es", 95))
    (error,) = caught.value.errors
    assert "95 words of speech" in error.message
    assert f"at {SPANISH_WORDS_PER_MINUTE} words a minute" in error.message
    assert SPANISH_WORDS_PER_MINUTE < 110


@pytest.mark.parametrize(("text", "sentences"), [
    ("¿Cómo llegas hoy? Cansada, tal vez.", ["¿Cómo llegas hoy?", "Cansada, tal vez."]),
    ("¡Qué turno! Respira.", ["¡Qué turno!", "Respira."]),
    ("¿Dónde estás? ¿Aquí?", ["¿Dónde estás?", "¿Aquí?"]),
    ("Pregúntate: ¿qué le diría a la Sra. López? Y escucha.",
     ["Pregúntate: ¿qué le diría a la Sra. López?", "Y escucha."]),
    ("¿Qué hago? me pregunto a veces. Luego sigo.",
     ["¿Qué hago? me pregunto a veces.", "Luego sigo."]),
    ("¡Ya basta! dice una voz. Solo nótala.", ["¡Ya basta! dice una voz.", "Solo nótala."]),
    ("Is it here? yes. Then go.", ["Is it here?", "yes.", "Then go."]),
])
def test_split_sentences_keeps_spanish_questions_and_exclamations_whole(text, sentences):
    from audio_build.plan import split_sentences

    assert split_sentences(text) == sentences
