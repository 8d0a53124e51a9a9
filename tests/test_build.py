"""The audio build, for real: the Piper voice, ffmpeg, decoded and measured output."""

from __future__ import annotations

import json
import re
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from library_helpers import cli_args, library_data_for
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from audio_build.build import BuildConfig, build_library
from audio_build.catalog import load_catalog
from audio_build.cli import main as cli_main
from audio_build.engines import make_engine
from audio_build.ffmpeg import find_ffmpeg, measure_ebur128
from audio_build.files import sha256_file

pytestmark = pytest.mark.slow

CRISIS_DIR = Path(__file__).resolve().parent.parent / "scripts" / "crisis"
PROMPT = "Welcome, this is a test."
"""Every fixed prompt of a test build: the build's tests pay for their practice's speech, not
the hotline's."""
FIXTURE = """\
---
title: Test Breath
summary: A short practice for testing the build.
aliases: [test breath, testing breath]
category: when-overwhelmed
lengths: [1, 2]
tags: [any, standing-ok]
sources: ["A test source 2024"]
---

## Arriving
[bell]
Let your feet rest on the floor. [pause 2s] Let your shoulders soften.
Notice one breath, just as it is. [practice 10s]

## Staying (2+ min)
Stay with the next breath, and the next. [practice 20s]

## Returning
Take one more easy breath. Come back to the room, ready for what is next. [bell]
"""



class CountingEngine:
    """The real Piper engine, with its synthesis calls counted."""

    def __init__(self) -> None:
        self.inner = make_engine("piper")
        self.calls: list[str] = []

    def identity(self, settings):
        return self.inner.identity(settings)

    def synthesize(self, text, settings):
        self.calls.append(text)
        return self.inner.synthesize(text, settings)

    def prepare(self):
        self.inner.prepare()

    def release(self):
        self.inner.release()


def make_config(root: Path) -> BuildConfig:
    return BuildConfig(out_dir=root / "build", scripts=(root / "scripts",),
                       **library_data_for(root, root / "scripts", sentence=PROMPT))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    (root / "scripts").mkdir()
    (root / "scripts" / "test-breath.md").write_text(FIXTURE, encoding="utf-8")
    engine = CountingEngine()
    summary = build_library(make_config(root), engine=engine)
    return root, engine, summary, load_catalog(root / "build")


def decode(path: Path) -> np.ndarray:
    """Decode with ffmpeg (not our code) to mono int16 at 8 kHz: enough to find silences."""
    result = subprocess.run([find_ffmpeg(), "-v", "error", "-i", str(path), "-f", "s16le",
                             "-ac", "1", "-ar", "8000", "-"], capture_output=True, check=True)
    return np.frombuffer(result.stdout, dtype=np.int16)


