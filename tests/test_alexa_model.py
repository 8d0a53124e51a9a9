"""The interaction model and the handlers agree: every model intent has exactly one owner, every
handled intent is in the model, slot values match the catalog, feelings map to needs; and the
skill package is complete."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from audio_build.cli import main as audio_build_cli
from audio_build.library import load_library
from audio_build.library_data import load_library_data
from audio_build.skill_model import interaction_model
from voice_app.alexa.skill import HANDLERS, handled_intents, handled_request_types
from voice_app.catalog import normalise, parse_catalog
from voice_app.recommend import find_need

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "skill-package"
FIXTURES = ROOT / "tests" / "fixtures" / "library"
REQUEST_TYPES = {
    "LaunchRequest", "SessionEndedRequest", "System.ExceptionEncountered",
    "AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackStopped",
    "AudioPlayer.PlaybackNearlyFinished", "AudioPlayer.PlaybackFinished",
    "AudioPlayer.PlaybackFailed", "PlaybackController.PlayCommandIssued",
    "PlaybackController.PauseCommandIssued", "PlaybackController.NextCommandIssued",
    "PlaybackController.PreviousCommandIssued",
}


def library_model(scripts: Path, library: Path) -> dict:
    practices = load_library([scripts]).practices
    data = load_library_data(practices, library, ROOT / "scripts" / "prompts")
    return interaction_model(practices, data)["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def model():
    """The fixture library's model, as `python -m audio_build skill-model` makes one."""
    return library_model(FIXTURES, FIXTURES / "library.yaml")


def model_intents(model) -> set[str]:
    return {i["name"] for i in model["intents"]}


def test_no_two_handlers_claim_the_same_intent_or_request_type():
    intents = Counter(name for h in HANDLERS for name in h.intents)
    types = Counter(name for h in HANDLERS for name in h.request_types)
    assert [n for n, c in intents.items() if c > 1] == []
    assert [n for n, c in types.items() if c > 1] == []
    assert "IntentRequest" not in types
    assert all(h.intents or h.request_types for h in HANDLERS)
    assert len(set(HANDLERS)) == len(HANDLERS)


def test_every_model_intent_has_a_handler_and_every_handled_intent_is_in_the_model(model):
    assert model_intents(model) == set(handled_intents())


def test_every_request_type_the_skill_receives_has_a_handler():
    assert set(handled_request_types()) == REQUEST_TYPES


def test_the_required_built_in_intents_are_in_the_model(model):
    required = {"AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent",
                "AMAZON.PauseIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent",
                "AMAZON.ResumeIntent", "AMAZON.StartOverIntent", "AMAZON.NextIntent",
                "AMAZON.PreviousIntent", "AMAZON.RepeatIntent", "AMAZON.LoopOnIntent",
                "AMAZON.LoopOffIntent", "AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent"}
    custom = {"StartPracticeIntent", "RecommendIntent", "ListPracticesIntent", "ProgressIntent"}
    assert required | custom <= model_intents(model)


def test_practice_slot_values_match_the_catalog(model, built_library):
    served = parse_catalog((built_library / "catalog.json").read_text())
    (practice_type,) = [t for t in model["types"] if t["name"] == "PracticeName"]
    assert [v["id"] for v in practice_type["values"]] == [p.practice_id
                                                           for p in served.practices]
    for value in practice_type["values"]:
        for spoken in (value["name"]["value"], *value["name"]["synonyms"]):
            found = served.match(spoken)
            assert found is not None and found.practice_id == value["id"], spoken


def test_every_feeling_value_resolves_to_the_need_its_words_lead_to(model, built_library):
    served = parse_catalog((built_library / "catalog.json").read_text())
    (feeling_type,) = [t for t in model["types"] if t["name"] == "Feeling"]
    assert {v["id"] for v in feeling_type["values"]} == {n.need_id
                                                        for n in served.library.needs}
    for value in feeling_type["values"]:
        for spoken in (value["name"]["value"], *value["name"].get("synonyms", [])):
            assert find_need(served, spoken).need_id == value["id"], spoken


