"""Proof by addition: two new practices and a new need, added as data only (scripts in English
and Spanish, library.yaml, the need's words in prompts/en.yaml and es.yaml), built, and reached
on every channel with no code change —
Alexa by name and by feeling, the phone by keys through its menus and by speech, the web page and
the podcast feed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from alexa_helpers import assert_plays, intent, make_alexa_client, slot, start
from speech_engine import ToneEngine
from test_phone_calls import Caller

from audio_build.build import BuildConfig, build_library
from audio_build.cli import main as audio_build_cli
from voice_app import create_app

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "library"

NIGHT = """\
---
title: Night Shift Reset
summary: A short reset for the small hours, when the ward is quiet and you are not.
aliases: [small hours reset, three in the morning]
category: night-shift
lengths: [1]
tags: [any, standing-ok, eyes-open-ok]
sources: ["Seppala et al. 2014, Emotion"]
---

## Noticing the hour
It is late, and your body knows it. [pause 2s]
Let your shoulders drop a little. [practice 10s]

## Back to the ward
One slow breath out, and back to the people in your care.
"""

THANKS = """\
---
title: A Moment of Thanks
summary: Thirty seconds of noticing one thing that went well today.
aliases: [one good thing, moment of thanks]
category: compassion-training
lengths: [1]
tags: [any, seated]
sources: ["Seppala et al. 2014, Emotion"]
---

## One good thing
Think of one small thing that went well today. [pause 2s]
Let yourself feel it for a moment. [practice 10s]

## Returning
Take it with you as you go back.
"""

NOCHE = """\
---
title: Pausa del turno de noche
summary: Una pausa corta para la madrugada, cuando el piso está en calma y tú no.
aliases: [pausa de madrugada, las tres de la mañana]
category: night-shift
lengths: [1]
tags: [any, standing-ok, eyes-open-ok]
sources: ["Seppala et al. 2014, Emotion"]
---

## Notar la hora
Es tarde, y tu cuerpo lo sabe. [pause 2s]
Deja que los hombros bajen un poco. [practice 10s]

## De vuelta al piso
Suelta el aire despacio, y vuelve con las personas que cuidas.
"""

GRACIAS = """\
---
title: Un momento de gratitud
summary: Treinta segundos para notar una cosa que salió bien hoy.
aliases: [una cosa buena, momento de gratitud]
category: compassion-training
lengths: [1]
tags: [any, seated]
sources: ["Seppala et al. 2014, Emotion"]
---

## Una cosa buena
Piensa en una cosa pequeña que salió bien hoy. [pause 2s]
Déjate sentirla un momento. [practice 10s]

## Volver
Llévala contigo al regresar.
"""

PALABRAS = """\
  night-shift:
    title: En el turno de noche
    line: Para la madrugada, cuando el piso está en calma y tú no.
    why: En la madrugada, una pausa corta te ayuda a llegar a la mañana.
    words: [turno de noche, la madrugada, de noche, velada]
"""

NEED_WORDS = """\
  night-shift:
    title: On a night shift
    line: For the small hours, when the ward is quiet and you are not.
    why: In the small hours, a short reset can carry you to morning.
    words: [night shift, nights, small hours, graveyard shift]