def silent_runs(samples: np.ndarray, rate: int = 8000, min_ms: int = 900) -> list[tuple[int, int]]:
    """(start_ms, end_ms) of every stretch quieter than -50 dBFS for at least min_ms."""
    frame = rate // 100
    frames = samples[: len(samples) // frame * frame].astype(np.float64).reshape(-1, frame)
    quiet = np.sqrt((frames ** 2).mean(axis=1)) < 32768 * 10 ** (-50 / 20)
    runs, start = [], None
    for index, is_quiet in enumerate([*quiet, False]):
        if is_quiet and start is None:
            start = index
        elif not is_quiet and start is not None:
            if (index - start) * 10 >= min_ms:
                runs.append((start * 10, index * 10))
            start = None
    return runs


def test_variants_have_their_target_length(built):
    root, _, _, catalog = built
    practice = catalog.practice("test-breath")
    assert [v.minutes for v in practice.variants] == [1, 2]
    for variant in practice.variants:
        path = root / "build" / variant.file
        decoded_ms = len(decode(path)) / 8
        target = variant.minutes * 60_000
        assert abs(decoded_ms - target) <= max(0.02 * target, 3000)
        assert abs(variant.duration_ms - target) <= 50


def test_loudness_and_true_peak_on_the_encoded_file(built):
    root, _, _, catalog = built
    for variant in catalog.practice("test-breath").variants:
        measured = measure_ebur128(root / "build" / variant.file)
        integrated, peak = measured.integrated_lufs, measured.true_peak_dbtp
        assert -17.0 <= integrated <= -15.0, (variant.file, integrated)
        assert peak <= -2.0, (variant.file, peak)


def test_mp3_format_tags_and_chapters(built):
    root, _, _, catalog = built
    variant = catalog.practice("test-breath").variants[1]
    path = root / "build" / variant.file
    info = MP3(path).info
    assert (info.sample_rate, info.channels, info.bitrate, info.layer) == (44100, 1, 64000, 3)
    assert info.version == 1
    assert variant.bytes / (variant.minutes) < 500_000
    tags = ID3(path)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Test Breath (2 min)"
    assert str(tags["TPE1"]) == "Compassion Break"
    assert "A test source 2024" in str(tags.getall("COMM")[0])
    chapters = tags.getall("CHAP")  # in file order, which is time order
    assert [c.sub_frames["TIT2"].text[0] for c in chapters] == ["Arriving", "Staying",
                                                                "Returning"]
    assert [(c.start_time, c.end_time) for c in chapters] == [
        (c.start_ms, c.end_ms) for c in variant.chapters]
    assert tags.getall("CTOC")[0].child_element_ids == [c.element_id for c in chapters]


def test_silences_sit_where_the_script_puts_them(built):
    """Every pause and practice silence after speech is found in the decoded audio (±150 ms)."""
    root, _, _, catalog = built
    for variant in catalog.practice("test-breath").variants:
        runs = silent_runs(decode(root / "build" / variant.file))
        expected = [(s.start_ms + s.duration_ms, s.start_ms + s.duration_ms + s.pause_after_ms)
                    for s in variant.phone if s.kind == "speech" and s.pause_after_ms >= 1500]
        assert len(expected) >= variant.minutes + 1
        for start, end in expected:
            assert any(abs(s - start) <= 150 and abs(e - end) <= 150 for s, e in runs), (
                variant.minutes, (start, end), runs)


def test_long_variant_has_more_guidance_not_just_silence(built):
    _, _, _, catalog = built
    short, long = catalog.practice("test-breath").variants
    assert len(short.chapters) == 2 and len(long.chapters) == 3
    assert len(long.phone) > len(short.phone)


def test_phone_segments_are_8khz_wav_and_match_the_catalog(built):
    root, _, _, catalog = built
    practice = catalog.practice("test-breath")
    for variant in practice.variants:
        assert {s.kind for s in variant.phone} == {"speech", "bell"}
        total = sum(s.duration_ms + s.pause_after_ms for s in variant.phone)
        assert abs(total + variant.phone[0].start_ms - variant.duration_ms) <= 5
        for before, after in zip(variant.phone, variant.phone[1:], strict=False):
            assert abs(before.start_ms + before.duration_ms + before.pause_after_ms
                       - after.start_ms) <= 2
        for segment in variant.phone:
            with wave.open(str(root / "build" / segment.file)) as wav:
                assert (wav.getnchannels(), wav.getframerate()) == (1, 8000)
                assert wav.getsampwidth() in (1, 2)
                assert abs(wav.getnframes() / 8 - segment.duration_ms) <= 30
    short_files = {s.file for s in practice.variants[0].phone}
    long_files = {s.file for s in practice.variants[1].phone}
    assert short_files & long_files, "the same spoken stretch is stored once"


def test_catalog_contents_and_hashes(built):
    root, _, _, catalog = built
    data = json.loads((root / "build" / "catalog.json").read_text())
    assert data["schema"] == 4
    assert "want to die" in data["crisis"]["en"]["crisis"]
    assert "not suicidal" in data["crisis"]["en"]["not_crisis"]
    assert data["build"]["engine"] == "piper"
    assert data["build"]["voice"] == "en_US-joe-medium"
    assert "CC0" in data["build"]["licence"] and data["build"]["built_at"]
    assert list(data["build"]["voices"]) == ["en"]  # no Spanish scripts here: none built
    assert data["build"]["voices"]["en"]["voice"] == "en_US-joe-medium"
    assert list(data["prompts"]) == ["en"]
    practice = data["practices"][0]
    assert practice["language"] == "en"
    assert practice["aliases"] == ["test breath", "testing breath"]
    assert practice["steps"][1] == {"title": "Staying", "min_minutes": 2,
                                    "text": ["Stay with the next breath, and the next."]}
    for stored in catalog.files():
        path = root / "build" / stored.file
        assert path.stat().st_size == stored.bytes
        assert sha256_file(path) == stored.sha256
        assert stored.sha256[:16] in path.name
    prompt = catalog.prompts["en"]["greeting"]
    assert prompt.text == PROMPT and prompt.duration_ms > 1000
    assert catalog.library["first"] == "test-breath"
    assert catalog.library["menus"] == [{"name": "main", "pages": [[
        {"key": "1", "practice_id": "test-breath", "minutes": None}]]}]
    assert catalog.prompts["en"]["menu_main_1"].text.startswith("For Test Breath, press one.")


def test_skill_model_is_made_from_the_library_not_by_the_build(built, capsys):
    root, _, _, _ = built
    assert not (root / "skill").exists()
    out = root / "model.json"
    assert cli_main(["skill-model", str(root / "scripts"), "--library", str(root / "library.yaml"),
                     "--out", str(out)]) == 0
    language = json.loads(out.read_text())["interactionModel"]["languageModel"]
    assert language["invocationName"] == "compassion break"
    (practice_type,) = [t for t in language["types"] if t["name"] == "PracticeName"]
    (value,) = practice_type["values"]
    assert value["id"] == "test-breath"
    assert "testing breath" in value["name"]["synonyms"]
    (feeling,) = [t for t in language["types"] if t["name"] == "Feeling"]
    assert [v["id"] for v in feeling["values"]] == ["when-overwhelmed"]
    assert cli_main(["skill-model", str(root / "scripts"), "--library",
                     str(root / "library.yaml"), "--out", str(out), "--check"]) == 0
    out.write_text("{}")
    assert cli_main(["skill-model", str(root / "scripts"), "--library",
                     str(root / "library.yaml"), "--out", str(out), "--check"]) == 1
    assert "stale: run python -m audio_build skill-model" in capsys.readouterr().err


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns
            for p in folder.rglob("*") if p.is_file()}


