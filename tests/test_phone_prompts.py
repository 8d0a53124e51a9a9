"""The hotline's sentences are rendered from the library data (scripts/library.yaml and
scripts/prompts/en.yaml): the menu pages say the keys the service answers to, the practices'
titles and lengths come from their scripts, the crisis line is filled in; and the simulator
walks a call."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from audio_build.library import load_library
from audio_build.library_data import PROMPTS, load_library_data, menu_prompt, prompt_texts
from voice_app.phone import menu
from voice_app.phone.simulate import main as simulate

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = load_library([ROOT / "scripts" / "meditations"])
DATA = load_library_data(LIBRARY.practices, ROOT / "scripts" / "library.yaml",
                         ROOT / "scripts" / "prompts")
WORDS = DATA.languages["en"]
TEXTS = prompt_texts(DATA, LIBRARY.practices, "en", "988")


def spoken_keys(text: str) -> dict[str, str]:
    """'For loving kindness, press four.' → {'4': 'for loving kindness'} for each sentence."""
    found = {}
    named = {word: key for key, word in WORDS.keys.items()}
    for sentence in re.split(r"(?<=\.)\s+", text):
        match = re.match(r"(.*), press (\w+)\.$", sentence)
        if match:
            word = match.group(2)
            key = named.get(word) or str(WORDS.numbers.index(word))
            found[key] = match.group(1).lower()
    return found


@pytest.mark.parametrize("menu_name", [m.name for m in DATA.menus])
def test_menu_pages_say_the_keys_the_service_answers_to(menu_name):
    (found,) = [m for m in DATA.menus if m.name == menu_name]
    for number, page in enumerate(found.pages, start=1):
        said = spoken_keys(TEXTS[menu_prompt(menu_name, number)])
        for entry in page:
            title = LIBRARY.get(entry.practice_id).title.lower()
            label = said.pop(entry.key)
            assert title in label or entry.practice_id in WORDS.menu_labels, (entry, label)
        reserved = {DATA.keys["more"], DATA.keys["back"], DATA.keys["help"]}
        assert set(said) <= reserved, said


def test_every_practice_has_a_key_and_the_first_menu_says_help_and_more():
    keyed = [e.practice_id for m in DATA.menus for page in m.pages for e in page]
    assert sorted(keyed) == sorted(p.practice_id for p in LIBRARY.practices)
    first = spoken_keys(TEXTS[menu_prompt(DATA.menus[0].name, 1)])
    assert "for more practices" in first[DATA.keys["more"]]
    assert "for help" in first[DATA.keys["help"]]
    last = DATA.menus[-1]
    assert DATA.keys["more"] not in spoken_keys(TEXTS[menu_prompt(last.name, len(last.pages))])


def test_every_prompt_the_service_uses_is_rendered_with_the_crisis_line():
    assert set(PROMPTS) <= set(TEXTS)
    for name in ("greeting", "menu_help", "crisis"):
        assert "9 8 8" in TEXTS[name] and "{crisis_line}" in WORDS.prompts[name]
    assert "not a crisis" in TEXTS["greeting"] and "not a crisis" in TEXTS["menu_help"]


def test_the_help_says_how_to_forget_with_the_keys_the_service_uses():
    said = spoken_keys(TEXTS["menu_help"])
    assert "delete your saved place" in said.pop(menu.FORGET_KEY)
    assert said == {"*": "for the menu"}
    confirm = spoken_keys(TEXTS["forget_confirm"])
    assert confirm == {menu.CONFIRM_KEY: "to delete them", "*": "to keep them"}


@pytest.mark.parametrize("practice", LIBRARY.practices, ids=lambda p: p.practice_id)
def test_practice_prompts_name_the_practice_and_its_lengths(practice):
    assert practice.title in TEXTS[f"resume_{practice.practice_id}"]
    if len(practice.lengths) > 1:
        text = TEXTS[f"lengths_{practice.practice_id}"]
        assert text.startswith(practice.title)
        for minutes in practice.lengths:
            assert re.search(rf"\b{WORDS.numbers[minutes]}\b", text), (minutes, text)
    else:
        assert f"lengths_{practice.practice_id}" not in TEXTS


def test_simulator_walks_a_call(built_library, tmp_path):
    out = io.StringIO()
    keys = io.StringIO("4\n1\n\n1\n1\n#\n")
    code = simulate(["--build-dir", str(built_library),
                     "--database-url", f"sqlite:///{tmp_path / 'sim.sqlite3'}"], keys, out)
    text = out.getvalue()
    assert code == 0
    assert "prompt greeting" in text and "prompt menu_main_1" in text
    assert "prompt starting" in text
    assert "step 1, bell" in text and "prompt paused" in text and "(silence 60 s)" in text
    assert "prompt goodbye" in text and text.rstrip().endswith("(the call ends)")
