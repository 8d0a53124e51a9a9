"""The check-in's words, from the real prompts files: the question reads the scale out in full,
answers are understood by digit, number word or label in both languages, and what a listener
hears back (said back, a 5 met with care, their own history and week) is filled correctly."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio_build.errors import ScriptErrors
from audio_build.library import load_languages
from audio_build.library_data import load_library_data, to_catalog
from voice_app.checkins import SKIP, checkin_choice, parse_answer
from voice_app.library import parse_library

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def library():
    languages = load_languages([ROOT / "scripts" / "meditations"])
    data = load_library_data(list(languages["en"].practices), ROOT / "scripts" / "library.yaml",
                             ROOT / "scripts" / "prompts",
                             translations={k: list(v.practices) for k, v in languages.items()})
    return parse_library(to_catalog(data))


def test_the_question_reads_the_whole_scale_in_order(library):
    en = library.language("en").checkin
    question = en.question()
    assert question.startswith("Before we begin")
    assert "Right now, how stressed do you feel?" in question
    positions = [question.index(f"{n}, {label}") for n, label in zip(
        ("One", "two", "three", "four", "five"), en.labels, strict=True)]
    assert positions == sorted(positions)
    assert en.question(after=True).startswith("And now, after the practice")
    es = library.language("es").checkin
    assert "¿cuánto estrés sientes?" in es.question()
    assert "cinco, muchísimo" in es.question(after=True)


@pytest.mark.parametrize(("said", "value"), [
    ("4", 4), ("four", 4), ("quite a bit", 4), ("I'd say quite a bit", 4), ("not at all", 1),
    ("a little", 2), ("Extremely.", 5), ("five", 5), ("skip", SKIP), ("no thanks", SKIP),
    ("#", SKIP), ("banana", None), ("", None), ("7", None),
])
def test_english_answers(library, said, value):
    assert parse_answer(library.language("en"), said) == value


@pytest.mark.parametrize(("said", "value"), [
    ("cuatro", 4), ("bastante", 4), ("nada", 1), ("un poco", 2), ("muchisimo", 5),
    ("Muchísimo", 5), ("tres", 3), ("moderado", 3), ("saltar", SKIP), ("no gracias", SKIP),
    ("2", 2),
])
def test_spanish_answers(library, said, value):
    assert parse_answer(library.language("es"), said) == value


def test_turning_check_ins_off_and_on_by_voice(library):
    en, es = library.language("en"), library.language("es")
    assert checkin_choice(en, "please stop asking how I feel") is False
    assert checkin_choice(en, "ask me how I feel") is True
    assert checkin_choice(en, "play loving kindness") is None
    assert checkin_choice(es, "ya no preguntes") is False
    assert checkin_choice(es, "pregúntame cómo me siento") is True


def test_what_the_listener_hears_back(library):
    en, es = library.language("en"), library.language("es")
    assert en.checkin.said_back(4) == "Quite a bit. Thank you."
    assert es.checkin.said_back(5) == "Muchísimo. Gracias."
    care = en.checkin.support(en.crisis_line("988"), "555 0100")
    assert "555 0100" in care and "988" in care
    assert "staff support" not in en.checkin.support(en.crisis_line("988"))
    assert "988, y oprime el 2 para español" in es.checkin.support(es.crisis_line("988"))
    assert care.endswith("The practice is here for you now.")
    after = en.checkin.support(en.crisis_line("988"), "555 0100", after=True)
    assert "555 0100" in after and "practice is here" not in after
    assert es.checkin.support(es.crisis_line("988")).endswith("para ti ahora.")
    assert en.checkin.history([(4, 2), (3, 2)]) == (
        "Over your last 2 practices with a check-in, your stress was 3.5 on average before, "
        "and 2 after.")
    assert "3,5" in es.checkin.history([(4, 2), (3, 2)])
    assert "1.5 points lower" in en.checkin.week((-1.5, 3))
    assert "about the same" in en.checkin.week((0.1, 2))
    assert "higher" in en.checkin.week((1.0, 2))
    assert en.checkin.week(None) == "No check-ins from this past week yet."
    assert "bajó 1,5 puntos" in es.checkin.week((-1.5, 3))


def test_a_prompts_file_without_the_check_in_is_refused_with_where(tmp_path):
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    text = (ROOT / "scripts" / "prompts" / "en.yaml").read_text(encoding="utf-8")
    (prompts / "en.yaml").write_text(text.split("\ncheckin:")[0].replace(
        "# The check-in (docs/checkin.md)", "#"), encoding="utf-8")
    languages = load_languages([ROOT / "scripts" / "meditations"])
    with pytest.raises(ScriptErrors) as caught:
        load_library_data(list(languages["en"].practices), ROOT / "scripts" / "library.yaml",
                          prompts)
    assert "'checkin' is missing" in str(caught.value)
    assert "en.yaml" in str(caught.value)
