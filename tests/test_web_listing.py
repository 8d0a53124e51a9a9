"""Pure decisions of the web catalog: filters, grouping, names, sizes, times; the ZIP writer."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest

from voice_app.catalog import Catalog, Practice, Variant, parse_catalog
from voice_app.web import listing
from voice_app.web.zipstream import Entry, archive_size, stream_archive


def variant(minutes: int) -> Variant:
    return Variant(minutes=minutes, duration_ms=minutes * 60_000, file=f"audio/x-{minutes}.mp3",
                   bytes=minutes * 480_000, sha256="0" * 64, chapters=(), phone=())


def practice(practice_id: str, category: str, *lengths: int, title: str = "") -> Practice:
    return Practice(practice_id=practice_id, title=title or practice_id.title(), summary="s",
                    category=category, aliases=(), tags=(), sources=(), steps=(),
                    variants=tuple(variant(m) for m in lengths))


@pytest.mark.parametrize(("key", "admitted", "refused"), [
    ("1", [1, 2], [3, 5, 10]),
    ("3", [3, 4], [1, 2, 5]),
    ("5", [5, 9], [4, 10]),
    ("10", [10, 15, 30], [5, 9]),
])
def test_time_filters(key, admitted, refused):
    chosen = listing.time_filter(key)
    assert all(chosen.admits(m) for m in admitted)
    assert not any(chosen.admits(m) for m in refused)


@pytest.mark.parametrize("key", [None, "", "7", "all", "<script>"])
def test_unknown_filters_show_everything(key):
    assert listing.time_filter(key) is None


def test_sections_follow_the_needs_and_keep_unknown_categories(built_library):
    practices = (practice("end", "end-of-shift", 3, 5), practice("door", "between-patients", 1),
                 practice("new", "something-new", 10), practice("lk", "compassion-training", 3))
    library = parse_catalog((built_library / "catalog.json").read_text()).library
    catalog = Catalog(practices, {}, {}, {}, library)
    every = listing.sections(catalog, None)
    assert [s.need.label for s in every] == ["Between patients", "Compassion training",
                                             "End of shift", "More practices"]
    three = listing.sections(catalog, listing.time_filter("3"))
    assert [(s.need.label, [(i.practice.practice_id, [v.minutes for v in i.variants])
                            for i in s.items]) for s in three] == [
        ("Compassion training", [("lk", [3])]), ("End of shift", [("end", [3])])]


@pytest.mark.parametrize(("title", "minutes", "name"), [
    ("Loving-Kindness", 10, "Loving-Kindness (10 min).mp3"),
    ("Self/Other: why?", 5, "Self-Other- why- (5 min).mp3"),
    ("Café \"calm\"", 1, "Café -calm- (1 min).mp3"),
])
def test_download_names_are_human_and_safe(title, minutes, name):
    item = practice("p", "end-of-shift", minutes, title=title)
    assert listing.download_name(item, item.variants[0]) == name


@pytest.mark.parametrize(("size", "text"), [(0, "0.0 MB"), (482_499, "0.5 MB"),
                                             (2_404_584, "2.4 MB"), (12_960_000, "13.0 MB")])
def test_megabytes(size, text):
    assert listing.megabytes(size) == text


@pytest.mark.parametrize(("ms", "text"), [(0, "0:00"), (49_616, "0:50"), (60_000, "1:00"),
                                          (605_400, "10:05"), (3_723_000, "1:02:03")])
def test_clock(ms, text):
    assert listing.clock(ms) == text


def test_zip_size_is_exact_and_it_streams_in_chunks(tmp_path):
    big = tmp_path / "big.mp3"
    big.write_bytes(bytes(range(256)) * 4000)  # about 1 MB: several chunks
    entries = [Entry("Compassion Break/Loving-Kindness (1 min).mp3", path=big),
               Entry("Compassion Break/Transcripts/Café.txt", data="ünïcode\n".encode()),
               Entry("Compassion Break/empty.txt", data=b"")]
    chunks = list(stream_archive(entries))
    data = b"".join(chunks)
    assert len(data) == archive_size(entries)
    assert len(chunks) > 3 and max(len(c) for c in chunks) < 300 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.read(entries[0].name) == big.read_bytes()
        assert archive.read(entries[1].name) == "ünïcode\n".encode()
        assert all(i.compress_type == zipfile.ZIP_STORED for i in archive.infolist())


def test_transcript_text_marks_long_only_steps(built_library):
    from voice_app.catalog import Step

    library = parse_catalog((built_library / "catalog.json").read_text()).library
    item = replace(practice("lk", "compassion-training", 5, 10, title="Loving-Kindness"),
                   steps=(Step("Settling", None, ("Find a position.",)),
                          Step("Widening", 10, ("Reach further.",))),
                   sources=("Seppälä et al. 2014",))
    text = listing.transcript_text(item, library.language("en").words_of("web"))
    assert "Widening (in the 10-minute and longer recordings)\nReach further." in text
    assert text.rstrip().endswith("Sources: Seppälä et al. 2014")
    spanish = listing.transcript_text(item, library.language("es").words_of("web"))
    assert "Widening (en las grabaciones de 10 minutos o más)\nReach further." in spanish
    assert spanish.rstrip().endswith("Fuentes: Seppälä et al. 2014")
