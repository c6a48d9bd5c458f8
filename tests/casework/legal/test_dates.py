"""Periods in their own units, against the worked examples E6, E7, E8 and E12."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.casework.legal.dates import Span, add_working_days, england_bank_holidays
from tests.casework.legal.calendar_2025 import CALENDAR

D = dt.date


def test_bank_holidays_2026_and_substitutes() -> None:
    assert D(2026, 4, 3) in england_bank_holidays(2026) and D(2026, 4, 6) in england_bank_holidays(2026)
    assert D(2026, 5, 4) in england_bank_holidays(2026) and D(2026, 5, 25) in england_bank_holidays(2026)
    # Christmas 2027 is a Saturday: the substitutes are Mon 27 and Tue 28 Dec
    assert {D(2027, 12, 27), D(2027, 12, 28)} <= england_bank_holidays(2027)
    assert D(2023, 5, 8) in england_bank_holidays(2023)


def test_e6_second_working_day_after_posting() -> None:
    """Posted Thu 2 Apr 2026: Good Friday and Easter Monday are not working days; received Wed 8 Apr."""
    assert add_working_days(D(2026, 4, 2), 2) == D(2026, 4, 8)


@pytest.mark.parametrize(
    ("span", "end"),
    [
        (Span(20, "school_days"), D(2026, 3, 11)),  # Coventry
        (Span(30, "school_days"), D(2026, 3, 25)),  # Norfolk's maximum
        (Span(6, "school_weeks", "next_week"), D(2026, 3, 27)),  # six school weeks after the week of issue
        (Span(20, "calendar_days"), D(2026, 2, 24)),  # the wrong, calendar reading
    ],
)
def test_e7_nti_period_over_half_term(span: Span, end: dt.date) -> None:
    assert span.end(D(2026, 2, 4), CALENDAR) == end


def test_e8_contract_calendar_against_school_weeks() -> None:
    meeting = D(2026, 3, 9)
    assert Span(6, "calendar_weeks").end(meeting, CALENDAR) == D(2026, 4, 20)
    assert Span(6, "school_weeks", "same_day").end(meeting, CALENDAR) == D(2026, 5, 1)


def test_e12_sao_notice_fifteen_days_beginning_with_service() -> None:
    assert Span(15, "calendar_days", "same_day").end(D(2026, 3, 2)) == D(2026, 3, 16)


def test_a_school_unit_needs_the_calendar() -> None:
    with pytest.raises(ValueError, match="calendar"):
        Span(20, "school_days").end(D(2026, 2, 4))
    with pytest.raises(ValueError, match="unit"):
        Span(3, "fortnights")
