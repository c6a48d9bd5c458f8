"""The demo city's marks (:mod:`attendwise.demo.absence`): only where a pupil is on roll and the school
meets, and absence with the shape and the level of the national figures."""

from __future__ import annotations

import duckdb

from attendwise.demo import CitySummary
from tests.demo.cities import scalar


def test_marks_only_inside_enrolments_on_school_days(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    _, con = two_years
    checks = {
        "outside an enrolment": """SELECT count(*) FROM marks m WHERE NOT EXISTS (SELECT 1 FROM enrol e
            WHERE e.upn = m.upn AND e.urn = m.urn AND m.date BETWEEN e.adm AND e.lv)""",
        "duplicated": """SELECT count(*) FROM (SELECT upn, urn, date, session FROM marks
            GROUP BY ALL HAVING count(*) > 1)""",
        "at a weekend": "SELECT count(*) FROM marks WHERE dayofweek(date) IN (0, 6)",
        "outside term": """SELECT count(*) FROM marks m WHERE NOT EXISTS (SELECT 1 FROM terms t
            WHERE m.date BETWEEN CAST(t.start_date AS DATE) AND CAST(t.end_date AS DATE))""",
        "on a closure": """SELECT count(*) FROM marks m JOIN closures c ON (c.urn IS NULL OR c.urn = m.urn)
            AND m.date BETWEEN CAST(c.start_date AS DATE) AND CAST(coalesce(c.end_date, c.start_date) AS DATE)
            AND (c.session IS NULL OR c.session = m.session)""",
        "bad session": "SELECT count(*) FROM marks WHERE session NOT IN ('AM', 'PM')",
        "unknown school": "SELECT count(*) FROM marks WHERE urn NOT IN (SELECT urn FROM schools)",
    }
    for name, sql in checks.items():
        assert scalar(con, sql) == 0, f"marks {name}"


def test_absence_persists_from_year_to_year(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    _, con = two_years
    corr, n = con.execute(
        """WITH rates AS (
             SELECT upn, ay, sum(auth + unauth) / sum(possible) AS rate FROM per_enrol
             WHERE age BETWEEN 5 AND 15 AND boarder = 'N' GROUP BY ALL HAVING sum(possible) >= 100)
           SELECT corr(a.rate, b.rate), count(*) FROM rates a JOIN rates b ON a.upn = b.upn
           WHERE a.ay = 2023 AND b.ay = 2024"""
    ).fetchone() or (0.0, 0)
    assert n > 1000
    assert corr > 0.4


def test_calibration_small_city(small: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    """Close to the national 2023/24 figures even for a city of 3,000 pupils in 12 schools, measured through
    the real import and the DfE measures (so calibration is checked on the path the demo takes)."""
    from attendwise.core.calendar import parse_period
    from attendwise.ingest import import_folder
    from attendwise.measures.absence import measure_table
    from attendwise.store import Store

    summary, _ = small
    with Store(":memory:") as store:
        import_folder(store, summary.folder)
        year = parse_period("2024/25")
        m = measure_table(store, year).iloc[0]
        phase = measure_table(store, year, "phase").set_index("education_phase")
        fsm = measure_table(store, year, "fsm").set_index("fsm")
        sen = measure_table(store, year, "sen").set_index("sen_provision")
    assert abs(m.sess_overall_percent - 7.1) <= 0.8
    assert abs(m.enrolments_pa_10_exact_percent - 20.0) <= 3.0
    assert abs(m.enrolments_pa_50_exact_percent - 2.3) <= 1.0
    assert 3.5 <= m.sess_authorised_percent <= 6.0
    assert 1.5 <= m.sess_unauthorised_percent <= 3.5
    overall = phase.sess_overall_percent
    assert overall["State-funded primary"] < overall["State-funded secondary"] < overall["Special"]
    assert fsm.sess_overall_percent["FSM eligible"] > 1.4 * fsm.sess_overall_percent["FSM not eligible"]
    assert (
        fsm.enrolments_pa_10_exact_percent["FSM eligible"]
        > 1.6 * fsm.enrolments_pa_10_exact_percent["FSM not eligible"]
    )
    sen_rate = sen.sess_overall_percent
    assert sen_rate["No identified SEN"] < sen_rate["SEN support"] < sen_rate["EHC plan"]


def test_within_year_shape(small: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    """Illness peaks in winter and dips in September; Fridays are worse than midweek."""
    _, con = small
    rows = con.execute(
        """SELECT month(m.date) AS mo, dayofweek(m.date) AS dw,
                  count(*) FILTER (WHERE m.code = 'I') AS ill,
                  count(*) FILTER (WHERE c.cat IN ('auth', 'unauth')) AS absent,
                  count(*) FILTER (WHERE c.cat IN ('present', 'aea', 'auth', 'unauth')) AS possible
           FROM marks m JOIN codes c ON c.codeset = m.codeset AND c.code = m.code GROUP BY ALL"""
    ).fetchall()

    def rate(pick: int, pred: object) -> float:
        sel = [r for r in rows if pred(r)]  # type: ignore[operator]
        return sum(r[pick] for r in sel) / sum(r[4] for r in sel)

    assert rate(2, lambda r: r[0] in (12, 1)) > 1.5 * rate(2, lambda r: r[0] == 9)
    assert rate(3, lambda r: r[1] == 5) > rate(3, lambda r: r[1] == 3)
    # unauthorised holidays cluster next to the breaks: the last week of the summer term
    hol = con.execute(
        """SELECT count(*) FILTER (WHERE date >= DATE '2025-07-14'), count(*) FROM marks
           WHERE code = 'G'"""
    ).fetchone() or (0, 1)
    assert hol[0] / hol[1] > 0.1
