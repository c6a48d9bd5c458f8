"""The pack's dates (:mod:`attendwise.reports.tsm.dates`): the as-at date, what is not a term, a given date."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.reports.tsm import TSMError, TSMPack, pack_dates, tsm_pack
from attendwise.store import Store
from tests.reports.tsm.tsm_school import AS_AT, URN


class TestPackDates:
    def test_as_at_is_the_last_mark_in_the_term(self, pack: TSMPack) -> None:
        """With no date given, the pack is as at the last mark in the term, and every period ends there."""
        assert pack.as_at == AS_AT
        assert (pack.year_to_date.start, pack.year_to_date.end) == (dt.date(2024, 8, 1), AS_AT)
        assert (pack.term_to_date.start, pack.term_to_date.end) == (dt.date(2024, 8, 1), AS_AT)
        assert pack.school_last_mark == AS_AT

    def test_refuses_what_is_not_a_term_or_not_in_it(self, school: tuple[str, dict[str, str]]) -> None:
        """A year, a half term, a date outside the term, a term with no marks and an unknown school are refused."""
        with Store(school[0], read_only=True) as store:
            for term in ("2024/25", "2024/25-autumn-1", "autumn"):
                with pytest.raises(TSMError):
                    pack_dates(store, term)
            with pytest.raises(TSMError, match="is not in"):
                pack_dates(store, "2024/25-autumn", dt.date(2025, 1, 6))
            with pytest.raises(TSMError, match="no marks"):
                pack_dates(store, "2024/25-spring")
            with pytest.raises(TSMError, match="no school with URN 42"):
                tsm_pack(store, 42, "2024/25-autumn")

    def test_a_given_date_cuts_every_list(self, school: tuple[str, dict[str, str]]) -> None:
        """As at Fri 25 Oct, half term 2 has not happened: the improving pupil is at 50% and the window is
        the 15 school days 7-25 Oct."""
        path, p = school
        with Store(path, read_only=True) as store:
            early = tsm_pack(store, URN, "2024/25-autumn", as_at=dt.date(2024, 10, 25))
        assert early.as_at == dt.date(2024, 10, 25)
        improving = next(x for x in early.severely_absent if x.upn == p["improving"])
        assert (improving.sess_possible, improving.sess_attended) == (80, 40)
        section = early.no_attendance_recently
        assert (section.window_start, section.window_end, section.school_days) == (
            dt.date(2024, 10, 7),
            dt.date(2024, 10, 25),
            15,
        )
