"""The recorded hotline prompts (scripts/prompts.yaml) say what the service does: the menu
numbers, the practices' titles and lengths, the crisis line; and the simulator walks a call."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml

from voice_app.phone import menu, speech
from voice_app.phone.simulate import main as simulate

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = yaml.safe_load((ROOT / "scripts" / "prompts.yaml").read_text())
LIBRARY = {path.stem: yaml.safe_load(path.read_text().split("---")[1])
           for path in (ROOT / "scripts" / "meditations").glob("*.md")}
USED = {"greeting", "menu", "more_menu", "choose_length", "starting", "paused", "still_paused",
        "paused_goodbye", "help_keys", "not_understood", "practice_done", "goodbye", "trouble",
        "menu_help", "forget_confirm", "forgotten", "forget_kept", "forget_nothing_saved",
        "forget_withheld"}
WORDS = {"between-patients": "between patients", "grounding-when-overwhelmed": "overwhelmed",
         "reconnecting-when-numb": "numb", "loving-kindness": "loving kindness",
         "the-pause": "after a death", "end-of-shift": "end of your shift",
         "settling-the-mind": "settling the mind", "recalling-your-intention": "intention",
         "self-compassion": "self compassion", "compassion-for-a-loved-one": "loved one",
         "common-humanity": "common humanity", "compassion-for-others": "for others",
         "being-with-suffering": "suffering", "active-compassion": "active compassion"}


def spoken_keys(text: str) -> dict[str, str]:
    """'For loving kindness, press four.' → {'4': 'for loving kindness'} for each sentence."""
    found = {}
    for sentence in re.split(r"(?<=\.)\s+", text):
        match = re.match(r"(.*), press (\w+)\.$", sentence)
        if match:
            key = match.group(2)
            found["*" if key == "star" else str(speech.NUMBER_WORDS.index(key))] = \
                match.group(1).lower()
    return found


@pytest.mark.parametrize("name, which", [("menu", menu.MAIN), ("more_menu", menu.MORE)])
def test_menu_prompts_say_the_keys_the_service_uses(name, which):
    said = spoken_keys(PROMPTS[name])
    for key, practice_id in menu.MENUS[which].items():
        assert WORDS[practice_id] in said.pop(key), (key, practice_id)
    assert set(said) == ({menu.MORE_KEY, menu.HELP_KEY} if which == menu.MAIN
                         else {menu.BACK_KEY})
    assert set(menu.MENUS[menu.MAIN].values()) | set(menu.MENUS[menu.MORE].values()) \
        == set(LIBRARY), "every practice of the library is on a menu"


def test_every_prompt_the_service_uses_is_recorded_and_has_a_fallback():
    assert set(PROMPTS) >= USED
    assert USED - {"greeting", "menu_help"} <= set(speech.FALLBACK)
    for name in ("greeting", "menu_help"):
        assert "{crisis_line}" in PROMPTS[name]
        assert "not a crisis" in PROMPTS[name]


def test_recorded_prompts_say_what_the_fallbacks_say():
    """The recording and the `<Say>` fallback are the same words (the help's crisis line is
    filled in at build time on one side and at run time on the other)."""
    for name, text in speech.FALLBACK.items():
        if name != "more_menu":  # its fallback is a shorter, general sentence
            assert " ".join(PROMPTS[name].split()) == text, name
    filled = " ".join(PROMPTS["menu_help"].replace("{crisis_line}", "9 8 8").split())
    assert filled == speech.menu_help("988")


def test_the_help_says_how_to_forget_with_the_keys_the_service_uses():
    said = spoken_keys(PROMPTS["menu_help"])
    assert "delete your saved place" in said.pop(menu.FORGET_KEY)
    assert said == {"*": "for the menu"}
    confirm = spoken_keys(PROMPTS["forget_confirm"])
    assert confirm == {menu.CONFIRM_KEY: "to delete them", "*": "to keep them"}


@pytest.mark.parametrize("practice_id", sorted(LIBRARY))
def test_practice_prompts_match_the_library(practice_id):
    meta = LIBRARY[practice_id]
    assert PROMPTS[f"resume_{practice_id}"] == speech.resume_offer(meta["title"])
    lengths = tuple(meta["lengths"])
    if len(lengths) > 1:
        assert PROMPTS[f"lengths_{practice_id}"] == speech.lengths_question(meta["title"],
                                                                            lengths)
    else:
        assert f"lengths_{practice_id}" not in PROMPTS


def test_simulator_walks_a_call(built_library, tmp_path):
    out = io.StringIO()
    keys = io.StringIO("4\n1\n\n1\n1\n#\n")
    code = simulate(["--build-dir", str(built_library),
                     "--database-url", f"sqlite:///{tmp_path / 'sim.sqlite3'}"], keys, out)
    text = out.getvalue()
    assert code == 0
    assert "prompt greeting" in text and "prompt menu" in text and "prompt starting" in text
    assert "step 1, bell" in text and "prompt paused" in text and "(silence 60 s)" in text
    assert "prompt goodbye" in text and text.rstrip().endswith("(the call ends)")
