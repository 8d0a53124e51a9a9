"""The library data (scripts/library.yaml, scripts/prompts/<lang>.yaml): menus page themselves so
any number of practices has a key, pinned keys stay put, reserved keys are never a practice's,
every mistake is reported at its file and line, and voice_app holds no library content."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from audio_build.errors import ScriptErrors
from audio_build.library import load_languages, load_library
from audio_build.library_data import load_library_data, menu_prompt, prompt_texts

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
KEYS = 'keys: {help: "0", more: "9", back: "*", end: "#"}\n'


def practice_text(practice_id: str, category: str = "compassion-training",
                  lengths: str = "[1]") -> str:
    title = practice_id.replace("-", " ").title()
    return (f"---\ntitle: {title}\nsummary: A test practice.\naliases: [{practice_id} alias]\n"
            f"category: {category}\nlengths: {lengths}\ntags: [any]\nsources: [\"A source\"]\n"
            "---\n\n## Arriving\nNotice one breath. [practice 20s]\n\n## Returning\n"
            "Come back to the room.\n")


def library_of(tmp_path: Path, count: int, menus: str) -> tuple[Path, Path]:
    folder = tmp_path / "meditations"
    folder.mkdir()
    for number in range(count):
        (folder / f"p{number:02d}.md").write_text(practice_text(f"p{number:02d}"))
    yaml_path = tmp_path / "library.yaml"
    yaml_path.write_text("first: p00\nneeds:\n  - need: compassion-training\n" + KEYS + menus)
    return folder, yaml_path


def load(folder: Path, yaml_path: Path):
    practices = load_library([folder]).practices
    return practices, load_library_data(practices, yaml_path, SCRIPTS / "prompts")


def test_a_long_menu_pages_itself_and_every_practice_has_a_key(tmp_path):
    entries = "".join(f"    - practice: p{n:02d}\n" for n in range(3, 20))
    folder, path = library_of(tmp_path, 20, "menus:\n  main:\n    - practice: p00\n"
                              "    - practice: p01\n    - practice: p02\n  more:\n" + entries)
    practices, data = load(folder, path)
    main, more = data.menus
    assert [[e.key for e in page] for page in main.pages] == [["1", "2", "3"]]
    assert [[e.key for e in page] for page in more.pages] == [
        list("12345678"), list("12345678"), ["1"]]
    keyed = [e.practice_id for m in data.menus for page in m.pages for e in page]
    assert sorted(keyed) == [f"p{n:02d}" for n in range(20)]
    texts = prompt_texts(data, practices, "en", "988")
    assert "For more practices, press nine." in texts[menu_prompt("main", 1)]
    assert "For more practices, press nine." in texts[menu_prompt("more", 2)]
    last = texts[menu_prompt("more", 3)]
    assert "press nine" not in last and "To go back, press star." in last
    assert last.startswith("For P19, press one.")
    assert all(e.key not in "09*#" for m in data.menus for page in m.pages for e in page)


def test_the_language_key_is_kept_on_the_first_page_of_the_first_menu_only(tmp_path):
    entries = "".join(f"    - practice: p{n:02d}\n" for n in range(8, 16))
    first = "".join(f"    - practice: p{n:02d}\n" for n in range(8))
    folder, path = library_of(tmp_path, 16, "menus:\n  main:\n" + first + "  more:\n" + entries)
    path.write_text(path.read_text().replace('end: "#"}', 'end: "#", language: "8"}'))
    _, data = load(folder, path)
    main, more = data.menus
    assert data.keys["language"] == "8"
    assert [[e.key for e in page] for page in main.pages] == [list("1234567"), ["1"]]
    assert [[e.key for e in page] for page in more.pages] == [list("12345678")]
    pinned = path.read_text().replace("  main:\n    - practice: p00\n",
                                      "  main:\n    - practice: p00\n      key: 8\n")
    path.write_text(pinned)
    with pytest.raises(ScriptErrors, match="key 8 cannot be pinned"):
        load(folder, path)


def test_the_real_library_keeps_every_menu_on_one_page():
    """Reserving the language key cost no English caller a key they know: the "more" menu's
    eight practices are still one page, active compassion still on 8."""
    practices = load_library([SCRIPTS / "meditations"]).practices
    data = load_library_data(practices, SCRIPTS / "library.yaml", SCRIPTS / "prompts")
    assert all(len(menu.pages) == 1 for menu in data.menus)
    more = {e.practice_id: e.key for e in data.menus[1].pages[0]}
    assert more["active-compassion"] == "8"


def test_every_menu_sentence_is_in_the_callers_language():
    """A practice without a menu label of its own is named by the language's menu_label
    template: Spanish callers heard "For Bondad amorosa, oprime cuatro" before it existed."""
    library = load_languages([SCRIPTS / "meditations"])
    english = library["en"].practices
    data = load_library_data(english, SCRIPTS / "library.yaml", SCRIPTS / "prompts",
                             {code: lib.practices for code, lib in library.items()})
    spanish = prompt_texts(data, library["es"].practices, "es", "988")
    menus = [text for name, text in spanish.items() if name.startswith("menu_")]
    assert menus and not [t for t in menus if re.search(r"\b(For|press|To go)\b", t)], menus
    assert "Bondad amorosa, oprime cuatro." in spanish[menu_prompt("main", 1)]
    assert "For Loving-Kindness, press four." in prompt_texts(
        data, english, "en", "988")[menu_prompt("main", 1)]


def test_pinned_keys_stay_put_when_practices_are_added(tmp_path):
    folder, path = library_of(tmp_path, 4, "menus:\n  main:\n    - practice: p00\n"
                              "    - practice: p01\n      key: 5\n    - practice: p02\n"
                              "    - practice: p03\n      minutes: 1\n")
    _, data = load(folder, path)
    (page,) = data.menus[0].pages
    assert {(e.practice_id, e.key, e.minutes) for e in page} == {
        ("p00", "1", None), ("p01", "5", None), ("p02", "2", None), ("p03", "3", 1)}


@pytest.mark.parametrize("menus, line, message", [
    ("menus:\n  main:\n    - practice: p00\n    - practice: nope\n", 8, "no practice called"),
    ("menus:\n  main:\n    - practice: p00\n    - practice: p00\n", 8, "already on the main"),
    ("menus:\n  main:\n    - practice: p00\n      key: 9\n", 8, "key 9 cannot be pinned"),
    ("menus:\n  main:\n    - practice: p00\n      minutes: 7\n", 8, "no 7-minute length"),
    ("menus:\n  main: []\n", 5, "'p00' is on no phone menu"),
])
def test_menu_mistakes_name_file_and_line(tmp_path, menus, line, message):
    folder, path = library_of(tmp_path, 1, menus)
    with pytest.raises(ScriptErrors) as failure:
        load(folder, path)
    errors = [e for e in failure.value.errors if message in e.message]
    assert errors, failure.value
    assert errors[0].line == line, errors[0].format()


def test_a_category_that_is_not_a_need_is_reported_at_the_script(tmp_path):
    folder, path = library_of(tmp_path, 1, "menus:\n  main:\n    - practice: p00\n")
    (folder / "p01.md").write_text(practice_text("p01", category="brand-new"))
    path.write_text(path.read_text().replace("    - practice: p00\n",
                                             "    - practice: p00\n    - practice: p01\n"))
    with pytest.raises(ScriptErrors) as failure:
        load(folder, path)
    (error,) = failure.value.errors
    assert error.path.endswith("p01.md") and "category 'brand-new' is not a need" in error.message
    assert (error.line, error.col) == (5, 11)


def test_a_prompts_file_mistake_names_its_line(tmp_path):
    prompts = tmp_path / "prompts"
    shutil.copytree(SCRIPTS / "prompts", prompts)
    english = prompts / "en.yaml"
    text = english.read_text()
    english.write_text(text.replace('lengths: "{title} comes in {lengths} minutes.',
                                    'lengths: "{title} comes in {minutes} minutes.'))
    line = next(n for n, row in enumerate(english.read_text().splitlines(), 1)
                if row.strip().startswith("lengths:"))
    practices = load_library([SCRIPTS / "meditations"]).practices
    with pytest.raises(ScriptErrors) as failure:
        load_library_data(practices, SCRIPTS / "library.yaml", prompts)
    (error,) = failure.value.errors
    assert (error.line, "unknown value {minutes}") == (line, error.message)


def test_a_languages_prompt_pace_is_read_and_a_bad_one_named_at_its_line(tmp_path):
    prompts = tmp_path / "prompts"
    shutil.copytree(SCRIPTS / "prompts", prompts)
    practices = load_library([SCRIPTS / "meditations"]).practices
    data = load_library_data(practices, SCRIPTS / "library.yaml", prompts)
    assert data.languages["es"].prompt_pace == {"kokoro": 0.9}
    assert data.languages["en"].prompt_pace == {}
    spanish = prompts / "es.yaml"
    spanish.write_text(spanish.read_text().replace("prompt_pace: {kokoro: 0.9}",
                                                   "prompt_pace: {kokoro: 3}"))
    line = next(n for n, row in enumerate(spanish.read_text().splitlines(), 1)
                if row.strip().startswith("prompt_pace:"))
    with pytest.raises(ScriptErrors) as failure:
        load_library_data(practices, SCRIPTS / "library.yaml", prompts)
    (error,) = failure.value.errors
    assert error.line == line and "between 0.5 and 2.0" in error.message


def test_yes_and_no_are_words_not_booleans(tmp_path):
    prompts = tmp_path / "prompts"
    shutil.copytree(SCRIPTS / "prompts", prompts)
    english = prompts / "en.yaml"
    english.write_text(english.read_text().replace('"yes": ["yes", continue',
                                                   "yes: [yes, continue"))
    practices = load_library([SCRIPTS / "meditations"]).practices
    data = load_library_data(practices, SCRIPTS / "library.yaml", prompts)
    assert data.languages["en"].words["yes"][:2] == ("yes", "continue")


def test_voice_app_names_no_practice_need_or_feeling_word():
    """Adding a practice or a need is a data change: the service's code holds none of them."""
    ids = {path.stem for path in (SCRIPTS / "meditations").rglob("*.md")}
    practices = load_library([SCRIPTS / "meditations"]).practices
    data = load_library_data(practices, SCRIPTS / "library.yaml", SCRIPTS / "prompts")
    needs = {need.need_id for need in data.needs}
    titles = {p.title for p in practices}
    code = {path: path.read_text() for path in (ROOT / "voice_app").rglob("*.py")}
    found = [(str(path.relative_to(ROOT)), word) for path, text in code.items()
             for word in ids | needs | titles
             if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]
    assert found == []
