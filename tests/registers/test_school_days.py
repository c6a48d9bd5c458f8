"""Deadlines counted in school days across half terms and holidays: the reference's worked examples E9-E11."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.registers.cme import CmeReferral, escalation
from attendwise.registers.exclusions import Exclusion, board_deadline, irp_deadline, sixth_day
from attendwise.registers.school_days import NoCalendarError, SchoolCalendar
from attendwise.registers.settings import RegistersSettings
from tests.registers import Register
from tests.registers.calendars import calendar_2025_26

D = dt.date
SETTINGS = RegistersSettings()


def test_sixth_day_skips_the_february_half_term() -> None:
    """E9: a permanent exclusion with day 1 Fri 13 Feb 2026 has day 6 on Fri 27 Feb, not Wed 18 Feb."""
    deadline = sixth_day(Exclusion("permanent", D(2026, 2, 13)), calendar_2025_26(), SETTINGS)
    assert deadline.due == D(2026, 2, 27)
    assert deadline.state(D(2026, 2, 27)) == "due"
    assert deadline.state(D(2026, 3, 2)) == "overdue"


def test_board_and_irp_deadlines_cross_half_term_easter_and_an_inset_day() -> None:
    """E10: notice Fri 13 Feb -> board by Fri 13 Mar; decision Thu 12 Mar -> IRP by Fri 17 Apr (Easter and
    the INSET day Mon 13 Apr skipped)."""
    cal = calendar_2025_26()
    assert board_deadline(D(2026, 2, 13), cal, SETTINGS).due == D(2026, 3, 13)
    assert irp_deadline(D(2026, 3, 12), cal, SETTINGS).due == D(2026, 4, 17)


def test_inset_days_count_when_the_setting_says_so() -> None:
    """With closure days as school days, the INSET day Mon 13 Apr counts and the IRP deadline is a day earlier."""
    assert irp_deadline(D(2026, 3, 12), calendar_2025_26(closures=False), SETTINGS).due == D(2026, 4, 16)


def test_cme_escalation_is_the_tenth_school_day_across_half_term() -> None:
    """Whereabouts unknown from Mon 9 Feb: days 1-5 that week, the half term skipped, day 10 on Fri 27 Feb."""
    referral = CmeReferral(D(2026, 2, 9), "school", "whereabouts_unknown", whereabouts_unknown_since=D(2026, 2, 9))
    assert escalation(referral, calendar_2025_26(), 10).due == D(2026, 2, 27)
    assert escalation(referral, calendar_2025_26(), 3).due == D(2026, 2, 11)
    known = CmeReferral(D(2026, 2, 9), "other_la", "moved_to_another_la")
    assert escalation(known, calendar_2025_26(), 10) is None


def test_escalation_starting_in_a_holiday_starts_on_the_next_school_day() -> None:
    """Unknown from Sat 14 Feb (half term follows): day 1 is Mon 23 Feb, day 10 Fri 6 Mar."""
    referral = CmeReferral(D(2026, 2, 14), "police", "whereabouts_unknown", whereabouts_unknown_since=D(2026, 2, 14))
    assert escalation(referral, calendar_2025_26(), 10).due == D(2026, 3, 6)


def test_a_deadline_past_the_last_term_held_asks_for_the_next_calendar() -> None:
    with pytest.raises(NoCalendarError, match=r"terms\.csv"):
        calendar_2025_26().after(D(2026, 7, 10), 15)


def test_the_calendar_from_the_store_has_the_school_s_closures(tmp_path) -> None:
    """terms.csv and closures.csv make the calendar: a school's INSET day is not its school day, another's is."""
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    reg = Register()
    reg.half_terms_2024_25()
    reg.school(100001)
    reg.school(100002)
    upn = reg.pupil(100001)
    reg.sessions(upn, "//", start=D(2024, 9, 2))
    reg.closures.append(
        {"urn": 100001, "start_date": "2024-09-09", "end_date": "2024-09-10", "session": "", "reason": "INSET"}
    )
    reg.closures.append(
        {"urn": "", "start_date": "2025-05-05", "end_date": "", "session": "", "reason": "Bank holiday"}
    )
    reg.closures.append({"urn": 100002, "start_date": "2024-09-11", "end_date": "", "session": "PM", "reason": "half"})
    with Store(tmp_path / "s.duckdb") as store:
        import_folder(store, reg.write(tmp_path / "in"))
        first = SchoolCalendar.from_store(store, 100001)
        second = SchoolCalendar.from_store(store, 100002)
        la = SchoolCalendar.from_store(store)
    assert not first.is_school_day(D(2024, 9, 9)) and not first.is_school_day(D(2024, 9, 10))
    assert second.is_school_day(D(2024, 9, 9)) and second.is_school_day(D(2024, 9, 11))
    assert la.is_school_day(D(2024, 9, 9))
    assert not any(c.is_school_day(D(2025, 5, 5)) for c in (first, second, la))
    assert not la.is_school_day(D(2024, 10, 28))  # half term
