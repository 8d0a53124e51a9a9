"""The skill package would pass the store's basics: icons of the right sizes, the health
disclaimer, privacy and terms links the app serves, honest privacy flags, example phrases that
are sample utterances of the committed model; and AUDIO_BASE_URL is https in production."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest

from voice_app.alexa.manifest import main as manifest_main
from voice_app.catalog import normalise
from voice_app.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "skill-package"
MANIFEST = json.loads((PACKAGE / "skill.json").read_text())["manifest"]
LOCALE = MANIFEST["publishingInformation"]["locales"]["en-US"]
MODEL = json.loads((PACKAGE / "interactionModels/custom/en-US.json").read_text())[
    "interactionModel"]["languageModel"]
OPENINGS = ("alexa ask compassion break to ", "alexa tell compassion break ",
            "alexa ask compassion break ")
LAUNCH = "alexa open compassion break"


def png_info(data: bytes) -> tuple[int, int, int, int, bytes]:
    """(width, height, bit depth, colour type, decompressed image data) of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return width, height, depth, colour, zlib.decompress(b"".join(chunks))


@pytest.mark.parametrize(("field", "size"), [("smallIconUri", 108), ("largeIconUri", 512)])
def test_icons_are_pngs_of_the_sizes_the_store_asks_for(field, size):
    uri = LOCALE[field]
    assert uri.startswith("file://assets/images/"), "the ASK CLI uploads file:// paths"
    path = PACKAGE / uri.removeprefix("file://")
    assert path.stat().st_size < 100_000
    width, height, depth, colour, pixels = png_info(path.read_bytes())
    assert (width, height, depth, colour) == (size, size, 8, 2)
    assert len(pixels) == height * (1 + width * 3)
    assert len(set(pixels)) > 32, "a picture, not a flat square"


def test_description_carries_the_health_disclaimer_and_the_crisis_line():
    description = LOCALE["description"]
    assert "not a substitute for professional medical advice" in description
    assert "does not provide medical advice" in description
    assert "not a crisis or emergency service" in description and "988" in description
    assert "forget me" in description
    assert "device that plays audio" in description


def test_privacy_links_and_flags():
    privacy = MANIFEST["privacyAndCompliance"]
    urls = privacy["locales"]["en-US"]
    endpoint = MANIFEST["apis"]["custom"]["endpoint"]["uri"].removesuffix("/alexa")
    assert urls == {"privacyPolicyUrl": f"{endpoint}/privacy",
                    "termsOfUseUrl": f"{endpoint}/terms"}
    # keyed hashes of Alexa user ids with a history of practice: personal information
    assert privacy["usesPersonalInfo"] is True
    assert (privacy["allowsPurchases"], privacy["containsAds"],
            privacy["isChildDirected"]) == (False, False, False)


def slot_pattern(slot_type: str) -> str:
    if slot_type == "AMAZON.NUMBER":
        return r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|fifteen)"
    if slot_type == "AMAZON.DURATION":
        return r"(?:(?:a|one|two|three|five|ten|\d+) (?:minute|minutes|hour))"
    (found,) = [t for t in MODEL["types"] if t["name"] == slot_type]
    names = {n for v in found["values"] for n in (v["name"]["value"],
                                                  *v["name"].get("synonyms", []))}
    return "(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + ")"


def sample_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for intent in MODEL["intents"]:
        types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            parts = re.split(r"\{(\w+)\}", sample)
            regex = "".join(slot_pattern(types[p]) if i % 2 else re.escape(p)
                            for i, p in enumerate(parts))
            patterns.append((intent["name"], re.compile(regex)))
    return patterns


def utterance(phrase: str) -> str | None:
    """What follows the invocation in an example phrase; None for the launch phrase."""
    said = normalise(phrase.replace("'", ""))
    if said == LAUNCH:
        return None
    opening = next((o for o in OPENINGS if said.startswith(o)), None)
    assert opening is not None, f"{phrase!r} does not name the skill the way Alexa expects"
    return said.removeprefix(opening)


def test_example_phrases_are_sample_utterances():
    phrases = LOCALE["examplePhrases"]
    assert 1 <= len(phrases) <= 3 and normalise(phrases[0]).startswith("alexa ")
    patterns = sample_patterns()
    for phrase in phrases:
        said = utterance(phrase)
        if said is None:
            continue
        matched = [name for name, pattern in patterns if pattern.fullmatch(said)]
        assert matched, f"{phrase!r}: {said!r} matches no sample utterance"


