"""Feelings and time to a practice, on the fixture library."""

from __future__ import annotations

import pytest

from voice_app.catalog import parse_catalog
from voice_app.recommend import choices, find_need, recommend


@pytest.fixture(scope="module")
def catalog(built_library):
    return parse_catalog((built_library / "catalog.json").read_text())


@pytest.mark.parametrize(("said", "need"), [
    ("I feel overwhelmed", "when-overwhelmed"), ("i'm so stressed", "when-overwhelmed"),
    ("I feel numb", "when-numb"), ("burned out", "when-numb"),
    ("I only have a minute", "between-patients"), ("I just lost a patient", "after-a-death"),
    ("my patient died", "after-a-death"), ("I'm going home", "end-of-shift"),
    ("I feel like I failed", "compassion-training"), ("hello there", None), ("", None),
])
def test_find_need(catalog, said, need):
    found = find_need(catalog, said)
    assert (found.need_id if found else None) == need


@pytest.mark.parametrize(("said", "minutes", "practice_id", "length"), [
    ("I feel overwhelmed", None, "grounding-when-overwhelmed", 1),
    ("I feel overwhelmed", 3, "grounding-when-overwhelmed", 3),
    ("I feel numb", None, "reconnecting-when-numb", 1),
    ("I only have a minute", None, "between-patients", 1),
    ("I just lost a patient", None, "the-pause", 1),
    ("going home", None, "end-of-shift", 1),
    ("something nice", 5, "loving-kindness", 5),
])
def test_recommend(catalog, said, minutes, practice_id, length):
    found = recommend(catalog, said, minutes)
    assert (found.practice.practice_id, found.variant.minutes) == (practice_id, length)
    assert found.why.endswith(".")


def test_choices_are_three_different_practices(catalog):
    offered = choices(catalog)
    assert len(offered) == 3 == len({p.practice_id for p in offered})


@pytest.mark.parametrize(("said", "before", "practice_id"), [
    ("", 5, "grounding-when-overwhelmed"), ("", 4, "grounding-when-overwhelmed"),
    ("", 3, "loving-kindness"), ("", 1, "loving-kindness"), ("", None, "loving-kindness"),
    ("I feel numb", 5, "reconnecting-when-numb"),
    ("I just lost a patient", 4, "the-pause"),
])
def test_a_stressed_before_answer_suggests_grounding_when_no_need_is_named(catalog, said,
                                                                           before, practice_id):
    """A 4 or 5 with nothing named: the calming need; a need that was named still wins."""
    found = recommend(catalog, said, before=before, calming=("when-overwhelmed",))
    assert found.practice.practice_id == practice_id
    if practice_id == "grounding-when-overwhelmed":
        assert found.need_id == "when-overwhelmed" and "steadies" in found.why


def test_a_stressed_answer_without_calming_needs_keeps_the_first_practice(catalog):
    assert recommend(catalog, before=5).practice.practice_id == "loving-kindness"
    unknown = recommend(catalog, before=5, calming=("no-such-need", "when-overwhelmed"))
    assert unknown.practice.practice_id == "grounding-when-overwhelmed"


def test_a_stressed_answer_in_spanish_suggests_grounding_with_a_spanish_why(catalog):
    spanish = catalog.in_language("es")
    found = recommend(spanish, "", language="es", before=5, calming=("when-overwhelmed",))
    assert found.practice.practice_id == "grounding-when-overwhelmed"
    assert found.practice.language == "es" and found.why.startswith("Esta te ayuda")
