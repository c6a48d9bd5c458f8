"""Academic years, census terms and period parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.core.calendar import AcademicYear, PeriodError, easter_sunday, parse_period, spring_bank_holiday


@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2023, dt.date(2023, 4, 9)),
        (2024, dt.date(2024, 3, 31)),
        (2025, dt.date(2025, 4, 20)),
        (2026, dt.date(2026, 4, 5)),
    ],
)
def test_easter(year: int, day: dt.date) -> None:
    assert easter_sunday(year) == day


def test_spring_bank_holiday_is_last_monday_in_may() -> None:
    assert spring_bank_holiday(2024) == dt.date(2024, 5, 27)
    assert spring_bank_holiday(2026) == dt.date(2026, 5, 25)


class TestParsePeriod:
    def test_year_forms(self) -> None:
        """2024/25, 2024-25 and the DfE's 202425 all mean 1 Aug 2024 to 31 Jul 2025."""
        for text in ("2024/25", "2024-25", "202425"):
            p = parse_period(text)
            assert (p.start, p.end, p.census) == (dt.date(2024, 8, 1), dt.date(2025, 7, 31), True)

    def test_census_terms_partition_the_year(self) -> None:
        """Autumn to 31 Dec, spring to Easter Sunday, summer from Easter Monday: no gap, no overlap."""
        a, s, u = (parse_period(f"2024/25-{t}") for t in ("autumn", "spring", "summer"))
        assert a.end == dt.date(2024, 12, 31) and s.start == dt.date(2025, 1, 1)
        assert s.end == dt.date(2025, 4, 20) and u.start == dt.date(2025, 4, 21)
        assert u.end == dt.date(2025, 7, 31)

    def test_summer_halves_split_at_spring_bank_holiday(self) -> None:
        one, two = parse_period("2024/25-summer-1"), parse_period("2024/25-summer-2")
        assert two.start == dt.date(2025, 5, 26) and one.end == dt.date(2025, 5, 25)

    def test_autumn_half_needs_la_term_dates(self) -> None:
        with pytest.raises(PeriodError, match=r"import the LA's terms\.csv"):
            parse_period("2024/25-autumn-2")
        p = parse_period("2024/25-autumn-2", half_term_starts={(2024, "autumn"): dt.date(2024, 11, 4)})
        assert (p.start, p.end) == (dt.date(2024, 11, 4), dt.date(2024, 12, 31))

    def test_year_to_date(self) -> None:
        p = parse_period("2024/25-ytd", latest_mark=dt.date(2024, 11, 22))
        assert (p.start, p.end, p.census) == (dt.date(2024, 8, 1), dt.date(2024, 11, 22), False)

    def test_date_range(self) -> None:
        p = parse_period("2024-09-01..2024-10-31")
        assert (p.start, p.end) == (dt.date(2024, 9, 1), dt.date(2024, 10, 31))

    @pytest.mark.parametrize(
        "bad", ["2024/26", "2024", "2024/25-winter", "2024-10-31..2024-09-01", "2024/25-ytd", "2024-13-01..2024-14-01"]
    )
    def test_bad_periods(self, bad: str) -> None:
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_academic_year_labels() -> None:
    y = AcademicYear.containing(dt.date(2025, 3, 1))
    assert (y.label, y.time_period, y.age_date) == ("2024/25", 202425, dt.date(2024, 8, 31))
