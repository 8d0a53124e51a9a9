"""The skill in Spanish (es-US), through POST /alexa with signed envelopes: every answer to a
Spanish request is Spanish and plays the Spanish audio; the same AudioPlayer behaviour; a place
is shared across languages and resumes in the audio it was in, saying which language; words of
crisis in Spanish get the crisis line, hard days get a practice; and the es-US model is
generated from the Spanish library and prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alexa_helpers import (
    assert_silent,
    intent,
    key_of,
    make_alexa_client,
    play_directive,
    player,
    saved,
    slot,
    speech_of,
    start,
)

from voice_app import create_app
from voice_app.store import Position

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "skill-package" / "interactionModels" / "custom"
ENGLISH_WORDS = ("Welcome", "Here is", "practice", "minutes", "Sorry", "Take care", "paused")
BONDAD = slot("practice", "bondad amorosa", resolved="loving-kindness")


@pytest.fixture
def alexa(app):
    client = make_alexa_client(app)
    client.locale = "es-US"
    return client


def view(app, language: str):
    return app.extensions["catalog"].get().in_language(language)


def variant(app, language: str, practice_id: str, minutes: int):
    found = view(app, language).get(practice_id).variant(minutes)
    assert found is not None
    return found


def token(app, language: str, practice_id: str, minutes: int) -> str:
    return f"cb1:{practice_id}:{minutes}:{variant(app, language, practice_id, minutes).sha256}"


def assert_spanish(data: dict) -> str:
    say = speech_of(data)
    assert say, data
    for word in ENGLISH_WORDS:
        assert word not in say, (word, say)
    return say


def assert_plays_audio(app, data: dict, language: str, practice_id: str, minutes: int,
                       offset_ms: int) -> dict:
    play = play_directive(data)
    assert play["playBehavior"] == "REPLACE_ALL"
    stream = play["audioItem"]["stream"]
    audio = variant(app, language, practice_id, minutes)
    assert stream["url"] == f"https://compassion.example.test/audio/{audio.file}"
    assert stream["token"] == token(app, language, practice_id, minutes)
    assert stream["offsetInMilliseconds"] == offset_ms
    assert play["audioItem"]["metadata"]["title"] == view(app, language).get(practice_id).title
    assert data["response"]["shouldEndSession"] is True
    return stream


def test_the_fixture_library_has_spanish_audio_of_its_own(app):
    """Otherwise every test below could pass on English audio."""
    english = variant(app, "en", "loving-kindness", 5)
    spanish = variant(app, "es", "loving-kindness", 5)
    assert spanish.sha256 != english.sha256 and spanish.file != english.file
    assert view(app, "es").language == "es"


def test_launch_welcomes_in_spanish(alexa):
    data = alexa.send({"type": "LaunchRequest"}, new=True)
    say = assert_spanish(data)
    assert "Te damos la bienvenida a Compassion Break" in say
    assert data["response"]["shouldEndSession"] is False
    assert "Puedes decir el nombre de una práctica" in \
        data["response"]["reprompt"]["outputSpeech"]["ssml"]


def test_a_practice_plays_its_spanish_audio_and_says_so_in_spanish(app, alexa):
    data = alexa.send(start(BONDAD, slot("minutes", "5")))
    assert_plays_audio(app, data, "es", "loving-kindness", 5, 0)
    assert "Aquí va Bondad amorosa, 5 minutos." in assert_spanish(data)
    subtitle = play_directive(data)["audioItem"]["metadata"]["subtitle"]
    assert subtitle.startswith("Práctica guiada de 5 min")
    place = saved(app)
    assert (place.practice_id, place.language, place.status) == ("loving-kindness", "es",
                                                                 "playing")
    assert place.audio_sha == variant(app, "es", "loving-kindness", 5).sha256


def test_a_spanish_title_or_alias_is_understood_without_resolution(app, alexa):
    data = alexa.send(start(slot("practice", "amor bondadoso", no_match=True)))
    assert_plays_audio(app, data, "es", "loving-kindness", 1, 0)


def test_pause_resume_and_the_welcome_back_in_spanish(app, alexa):
    playing = token(app, "es", "loving-kindness", 5)
    alexa.send({"type": "AudioPlayer.PlaybackStarted", "token": playing,
                "offsetInMilliseconds": 0}, in_session=False)
    paused = alexa.send(intent("AMAZON.PauseIntent"), in_session=False,
                        audio_player=player(playing, 130_000))
    assert [d["type"] for d in paused["response"]["directives"]] == ["AudioPlayer.Stop"]
    place = saved(app)
    assert (place.status, place.offset_ms, place.language) == ("paused", 130_000, "es")

    alexa.clock.advance(minutes=5)
    back = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "Pausaste Bondad amorosa, a los 2 minutos." in assert_spanish(back)
    resumed = alexa.send(intent("AMAZON.YesIntent"))
    assert_plays_audio(app, resumed, "es", "loving-kindness", 5, 130_000)

    again = alexa.send(intent("AMAZON.ResumeIntent"), in_session=False,
                       audio_player=player(playing, 140_000, "STOPPED"))
    assert_plays_audio(app, again, "es", "loving-kindness", 5, 130_000)


def test_next_and_the_audio_player_events_stay_in_the_spanish_audio(app, alexa):
    playing = token(app, "es", "loving-kindness", 5)
    chapters = variant(app, "es", "loving-kindness", 5).chapters
    moved = alexa.send(intent("AMAZON.NextIntent"), in_session=False,
                       audio_player=player(playing, chapters[0].start_ms + 500))
    assert_plays_audio(app, moved, "es", "loving-kindness", 5, chapters[1].start_ms)
    stopped = alexa.send({"type": "AudioPlayer.PlaybackStopped", "token": playing,
                          "offsetInMilliseconds": chapters[1].start_ms + 900},
                         in_session=False)
    assert_silent(stopped)
    assert saved(app).language == "es"
    finished = alexa.send({"type": "AudioPlayer.PlaybackFinished", "token": playing,
                           "offsetInMilliseconds": 0}, in_session=False)
    assert_silent(finished)
    assert saved(app) is None


def save_place(app, language: str, practice_id: str = "loving-kindness", minutes: int = 5,
               offset_ms: int = 250_000) -> None:
    audio = variant(app, language, practice_id, minutes)
    app.extensions["store"].save_position(key_of(app), Position(
        practice_id, minutes, audio.sha256, offset_ms, audio.step_at(offset_ms), "paused",
        "alexa", 1, language))


def test_a_place_in_english_audio_resumes_in_english_and_spanish_says_so(app, alexa):
    save_place(app, "en", offset_ms=250_000)
    back = alexa.send({"type": "LaunchRequest"}, new=True)
    say = assert_spanish(back)
    assert "Pausaste Loving-Kindness, en inglés, a los 4 minutos." in say
    assert "seguir en inglés" in say
    resumed = alexa.send(intent("AMAZON.ResumeIntent"))
    assert_plays_audio(app, resumed, "en", "loving-kindness", 5, 250_000)
    assert saved(app).language == "en"


def test_a_place_in_spanish_audio_resumes_in_spanish_from_english(app, alexa):
    save_place(app, "es", offset_ms=130_000)
    alexa.locale = "en-US"
    back = alexa.send({"type": "LaunchRequest"}, new=True)
    assert "You paused Bondad amorosa, in Spanish, 2 minutes in." in speech_of(back)
    resumed = alexa.send(intent("AMAZON.YesIntent"))
    assert_plays_audio(app, resumed, "es", "loving-kindness", 5, 130_000)
    assert saved(app).language == "es"


def test_english_requests_still_play_english_audio(app, alexa):
    alexa.locale = "en-US"
    data = alexa.send(start(slot("practice", "loving kindness", resolved="loving-kindness"),
                            slot("minutes", "5")))
    assert_plays_audio(app, data, "en", "loving-kindness", 5, 0)
    assert "Here is Loving-Kindness, 5 minutes." in speech_of(data)
    assert saved(app).language == "en"


def test_a_feeling_in_spanish_gets_the_practice_for_that_need(app, alexa):
    data = alexa.send(intent("RecommendIntent", slot("feeling", "abrumada", no_match=True,
                                                      authority_type="Feeling")))
    assert_plays_audio(app, data, "es", "grounding-when-overwhelmed", 1, 0)
    assert "Esta te ayuda a tocar tierra" in assert_spanish(data)


@pytest.mark.parametrize("name", ["AMAZON.HelpIntent", "AMAZON.FallbackIntent",
                                  "ListPracticesIntent", "ProgressIntent", "ForgetMeIntent",
                                  "AMAZON.StopIntent", "AMAZON.ResumeIntent",
                                  "AMAZON.NextIntent", "AMAZON.LoopOnIntent"])
def test_every_answer_to_a_spanish_request_is_spanish(alexa, name):
    assert_spanish(alexa.send(intent(name)))


def test_help_and_fallback_name_the_crisis_line_the_spanish_way(alexa):
    help_said = assert_spanish(alexa.send(intent("AMAZON.HelpIntent")))
    assert '<say-as interpret-as="telephone">988</say-as>, y oprime el 2 para español' in \
        help_said
    assert "como Bondad amorosa" in help_said
    fallback = assert_spanish(alexa.send(intent("AMAZON.FallbackIntent")))
    assert "988</say-as></prosody>, y oprime el 2 para español" in fallback


def test_the_practice_list_reads_spanish_titles_under_spanish_needs(alexa):
    first = assert_spanish(alexa.send(intent("ListPracticesIntent")))
    assert first.startswith("<speak>Hay 6 prácticas.")
    assert "Entre pacientes: Entre pacientes." in first
    assert "Di \"más\" para oír otras" in first


def test_forget_me_asks_and_answers_in_spanish(app, alexa):
    save_place(app, "es")
    asked = assert_spanish(alexa.send(intent("ForgetMeIntent")))
    assert "¿Los borro?" in asked
    done = assert_spanish(alexa.send(intent("AMAZON.YesIntent")))
    assert done.startswith("<speak>Listo.")
    assert saved(app) is None


# --- words of crisis in Spanish ------------------------------------------------------------

def feeling(value: str) -> dict:
    return slot("feeling", value, no_match=True, authority_type="Feeling")


@pytest.mark.parametrize("request_", [
    pytest.param(intent("RecommendIntent", feeling("quiero morirme")), id="quiero morirme"),
    pytest.param(intent("RecommendIntent", feeling("no quiero vivir")), id="no quiero vivir"),
    pytest.param(start(slot("practice", "quiero morirme", no_match=True)), id="as a practice"),
    pytest.param(intent("CrisisIntent"), id="crisis intent"),
])
def test_words_of_crisis_in_spanish_get_the_crisis_line_in_spanish(app, alexa, request_):
    data = alexa.send(request_)
    response = data["response"]
    assert not [d for d in response.get("directives", []) if d["type"] == "AudioPlayer.Play"]
    say = assert_spanish(data)
    assert "Qué bueno que me lo dijiste" in say
    assert "988</say-as></prosody>, y oprime el 2 para español" in say
    assert "AYUDA" in say and "911" in say
    assert response["shouldEndSession"] is False
    assert response["card"]["title"] == "Hay ayuda ahora mismo"
    assert "988, y oprime el 2 para español" in response["card"]["content"]
    assert data["sessionAttributes"]["asked"] == "crisis"
    again = assert_spanish(alexa.send(intent("AMAZON.YesIntent")))
    assert again.startswith("<speak>Claro.")
    bye = assert_spanish(alexa.send(intent("AMAZON.NoIntent")))
    assert "Por favor, cuídate." in bye
    assert saved(app) is None


def test_a_spanish_crisis_line_of_its_own_is_said_instead(app_config, built_library):
    app = create_app({**app_config, "CRISIS_LINE_ES": "18886289454"})
    alexa = make_alexa_client(app)
    alexa.locale = "es-US"
    say = speech_of(alexa.send(intent("RecommendIntent", feeling("quiero morirme"))))
    assert '<say-as interpret-as="telephone">18886289454</say-as>' in say
    assert "oprime el 2" not in say


@pytest.mark.parametrize(("said", "practice_id"), [
    ("estoy muerta de cansancio", "reconnecting-when-numb"),
    ("se me murió un paciente", "the-pause"),
])
def test_hard_days_in_spanish_still_get_a_practice(app, alexa, said, practice_id):
    data = alexa.send(intent("RecommendIntent", feeling(said)))
    stream = play_directive(data)["audioItem"]["stream"]
    assert stream["token"].startswith(f"cb1:{practice_id}:")
    assert stream["url"].endswith(variant(app, "es", practice_id,
                                          int(stream["token"].split(":")[2])).file)
    assert "988" not in speech_of(data)


# --- the es-US interaction model -----------------------------------------------------------

@pytest.fixture(scope="module")
def spanish_model():
    return json.loads((MODELS / "es-US.json").read_text())["interactionModel"]["languageModel"]


def test_the_spanish_model_has_the_english_intents_and_a_valid_invocation_name(spanish_model):
    english = json.loads((MODELS / "en-US.json").read_text())["interactionModel"][
        "languageModel"]
    assert {i["name"] for i in spanish_model["intents"]} == {i["name"]
                                                            for i in english["intents"]}
    name = spanish_model["invocationName"]
    assert name == "descanso compasivo" and name != english["invocationName"]
    # Amazon's invocation name rules: two or more words, lower case letters and spaces only,
    # no launch phrase or wake word
    words = name.split()
    assert len(words) >= 2 and all(w.isalpha() and w == w.lower() for w in words)
    assert not {"alexa", "amazon", "echo", "abre", "pide", "pídele", "skill"} & set(words)


def test_the_spanish_model_names_the_spanish_practices_and_needs(spanish_model, built_library):
    from voice_app.catalog import parse_catalog
    from voice_app.recommend import find_need

    types = {t["name"]: t["values"] for t in spanish_model["types"]}
    titles = {v["id"]: v["name"]["value"] for v in types["PracticeName"]}
    assert titles["loving-kindness"] == "bondad amorosa"
    assert titles["grounding-when-overwhelmed"] == "tocar tierra cuando todo es demasiado"
    served = parse_catalog((built_library / "catalog.json").read_text())
    for value in types["Feeling"]:
        for said in (value["name"]["value"], *value["name"].get("synonyms", [])):
            found = find_need(served.in_language("es"), said, "es")
            assert found is not None and found.need_id == value["id"], said
    samples = {i["name"]: i["samples"] for i in spanish_model["intents"]}
    assert {"quiero morirme", "no quiero vivir"} <= set(samples["CrisisIntent"])
    assert "me siento {feeling}" in samples["RecommendIntent"]
    assert "empieza {practice}" in samples["StartPracticeIntent"]


def test_no_spanish_utterance_belongs_to_two_intents_or_is_a_crisis_word(spanish_model):
    from test_alexa_model import expansions

    from audio_build.lexicon import load_crisis_lexicon
    from voice_app.crisis import CrisisLexicon

    owners: dict[str, str] = {}
    clashes = []
    found = expansions(spanish_model)
    for name, utterances in found.items():
        for utterance in utterances:
            if owners.setdefault(utterance, name) != name:
                clashes.append((utterance, owners[utterance], name))
    assert clashes == []
    words = load_crisis_lexicon(ROOT / "scripts" / "crisis" / "es.yaml")
    lexicon = CrisisLexicon(words.crisis, words.not_crisis)
    for name, utterances in found.items():
        if name != "CrisisIntent":
            assert not [u for u in utterances if lexicon.matches(u)], name


def test_skill_model_check_covers_both_languages(tmp_path, capsys):
    from audio_build.cli import main

    for name in ("en-US.json", "es-US.json"):
        (tmp_path / name).write_text((MODELS / name).read_text())
    assert main(["skill-model", "--check", "--out-dir", str(tmp_path)]) == 0
    stale = json.loads((tmp_path / "es-US.json").read_text())
    stale["interactionModel"]["languageModel"]["invocationName"] = "compassion break"
    (tmp_path / "es-US.json").write_text(json.dumps(stale))
    assert main(["skill-model", "--check", "--out-dir", str(tmp_path)]) == 1
    assert "es-US.json is stale" in capsys.readouterr().err


def test_the_manifest_publishes_es_us_like_en_us():
    manifest = json.loads((ROOT / "skill-package" / "skill.json").read_text())["manifest"]
    locales = manifest["publishingInformation"]["locales"]
    assert set(locales) == {"en-US", "es-US"}
    spanish = locales["es-US"]
    assert "no sustituye" in spanish["description"] and "988" in spanish["description"]
    assert all("descanso compasivo" in phrase for phrase in spanish["examplePhrases"])
    privacy = manifest["privacyAndCompliance"]["locales"]
    assert privacy["es-US"] == privacy["en-US"]
    assert manifest["publishingInformation"]["distributionCountries"] == ["US"]


def test_the_spanish_example_phrases_are_sample_utterances(spanish_model):
    """The store shows these: each must open the skill the way Spanish Alexa does and say one
    of the model's utterances (slots filled with their values)."""
    from test_alexa_model import expansions

    from voice_app.normalise import normalise

    manifest = json.loads((ROOT / "skill-package" / "skill.json").read_text())["manifest"]
    phrases = manifest["publishingInformation"]["locales"]["es-US"]["examplePhrases"]
    name = spanish_model["invocationName"]
    said_by_all = {normalise(u) for found in expansions(spanish_model).values() for u in found}
    assert normalise(phrases[0]) == f"alexa abre {name}"
    for phrase in phrases[1:]:
        said = normalise(phrase)
        opening = next(o for o in (f"alexa pidele a {name} que ", f"alexa pidele a {name} ",
                                   f"alexa dile a {name} que ", f"alexa dile a {name} ")
                       if said.startswith(o))
        assert said.removeprefix(opening) in said_by_all, phrase


@pytest.mark.parametrize(("locale", "language"), [
    ("es-US", "es"), ("es-MX", "es"), ("ES-us", "es"), ("en-US", "en"), ("en-GB", "en"),
    ("fr-FR", "en"), ("", "en"), (None, "en"),
])
def test_the_request_locale_picks_the_language(app, locale, language):
    from voice_app.alexa.services import language_of

    assert language_of(app.extensions["catalog"].get(), locale) == language


def test_a_mexican_spanish_request_is_answered_in_spanish(app, alexa):
    alexa.locale = "es-MX"
    data = alexa.send(start(BONDAD, slot("minutes", "5")))
    assert_plays_audio(app, data, "es", "loving-kindness", 5, 0)
    assert_spanish(data)