def test_sample_utterances_are_valid_and_unique(model):
    seen: dict[str, str] = {}
    for intent in model["intents"]:
        slots = {s["name"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            assert sample == sample.lower() and not any(ch.isdigit() for ch in sample)
            assert normalise(sample.replace("{", "").replace("}", "")), sample
            used = {part.split("}")[0] for part in sample.split("{")[1:]}
            assert used <= slots, (intent["name"], sample)
            assert sample not in seen, (sample, seen.get(sample), intent["name"])
            seen[sample] = intent["name"]
    assert model["invocationName"] == "compassion break"


def test_the_committed_skill_package_is_current(capsys):
    """skill-package/ is what `ask deploy` uploads: the model must be generated from the
    library, not edited. When this fails, run: python -m audio_build skill-model"""
    path = PACKAGE / "interactionModels/custom/en-US.json"
    committed = json.loads(path.read_text())
    assert committed["interactionModel"]["languageModel"] == library_model(
        ROOT / "scripts" / "meditations", ROOT / "scripts" / "library.yaml"), \
        "skill-package is stale: run python -m audio_build skill-model"
    assert audio_build_cli(["skill-model", "--check", "--out-dir", str(path.parent)]) == 0
    language = committed["interactionModel"]["languageModel"]
    assert model_intents(language) == set(handled_intents())
    manifest = json.loads((PACKAGE / "skill.json").read_text())["manifest"]
    assert {"type": "AUDIO_PLAYER"} in manifest["apis"]["custom"]["interfaces"]
    assert manifest["apis"]["custom"]["endpoint"]["uri"].endswith("/alexa")
    library = ROOT / "build" / "catalog.json"
    served = parse_catalog(library.read_text()).in_language("en") if library.is_file() else None
    if served is not None and served.practices:
        # after `python -m audio_build build`: values match the real English library
        (practice_type,) = [t for t in language["types"] if t["name"] == "PracticeName"]
        for value in practice_type["values"]:
            for spoken in (value["name"]["value"], *value["name"]["synonyms"]):
                assert served.match(spoken).practice_id == value["id"], spoken
        assert {v["id"] for v in practice_type["values"]} == {p.practice_id
                                                              for p in served.practices}
    resources = json.loads((ROOT / "ask-resources.json").read_text())
    assert resources["profiles"]["default"]["skillMetadata"]["src"] == "./skill-package"


def test_manifest_endpoint_follows_public_base_url(tmp_path, capsys):
    from voice_app.alexa.manifest import main

    manifest = tmp_path / "skill.json"
    manifest.write_text((PACKAGE / "skill.json").read_text())
    assert main(["--base-url", "https://cb.example.org/", "--manifest", str(manifest)]) == 0
    data = json.loads(manifest.read_text())
    assert data["manifest"]["apis"]["custom"]["endpoint"]["uri"] == \
        "https://cb.example.org/alexa"
    assert main(["--base-url", "https://cb.example.org", "--manifest", str(manifest),
                 "--check"]) == 0
    assert main(["--base-url", "https://other.example", "--manifest", str(manifest),
                 "--check"]) == 1
    assert main(["--base-url", "http://insecure.example", "--manifest", str(manifest)]) == 1


def expansions(language: dict) -> dict[str, set[str]]:
    """Every utterance each intent of the committed model accepts, its slots filled with every
    value and synonym of their types (numbers and durations with one example)."""
    values = {t["name"]: [v["name"]["value"] for v in t["values"]]
              + [s for v in t["values"] for s in v["name"].get("synonyms", [])]
              for t in language["types"]}
    values |= {"AMAZON.NUMBER": ["five"], "AMAZON.DURATION": ["five minutes"]}
    found: dict[str, set[str]] = {}
    for item in language["intents"]:
        types = {s["name"]: s["type"] for s in item.get("slots", [])}
        out: set[str] = set()
        for sample in item["samples"]:
            filled = [sample]
            for name, kind in types.items():
                if "{" + name + "}" in sample:
                    filled = [f.replace("{" + name + "}", v) for f in filled for v in values[kind]]
            out.update(" ".join(f.split()) for f in filled)
        found[item["name"]] = out
    return found


def test_no_utterance_belongs_to_two_intents():
    """Practice names, aliases and feeling words are disjoint: "between patients" or "feeling
    numb" must not be both a practice and a feeling, or Alexa picks one at random."""
    language = json.loads((PACKAGE / "interactionModels/custom/en-US.json").read_text())[
        "interactionModel"]["languageModel"]
    owners: dict[str, str] = {}
    clashes = []
    for name, utterances in expansions(language).items():
        for utterance in utterances:
            if owners.setdefault(utterance, name) != name:
                clashes.append((utterance, owners[utterance], name))
    assert clashes == []
    (practice_type,) = [t for t in language["types"] if t["name"] == "PracticeName"]
    (feeling_type,) = [t for t in language["types"] if t["name"] == "Feeling"]

    def spoken(kind: dict) -> set[str]:
        return {normalise(w) for v in kind["values"]
                for w in (v["name"]["value"], *v["name"].get("synonyms", []))}

    assert spoken(practice_type) & spoken(feeling_type) == set()


def test_no_practice_name_or_feeling_word_is_a_crisis_word():
    from audio_build.lexicon import load_crisis_lexicon
    from voice_app.crisis import CrisisLexicon

    words = load_crisis_lexicon(ROOT / "scripts" / "crisis" / "en.yaml")
    lexicon = CrisisLexicon(words.crisis, words.not_crisis)
    language = json.loads((PACKAGE / "interactionModels/custom/en-US.json").read_text())[
        "interactionModel"]["languageModel"]
    for name, utterances in expansions(language).items():
        if name != "CrisisIntent":
            assert not [u for u in utterances if lexicon.matches(u)], name
