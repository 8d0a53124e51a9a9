"""The crisis lexicon (scripts/crisis/en.yaml) both ways: words of suicide, self-harm or wanting to
die are recognised however they are phrased; ordinary hard days of care work are not. Plus the
checker's answers to a broken lexicon, and the two normalisers that must agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audio_build.cli import main as cli
from audio_build.errors import ScriptErrors
from audio_build.lexicon import (
    is_crisis,
    load_crisis_lexicon,
    load_crisis_lexicons,
    normalise_phrase,
)
from audio_build.skill_model import _CRISIS
from voice_app.crisis import CrisisLexicon, heard_crisis, normalise

ROOT = Path(__file__).resolve().parent.parent
WORDS = load_crisis_lexicon(ROOT / "scripts" / "crisis" / "en.yaml")
LEXICON = CrisisLexicon(WORDS.crisis, WORDS.not_crisis)
SPANISH_WORDS = load_crisis_lexicon(ROOT / "scripts" / "crisis" / "es.yaml")
SPANISH = CrisisLexicon(SPANISH_WORDS.crisis, SPANISH_WORDS.not_crisis)
SPANISH_CRISIS = ["quiero morirme", "no quiero vivir", "Ya no quiero vivir.", "me quiero matar",
                  "pienso en suicidarme", "Quiero MORIRME", "quiero quitarme la vida",
                  "necesito ayuda ahora", "la línea de crisis", "ya no le veo salida",
                  "tengo pensamientos suicidas", "perdí la esperanza"]
SPANISH_HARD_DAYS = ["estoy muerta de cansancio", "se me murió un paciente", "estoy quemado",
                     "me muero de sueño", "me mata la espalda", "no quiero morirme",
                     "no soy suicida", "tuve una sobredosis en la sala de urgencias"]

CRISIS = [
    # direct
    "I feel suicidal", "i'm suicidal", "I am having suicidal thoughts", "suicide",
    "I want to kill myself", "I'm going to kill myself tonight", "thinking about killing myself",
    "I want to end my life", "I want to end it all", "I just want it all to end",
    "I want to take my own life",
    # wanting to die, passive and indirect
    "like I want to die", "I just want to die", "honestly i wanna die", "I wish I was dead",
    "I wish I were dead", "everyone would be better off without me", "I'd be better off dead",
    "I don't want to live anymore", "I do not want to live", "i dont want to be alive",
    "I don't want to be here anymore", "I want to go to sleep and never wake up",
    "I don't want to wake up tomorrow", "there is no reason to live", "I have nothing to live for",
    "I can't go on like this", "I cannot go on anymore", "I'm tired of living",
    # self-harm
    "I want to hurt myself", "I've been cutting myself again", "I keep harming myself",
    "self-harm", "I'm thinking of an overdose",
    # hopelessness and asking for help
    "hopeless", "I feel completely hopeless", "there's no way out",
    "I need help now", "give me the crisis line", "what's the suicide hotline number",
    # negation that still says it
    "I'm not okay, I want to die", "it's not that I'm sad, I want to kill myself",
    "I'm not suicidal but I do want to die",
    # shouted, punctuated, accented or odd case
    "I WANT TO DIE!!!", "kill. myself.", "Suicidal…", "I want to díe",
]

HARD_DAYS = [
    "my patient died", "I lost a patient today", "a patient died on my shift", "we lost him",
    "dead tired", "I'm dead on my feet", "burnt out", "burned out", "I feel numb",
    "exhausted", "overwhelmed", "this shift is killing me", "my feet are killing me",
    "I could die for a coffee", "I'm dying for a nap", "I'm so tired", "grieving",
    "end of my shift", "end of shift", "I can't go on break yet", "I want to diet",
    "die hard", "a five minute loving kindness", "I'm not suicidal, just exhausted",
    "I am not suicidal", "my patient overdose was reversed", "a patient in crisis",
    "we're in a staffing crisis", "I'm on the crisis team", "a hopeless case",
    "after a patient dies", "the pause after a death", "emergency department",
    "I work in the emergency room", "this is killing it", "",
]


@pytest.mark.parametrize("said", CRISIS)
def test_crisis_words_are_recognised(said):
    assert LEXICON.matches(said), said


@pytest.mark.parametrize("said", HARD_DAYS)
def test_hard_but_ordinary_days_are_not_a_crisis(said):
    assert not LEXICON.matches(said), said


@pytest.mark.parametrize("sample", _CRISIS)
def test_every_crisis_intent_sample_is_in_the_lexicon_too(sample):
    """What Alexa routes to CrisisIntent, the phone recognises in speech too."""
    assert LEXICON.matches(sample), sample


def test_every_spanish_crisis_intent_sample_is_in_the_spanish_lexicon_too():
    """The es-US model's CrisisIntent samples are recognised by the phone in Spanish too."""
    prompts = yaml.safe_load((ROOT / "scripts" / "prompts" / "es.yaml").read_text("utf-8"))
    samples = prompts["alexa"]["crisis_samples"]
    assert len(samples) > 20
    assert [s for s in samples if not SPANISH.matches(s)] == []


