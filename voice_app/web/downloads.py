"""Taking the library away: one MP3 under its human name, the M3U playlist, the whole ZIP.

`/download/<id>-<minutes>.mp3` answers with `Content-Disposition: attachment` and a name like
`<Title> (10 min).mp3`; `/download/all.zip` is streamed (see `zipstream`) with its size.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, send_file

from ..catalog import Catalog
from ..files import build_file
from . import listing, site
from .zipstream import Entry, archive_size, stream_archive

logger = logging.getLogger(__name__)
blueprint = Blueprint("downloads", __name__)

FOLDER = "Compassion Break"
M3U_TYPE = "audio/x-mpegurl"


@blueprint.get("/download/<practice_id>-<int:minutes>.mp3")
def download(practice_id: str, minutes: int):  # type: ignore[no-untyped-def]
    practice, variant = site.variant_or_404(practice_id, minutes)
    response = send_file(site.audio_file(variant), mimetype="audio/mpeg", as_attachment=True,
                         download_name=listing.download_name(practice, variant),
                         conditional=True, etag=True)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@blueprint.get("/playlist.m3u")
def playlist():  # type: ignore[no-untyped-def]
    audio = site.links().audio
    text = m3u(site.catalog(), lambda variant: f"{audio}/{variant.file}")
    return Response(text, mimetype=M3U_TYPE, headers={
        "Content-Disposition": f'inline; filename="{FOLDER}.m3u"', "Cache-Control": "no-cache"})


@blueprint.get("/download/all.zip")
def everything():  # type: ignore[no-untyped-def]
    entries = archive_entries(site.catalog())
    return Response(stream_archive(entries), mimetype="application/zip", headers={
        "Content-Length": str(archive_size(entries)),
        "Content-Disposition": f'attachment; filename="{FOLDER}.zip"',
        "Cache-Control": "no-cache",
    })


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


def archive_entries(catalog: Catalog) -> list[Entry]:
    """Every MP3 under its human name, the playlist pointing at them, transcripts, an about file.

    A file the build lacks is left out (and logged) rather than breaking the whole download."""
    build_dir = site.settings().build_dir
    entries, present = [], set()
    for practice in catalog.practices:
        for variant in practice.variants:
            path = build_file(build_dir, variant.file)
            if path is None:
                logger.warning("not in the ZIP, missing from the build: %s", variant.file)
                continue
            present.add(variant.file)
            entries.append(Entry(f"{FOLDER}/{listing.download_name(practice, variant)}", path))
    names = {v.file: listing.download_name(p, v) for p in catalog.practices for v in p.variants}
    playlist_text = m3u(_only(catalog, present), lambda variant: names[variant.file])
    entries.append(Entry(f"{FOLDER}/{FOLDER}.m3u", data=playlist_text.encode("utf-8")))
    for practice in catalog.practices:
        entries.append(Entry(f"{FOLDER}/Transcripts/{listing.transcript_name(practice)}",
                             data=listing.transcript_text(practice).encode("utf-8")))
    entries.append(Entry(f"{FOLDER}/About.txt", data=about_text(catalog).encode("utf-8")))
    return entries


def _only(catalog: Catalog, files: set[str]) -> Catalog:
    from dataclasses import replace

    practices = tuple(replace(p, variants=tuple(v for v in p.variants if v.file in files))
                      for p in catalog.practices)
    return replace(catalog, practices=practices)


def about_text(catalog: Catalog) -> str:
    current = site.settings()
    build = catalog.build
    return "\n".join([
        f"{FOLDER}: guided compassion practices for people who care for others.",
        f"More, and new versions: {current.PUBLIC_BASE_URL.rstrip('/')}/",
        "",
        "This is not a crisis or emergency service. If you are in crisis, contact "
        f"{current.CRISIS_LINE} or your local emergency number.",
        "",
        f"Practices and audio: {build.get('content_licence', 'CC BY-SA 4.0')}.",
        f"Voice: {build.get('licence', 'see the project README')}.",
    ]) + "\n"