def test_rebuild_with_nothing_changed_does_nothing(built):
    root, _, _, _ = built
    before = snapshot(root / "build")
    engine = CountingEngine()
    summary = build_library(make_config(root), engine=engine)
    assert engine.calls == []
    assert summary.synthesized == 0 and summary.written == 0
    assert snapshot(root / "build") == before


def test_one_sentence_edit_resynthesizes_that_sentence_only(built):
    root, _, _, before = built
    script = root / "scripts" / "test-breath.md"
    script.write_text(FIXTURE.replace("and the next.", "and the one after."), encoding="utf-8")
    engine = CountingEngine()
    build_library(make_config(root), engine=engine)
    assert engine.calls == ["Stay with the next breath, and the one after."]
    catalog = load_catalog(root / "build")
    for stored in catalog.files():
        assert sha256_file(root / "build" / stored.file) == stored.sha256
    # the sentence is in the 2-minute length only: the 1-minute MP3 is the same file
    old, new = before.practice("test-breath"), catalog.practice("test-breath")
    assert new.variants[0].file == old.variants[0].file
    assert new.variants[1].file != old.variants[1].file


def momentary(path: Path) -> list[tuple[float, float]]:
    """(t_s, momentary LUFS) every 100 ms, from ffmpeg's own ebur128 meter on the decoded file;
    the value at t is the loudness of the 400 ms ending at t."""
    result = subprocess.run([find_ffmpeg(), "-nostats", "-v", "verbose", "-i", str(path),
                             "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
                            capture_output=True, text=True, check=True)
    return [(float(t), float(m)) for t, m in
            re.findall(r"t:\s*([\d.]+)\s+TARGET:\S+\s+LUFS\s+M:\s*(-?[\d.]+|-inf)", result.stderr)]


def inside(frames: list[tuple[float, float]], variant, kind: str) -> list[float]:
    """The momentary values whose 400 ms lie wholly in the variant's `kind` stretches."""
    spans = [(s.start_ms / 1000, (s.start_ms + s.duration_ms) / 1000)
             for s in variant.phone if s.kind == kind]
    return [m for t, m in frames if any(a + 0.4 <= t <= b for a, b in spans)]


def test_bell_is_no_louder_than_the_speech_on_the_encoded_file(built):
    """The bell's momentary maximum is at or under the speech's 90th percentile (it was about
    7 LU over it): measured on the MP3, over windows wholly inside bell and speech stretches."""
    root, _, _, catalog = built
    for variant in catalog.practice("test-breath").variants:
        frames = momentary(root / "build" / variant.file)
        bell, speech = inside(frames, variant, "bell"), inside(frames, variant, "speech")
        assert bell and len(speech) > 20
        p90 = float(np.percentile(speech, 90))
        assert max(bell) <= p90, (max(bell), p90)
        assert max(bell) >= float(np.percentile(speech, 50)) - 4.0, "the bell is still heard"


class ToneEngine:
    """A fast test engine (a tone per sentence, as long as the text); it fails, as a voice
    might, on any sentence containing `fail_on` — standing in for a TTS failure."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on

    def identity(self, settings):
        from audio_build.engines import EngineIdentity
        return EngineIdentity("tone", "test", "", {"v": 1}, "test")

    def synthesize(self, text, settings):
        from audio_build.errors import SynthesisError
        if self.fail_on and self.fail_on in text:
            raise SynthesisError("the test voice cannot say that")
        t = np.arange(int(0.06 * len(text) * 22050)) / 22050
        return (6000 * np.sin(2 * np.pi * (180 + len(text)) * t)
                * (1 + np.sin(2 * np.pi * 3 * t)) / 2).astype(np.int16)

    def prepare(self):
        pass

    def release(self):
        pass


def two_practices(root: Path) -> None:
    (root / "scripts").mkdir(exist_ok=True)
    (root / "scripts" / "test-breath.md").write_text(FIXTURE, encoding="utf-8")
    (root / "scripts" / "other-breath.md").write_text(
        FIXTURE.replace("Test Breath", "Other Breath").replace(
            "[test breath, testing breath]", "[other breath, another breath]"), encoding="utf-8")


def test_a_failed_practice_does_not_stop_the_others(tmp_path, monkeypatch, capsys):
    """The rest build, the failure is one `path:line: message`, the exit status is non-zero and
    the catalog keeps the failed practice's last good build."""
    from audio_build import build, cli
    two_practices(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(build, "make_engine", lambda *args, **kwargs: ToneEngine())
    argv = ["build", "--scripts", "scripts", "--out", "build", "--jobs", "1",
            *library_args(tmp_path)]
    assert cli.main(argv) == 0
    before = load_catalog(tmp_path / "build")
    for name, new in (("test-breath", "A new line to fail on."),
                      ("other-breath", "A new line that works.")):
        path = tmp_path / "scripts" / f"{name}.md"
        path.write_text(path.read_text().replace("Notice one breath, just as it is.", new))
    monkeypatch.setattr(build, "make_engine", lambda *a, **k: ToneEngine(fail_on="fail on"))
    capsys.readouterr()
    assert cli.main(argv) == 3  # some practices failed, the catalog holds the rest
    err = capsys.readouterr().err
    assert ("scripts/test-breath.md:14: could not synthesize \"A new line to fail on.\": "
            "the test voice cannot say that") in err
    assert "Traceback" not in err
    after = load_catalog(tmp_path / "build")
    assert after.practice("test-breath") == before.practice("test-breath")
    assert after.practice("other-breath") != before.practice("other-breath")
    assert "A new line that works." in after.practice("other-breath").steps[0].text
    for stored in after.files():
        assert sha256_file(tmp_path / "build" / stored.file) == stored.sha256


def test_invalid_script_stops_the_build_before_anything_is_written(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "test-breath.md").write_text(FIXTURE, encoding="utf-8")
    (tmp_path / "scripts" / "broken.md").write_text(
        FIXTURE.replace("[pause 2s]", "[pause two]").replace("test breath", "broken one")
        .replace("testing breath", "broken two"), encoding="utf-8")
    result = run_build(tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'scripts' / 'broken.md'}:13:34: malformed duration 'two'" in (
        result.stderr)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "build").exists()


