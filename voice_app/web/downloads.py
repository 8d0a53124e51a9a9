"""Taking the library away: one MP3 under its human name, the M3U playlist, the whole ZIP.

`/download/<id>-<minutes>.mp3` answers with `Content-Disposition: attachment` and a name like
`<Title> (10 min).mp3`; `/download/all.zip` is streamed (see `zipstream`) with its size. Each
language has its own under its path (`/es/download/all.zip`, `/es/playlist.m3u`): its practices,
its transcripts, its words.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, send_file

from ..catalog import Catalog
from ..files import build_file
from ..library import Words
from . import language, listing, site
from .zipstream import Entry, archive_size, stream_archive

logger = logging.getLogger(__name__)
blueprint = Blueprint("downloads", __name__)

FOLDER = "Compassion Break"
M3U_TYPE = "audio/x-mpegurl"


@language.route(blueprint, "/download/<practice_id>-<int:minutes>.mp3", methods=["GET"])
def download(lang: str, practice_id: str, minutes: int):  # type: ignore[no-untyped-def]
    practice, variant = site.variant_or_404(practice_id, minutes)
    response = send_file(site.audio_file(variant), mimetype="audio/mpeg", as_attachment=True,
                         download_name=listing.download_name(practice, variant),
                         conditional=True, etag=True)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@language.route(blueprint, "/playlist.m3u", methods=["GET"])
def playlist(lang: str):  # type: ignore[no-untyped-def]
    audio = site.links().audio
    text = m3u(site.catalog(), lambda variant: f"{audio}/{variant.file}")
    return Response(text.encode("utf-8"), mimetype=M3U_TYPE, headers={
        "Content-Disposition": _disposition("inline", f"{folder()}.m3u"),
        "Cache-Control": "no-cache"})


@language.route(blueprint, "/download/all.zip", methods=["GET"])
def everything(lang: str):  # type: ignore[no-untyped-def]
    entries = archive_entries(site.catalog(), language.words())
    return Response(stream_archive(entries), mimetype="application/zip", headers={
        "Content-Length": str(archive_size(entries)),
        "Content-Disposition": _disposition("attachment", f"{folder()}.zip"),
        "Cache-Control": "no-cache",
    })


def folder() -> str:
    """`Compassion Break`, and `Compassion Break (es)` for another language, so two downloads
    unpack side by side."""
    code = language.current()
    return FOLDER if code == language.DEFAULT_LANGUAGE else f"{FOLDER} ({code})"


def _disposition(kind: str, name: str) -> str:
    return f'{kind}; filename="{name}"'  # folder() is ASCII: the language's code


def m3u(catalog: Catalog, locate) -> str:  # type: ignore[no-untyped-def]
    """Extended M3U, in the page's order: `#EXTINF:<seconds>,<title>` then the location."""
    lines = ["#EXTM3U", f"#PLAYLIST:{FOLDER}"]
    for section in listing.sections(catalog, None):
        for shown in section.items:
            for variant in shown.variants:
                seconds = round(variant.duration_ms / 1000)
                title = listing.variant_title(shown.practice, variant)
                lines += [f"#EXTINF:{seconds},{title}", locate(variant)]
    return "\n".join(lines) + "\n"


def archive_entries(catalog: Catalog, words: Words) -> list[Entry]:
    """Every MP3 under its human name, the playlist pointing at them, transcripts, an about file,
    in the catalog's language.

    A file the build lacks is left out (and logged) rather than breaking the whole download."""
    build_dir = site.settings().build_dir
    top = folder()
    entries, present = [], set()
    for practice in catalog.practices:
        for variant in practice.variants:
            path = build_file(build_dir, variant.file)
            if path is None:
                logger.warning("not in the ZIP, missing from the build: %s", variant.file)
                continue
            present.add(variant.file)
            entries.append(Entry(f"{top}/{listing.download_name(practice, variant)}", path))
    names = {v.file: listing.download_name(p, v) for p in catalog.practices for v in p.variants}
    playlist_text = m3u(_only(catalog, present), lambda variant: names[variant.file])
    entries.append(Entry(f"{top}/{FOLDER}.m3u", data=playlist_text.encode("utf-8")))
    transcripts = words.text("transcripts_folder")
    for practice in catalog.practices:
        entries.append(Entry(f"{top}/{transcripts}/{listing.transcript_name(practice)}",
                             data=listing.transcript_text(practice, words).encode("utf-8")))
    entries.append(Entry(f"{top}/About.txt", data=about_text(catalog, words).encode("utf-8")))
    return entries


def _only(catalog: Catalog, files: set[str]) -> Catalog:
    from dataclasses import replace

    practices = tuple(replace(p, variants=tuple(v for v in p.variants if v.file in files))
                      for p in catalog.practices)
    return replace(catalog, practices=practices)


def about_text(catalog: Catalog, words: Words) -> str:
    current = site.settings()
    build = catalog.build
    spoken = language.language(catalog.language)
    own = language.own_crisis_line(current, catalog.language)
    return "\n".join([
        words.text("about_intro"),
        words.text("about_more", url=site.links().home),
        "",
        words.text("about_crisis", crisis_line=spoken.crisis_line(current.CRISIS_LINE, own)),
        "",
        words.text("about_practices", licence=build.get("content_licence", "CC BY-SA 4.0")),
        words.text("about_voice", licence=build.get("licence", "see the project README")),
    ]) + "\n"
