"""The demo city's calendar (:mod:`attendwise.demo.terms`): term dates, closures, INSET days and sessions."""

from __future__ import annotations

import datetime as dt

import duckdb

from attendwise.demo import CitySummary, last_day_before_february_half_term
from tests.demo.cities import UNTIL, scalar


def test_until_is_the_generators_february_half_term_eve() -> None:
    assert last_day_before_february_half_term(2024) == UNTIL
    assert last_day_before_february_half_term(2023) == dt.date(2024, 2, 9)  # half term from 12 Feb 2024


def test_term_dates_and_sessions(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    _, con = two_years
    terms = con.execute("SELECT academic_year, term, half_term, start_date, end_date FROM terms ORDER BY 4").fetchall()
    assert [t[0] for t in terms] == ["2023/24"] * 6 + ["2024/25"] * 6
    assert [(t[1], t[2]) for t in terms[:6]] == [(n, h) for n in ("autumn", "spring", "summer") for h in ("1", "2")]
    by_half = {(t[0], t[1], t[2]): (dt.date.fromisoformat(t[3]), dt.date.fromisoformat(t[4])) for t in terms}
    assert by_half[("2024/25", "autumn", "1")][0] == dt.date(2024, 9, 2)
    assert by_half[("2024/25", "autumn", "2")][0] == dt.date(2024, 11, 4)  # half term 28 Oct - 1 Nov
    assert by_half[("2024/25", "spring", "2")][1] < dt.date(2025, 4, 18) < by_half[("2024/25", "summer", "1")][0]
    assert by_half[("2023/24", "spring", "2")][1] < dt.date(2024, 3, 29) < by_half[("2023/24", "summer", "1")][0]
    assert by_half[("2024/25", "summer", "2")][0] == dt.date(2025, 6, 2)  # after the spring bank holiday week
    assert dt.date(2025, 7, 16) <= by_half[("2024/25", "summer", "2")][1] <= dt.date(2025, 7, 24)
    # the early May bank holiday is an LA-wide closure; each school has five INSET days a year
    assert scalar(con, "SELECT count(*) FROM closures WHERE urn IS NULL AND start_date = '2025-05-05'") == 1
    inset = con.execute(
        """SELECT s.urn, count(*) FROM schools s JOIN closures c ON (c.urn IS NULL OR c.urn = s.urn)
           WHERE c.reason = 'INSET' AND c.start_date >= '2024-08-01' GROUP BY ALL"""
    ).fetchall()
    assert {n for _, n in inset} == {5}
    # 190 pupil days: most enrolments on roll all year have 380 marks (a few schools close early once)
    sessions = con.execute(
        """SELECT count(*) AS n FROM marks m JOIN enrol e ON m.upn = e.upn AND m.urn = e.urn
             AND m.date BETWEEN e.adm AND e.lv
           WHERE m.ay = 2024 AND e.adm < DATE '2024-08-01' AND e.lv > DATE '2025-08-01'
           GROUP BY e.eid"""
    ).fetchall()
    counts = [n for (n,) in sessions]
    assert max(counts) == 380
    assert sum(1 for n in counts if n >= 376) / len(counts) > 0.9
