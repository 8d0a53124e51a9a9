"""ID3v2.3 tags for the MP3s: text frames, and a chapter (CHAP) per step under one table of
contents (CTOC), which podcast apps and players show as chapters.

Chapters are the catalog's `Chapter` (one chapter type in the build); the CHAP element ids are
given here by position (`chp0`, `chp1`, ...). Frames are stored in the order they were added —
text frames, then the CHAP frames in time order, then the CTOC — because readers that take
chapters in file order (ffmpeg does) would otherwise list them shuffled: mutagen sorts frames
by size and hash when it saves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, CTOCFlags

from audio_build.catalog import Chapter
from audio_build.errors import EncodeError

CHAPTER_SLACK_MS = 50
"""Chapter ends this far past the programme end (ms rounding upstream) are clamped to it."""
TOC_ELEMENT_ID = "toc"



@dataclass(frozen=True)
class Tags:
    """The ID3 text frames written to every MP3."""

    title: str
    """TIT2"""
    artist: str
    """TPE1"""
    album: str
    """TALB"""
    year: str
    """Four digits; TDRC, written as TYER in ID3v2.3."""
    genre: str
    """TCON"""
    comment: str
    """COMM, language "eng", empty description."""


def check_metadata(tags: Tags, chapters: Sequence[Chapter]) -> None:
    if not re.fullmatch(r"\d{4}", tags.year):
        raise EncodeError(f"year must be four digits for ID3v2.3, got {tags.year!r}")
    previous_end = 0
    for chapter in chapters:
        if not previous_end <= chapter.start_ms < chapter.end_ms:
            raise EncodeError(f"chapter {chapter.title!r} overlaps or is empty: {chapter}")
        previous_end = chapter.end_ms


def fit_chapters(chapters: Sequence[Chapter], duration_ms: int) -> list[Chapter]:
    fitted = []
    for chapter in chapters:
        if chapter.end_ms > duration_ms + CHAPTER_SLACK_MS or chapter.start_ms >= duration_ms:
            raise EncodeError(
                f"chapter {chapter.title!r} ends after the programme ({duration_ms} ms)"
            )
        fitted.append(Chapter(chapter.title, chapter.start_ms, min(chapter.end_ms, duration_ms)))
    return fitted


def element_id(index: int) -> str:
    """The CHAP element id of the chapter at `index`."""
    return f"chp{index}"


def write_tags(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """Tag the file; `chapters` are in time order (check_metadata), and stay so in the file."""
    id3 = _FileOrderID3()
    for frame in (TIT2, TPE1, TALB, TDRC, TCON):
        id3.add(frame(encoding=3, text=[getattr(tags, _TEXT_FIELDS[frame])]))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=[tags.comment]))
    for index, chapter in enumerate(chapters):
        id3.add(
            CHAP(
                element_id=element_id(index),
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    if chapters:
        id3.add(
            CTOC(
                element_id=TOC_ELEMENT_ID,
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=[element_id(index) for index in range(len(chapters))],
                sub_frames=[TIT2(encoding=3, text=[tags.title])],
            )
        )
    id3.update_to_v23()  # save(v2_version=3) alone would keep TDRC, which v2.3 lacks
    id3.save(path, v2_version=3)


class _FileOrderID3(ID3):
    """mutagen's ID3, saving frames in the order they were added (mutagen 1.47-1.48 sort them
    by size and hash in `_write`; this overrides that one private method, and the chapter-order
    test fails if a mutagen release changes it)."""

    def _write(self, config: object) -> bytes:
        from mutagen.id3._tags import save_frame

        return b"".join(save_frame(frame, config=config) for frame in self.values())


_TEXT_FIELDS = {TIT2: "title", TPE1: "artist", TALB: "album", TDRC: "year", TCON: "genre"}