def test_any_language_lexicon_is_checked():
    spanish = CrisisLexicon(("quiero morirme",), ())
    assert heard_crisis({"en": LEXICON, "es": spanish}, [None, "", "Quiero morirme"])
    assert not heard_crisis({"en": LEXICON, "es": spanish}, ["muerta de cansancio", None])
    assert not heard_crisis({}, ["I want to die"])


@pytest.mark.parametrize("text", ["Don't", "Ça va?", "I'M   SUICIDAL!!", "self_harm",
                                  "Corazón, ¿qué tal?", "end-of-life", "K.I.L.L"])
def test_both_sides_normalise_alike(text):
    assert normalise(text) == normalise_phrase(text)


def write(tmp_path: Path, text: str, name: str = "en.yaml") -> Path:
    folder = tmp_path / "crisis"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("text, line, message", [
    ("crisis:\n  - want to die\n  - Want to DIE\n", 3, "listed twice"),
    ("crisis:\n  - want to die\nnot_crisis:\n  - dead tired\n", 4, "contains no crisis phrase"),
    ("crisis:\n  - want to die\nmaybe:\n  - sad\n", 3, "unknown list 'maybe'"),
    ("crisis:\n  - want to die\n  - '!!!'\n", 3, "a phrase must be words"),
    ("crisis: [want to die\n", 2, "not valid YAML"),
    ("crisis: []\n", 1, "the crisis list is empty"),
])
def test_a_broken_lexicon_is_reported_at_its_line(tmp_path, text, line, message):
    folder = write(tmp_path, text)
    with pytest.raises(ScriptErrors) as failure:
        load_crisis_lexicons(folder)
    (error,) = failure.value.errors
    assert error.path.endswith("en.yaml") and error.line == line and message in error.message


def test_check_fails_without_an_english_lexicon(tmp_path, capsys):
    folder = write(tmp_path, "crisis:\n  - quiero morirme\n", "es.yaml")
    assert cli(["check", "--crisis-dir", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "en.yaml:0:0: no crisis lexicon" in err and "1 problem found" in err


def test_check_reads_the_library_lexicons(capsys):
    assert cli(["check", "--crisis-dir", str(ROOT / "scripts" / "crisis")]) == 0
    assert "2 crisis lexicons" in capsys.readouterr().out


@pytest.mark.parametrize("said", SPANISH_CRISIS)
def test_spanish_crisis_words_are_recognised(said):
    assert SPANISH.matches(said), said


@pytest.mark.parametrize("said", SPANISH_HARD_DAYS)
def test_spanish_hard_days_are_not_a_crisis(said):
    assert not SPANISH.matches(said), said


def test_the_build_and_the_service_match_alike():
    """The build checks `ordinary:` examples with its own copy of the service's rule."""
    for words, lexicon, phrases in (
            (WORDS, LEXICON, CRISIS + HARD_DAYS),
            (SPANISH_WORDS, SPANISH, SPANISH_CRISIS + SPANISH_HARD_DAYS)):
        for said in phrases:
            assert is_crisis(words, said) == lexicon.matches(said), said


def test_an_ordinary_example_that_would_get_the_crisis_response_fails_the_check(tmp_path):
    folder = write(tmp_path, "crisis:\n  - want to die\nordinary:\n  - so tired I want to die\n")
    with pytest.raises(ScriptErrors) as failure:
        load_crisis_lexicons(folder)
    (error,) = failure.value.errors
    assert (error.line, error.col) == (4, 5) and "would get the crisis response" in error.message
