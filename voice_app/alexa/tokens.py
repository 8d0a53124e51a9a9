"""AudioPlayer stream tokens: which practice, which length, which audio (by content hash).

Alexa echoes the token back in every AudioPlayer event and in the request context, so a token
alone says what was playing. The hash lets a resume notice that the audio was rebuilt since the
pause. Tokens are at most 1024 characters, Alexa's limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "cb1"
MAX_TOKEN_CHARS = 1024
_PRACTICE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SHA = re.compile(r"^[0-9a-f]{8,64}$")


@dataclass(frozen=True)
class Token:
    practice_id: str
    minutes: int
    audio_sha: str
    """sha256 (hex) of the audio file the stream plays."""

    def encode(self) -> str:
        text = f"{PREFIX}:{self.practice_id}:{self.minutes}:{self.audio_sha}"
        if len(text) > MAX_TOKEN_CHARS or parse_token(text) != self:
            raise ValueError(f"cannot make a stream token for {self!r}")
        return text


def parse_token(text: str | None) -> Token | None:
    """The token's parts, or None for anything this skill did not issue."""
    if not text or len(text) > MAX_TOKEN_CHARS:
        return None
    parts = text.split(":")
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    _, practice_id, minutes, sha = parts
    if not _PRACTICE_ID.match(practice_id) or not minutes.isdigit() or not _SHA.match(sha):
        return None
    return Token(practice_id, int(minutes), sha)
