"""Tests of the synthetic city generator (``attendwise.demo``).

The registers are read back from the CSV files with DuckDB only, so these tests check what an LA
would import, independently of the rest of attendwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from attendwise.demo import CitySpec, CitySummary, generate_city, last_day_before_february_half_term
from attendwise.ingest import import_folder
from attendwise.store import Store
from attendwise.upn import is_valid_upn

SWITCH = dt.date(2024, 8, 19)
CODES_2006 = {
    "present": "/ \\ L",
    "aea": "B J P V W",
    "auth": "C E H I M R S T",
    "unauth": "G N O U",
    "none": "D X Y Z #",
}
CODES_2024 = {
    "present": "/ \\ L",
    "aea": "K V P W B",
    "auth": "C1 M J1 S C2 C T R I E",
    "unauth": "G N O U",
    "none": "D X Q Y1 Y2 Y3 Y4 Y5 Y6 Y7 Z #",
}
ONLY_2024 = {"C1", "C2", "J1", "K", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"}
ONLY_2006 = {"H", "F", "J", "Y"}


def _connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """The generated folder as DuckDB tables, with each mark's code set and category."""
    con = duckdb.connect()
    rows = [
        (year, code, cat)
        for year, table in ((2006, CODES_2006), (2024, CODES_2024))
        for cat, codes in table.items()
        for code in codes.split()
    ]
    con.execute("CREATE TABLE codes (codeset INTEGER, code VARCHAR, cat VARCHAR)")
    con.executemany("INSERT INTO codes VALUES (?, ?, ?)", rows)
    for name in ("pupils", "schools", "terms", "closures"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{folder / name}.csv', header=true, all_varchar=true)"
        )
    # no quote or escape character: "\" is the afternoon present code
    con.execute(
        f"""CREATE TABLE marks AS
            SELECT upn, urn, CAST(date AS DATE) AS date, session, code,
                   CASE WHEN CAST(date AS DATE) >= DATE '{SWITCH}' THEN 2024 ELSE 2006 END AS codeset,
                   CASE WHEN month(CAST(date AS DATE)) >= 8 THEN year(CAST(date AS DATE))
                        ELSE year(CAST(date AS DATE)) - 1 END AS ay
            FROM read_csv('{folder / "marks.csv"}', header=true, all_varchar=true, quote='', escape='')"""
    )
    con.execute(
        """CREATE TABLE enrol AS
           SELECT row_number() OVER () AS eid, upn, urn, CAST(admission_date AS DATE) AS adm,
                  coalesce(TRY_CAST(leaving_date AS DATE), DATE '2999-12-31') AS lv,
                  CAST(date_of_birth AS DATE) AS dob, fsm, sen, boarder, nc_year, cin, cpp, cla, sex
           FROM pupils"""
    )
    # one row per enrolment and academic year, as the DfE counts them
    con.execute(
        """CREATE TABLE per_enrol AS
           SELECT e.eid, e.upn, m.ay, s.phase, e.fsm, e.sen, e.boarder,
                  date_diff('year', e.dob, make_date(m.ay, 8, 31))
                    - CASE WHEN strftime(e.dob, '%m%d') > '0831' THEN 1 ELSE 0 END AS age,
                  count(*) FILTER (WHERE c.cat IN ('present', 'aea', 'auth', 'unauth')) AS possible,
                  count(*) FILTER (WHERE c.cat = 'auth') AS auth,
                  count(*) FILTER (WHERE c.cat = 'unauth') AS unauth
           FROM marks m
           JOIN enrol e ON m.upn = e.upn AND m.urn = e.urn AND m.date BETWEEN e.adm AND e.lv
           JOIN schools s ON s.urn = m.urn
           LEFT JOIN codes c ON c.codeset = m.codeset AND c.code = m.code
           GROUP BY ALL"""
    )
    return con


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CitySummary, duckdb.DuckDBPyConnection]]:
    """A small city over 2023/24 (2006 codes) and 2024/25 (2024 codes)."""
    folder = tmp_path_factory.mktemp("two_years")
    summary = generate_city(folder, CitySpec(pupils=2500, schools=10, first_year=2023, years=2, seed=11))
    con = _connect(folder)
    yield summary, con
    con.close()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CitySummary, duckdb.DuckDBPyConnection]]:
    folder = tmp_path_factory.mktemp("small")
    summary = generate_city(folder, CitySpec(pupils=3000, schools=12))
    con = _connect(folder)
    yield summary, con
    con.close()


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