def test_the_example_phrase_check_can_fail():
    patterns = sample_patterns()
    said = utterance("Alexa, ask compassion break to begin a yoga nidra")
    assert not [name for name, pattern in patterns if pattern.fullmatch(said)]
    said = utterance("Alexa, ask compassion break to forget me")
    assert [name for name, pattern in patterns if pattern.fullmatch(said)] == ["ForgetMeIntent"]


def test_manifest_tool_sets_the_endpoint_and_the_page_urls(tmp_path):
    manifest = tmp_path / "skill.json"
    manifest.write_text((PACKAGE / "skill.json").read_text())
    assert manifest_main(["--base-url", "https://cb.example.org/", "--manifest",
                          str(manifest)]) == 0
    data = json.loads(manifest.read_text())["manifest"]
    assert data["apis"]["custom"]["endpoint"]["uri"] == "https://cb.example.org/alexa"
    assert data["privacyAndCompliance"]["locales"]["en-US"] == {
        "privacyPolicyUrl": "https://cb.example.org/privacy",
        "termsOfUseUrl": "https://cb.example.org/terms"}
    assert data["publishingInformation"] == MANIFEST["publishingInformation"]
    assert manifest_main(["--base-url", "https://cb.example.org", "--manifest", str(manifest),
                          "--check"]) == 0
    stale = json.loads(manifest.read_text())
    stale["manifest"]["privacyAndCompliance"]["locales"]["en-US"]["termsOfUseUrl"] = "x"
    manifest.write_text(json.dumps(stale))
    assert manifest_main(["--base-url", "https://cb.example.org", "--manifest", str(manifest),
                          "--check"]) == 1


# --- the pages the manifest links to -------------------------------------------------------------

def test_privacy_page_says_what_is_kept_how_long_and_how_to_delete(client):
    response = client.get("/privacy")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for words in ("keeps nothing about visitors", "keyed hash", "HMAC",
                  "Your place in a practice", "Practices you finished", "call is in the menu",
                  "withheld", "ask Compassion Break to forget me", "press 0 at the menu",
                  "not a crisis or emergency service", 'href="tel:988"',
                  "deleted after 400 days", "deleted when the call ends"):
        assert words in page, words
    assert 'href="/terms"' in page


def test_privacy_page_states_the_configured_retention(app_config):
    """The notice says what the prune and the sweep do: the configured RETENTION_DAYS."""
    from voice_app import create_app

    page = create_app({**app_config, "RETENTION_DAYS": 30}).test_client().get(
        "/privacy").get_data(as_text=True)
    assert "deleted after 30 days" in page and "within 1 day" in page
    assert "400 days" not in page


def test_terms_page(client):
    page = client.get("/terms").get_data(as_text=True)
    assert "not a substitute for professional medical advice" in page
    assert "not a crisis or emergency service" in page and 'href="/privacy"' in page


@pytest.mark.parametrize("path", ["/", "/privacy", "/terms"])
def test_every_page_footer_links_privacy_terms_and_says_how_to_forget(client, path):
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer class="site">'):]
    assert 'href="/privacy"' in footer and 'href="/terms"' in footer
    assert "keeps nothing about visitors" in footer and "forget me" in footer


# --- settings -------------------------------------------------------------------------------------

def test_audio_base_url_must_be_https_in_production():
    base = {"SECRET_KEY": "s", "ALEXA_SKILL_ID": "a", "TWILIO_AUTH_TOKEN": "t",
            "PUBLIC_BASE_URL": "https://x.example"}
    load_settings({**base, "AUDIO_BASE_URL": "https://cdn.example"}, environ={})
    with pytest.raises(SettingsError, match="AUDIO_BASE_URL must start https://"):
        load_settings({**base, "AUDIO_BASE_URL": "http://cdn.example"}, environ={})
    load_settings({**base, "APP_ENV": "development", "AUDIO_BASE_URL": "http://127.0.0.1"},
                  environ={})


# --- the certification checklist ------------------------------------------------------------------

def test_the_certification_checklist_names_tests_that_exist():
    text = (ROOT / "docs" / "alexa-certification.md").read_text()
    named, current = [], None
    for match in re.finditer(r"`(test_\w+\.py)?::(test_\w+)`|`(test_\w+\.py)`", text):
        current = match.group(1) or match.group(3) or current
        if match.group(2):
            named.append((current, match.group(2)))
    assert len(named) > 40
    for file, test in named:
        source = (ROOT / "tests" / file).read_text()
        assert re.search(rf"^def {test}\(", source, re.M), f"{file}::{test}"
