"""The podcast feed (`/feed.xml`) and its chapter files (`/chapters/<id>-<minutes>.json`).

feedgen's podcast extension writes the iTunes tags; its traps are handled here: it only accepts
`yes`/`no`/`clean` for explicit (Apple now documents `false`, written by our own extension), it
silently ignores an image URL not ending in .jpg/.png, and it writes `length="None"` for an
enclosure without a size. Our `PodcastIndex` extension adds the podcast namespace's
`podcast:chapters`, `podcast:transcript` and `podcast:license`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from ..catalog import Catalog, Practice, Variant
from ..library import Words
from . import listing

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
CHAPTERS_TYPE = "application/json+chapters"


@dataclass(frozen=True)
class Links:
    """Where the feed points: the public site, the audio host and the cover."""

    site: str
    """PUBLIC_BASE_URL without a trailing slash."""
    audio: str
    """settings.audio_base_url: audio files live at `<audio>/<variant.file>`."""
    prefix: str = ""
    """The language's path: "" for English, "/es" for Spanish."""

    @property
    def home(self) -> str:
        return f"{self.site}{self.prefix}/"

    @property
    def feed(self) -> str:
        return f"{self.site}{self.prefix}/feed.xml"

    def practice(self, practice_id: str) -> str:
        return f"{self.site}{self.prefix}/practices/{practice_id}"

    def chapters(self, practice_id: str, minutes: int) -> str:
        return f"{self.site}{self.prefix}/chapters/{practice_id}-{minutes}.json"

    @property
    def cover(self) -> str:
        return f"{self.site}/cover.png"


class PodcastIndex(BaseExtension):
    """Channel tags feedgen lacks: explicit as Apple documents it, and the content licence."""

    def __init__(self) -> None:
        self.licence = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, feed):  # type: ignore[no-untyped-def]
        channel = feed[0]
        xml_elem(f"{{{ITUNES_NS}}}explicit", channel).text = "false"
        if self.licence:
            xml_elem(f"{{{PODCAST_NS}}}license", channel).text = self.licence
        return feed


class PodcastIndexEntry(BaseEntryExtension):
    """An episode's chapters file and transcript link."""

    def __init__(self) -> None:
        self.chapters_url = ""
        self.transcript_url = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, entry):  # type: ignore[no-untyped-def]
        xml_elem(f"{{{ITUNES_NS}}}explicit", entry).text = "false"
        if self.chapters_url:
            xml_elem(f"{{{PODCAST_NS}}}chapters", entry,
                     url=self.chapters_url, type=CHAPTERS_TYPE)
        if self.transcript_url:
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry,
                     url=self.transcript_url, type="text/html")
        return entry


def build_feed(catalog: Catalog, links: Links, words: Words) -> bytes:
    """The RSS 2.0 podcast feed of one language: one episode per practice and length, grouped
    like the page, in the words of that language's `web:` section."""
    feed = _channel(catalog, links, words)
    published = _built_at(catalog)
    episode = 0
    for section in listing.sections(catalog, None, listing.others(words)):
        for shown in section.items:
            for variant in shown.variants:
                # Apps sort by date, newest first: step back a minute per episode so they
                # list the episodes in the page's order.
                _episode(feed, shown.practice, variant, links,
                         published - timedelta(minutes=episode))
                episode += 1
    return feed.rss_str(pretty=True)


def _channel(catalog: Catalog, links: Links, words: Words) -> FeedGenerator:
    title, description = words.text("site_name"), words.text("feed_description")
    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.register_extension("podcastindex", PodcastIndex, PodcastIndexEntry)
    feed.title(title)
    feed.link(href=links.home, rel="alternate")
    feed.link(href=links.feed, rel="self")
    feed.description(description)
    feed.language(catalog.language)
    feed.author({"name": title})
    licence = catalog.build.get("content_licence", "CC BY-SA 4.0")
    feed.copyright(words.text("feed_copyright", licence=licence))
    feed.lastBuildDate(_built_at(catalog))
    feed.podcast.itunes_author(title)
    feed.podcast.itunes_summary(description)
    feed.podcast.itunes_category("Health & Fitness", "Mental Health")
    feed.podcast.itunes_image(links.cover)
    if feed.podcast.itunes_image() != links.cover:
        raise ValueError(f"feedgen dropped the cover URL {links.cover!r}: must end in .png/.jpg")
    feed.podcastindex.licence = _licence_slug(licence)
    return feed


def _episode(feed: FeedGenerator, practice: Practice, variant: Variant, links: Links,
             published: datetime) -> None:
    entry = feed.add_entry(order="append")
    entry.title(listing.variant_title(practice, variant))
    language = "" if practice.language == "en" else f":{practice.language}"
    entry.guid(f"urn:compassion-break{language}:{practice.practice_id}:{variant.minutes}-min",
               permalink=False)
    entry.link(href=links.practice(practice.practice_id))
    entry.description(practice.summary)
    entry.enclosure(f"{links.audio}/{variant.file}", str(int(variant.bytes)), "audio/mpeg")
    entry.published(published)
    entry.podcast.itunes_duration(listing.clock(variant.duration_ms))
    entry.podcast.itunes_summary(practice.summary)
    entry.podcastindex.chapters_url = links.chapters(practice.practice_id, variant.minutes)
    entry.podcastindex.transcript_url = links.practice(practice.practice_id) + "#transcript"


def chapters_json(practice: Practice, variant: Variant) -> dict[str, object]:
    """The podcast namespace's JSON chapters format (version 1.2.0), times in seconds."""
    return {
        "version": "1.2.0",
        "title": listing.variant_title(practice, variant),
        "chapters": [{"startTime": round(c.start_ms / 1000, 3),
                      "endTime": round(c.end_ms / 1000, 3), "title": c.title}
                     for c in variant.chapters],
    }


def _built_at(catalog: Catalog) -> datetime:
    raw = str(catalog.build.get("built_at", ""))
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return datetime(2024, 1, 1, tzinfo=UTC)


def _licence_slug(licence: str) -> str:
    """`CC BY-SA 4.0` → `cc-by-sa-4.0`, the SPDX-style form `podcast:license` expects."""
    return "-".join(licence.lower().split())