def library_args(root: Path) -> list[str]:
    """Library data for every practice in root/scripts, as CLI options."""
    return cli_args(library_data_for(root, root / "scripts", sentence=PROMPT))


def run_build(root: Path, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    import sys
    return subprocess.run([sys.executable, "-m", "audio_build", "build", "--scripts",
                           str(root / "scripts"), "--out", str(root / "build"),
                           *library_args(root), *args],
                          cwd=root, capture_output=True, text=True, timeout=300, **kwargs)


def test_unknown_practice_in_only_is_one_line(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "test-breath.md").write_text(FIXTURE, encoding="utf-8")
    result = run_build(tmp_path, "--only", "nope")
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: no practice called nope "
                                     "(see python -m audio_build list)")


def test_missing_ffmpeg_is_one_line_naming_both_fixes(tmp_path):
    import os
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "test-breath.md").write_text(FIXTURE, encoding="utf-8")
    env = {**os.environ, "FFMPEG_BINARY": str(tmp_path / "no-ffmpeg"), "PATH": "/nonexistent"}
    result = run_build(tmp_path, env=env)
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "ffmpeg" in line and "imageio-ffmpeg" in line and "PATH" in line
    assert not (tmp_path / "build").exists()  # said before any synthesis, not after it


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_killed_build_completes_on_the_next_run(tmp_path):
    """SIGKILL half-way, run again: the catalog's every file matches its recorded sha256."""
    import signal
    import sys
    import time
    (tmp_path / "scripts").mkdir()
    for index in range(3):
        name = ["first", "second", "third"][index]
        (tmp_path / "scripts" / f"test-{name}.md").write_text(
            FIXTURE.replace("Test Breath", f"Test {name}").replace(
                "[test breath, testing breath]", f"[test {name} one, test {name} two]")
            .replace("Notice one breath", f"Notice the {name} breath")
            .replace("lengths: [1, 2]", "lengths: [1]").replace(" (2+ min)", ""),
            encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "audio_build", "build", "--scripts",
                                str(tmp_path / "scripts"), "--out", str(tmp_path / "build"),
                                *library_args(tmp_path)],
                               cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((tmp_path / "build").glob("audio/*.mp3")):
        time.sleep(0.05)
    workers = children_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "orphaned workers"
    assert not (tmp_path / "build" / "catalog.json").exists()
    result = run_build(tmp_path)
    assert result.returncode == 0, result.stderr
    catalog = load_catalog(tmp_path / "build")
    assert len(catalog.practices) == 3
    for stored in catalog.files():
        assert sha256_file(tmp_path / "build" / stored.file) == stored.sha256
    assert not list((tmp_path / "build").rglob(".staging-*"))
    assert "3 practices, 3 variants" in result.stdout