# -- determinism and files ---------------------------------------------------------------------


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    spec = CitySpec(pupils=1500, schools=6, seed=5)
    a = generate_city(tmp_path / "a", spec)
    b = generate_city(tmp_path / "b", spec)
    for name in ("schools", "pupils", "marks", "terms", "closures"):
        assert a.paths[name].read_bytes() == b.paths[name].read_bytes(), name
    c = generate_city(tmp_path / "c", CitySpec(pupils=1500, schools=6, seed=6))
    assert c.paths["marks"].read_bytes() != a.paths["marks"].read_bytes()
    assert a.marks == sum(1 for _ in a.paths["marks"].open()) - 1


def test_files_have_the_documented_columns(small: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, _ = small
    headers = {name: path.open().readline().strip().split(",") for name, path in summary.paths.items()}
    assert headers["schools"] == ["urn", "name", "phase", "la_code", "la_name"]
    assert headers["marks"] == ["upn", "urn", "date", "session", "code"]
    assert headers["terms"] == ["academic_year", "term", "half_term", "start_date", "end_date"]
    assert headers["closures"] == ["urn", "start_date", "end_date", "session", "reason"]
    assert set(headers["pupils"]) == {
        "upn", "urn", "forename", "surname", "date_of_birth", "sex", "ethnicity", "fsm", "sen",
        "sen_primary_need", "first_language", "cla", "cin", "cpp", "nc_year", "admission_date",
        "leaving_date", "boarder",
    }  # fmt: skip


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    generate_city(tmp_path, CitySpec(pupils=800, schools=4), progress=lambda s, d, t: calls.append((s, d, t)))
    stages = [c[0] for c in calls]
    assert {"population", "marks", "writing"} <= set(stages)
    for stage in ("population", "marks", "writing"):
        done = [d for s, d, t in calls if s == stage]
        total = next(t for s, _, t in calls if s == stage)
        assert done == sorted(done) and done[0] == 0 and done[-1] == total


# -- cut at a date (``until``): the store an LA holds mid-year ------------------------------------

UNTIL = dt.date(2025, 2, 14)  # the last school day before the February half term of 2024/25


@pytest.fixture(scope="module")
def cut(
    tmp_path_factory: pytest.TempPathFactory, two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> Iterator[tuple[CitySummary, duckdb.DuckDBPyConnection]]:
    """The ``two_years`` city as it stood at the end of ``UNTIL``."""
    folder = tmp_path_factory.mktemp("cut")
    spec = CitySpec(pupils=2500, schools=10, first_year=2023, years=2, seed=11, until=UNTIL)
    summary = generate_city(folder, spec)
    con = _connect(folder)
    yield summary, con
    con.close()


def _lines_until(path: Path, until: dt.date, column: int = 2) -> list[bytes]:
    lines = path.read_bytes().splitlines()
    day = until.isoformat().encode()
    return [lines[0], *(line for line in lines[1:] if line.split(b",")[column] <= day)]


def test_until_is_the_generators_february_half_term_eve() -> None:
    assert last_day_before_february_half_term(2024) == UNTIL
    assert last_day_before_february_half_term(2023) == dt.date(2024, 2, 9)  # half term from 12 Feb 2024


def test_until_no_mark_after_it(cut: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, con = cut
    assert _scalar(con, "SELECT max(date) FROM marks") == UNTIL  # a school day: marks right up to it
    assert summary.academic_years == ("2023/24", "2024/25") and summary.years == 2
    assert summary.marks == sum(1 for _ in summary.paths["marks"].open()) - 1


def test_until_marks_before_it_are_the_uncut_citys(
    cut: tuple[CitySummary, duckdb.DuckDBPyConnection], two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> None:
    """Cutting is a filter at write time: the same rows, in the same order, as the whole city's."""
    cut_lines = cut[0].paths["marks"].read_bytes().splitlines()
    assert cut_lines == _lines_until(two_years[0].paths["marks"], UNTIL)


def test_until_enrolments_and_leaving_dates(
    cut: tuple[CitySummary, duckdb.DuckDBPyConnection], two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> None:
    summary, con = cut
    assert _scalar(con, f"SELECT count(*) FROM enrol WHERE adm > DATE '{UNTIL}'") == 0
    assert _scalar(con, "SELECT max(lv) FROM enrol WHERE lv < DATE '2999-12-31'") <= UNTIL
    assert _scalar(con, "SELECT count(*) FROM enrol") == summary.enrolments
    assert _scalar(con, "SELECT count(DISTINCT upn) FROM enrol") == summary.pupils
    # the same enrolments as the whole city's admitted by then, each with the leaving date known by then
    whole = two_years[1]
    query = f"""SELECT upn, urn, adm, CASE WHEN lv <= DATE '{UNTIL}' THEN lv END AS lv, fsm, sen, nc_year
                FROM enrol WHERE adm <= DATE '{UNTIL}' ORDER BY ALL"""
    assert con.execute(query).fetchall() == whole.execute(query).fetchall()
    # and someone left during 2024/25 before the cut, and some leaving after it is not yet known
    assert _scalar(con, f"SELECT count(*) FROM enrol WHERE lv BETWEEN DATE '2024-09-01' AND DATE '{UNTIL}'") > 0
    later = f"SELECT count(*) FROM enrol WHERE adm <= DATE '{UNTIL}' AND lv > DATE '{UNTIL}' AND lv < DATE '2999-12-31'"
    assert _scalar(whole, later) > 0


def test_until_closures_cut_terms_whole(
    cut: tuple[CitySummary, duckdb.DuckDBPyConnection], two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> None:
    summary, con = cut
    assert _scalar(con, f"SELECT count(*) FROM closures WHERE coalesce(end_date, start_date) > '{UNTIL}'") == 0
    closures = summary.paths["closures"].read_bytes().splitlines()
    assert closures == _lines_until(two_years[0].paths["closures"], UNTIL, column=1)  # no range spans the cut
    assert summary.paths["terms"].read_bytes() == two_years[0].paths["terms"].read_bytes()


def test_until_city_imports_cleanly(cut: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, _ = cut
    with Store(":memory:") as store:
        result = import_folder(store, summary.folder)
        assert result.marks_added == summary.marks
        assert result.enrolments_added == summary.enrolments
        assert store.latest_mark() == UNTIL


def test_until_in_an_earlier_year_generates_only_the_years_up_to_it(tmp_path: Path) -> None:
    until = dt.date(2023, 12, 1)
    summary = generate_city(tmp_path, CitySpec(pupils=600, schools=4, first_year=2023, years=2, seed=2, until=until))
    assert summary.academic_years == ("2023/24",)
    lines = summary.paths["marks"].read_bytes().splitlines()
    assert max(line.split(b",")[2] for line in lines[1:]) == b"2023-12-01"
    terms = summary.paths["terms"].read_text().splitlines()[1:]
    assert {t.split(",")[0] for t in terms} == {"2023/24"}


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (dt.date(2023, 9, 1), "must fall within the generated years"),  # before the first school day
        (dt.date(2025, 9, 1), "must fall within the generated years"),  # after the last year
        (dt.datetime(2024, 2, 9, 12, 0), "must be a date"),
    ],
)
def test_until_is_validated(until: dt.date, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CitySpec(first_year=2023, years=2, until=until)


# -- identifiers and population ---------------------------------------------------------------


def test_upns_valid_and_enrolments_unique(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, con = two_years
    upns = [r[0] for r in con.execute("SELECT DISTINCT upn FROM pupils").fetchall()]
    assert len(upns) == summary.pupils
    assert all(is_valid_upn(u) for u in upns)
    assert _scalar(con, "SELECT count(*) FROM (SELECT upn, urn, adm FROM enrol GROUP BY ALL HAVING count(*) > 1)") == 0
    assert _scalar(con, "SELECT count(*) FROM enrol") == summary.enrolments > summary.pupils
    # pupil-level fields agree across a pupil's rows
    disagree = """SELECT count(*) FROM (SELECT upn FROM pupils GROUP BY upn
                  HAVING count(DISTINCT (date_of_birth, sex, ethnicity, forename, surname)) > 1)"""
    assert _scalar(con, disagree) == 0
    # LA-allocated UPNs carry the LA number; a few pupils come from other LAs
    home = _scalar(con, "SELECT avg(CASE WHEN substr(upn, 2, 3) = '999' THEN 1 ELSE 0 END) FROM pupils")
    assert 0.6 < float(home) < 0.99  # type: ignore[arg-type]
    assert _scalar(con, "SELECT count(*) FROM schools WHERE la_code <> '999' OR length(urn) NOT IN (6, 7)") == 0


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
    assert _scalar(con, "SELECT count(*) FROM enrol WHERE (cpp = 'Y' OR cla = 'Y') AND cin = 'N'") == 0
    special_ehc = _scalar(
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
    assert _scalar(con, "SELECT count(*) FROM pupils WHERE (sen = 'N') <> (sen_primary_need IS NULL)") == 0


def test_nc_year_matches_age(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    """Age on 31 August of the enrolment's last year of marks is 4 in Reception, 5 in Year 1 ..."""
    _, con = two_years
    bad = _scalar(
        con,
        """WITH last AS (SELECT eid, max(ay) AS ay FROM per_enrol GROUP BY eid)
           SELECT count(*) FROM enrol e JOIN last USING (eid)
           WHERE (CASE WHEN e.nc_year = 'R' THEN 0 ELSE CAST(e.nc_year AS INTEGER) END) + 4
                 <> date_diff('year', e.dob, make_date(last.ay, 8, 31))
                    - CASE WHEN strftime(e.dob, '%m%d') > '0831' THEN 1 ELSE 0 END""",
    )
    assert bad == 0


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
    intake = _scalar(
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


# -- the calendar and where marks may fall -------------------------------------------------------


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
        assert _scalar(con, sql) == 0, f"marks {name}"


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
    assert _scalar(con, "SELECT count(*) FROM closures WHERE urn IS NULL AND start_date = '2025-05-05'") == 1
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


def test_code_sets_follow_the_date(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    _, con = two_years
    before = {c for (c,) in con.execute(f"SELECT DISTINCT code FROM marks WHERE date < DATE '{SWITCH}'").fetchall()}
    after = {c for (c,) in con.execute(f"SELECT DISTINCT code FROM marks WHERE date >= DATE '{SWITCH}'").fetchall()}
    assert before and after
    assert not before & ONLY_2024
    assert not after & ONLY_2006
    all_2006 = {c for codes in CODES_2006.values() for c in codes.split()}
    all_2024 = {c for codes in CODES_2024.values() for c in codes.split()}
    assert before <= all_2006
    assert after <= all_2024
    # the register's usual shapes are there
    assert {"/", "\\", "L", "I", "M", "O", "G", "N", "U", "E", "X", "V"} <= before & after
    assert {"C2", "Y4"} <= after
    assert {"Y"} <= before
    am_pm = con.execute("SELECT session, code, count(*) FROM marks WHERE code IN ('/', '\\') GROUP BY ALL").fetchall()
    assert {(s, c) for s, c, _ in am_pm} == {("AM", "/"), ("PM", "\\")}


# -- the shape of absence ---------------------------------------------------------------------


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
    from attendwise.calendar import parse_period
    from attendwise.ingest import import_folder
    from attendwise.measures import measure_table
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
