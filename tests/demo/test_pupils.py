"""The demo city's pupils (:mod:`attendwise.demo.pupils`): valid UPNs, characteristics that look like a
city's, NC years that match ages."""

from __future__ import annotations

import duckdb

from attendwise.core.upn import is_valid_upn
from attendwise.demo import CitySummary
from tests.demo.cities import scalar


def test_upns_valid_and_enrolments_unique(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, con = two_years
    upns = [r[0] for r in con.execute("SELECT DISTINCT upn FROM pupils").fetchall()]
    assert len(upns) == summary.pupils
    assert all(is_valid_upn(u) for u in upns)
    assert scalar(con, "SELECT count(*) FROM (SELECT upn, urn, adm FROM enrol GROUP BY ALL HAVING count(*) > 1)") == 0
    assert scalar(con, "SELECT count(*) FROM enrol") == summary.enrolments > summary.pupils
    # pupil-level fields agree across a pupil's rows
    disagree = """SELECT count(*) FROM (SELECT upn FROM pupils GROUP BY upn
                  HAVING count(DISTINCT (date_of_birth, sex, ethnicity, forename, surname)) > 1)"""
    assert scalar(con, disagree) == 0
    # LA-allocated UPNs carry the LA number; a few pupils come from other LAs
    home = scalar(con, "SELECT avg(CASE WHEN substr(upn, 2, 3) = '999' THEN 1 ELSE 0 END) FROM pupils")
    assert 0.6 < float(home) < 0.99  # type: ignore[arg-type]
    assert scalar(con, "SELECT count(*) FROM schools WHERE la_code <> '999' OR length(urn) NOT IN (6, 7)") == 0


def test_characteristics_look_like_a_city(small: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    _, con = small
    share = con.execute(
        """SELECT avg(CASE WHEN e.fsm = 'Y' THEN 1 ELSE 0 END),
                  avg(CASE WHEN e.sen = 'K' THEN 1 ELSE 0 END),
                  avg(CASE WHEN e.sen = 'E' THEN 1 ELSE 0 END),
                  avg(CASE WHEN e.sex = 'M' THEN 1 ELSE 0 END),
                  avg(CASE WHEN e.cin = 'Y' THEN 1 ELSE 0 END)
           FROM enrol e JOIN schools s USING (urn)"""
    ).fetchone()
    assert share is not None
    fsm, support, ehc, male, cin = share
    assert 0.2 < fsm < 0.33
    assert 0.09 < support < 0.17
    assert 0.025 < ehc < 0.08
    assert 0.47 < male < 0.56
    assert 0.015 < cin < 0.06
    assert scalar(con, "SELECT count(*) FROM enrol WHERE (cpp = 'Y' OR cla = 'Y') AND cin = 'N'") == 0
    special_ehc = scalar(
        con,
        "SELECT avg(CASE WHEN sen = 'E' THEN 1 ELSE 0 END) FROM enrol JOIN schools USING (urn) WHERE phase = 'special'",
    )
    assert float(special_ehc) > 0.9  # type: ignore[arg-type]
    phases = dict(con.execute("SELECT phase, count(*) FROM schools GROUP BY ALL").fetchall())
    assert set(phases) == {"primary", "secondary", "special"}
    ethnic = dict(con.execute("SELECT ethnicity, count(*) FROM pupils GROUP BY ALL").fetchall())
    assert 0.4 < ethnic["WBRI"] / sum(ethnic.values()) < 0.7
    assert len(ethnic) >= 12
    # SEN pupils have a primary need, others none
    assert scalar(con, "SELECT count(*) FROM pupils WHERE (sen = 'N') <> (sen_primary_need IS NULL)") == 0


def test_nc_year_matches_age(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    """Age on 31 August of the enrolment's last year of marks is 4 in Reception, 5 in Year 1 ..."""
    _, con = two_years
    bad = scalar(
        con,
        """WITH last AS (SELECT eid, max(ay) AS ay FROM per_enrol GROUP BY eid)
           SELECT count(*) FROM enrol e JOIN last USING (eid)
           WHERE (CASE WHEN e.nc_year = 'R' THEN 0 ELSE CAST(e.nc_year AS INTEGER) END) + 4
                 <> date_diff('year', e.dob, make_date(last.ay, 8, 31))
                    - CASE WHEN strftime(e.dob, '%m%d') > '0831' THEN 1 ELSE 0 END""",
    )
    assert bad == 0
