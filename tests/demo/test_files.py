"""The demo city's files (:mod:`attendwise.demo.files`): the documented columns, and the cut at a date
(``until``), the store an LA holds mid-year."""

from __future__ import annotations

import duckdb

from attendwise.demo import CitySummary
from attendwise.ingest import import_folder
from attendwise.store import Store
from tests.demo.cities import UNTIL, lines_until, scalar


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
    assert headers["contacts"] == [
        "upn", "contact_id", "title", "forename", "surname", "relationship", "parental_responsibility", "lives_with",
        "address_line_1", "address_line_2", "town", "postcode", "phone", "email", "priority",
    ]  # fmt: skip


def test_until_no_mark_after_it(cut: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, con = cut
    assert scalar(con, "SELECT max(date) FROM marks") == UNTIL  # a school day: marks right up to it
    assert summary.academic_years == ("2023/24", "2024/25") and summary.years == 2
    assert summary.marks == sum(1 for _ in summary.paths["marks"].open()) - 1


def test_until_marks_before_it_are_the_uncut_citys(
    cut: tuple[CitySummary, duckdb.DuckDBPyConnection], two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> None:
    """Cutting is a filter at write time: the same rows, in the same order, as the whole city's."""
    cut_lines = cut[0].paths["marks"].read_bytes().splitlines()
    assert cut_lines == lines_until(two_years[0].paths["marks"], UNTIL)


def test_until_enrolments_and_leaving_dates(
    cut: tuple[CitySummary, duckdb.DuckDBPyConnection], two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> None:
    summary, con = cut
    assert scalar(con, f"SELECT count(*) FROM enrol WHERE adm > DATE '{UNTIL}'") == 0
    assert scalar(con, "SELECT max(lv) FROM enrol WHERE lv < DATE '2999-12-31'") <= UNTIL
    assert scalar(con, "SELECT count(*) FROM enrol") == summary.enrolments
    assert scalar(con, "SELECT count(DISTINCT upn) FROM enrol") == summary.pupils
    # the same enrolments as the whole city's admitted by then, each with the leaving date known by then
    whole = two_years[1]
    query = f"""SELECT upn, urn, adm, CASE WHEN lv <= DATE '{UNTIL}' THEN lv END AS lv, fsm, sen, nc_year
                FROM enrol WHERE adm <= DATE '{UNTIL}' ORDER BY ALL"""
    assert con.execute(query).fetchall() == whole.execute(query).fetchall()
    # and someone left during 2024/25 before the cut, and some leaving after it is not yet known
    assert scalar(con, f"SELECT count(*) FROM enrol WHERE lv BETWEEN DATE '2024-09-01' AND DATE '{UNTIL}'") > 0
    later = f"SELECT count(*) FROM enrol WHERE adm <= DATE '{UNTIL}' AND lv > DATE '{UNTIL}' AND lv < DATE '2999-12-31'"
    assert scalar(whole, later) > 0


def test_until_closures_cut_terms_whole(
    cut: tuple[CitySummary, duckdb.DuckDBPyConnection], two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> None:
    summary, con = cut
    assert scalar(con, f"SELECT count(*) FROM closures WHERE coalesce(end_date, start_date) > '{UNTIL}'") == 0
    closures = summary.paths["closures"].read_bytes().splitlines()
    assert closures == lines_until(two_years[0].paths["closures"], UNTIL, column=1)  # no range spans the cut
    assert summary.paths["terms"].read_bytes() == two_years[0].paths["terms"].read_bytes()


def test_until_city_imports_cleanly(cut: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    summary, _ = cut
    with Store(":memory:") as store:
        result = import_folder(store, summary.folder)
        assert result.marks_added == summary.marks
        assert result.enrolments_added == summary.enrolments
        assert store.latest_mark() == UNTIL
        # every contact is of a pupil written by then (a pupil admitted after the cut has none yet)
        assert result.contacts.links_added == sum(1 for _ in summary.paths["contacts"].open()) - 1 > 0
