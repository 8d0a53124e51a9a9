"""The ffmpeg binary: finding it once, and running it to encode, decode and meter audio.

Every subprocess call to ffmpeg in the build goes through here, so its quirks live in one place.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from audio_build.errors import AudioBuildError, FfmpegMissingError
from audio_build.loudness import Loudness
from audio_build.pcm import SAMPLE_RATE

logger = logging.getLogger(__name__)

ENV_OVERRIDE = "FFMPEG_BINARY"
_HOW_TO_INSTALL = "install ffmpeg on PATH or `pip install imageio-ffmpeg`"
_QUIET = ("-nostdin", "-hide_banner", "-loglevel", "error")
_READ_BYTES = 1 << 18
_STDERR_TAIL = 2000


class FfmpegError(AudioBuildError):
    """ffmpeg ran but failed; the message ends with the tail of what it printed."""


@dataclass(frozen=True)
class FfmpegFeatures:
    """What the build needs from an ffmpeg binary."""

    libmp3lame: bool
    """The LAME MP3 encoder is compiled in."""
    ebur128: bool
    """The EBU R128 meter filter is compiled in (used as an independent check)."""


@functools.cache
def find_ffmpeg() -> str:
    """Path of the ffmpeg to run: $FFMPEG_BINARY, else ffmpeg on PATH, else imageio-ffmpeg's."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        found = shutil.which(override)
        if found is None:
            raise FfmpegMissingError(
                f"{ENV_OVERRIDE}={override} is not an executable ffmpeg: fix or unset it, "
                f"or {_HOW_TO_INSTALL}"
            )
        return found
    found = shutil.which("ffmpeg")
    if found is not None:
        return found
    try:
        import imageio_ffmpeg

        found = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as error:
        raise FfmpegMissingError(f"ffmpeg not found: {_HOW_TO_INSTALL}") from error
    logger.debug("using imageio-ffmpeg's binary %s", found)
    return found


def ffmpeg_features() -> FfmpegFeatures:
    """Ask the binary which of the encoders and filters the build relies on it has."""
    encoders = _run([find_ffmpeg(), "-hide_banner", "-encoders"]).stdout
    filters = _run([find_ffmpeg(), "-hide_banner", "-filters"]).stdout
    return FfmpegFeatures(
        libmp3lame=re.search(r"^\s*A\S*\s+libmp3lame\b", encoders, re.M) is not None,
        ebur128=re.search(r"^\s*\S*\s+ebur128\b", filters, re.M) is not None,
    )


def encode_pcm(
    chunks: Iterable[np.ndarray], sample_rate: int, output_args: Sequence[str], out_path: Path
) -> None:
    """Pipe mono int16 chunks through ONE ffmpeg process that writes out_path."""
    command = [
        find_ffmpeg(), *_QUIET, "-y",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        *output_args, str(out_path),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=stderr)
        assert process.stdin is not None
        try:
            _feed(process.stdin, chunks)
        except BaseException:
            process.kill()  # the chunks failed: stop ffmpeg before it finishes a short file
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
            process.wait()
        if process.returncode != 0:
            raise FfmpegError(f"ffmpeg could not write {out_path}: {_tail(stderr)}")


def _feed(stdin: IO[bytes], chunks: Iterable[np.ndarray]) -> None:
    try:
        for chunk in chunks:
            stdin.write(np.asarray(chunk, dtype="<i2").tobytes())
    except BrokenPipeError:
        pass  # ffmpeg exited early; its exit status and stderr say why


def stream_decode(path: Path, sample_rate: int) -> Iterator[np.ndarray]:
    """Decode any audio file to mono float32 chunks at sample_rate, without holding it whole."""
    command = [
        find_ffmpeg(), *_QUIET, "-i", str(path), "-vn", "-ac", "1", "-ar", str(sample_rate),
        "-f", "f32le", "pipe:1",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
        assert process.stdout is not None
        finished = False
        try:
            while data := process.stdout.read(_READ_BYTES):
                yield np.frombuffer(data, dtype="<f4")
            finished = True
        finally:
            if not finished:
                process.kill()  # the caller stopped early, or a read failed
            process.stdout.close()
            returncode = process.wait()
        if returncode != 0:
            raise FfmpegError(f"ffmpeg could not decode {path}: {_tail(stderr)}")


def decode_to_pcm(path: Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole file as mono int16 at sample_rate (for tests and short files)."""
    samples = np.concatenate([np.zeros(0, np.float32), *stream_decode(path, sample_rate)])
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)


def measure_ebur128(path: Path) -> Loudness:
    """ffmpeg's own EBU R128 meter on a file: an independent check of audio_build.loudness."""
    command = [
        find_ffmpeg(), "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-vn",
        "-af", "ebur128=peak=true:framelog=verbose", "-f", "null", "-",
    ]  # fmt: skip
    summary = _run(command).stderr.rpartition("Summary:")[2]
    integrated = re.search(r"I:\s+(-?[\d.]+|-?inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-?inf) dBFS", summary)
    if integrated is None or peak is None:
        raise FfmpegError(f"no ebur128 summary for {path}: {summary[-_STDERR_TAIL:]}")
    lufs = float(integrated.group(1))
    return Loudness(
        # ffmpeg reports a programme with no block above the gate as -70.0
        integrated_lufs=-math.inf if lufs <= -70.0 else lufs,
        true_peak_dbtp=float(peak.group(1)),
    )


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise FfmpegError(f"{' '.join(command[1:4])}... failed: {result.stderr[-_STDERR_TAIL:]}")
    return result


def _tail(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    text = stderr.read().decode("utf-8", "replace").strip()
    return text[-_STDERR_TAIL:] or "(no message)"
