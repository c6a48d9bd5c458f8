"""The LA's priority cohorts as configuration: the shipped file, an LA's own, and what is refused."""

from __future__ import annotations

import tomllib

import pytest

from attendwise.core.cohorts import NOT_IN_COHORT, CohortError, load_cohorts, parse_cohorts


def test_the_shipped_default_holds_the_demo_citys_two_cohorts() -> None:
    cohorts = load_cohorts()
    assert cohorts.keys == ("ebsa", "youth_justice")
    assert not cohorts.get("ebsa").sensitive
    assert cohorts.get("youth_justice").sensitive
    assert cohorts.get("ebsa").column == "cohort_ebsa"
    assert cohorts.get("ebsa").grouping == "cohort:ebsa"


def test_an_las_own_file_and_its_packs(tmp_path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(
        """
name = "Lincolnshire priorities"
[[cohort]]
key = "anxiety"
label = "Anxiety or school phobia"
[[cohort]]
key = "yos"
label = "Known to the youth offending service"
visibility = "la_only"
[packs]
cohorts = ["anxiety"]
secondary = ["anxiety", "yos"]
""",
        encoding="utf-8",
    )
    cohorts = load_cohorts(path)
    assert cohorts.name == "Lincolnshire priorities"
    assert [c.key for c in cohorts.for_pack("primary")] == ["anxiety"]
    assert [c.key for c in cohorts.for_pack("secondary")] == ["anxiety", "yos"]
    assert cohorts.get("anxiety").visibility == "schools"  # the default


def test_without_packs_every_pack_shows_every_cohort() -> None:
    cohorts = parse_cohorts({"cohort": [{"key": "carers", "label": "Young carers"}]}, "x.toml")
    assert [c.key for c in cohorts.for_pack(None)] == ["carers"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[cohort]]\nkey = "EBSA"\nlabel = "x"', "must be lower-case letters"),
        ('[[cohort]]\nkey = "a b"\nlabel = "x"', "must be lower-case letters"),
        ('[[cohort]]\nkey = "ebsa"', "label is required"),
        ('[[cohort]]\nkey = "ebsa"\nlabel = "x"\nvisibility = "everyone"', "visibility must be one of"),
        ('[[cohort]]\nkey = "ebsa"\nlabel = "x"\ncolour = "red"', "unknown setting 'colour'"),
        ('[[cohort]]\nkey = "a"\nlabel = "x"\n[[cohort]]\nkey = "a"\nlabel = "y"', "given twice"),
        ('[[cohort]]\nkey = "a"\nlabel = "x"\n[[cohort]]\nkey = "b"\nlabel = "X"', "same label"),
        (f'[[cohort]]\nkey = "a"\nlabel = "{NOT_IN_COHORT}"', "everyone outside a cohort"),
        ('[[cohort]]\nkey = "a"\nlabel = "x"\n[packs]\ncohorts = ["b"]', "'b' is not one of the LA's cohorts"),
        ('[[cohort]]\nkey = "a"\nlabel = "x"\n[packs]\nnursery = ["a"]', "is not cohorts or a phase"),
    ],
)
def test_a_malformed_file_is_refused_saying_why(text: str, says: str) -> None:
    with pytest.raises(CohortError, match=says):
        parse_cohorts(tomllib.loads(text), "ours.toml")


def test_a_name_that_is_neither_preset_nor_file_is_refused(tmp_path) -> None:
    with pytest.raises(CohortError, match="neither a cohorts preset"):
        load_cohorts(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[cohort]\n", encoding="utf-8")
    with pytest.raises(CohortError, match=r"bad\.toml"):
        load_cohorts(bad)
