"""Casework's configuration: the shipped lists, an LA's own file, and the errors it can meet."""

from __future__ import annotations

from pathlib import Path

import pytest

from attendwise.casework.settings import SETTINGS, CaseworkConfigError, load_casework_config

SHIPPED = load_casework_config()


def test_the_shipped_intervention_types_are_the_issues() -> None:
    """Fourteen types, the contact ones marked, the part-time timetable needing its dates, the letter a document."""
    assert [t.name for t in SHIPPED.intervention_types] == [
        "First-day contact",
        "Phone call",
        "Letter",
        "Meeting in school",
        "Home visit",
        "Pastoral support",
        "Mentoring or counselling",
        "Part-time timetable",
        "SEMH support",
        "SEND referral",
        "Extended non-attendance panel referral",
        "Social care referral",
        "Family hub registration",
        "Other",
    ]
    assert {t.key for t in SHIPPED.intervention_types if t.contact} == {
        "first_day_contact",
        "phone_call",
        "letter",
        "meeting_in_school",
        "home_visit",
    }
    assert [t.key for t in SHIPPED.intervention_types if t.timetable] == ["part_time_timetable"]
    assert [t.key for t in SHIPPED.intervention_types if t.document] == ["letter"]


def test_intensive_support_from_three_criteria() -> None:
    """Coventry: the Supporting Families team leads when the family meets 3 or more criteria."""
    assert len(SHIPPED.criteria) == 10
    assert [SHIPPED.qualifies_for_intensive_support(n) for n in (0, 2, 3, 7)] == [False, False, True, True]


def test_every_setting_has_a_default_and_help() -> None:
    from attendwise.casework.settings import CaseworkSettings

    defaults = CaseworkSettings()
    for s in SETTINGS:
        assert getattr(defaults, s.name) == s.default and s.help


def test_every_setting_is_documented() -> None:
    """docs/design.md's casework section names every setting (and says which are UNCONFIRMED)."""
    text = (Path(__file__).parents[2] / "docs" / "design.md").read_text(encoding="utf-8")
    for s in SETTINGS:
        assert f"`{s.name}`" in text, s.name
        if s.unconfirmed.startswith("UNCONFIRMED"):
            line = next(line for line in text.splitlines() if f"`{s.name}`" in line)
            assert "UNCONFIRMED" in line, s.name


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "casework.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_an_la_changes_settings_and_replaces_a_list(tmp_path: Path) -> None:
    config = load_casework_config(
        write(
            tmp_path,
            """
[settings]
no_contact_school_weeks = 4
week_starts_on = "Sunday"

[[intervention_type]]
key = "call"
name = "Call"
contact = true
""",
        )
    )
    assert (config.settings.no_contact_school_weeks, config.settings.week_start) == (4, 6)
    assert config.settings.review_weeks == SHIPPED.settings.review_weeks  # what the file does not name stays
    assert [t.key for t in config.intervention_types] == ["call"]
    assert config.criteria == SHIPPED.criteria


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[settings]\nno_contact_weeks = 4\n", "there is no casework setting 'no_contact_weeks' \\(the settings are"),
        ("[settings]\nreview_weeks = 0\n", "setting 'review_weeks' must be a whole number of 1 or more \\(got 0\\)"),
        ("[settings]\nreview_weeks = true\n", "must be a whole number"),
        ('[settings]\nweek_starts_on = "Mon"\n', "must be a day of the week"),
        ('[[intervention_type]]\nkey = "Call"\nname = "Call"\n', "needs a key of lower-case letters"),
        ('[[intervention_type]]\nkey = "a"\nname = "A"\n[[intervention_type]]\nkey = "a"\nname = "B"\n', "given twice"),
        ('[[intervention_type]]\nkey = "a"\nname = "A"\ncontact = "yes"\n', "contact must be true or false"),
        ('[[intervention_type]]\nkey = "a"\nname = "A"\nurgent = true\n', "has 'urgent', which is not one of"),
        ('[[intervention_type]]\nkey = "a"\n', "intervention_type 'a' needs a name"),
        ("intervention_type = []\n", "must list at least one entry"),
        ("[letters]\nx = 1\n", "'letters' is not part of a casework file"),
        ("[settings\n", "casework.toml: "),
    ],
)
def test_a_bad_file_is_refused_saying_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(CaseworkConfigError, match=message):
        load_casework_config(write(tmp_path, body))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CaseworkConfigError, match=r"no casework configuration file at 'nope\.toml'"):
        load_casework_config(tmp_path / "nope.toml")