"""


@pytest.fixture(scope="module")
def grown(built_library: Path, tmp_path_factory) -> Path:
    """The fixture library copied and grown by data alone, then built on top of its build."""
    root = tmp_path_factory.mktemp("grown")
    scripts = root / "meditations"
    shutil.copytree(FIXTURE, scripts, ignore=shutil.ignore_patterns("library.yaml"))
    (scripts / "night-shift-reset.md").write_text(NIGHT, encoding="utf-8")
    (scripts / "moment-of-thanks.md").write_text(THANKS, encoding="utf-8")
    (scripts / "es" / "night-shift-reset.md").write_text(NOCHE, encoding="utf-8")
    (scripts / "es" / "moment-of-thanks.md").write_text(GRACIAS, encoding="utf-8")
    library = (FIXTURE / "library.yaml").read_text(encoding="utf-8")
    library = library.replace("  - need: end-of-shift\n",
                              "  - need: end-of-shift\n  - need: night-shift\n")
    library += "    - practice: night-shift-reset\n    - practice: moment-of-thanks\n"
    (root / "library.yaml").write_text(library, encoding="utf-8")
    shutil.copytree(ROOT / "scripts" / "prompts", root / "prompts")
    english = root / "prompts" / "en.yaml"
    text = english.read_text(encoding="utf-8")
    english.write_text(text.replace("\n# Said when someone asks", NEED_WORDS + "\n# Said when "
                                    "someone asks", 1), encoding="utf-8")
    spanish = root / "prompts" / "es.yaml"
    text = spanish.read_text(encoding="utf-8")
    spanish.write_text(text.replace("\nfirst_why:", PALABRAS + "\nfirst_why:", 1),
                       encoding="utf-8")
    out = root / "build"
    shutil.copytree(built_library, out, copy_function=os.link,
                    ignore=shutil.ignore_patterns(".lock"))
    for name in ("catalog.json",):
        (out / name).unlink()
        shutil.copy(built_library / name, out / name)
    config = BuildConfig(out_dir=out, scripts=(scripts,), library_path=root / "library.yaml",
                         prompts_dir=root / "prompts", crisis_dir=ROOT / "scripts" / "crisis",
                         only=("night-shift-reset", "moment-of-thanks"))
    build_library(config, engine=ToneEngine())
    return root


@pytest.fixture
def app(grown: Path, app_config):
    return create_app({**app_config, "BUILD_DIR": str(grown / "build")})


def test_the_catalog_has_the_new_practices_need_and_menu_keys(app):
    catalog = app.extensions["catalog"].get()
    assert catalog.get("night-shift-reset").variants and catalog.get("moment-of-thanks").variants
    assert catalog.library.need("night-shift") is not None
    keyed = {e.practice_id: (m.name, e.key) for m in catalog.library.menus
             for page in m.pages for e in page}
    assert keyed["night-shift-reset"] == ("more", "2")
    assert keyed["moment-of-thanks"] == ("more", "3")
    assert "Night Shift Reset, press two" in catalog.prompts["menu_more_1"].text
    spanish = catalog.in_language("es")
    assert spanish.get("night-shift-reset").title == "Pausa del turno de noche"
    assert "Pausa del turno de noche, oprime dos" in spanish.prompts["menu_more_1"].text


def test_alexa_reaches_them_by_name_and_by_feeling(app, grown, capsys):
    out = grown / "model.json"
    assert audio_build_cli(["skill-model", str(grown / "meditations"), "--library",
                            str(grown / "library.yaml"), "--prompts-dir", str(grown / "prompts"),
                            "--out", str(out)]) == 0
    types = {t["name"]: t["values"] for t in json.loads(out.read_text())[
        "interactionModel"]["languageModel"]["types"]}
    assert "night shift reset" in [v["name"]["value"] for v in types["PracticeName"]]
    (night,) = [v for v in types["Feeling"] if v["id"] == "night-shift"]
    assert night["name"]["value"] == "night shift"
    alexa = make_alexa_client(app)
    data = alexa.send(start(slot("practice", "one good thing", resolved="moment-of-thanks")),
                      new=True)
    assert_plays(app, data, "moment-of-thanks", 1, 0)
    data = alexa.send(intent("RecommendIntent", slot("feeling", "nights", resolved="night-shift",
                                                     authority_type="Feeling")), new=True)
    assert_plays(app, data, "night-shift-reset", 1, 0)
    assert "small hours" in data["response"]["outputSpeech"]["ssml"]


def test_the_phone_reaches_them_by_keys_and_by_speech(app):
    caller = Caller(app.test_client()).dial()
    caller.answer("9")
    assert caller.heard == ["menu_more_1"]
    caller.answer("2")
    assert caller.where[0] == "play" and caller.where[1]["p"] == "night-shift-reset"
    other = Caller(app.test_client(), "+15551230009").dial()
    other.answer(said="it's the graveyard shift and I'm struggling")
    assert other.where[1]["p"] == "night-shift-reset"
    third = Caller(app.test_client(), "+15551230010").dial()
    third.answer(said="a moment of thanks please")
    assert third.where[1]["p"] == "moment-of-thanks"


def test_the_web_page_and_the_feed_list_them(app):
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "On a night shift" in page and "Night Shift Reset" in page
    assert "A Moment of Thanks" in page
    assert client.get("/practices/night-shift-reset").status_code == 200
    feed = client.get("/feed.xml").get_data(as_text=True)
    assert "Night Shift Reset (1 min)" in feed and "A Moment of Thanks (1 min)" in feed
