"""The demo city's priority cohorts: dated memberships that import, and the planted EBSA pattern that
disproportionality flags."""

from __future__ import annotations

import csv
import datetime as dt
from itertools import pairwise

import duckdb
import pytest

from attendwise.analysis.disproportionality import disproportionality_table
from attendwise.core.calendar import parse_period
from attendwise.core.cohorts import NOT_IN_COHORT, load_cohorts
from attendwise.demo import CitySummary
from attendwise.ingest import import_folder
from attendwise.measures.absence import measure_table
from attendwise.store import Store


@pytest.fixture(scope="module")
def imported(small: tuple[CitySummary, duckdb.DuckDBPyConnection], tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("cohorts") / "city.duckdb")
    import_folder(store, small[0].folder)
    yield store
    store.close()


def test_the_cohorts_file_holds_both_cohorts_dated_and_never_overlapping(small) -> None:
    summary, _ = small
    with summary.paths["cohorts"].open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["cohort"] for r in rows} == {"ebsa", "youth_justice"}
    assert {r["source"] for r in rows} == {"EBSA panel", "YJS referral"}
    spans: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    for r in rows:
        end = dt.date.fromisoformat(r["end_date"]) if r["end_date"] else dt.date.max
        spans.setdefault((r["upn"], r["cohort"]), []).append((dt.date.fromisoformat(r["start_date"]), end))
    for periods in spans.values():
        periods.sort()
        assert all(a[1] < b[0] for a, b in pairwise(periods))


def test_the_planted_cohort_is_far_more_severely_absent_inside_its_dates(imported: Store) -> None:
    frame = measure_table(imported, parse_period("2024/25"), "cohort:ebsa").set_index("cohort_ebsa")
    inside = frame.loc["Emotionally based school avoidance"]
    outside = frame.loc[NOT_IN_COHORT]
    assert inside.enrolments >= 30
    assert inside.enrolments_pa_50_exact_percent > 10 * outside.enrolments_pa_50_exact_percent


def test_disproportionality_flags_the_planted_cohort(imported: Store) -> None:
    table = disproportionality_table(imported, parse_period("2024/25"), ["fsm"], cohorts=list(load_cohorts()))
    ebsa = table[table.characteristic == "cohort:ebsa"].iloc[0]
    assert ebsa.group == "Emotionally based school avoidance"
    assert ebsa.pa_flag == "over-represented" and ebsa.sa_flag == "over-represented"
    assert ebsa.sa_rr_low > 5
    youth = table[table.characteristic == "cohort:youth_justice"]
    assert youth.group.tolist() == ["Youth justice involvement"]


def test_the_tsm_packs_that_ask_for_the_planted_cohort_show_it(imported: Store) -> None:
    """Every pack shows both cohorts by default ([packs] of the shipped file); the schools with EBSA pupils show
    their far lower attendance beside the rest of the school."""
    from attendwise.reports.tsm import tsm_packs

    packs = tsm_packs(imported, "2024/25-spring", priority_cohorts=load_cohorts())
    rows = [next(c for c in p.cohorts if c.cohort == "Emotionally based school avoidance") for p in packs.values()]
    members = [r for r in rows if isinstance(r.pupils, int) and r.pupils >= 3]
    assert members, "no school's pack has EBSA pupils"
    assert all(r.attendance_percent < r.others_attendance_percent for r in members)
    assert all(any(c.cohort == "Youth justice involvement" for c in p.cohorts) for p in packs.values())
