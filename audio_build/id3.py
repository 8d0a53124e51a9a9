"""ID3v2.3 tags for the MP3s: text frames, and a chapter (CHAP) per step under one table of
contents (CTOC), which podcast apps and players show as chapters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, CTOCFlags

from audio_build.errors import EncodeError

CHAPTER_SLACK_MS = 50
"""Chapter ends this far past the programme end (ms rounding upstream) are clamped to it."""
TOC_ELEMENT_ID = "toc"



@dataclass(frozen=True)
class Chapter:
    """One ID3 CHAP frame: a titled span of the programme."""

    element_id: str
    """Unique ASCII id within the file, e.g. "ch1"."""
    title: str
    start_ms: int
    end_ms: int


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
    ids = [chapter.element_id for chapter in chapters]
    if len(set(ids)) != len(ids) or TOC_ELEMENT_ID in ids:
        raise EncodeError(f"chapter ids must be unique and not {TOC_ELEMENT_ID!r}: {ids}")
    previous_end = 0
    for chapter in chapters:
        if not (chapter.element_id.isascii() and chapter.element_id.isprintable()):
            raise EncodeError(f"chapter id must be printable ASCII: {chapter.element_id!r}")
        if not previous_end <= chapter.start_ms < chapter.end_ms:
            raise EncodeError(f"chapter {chapter.element_id} overlaps or is empty: {chapter}")
        previous_end = chapter.end_ms


def fit_chapters(chapters: Sequence[Chapter], duration_ms: int) -> list[Chapter]:
    fitted = []
    for chapter in chapters:
        if chapter.end_ms > duration_ms + CHAPTER_SLACK_MS or chapter.start_ms >= duration_ms:
            raise EncodeError(
                f"chapter {chapter.element_id} ends after the programme ({duration_ms} ms)"
            )
        end_ms = min(chapter.end_ms, duration_ms)
        fitted.append(Chapter(chapter.element_id, chapter.title, chapter.start_ms, end_ms))
    return fitted


def write_tags(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    id3 = ID3()
    for frame in (TIT2, TPE1, TALB, TDRC, TCON):
        id3.add(frame(encoding=3, text=[getattr(tags, _TEXT_FIELDS[frame])]))
    id3.add(COMM(encoding=3, lang="eng", desc="", text=[tags.comment]))
    for chapter in chapters:
        id3.add(
            CHAP(
                element_id=chapter.element_id,
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
                child_element_ids=[chapter.element_id for chapter in chapters],
                sub_frames=[TIT2(encoding=3, text=[tags.title])],
            )
        )
    id3.update_to_v23()  # save(v2_version=3) alone would keep TDRC, which v2.3 lacks
    id3.save(path, v2_version=3)


_TEXT_FIELDS = {TIT2: "title", TPE1: "artist", TALB: "album", TDRC: "year", TCON: "genre"}
