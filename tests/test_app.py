"""The app factory, settings, audio serving and health."""

from __future__ import annotations

import pytest

from voice_app import create_app
from voice_app.catalog import parse_catalog
from voice_app.settings import SettingsError, load_settings


def test_production_refuses_to_start_without_secrets():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings({}, environ={})
    base = {"SECRET_KEY": "s", "ALEXA_SKILL_ID": "a", "TWILIO_AUTH_TOKEN": "t",
            "PUBLIC_BASE_URL": "https://x.example"}
    load_settings(base, environ={})
    with pytest.raises(SettingsError, match="ALEXA_VERIFY"):
        load_settings({**base, "ALEXA_VERIFY": "0"}, environ={})
    with pytest.raises(SettingsError, match="TWILIO_AUTH_TOKEN"):
        load_settings({**base, "TWILIO_AUTH_TOKEN": ""}, environ={})
    with pytest.raises(SettingsError, match="https"):
        load_settings({**base, "PUBLIC_BASE_URL": "http://x.example"}, environ={})


def test_development_has_defaults_and_environment_is_read():
    settings = load_settings({}, environ={"APP_ENV": "development", "ALEXA_VERIFY": "0",
                                          "CRISIS_LINE": "116 123"})
    assert settings.SECRET_KEY and not settings.ALEXA_VERIFY
    assert settings.CRISIS_LINE == "116 123"
    with pytest.raises(SettingsError, match="ALEXA_VERIFY must be 1 or 0"):
        load_settings({"APP_ENV": "development", "ALEXA_VERIFY": "maybe"}, environ={})


def test_every_setting_is_in_the_readme():
    from dataclasses import fields
    from pathlib import Path

    from voice_app.settings import Settings

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    missing = [f.name for f in fields(Settings) if f"`{f.name}`" not in readme]
    assert not missing, f"settings not documented in README: {missing}"


def test_catalog_round_trip_between_build_and_service(built_library):
    from audio_build.catalog import from_json, to_json

    text = (built_library / "catalog.json").read_text()
    built = from_json(text)
    assert from_json(to_json(built)) == built
    served = parse_catalog(text)
    assert served.language == "en" and served.languages == ("en", "es")
    assert [p.practice_id for p in served.practices] == [
        p.practice_id for p in built.practices if p.language == "en"]
    spanish = served.in_language("es")
    assert spanish.language == "es" and spanish.in_language("en") is served
    assert [p.practice_id for p in spanish.practices] == [
        p.practice_id for p in built.practices if p.language == "es"]
    assert spanish.get("loving-kindness").title == "Bondad amorosa"
    assert spanish.match("amor bondadoso") is spanish.get("loving-kindness")
    assert spanish.get("loving-kindness").variants[0].file != loving_file(served)
    assert spanish.prompts["greeting"].text.startswith("Hola, esto es Compassion Break")
    assert "9 8 8, y oprime el 2 para español" in spanish.prompts["greeting"].text
    assert served.files() == spanish.files()
    assert {v.file for p in spanish.practices for v in p.variants} <= served.files()
    assert served.in_language("fr") is served  # a language not built: English
    loving = served.get("loving-kindness")
    assert served.match("Metta!") is loving and served.match("loving kindness") is loving
    assert loving.nearest_variant(4).minutes == 5
    assert loving.nearest_variant(3).minutes == 1  # a tie goes to the shorter one
    assert loving.nearest_variant(None).minutes == 1


def loving_file(catalog) -> str:
    return catalog.get("loving-kindness").variants[0].file


def test_audio_is_served_with_ranges(client, built_library):
    from voice_app.catalog import parse_catalog

    catalog = parse_catalog((built_library / "catalog.json").read_text())
    variant = catalog.get("loving-kindness").variants[0]
    with client.get(f"/audio/{variant.file}") as whole:
        assert whole.status_code == 200 and whole.mimetype == "audio/mpeg"
        assert len(whole.data) == variant.bytes
        assert "immutable" in whole.headers["Cache-Control"]
    with client.get(f"/audio/{variant.file}", headers={"Range": "bytes=100-199"}) as part:
        assert part.status_code == 206 and part.data == whole.data[100:200]
    assert client.get("/audio/../catalog.json").status_code == 404
    assert client.get("/audio/audio/not-in-catalog.mp3").status_code == 404


def test_healthz_and_catalog_json(client):
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "ok"
    assert health.json["practices"] == 6
    assert health.json["languages"] == {"en": 6, "es": 6}
    with client.get("/catalog.json") as response:
        assert response.json["schema"] == 4


def test_healthz_not_ready_without_database(app_config):
    app = create_app({**app_config, "DATABASE_URL":
                      "postgresql+psycopg://postgres@127.0.0.1:1/test"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] is False
