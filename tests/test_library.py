"""The library: cross-script rules, the check and list commands, and the shipped practices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from audio_build.errors import ScriptErrors
from audio_build.library import load_library, normalise_alias
from audio_build.timing import estimate_variant
from tests.conftest import ROOT, SCRIPTS_DIR, VALID_SCRIPT

OTHER = VALID_SCRIPT.replace("Loving-Kindness", "Settling the Mind").replace(
    "[loving kindness, metta]", "[settling, calm mind]")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audio_build", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("a", "b"), [
    ("Loving-Kindness!", "loving kindness"), ("  METTA ", "metta"),
    ("one_minute reset", "one minute reset"),
    ("Corazón", "corazon"), ("¿Compasión por mí?", "compasion por mi"),
    ("AUTOCOMPASIÓN", "autocompasion"), ("Sueño", "sueno"),
])
def test_aliases_match_case_and_punctuation_insensitively(a, b):
    assert normalise_alias(a) == normalise_alias(b)


def test_duplicate_alias_across_library(write_script):
    write_script("loving-kindness.md", VALID_SCRIPT)
    other = write_script("settling-the-mind.md",
                         OTHER.replace("[settling, calm mind]", "[settling, Metta!]"))
    with pytest.raises(ScriptErrors) as caught:
        load_library([other.parent])
    (error,) = caught.value.errors
    assert error.format().startswith(f"{other}:4:21: alias 'metta' also names 'loving-kindness'")


def test_title_counts_as_an_alias(write_script):
    write_script("loving-kindness.md", VALID_SCRIPT)
    other = write_script("settling-the-mind.md",
                         OTHER.replace("[settling, calm mind]", "[settling, loving-kindness]"))
    with pytest.raises(ScriptErrors) as caught:
        load_library([other.parent])
    assert "alias 'loving kindness' also names 'loving-kindness'" in str(caught.value)


def test_duplicate_id_across_folders(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "loving-kindness.md").write_text(VALID_SCRIPT, encoding="utf-8")
    with pytest.raises(ScriptErrors) as caught:
        load_library([tmp_path / "a", tmp_path / "b"])
    messages = [e.format() for e in caught.value.errors]
    assert any(m.startswith(f"{tmp_path / 'b' / 'loving-kindness.md'}:1:1: duplicate id "
                            "'loving-kindness'") for m in messages), messages


def test_check_reports_every_problem_and_exits_1(write_script):
    bad = write_script("loving-kindness.md", VALID_SCRIPT.replace("[pause 3s]", "[wait 3s]")
                       .replace("[pause 5s]", "[pause 5x]"))
    result = run_cli("check", str(bad.parent))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad}:12:58: unknown directive '[wait 3s]' (hint: ")
    assert lines[1].startswith(f"{bad}:13:49: malformed duration '5x' (hint: ")
    assert lines[2] == "2 problems found"
    assert "Traceback" not in result.stderr


def test_check_missing_path_is_one_line():
    result = run_cli("check", "no/such/folder")
    assert result.returncode == 1
    assert result.stderr.startswith("no/such/folder:0:0: no such file or folder")


def test_list_prints_a_table(write_script):
    path = write_script("loving-kindness.md", VALID_SCRIPT)
    result = run_cli("list", str(path))
    assert result.returncode == 0, result.stderr
    header, rule, row = result.stdout.splitlines()[:3]
    assert header.split() == ["id", "title", "lengths", "steps", "words", "speech", "min"]
    assert row.split()[:4] == ["loving-kindness", "Loving-Kindness", "3,", "5,"]
    assert "1 / 1 / 2" in row and "22 / 22 / 30" in row


# --- the shipped library ---------------------------------------------------------------------

EXPECTED = {
    "loving-kindness": (3, 5, 10), "settling-the-mind": (3, 5, 10),
    "compassion-for-a-loved-one": (5, 10), "self-compassion": (5, 10),
    "common-humanity": (5, 10), "compassion-for-others": (5, 10),
    "active-compassion": (10, 15), "grounding-when-overwhelmed": (1, 3),
    "reconnecting-when-numb": (1, 3), "between-patients": (1, 2),
    "recalling-your-intention": (3, 5), "being-with-suffering": (5, 10), "the-pause": (1,),
    "end-of-shift": (3, 5),
}


@pytest.fixture(scope="module")
def library():
    return load_library([SCRIPTS_DIR])


def test_the_library_checks_clean():
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("28 practices (en, es) and 2 crisis lexicons checked, "
                                     "no problems")


def test_the_library_has_the_fourteen_practices(library):
    assert {p.practice_id: p.lengths for p in library.practices} == EXPECTED


def test_every_practice_is_complete(library):
    for practice in library.practices:
        assert len(practice.aliases) >= 2, practice.practice_id
        assert practice.sources, practice.practice_id
        assert any(t in practice.tags for t in ("hyper-engaged", "hypo-engaged", "any"))


def test_every_variant_is_a_real_practice(library):
    """Speech at a calm pace fills most of a short variant; a long one has more guidance."""
    for practice in library.practices:
        estimates = [estimate_variant(practice, m) for m in practice.lengths]
        for estimate in estimates:
            share = (estimate.speech_ms + estimate.fixed_ms) / estimate.target_ms
            assert 0.4 <= share <= 0.95, (practice.practice_id, estimate.minutes, share)
            assert estimate.practice_count >= 1, (practice.practice_id, estimate.minutes)
        for shorter, longer in zip(estimates, estimates[1:], strict=False):
            assert longer.words > shorter.words * 1.2, (practice.practice_id, longer.minutes)


def test_spoken_text_is_plain_for_a_speech_engine(library):
    for practice in library.practices:
        for step in practice.steps:
            for item in step.items:
                text = getattr(item, "text", "")
                assert not any(ch in text for ch in "()/\\{}<>*_#&%$@0123456789"), (
                    f"{practice.path}:{item.line}: {text}")


def test_spanish_aliases_collide_whatever_their_accents(tmp_path):
    folder = tmp_path / "es"
    folder.mkdir()
    spanish = VALID_SCRIPT.replace("[loving kindness, metta]", "[bondad amorosa, compasión]")
    (folder / "loving-kindness.md").write_text(spanish, encoding="utf-8")
    other = folder / "settling-the-mind.md"
    other.write_text(OTHER.replace("[settling, calm mind]", "[calmar la mente, compasion]"),
                     encoding="utf-8")
    with pytest.raises(ScriptErrors) as caught:
        load_library([folder])
    (error,) = caught.value.errors
    assert error.format().startswith(f"{other}:4:28: alias 'compasion' also names "
                                     "'loving-kindness'")


def _copy_fixture(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "meditations"
    shutil.copytree(ROOT / "tests" / "fixtures" / "library", folder,
                    ignore=shutil.ignore_patterns("library.yaml"))
    return folder


def test_every_language_holds_the_same_practices(tmp_path):
    from audio_build.library import load_languages

    folder = _copy_fixture(tmp_path)
    libraries = load_languages([folder])
    assert sorted(libraries) == ["en", "es"]
    assert [p.language for p in libraries["es"].practices] == ["es"] * 6
    assert libraries["es"].get("the-pause").title == "La pausa"
    (folder / "es" / "the-pause.md").unlink()
    text = (folder / "es" / "end-of-shift.md").read_text(encoding="utf-8")
    (folder / "es" / "end-of-shift.md").write_text(
        text.replace("lengths: [1, 3]", "lengths: [1, 5]").replace("(3+ min)", "(5+ min)"))
    (folder / "es" / "extra.md").write_text(
        text.replace("Fin del turno", "Extra").replace("[fin del turno, después del trabajo]",
                                                       "[otra cosa]"))
    with pytest.raises(ScriptErrors) as failure:
        load_languages([folder])
    messages = [error.format() for error in failure.value.errors]
    assert any(m.startswith(f"{folder / 'es' / 'the-pause.md'}:0:0: no es script for "
                            "'the-pause'") and "adapted from" in m for m in messages), messages
    assert any("extra.md" in m and "'extra' has no English script" in m for m in messages)
    assert any("end-of-shift.md" in m and "lengths [1, 5] differ from the English [1, 3]" in m
               for m in messages)


def test_a_spanish_prompts_file_is_checked_against_the_spanish_practices(tmp_path):
    import shutil

    from audio_build.library import load_languages
    from audio_build.library_data import load_library_data

    folder = _copy_fixture(tmp_path)
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "scripts" / "prompts", prompts)
    spanish = prompts / "es.yaml"
    text = spanish.read_text(encoding="utf-8")
    spanish.write_text(text.replace('crisis_line: "{line}, y oprime el 2 para español"',
                                    'crisis_line: "oprime el 2 para español"'))
    libraries = load_languages([folder])
    with pytest.raises(ScriptErrors) as failure:
        load_library_data(libraries["en"].practices,
                          ROOT / "tests" / "fixtures" / "library" / "library.yaml", prompts,
                          {code: lib.practices for code, lib in libraries.items()})
    (error,) = failure.value.errors
    assert error.path == str(spanish) and "crisis_line never says the line" in error.message
