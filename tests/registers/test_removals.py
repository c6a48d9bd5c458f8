"""Removals from roll: the 20-day ground checked against the marks (E11), and what a removal opens."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.registers.removals import check_unexplained_absence, consequences, unexplained_absence_run
from attendwise.registers.settings import RegistersSettings, load_registers_config
from tests.registers.calendars import calendar_2025_26

D = dt.date
CAL = calendar_2025_26()
SETTINGS = RegistersSettings()
CONFIG = load_registers_config()


def _marks(start: dt.date, end: dt.date, code: str = "O") -> list[tuple[dt.date, str, str]]:
    return [(d, s, code) for d in CAL.between(start, end) for s in ("AM", "PM")]


def _check(removal: dt.date, marks, *, school: bool = True, la: bool = True):
    return check_unexplained_absence(
        removal_date=removal,
        marks=marks,
        calendar=CAL,
        settings=SETTINGS,
        school_enquiry_failed=school,
        la_enquiry_failed=la,
    )


def test_twenty_school_days_from_2_february_end_on_6_march() -> None:
    """E11: G, N or O every session from Mon 2 Feb; the half term neither counts nor breaks the run."""
    marks = _marks(D(2026, 1, 26), D(2026, 1, 30), "/") + _marks(D(2026, 2, 2), D(2026, 3, 6), "G")
    run = unexplained_absence_run(marks, CAL, SETTINGS.absence_codes, D(2026, 3, 9))
    assert (run.first, run.last, run.school_days) == (D(2026, 2, 2), D(2026, 3, 6), 20)
    assert _check(D(2026, 3, 9), marks) == []


def test_removal_on_the_twentieth_day_itself_is_refused() -> None:
    """Deletion is possible only after the 20th school day: on Fri 6 Mar the marks show 19."""
    problems = _check(D(2026, 3, 6), _marks(D(2026, 2, 2), D(2026, 3, 6), "N"))
    assert [p.field for p in problems] == ["removal_date"]
    assert "19 school days" in problems[0].message and "needs 20" in problems[0].message


@pytest.mark.parametrize("code", ["/", "L", "U", "I"])
def test_one_other_code_resets_the_count(code: str) -> None:
    """One session coded otherwise (present, late, unauthorised-late, illness) breaks the run."""
    marks = _marks(D(2026, 2, 2), D(2026, 3, 6), "O")
    marks = [(d, s, code if (d, s) == (D(2026, 2, 25), "PM") else c) for d, s, c in marks]
    problems = _check(D(2026, 3, 9), marks)
    assert problems
    assert "7 school days of continuous unexplained absence (26 Feb 2026 to 06 Mar 2026)" in problems[0].message


def test_a_school_day_with_no_mark_breaks_the_run() -> None:
    marks = [m for m in _marks(D(2026, 2, 2), D(2026, 3, 6)) if m[0] != D(2026, 3, 2)]
    assert "4 school days" in _check(D(2026, 3, 9), marks)[0].message


def test_attendance_on_the_last_day_before_the_removal_is_refused() -> None:
    marks = _marks(D(2026, 2, 2), D(2026, 3, 5)) + _marks(D(2026, 3, 6), D(2026, 3, 6), "/")
    assert "not coded" in _check(D(2026, 3, 9), marks)[0].message


def test_both_enquiries_must_have_failed() -> None:
    marks = _marks(D(2026, 2, 2), D(2026, 3, 6))
    assert [p.field for p in _check(D(2026, 3, 9), marks, la=False)] == ["la_enquiry_failed"]
    assert [p.field for p in _check(D(2026, 3, 9), marks, school=False, la=False)] == [
        "school_enquiry_failed",
        "la_enquiry_failed",
    ]


def test_the_codes_are_a_setting() -> None:
    """An LA counting only G and N refuses a run of O marks."""
    settings = RegistersSettings(removal_absence_codes="G,N")
    run = unexplained_absence_run(_marks(D(2026, 2, 2), D(2026, 3, 6)), CAL, settings.absence_codes, D(2026, 3, 9))
    assert run is None


@pytest.mark.parametrize(
    ("ground", "urn", "la", "ehe", "cme"),
    [
        ("home_education", None, "", True, False),
        ("another_school", 123456, "", False, False),
        ("another_school", None, "", False, True),
        ("moved_away", None, "Birmingham", False, False),
        ("moved_away", None, "  ", False, True),
        ("unexplained_absence", None, "", False, True),
        ("died", None, "", False, False),
        ("compulsory_age_ended", None, "", False, False),
    ],
)
def test_what_a_removal_opens(ground: str, urn: int | None, la: str, ehe: bool, cme: bool) -> None:
    """Home education opens an EHE entry and no CME referral; no known destination opens a CME referral."""
    found = consequences(CONFIG.ground(ground), destination_urn=urn, destination_la=la)
    assert (found.opens_ehe, found.opens_cme) == (ehe, cme)
