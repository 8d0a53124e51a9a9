"""Error types of the audio build; each carries enough to print one clear line."""

from __future__ import annotations


class AudioBuildError(Exception):
    """Base class: anything the CLI reports as one line instead of a traceback."""


class ScriptError(AudioBuildError):
    """One problem in a practice script, located at path:line:col, with a hint to fix it."""

    def __init__(self, path: str, line: int, col: int, message: str, hint: str = "") -> None:
        self.path = path
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class ScriptErrors(AudioBuildError):
    """Every problem found in one check, reported together."""

    def __init__(self, errors: list[ScriptError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.path, e.line, e.col))
        super().__init__("\n".join(e.format() for e in self.errors))


class PracticeError(AudioBuildError):
    """One practice could not be built; located at the script line that caused it, where known
    (the first line otherwise). The build goes on with the other practices."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(self.format())

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class SynthesisError(AudioBuildError):
    """A speech engine failed; the message names the practice and the sentence."""


class FfmpegMissingError(AudioBuildError):
    """Neither a system ffmpeg nor imageio-ffmpeg's binary could be found."""


class EncodeError(AudioBuildError):
    """The programme or its metadata could not become a file that meets the spec."""
