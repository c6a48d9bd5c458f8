"""The demo city's rosters (:mod:`attendwise.demo.rosters`): pupils move up and on, and some move school."""

from __future__ import annotations

import duckdb

from attendwise.demo import CitySummary
from tests.demo.cities import scalar


def test_pupils_move_up_and_year6_goes_to_secondary(
    two_years: tuple[CitySummary, duckdb.DuckDBPyConnection],
) -> None:
    _, con = two_years
    year6, moved = con.execute(
        """SELECT count(DISTINCT p.upn), count(DISTINCT s.upn)
           FROM enrol p JOIN schools ps ON ps.urn = p.urn AND ps.phase = 'primary'
           LEFT JOIN (SELECT e.upn FROM enrol e JOIN schools x ON x.urn = e.urn AND x.phase = 'secondary'
                      WHERE e.nc_year = '7' AND e.adm BETWEEN DATE '2024-08-01' AND DATE '2024-09-30') s
             ON s.upn = p.upn
           WHERE p.nc_year = '6' AND p.lv BETWEEN DATE '2024-07-01' AND DATE '2024-08-31'"""
    ).fetchone() or (0, 0)
    assert year6 > 100
    assert moved / year6 > 0.85
    # pupils who stay at their school are recorded in the next year group; new Reception arrives
    in_both = con.execute(
        """SELECT count(*) FILTER (WHERE e.nc_year = 'R'), count(*)
           FROM enrol e WHERE e.adm <= DATE '2023-09-30' AND e.lv > DATE '2025-01-01'"""
    ).fetchone() or (0, 0)
    assert in_both[0] == 0 and in_both[1] > 1000
    intake = scalar(
        con, "SELECT count(*) FROM enrol WHERE nc_year = 'R' AND adm BETWEEN DATE '2024-08-01' AND DATE '2024-09-30'"
    )
    assert int(intake) > 100  # type: ignore[call-overload]


def test_enrolments_exceed_pupils_by_a_few_percent(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    _, con = two_years
    for ay in (2023, 2024):
        n_enrol, n_pupils = con.execute(
            f"SELECT count(*), count(DISTINCT upn) FROM per_enrol WHERE ay = {ay} AND age BETWEEN 5 AND 15"
        ).fetchone() or (0, 1)
        assert 1.005 < n_enrol / n_pupils < 1.06
