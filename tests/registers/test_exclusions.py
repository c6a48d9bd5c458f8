"""Suspensions and exclusions: counting (E13), rates (E14) and the E marks reconciled both ways."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from attendwise.registers.exclusions import Exclusion, board_duty, rate_per_100, reconcile, total_days
from tests.registers.calendars import calendar_2025_26

D = dt.date
CAL = calendar_2025_26()


def test_lunchtimes_count_half_a_day_and_set_the_board_s_duty() -> None:
    """E13: 3 + 2 + 4 lunchtimes = 7 days (board on request, 50 days); 15.5 days makes it mandatory."""
    term = [Exclusion("suspension", D(2026, 1, 5), 3), Exclusion("suspension", D(2026, 1, 12), 2)]
    term += [Exclusion("lunchtime", D(2026, 1, 19), 4)]
    assert total_days(term) == 7
    assert board_duty(term) == "on request, within 50 school days"
    assert board_duty([Exclusion("suspension", D(2026, 1, 5), 15.5)]) == "mandatory, within 15 school days"
    assert board_duty([Exclusion("suspension", D(2026, 1, 5), 5)]) is None
    assert board_duty([Exclusion("permanent", D(2026, 1, 5))]) == "mandatory, within 15 school days"


def test_rates_per_100_round_half_up() -> None:
    """E14: 6,155 / 61,298 -> 10.0; 91 PEX -> 0.15; 2,756 with one or more -> 4.50; halves round up."""
    assert rate_per_100(6155, 61298, 1) == Decimal("10.0")
    assert rate_per_100(91, 61298, 2) == Decimal("0.15")
    assert rate_per_100(2756, 61298, 2) == Decimal("4.50")
    assert rate_per_100(1, 40, 1) == Decimal("2.5")
    assert rate_per_100(1, 800, 2) == Decimal("0.13")  # 0.125: round() would give 0.12
    assert rate_per_100(3, 0, 1) is None


def _marks(days, code="E", sessions=("AM", "PM")):
    return [(d, s, code) for d in days for s in sessions]


def test_a_suspension_over_half_term_covers_its_school_days() -> None:
    """A 4-day suspension from Thu 12 Feb covers 12, 13, 23 and 24 Feb: E marks on them match."""
    suspension = Exclusion("suspension", D(2026, 2, 12), 4)
    days = [D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 23), D(2026, 2, 24)]
    assert reconcile([suspension], _marks(days), CAL, D(2026, 3, 1)) == []


def test_e_marks_without_a_record_and_records_without_e_are_both_listed() -> None:
    suspension = Exclusion("suspension", D(2026, 1, 5), 2.5)
    marks = [*_marks([D(2026, 1, 5)]), (D(2026, 1, 6), "AM", "E"), (D(2026, 1, 6), "PM", "/")]
    marks += [(D(2026, 1, 7), "AM", "O"), (D(2026, 1, 7), "PM", "/")]  # half day 3: AM should be E
    marks += _marks([D(2026, 1, 20)])  # E with no suspension
    found = [(m.date, m.session, m.problem, m.code) for m in reconcile([suspension], marks, CAL, D(2026, 1, 31))]
    assert found == [
        (D(2026, 1, 6), "PM", "record without E", "/"),
        (D(2026, 1, 7), "AM", "record without E", "O"),
        (D(2026, 1, 20), "AM", "E without a record", "E"),
        (D(2026, 1, 20), "PM", "E without a record", "E"),
    ]


def test_lunchtime_and_permanent_cover_the_afternoon_and_every_session_after() -> None:
    records = [Exclusion("lunchtime", D(2026, 1, 8), 1), Exclusion("permanent", D(2026, 3, 2))]
    marks = [(D(2026, 1, 8), "AM", "/"), (D(2026, 1, 8), "PM", "E"), *_marks(CAL.between(D(2026, 3, 2), D(2026, 3, 6)))]
    assert reconcile(records, marks, CAL, D(2026, 3, 6)) == []
