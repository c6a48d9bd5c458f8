"""Measures over time: by year, term or half term across every year in the store, and change on last year.

Each period is measured on its own, with persistent and severe absence recomputed over that period
(never averaged from shorter ones), using the same definitions as :mod:`attendwise.measures.absence`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from attendwise.core.calendar import TERMS, AcademicYear, Period, PeriodError, parse_period
from attendwise.core.cohorts import Cohorts
from attendwise.measures.absence import Population, absence_measures, cohort_of, enrolment_absence, resolve_grouping
from attendwise.store import Store

__all__ = ["HEADLINES", "change_on_last_year", "periods_in_store", "trend"]

Level = Literal["year", "term", "half_term"]

#: The measures a trend or a comparison reports.
HEADLINES = [
    "enrolments",
    "sess_overall_percent",
    "sess_authorised_percent",
    "sess_unauthorised_percent",
    "enrolments_pa_10_exact_percent",
    "enrolments_pa_50_exact_percent",
]


def periods_in_store(store: Store, level: Level = "term") -> list[Period]:
    """Every year, term or half term from the first to the latest mark held (the latest cut at that mark)."""
    first, latest = store.mark_range()
    if first is None:
        return []
    halves = store.half_term_starts()
    out: list[Period] = []
    for start_year in range(AcademicYear.containing(first).start_year, AcademicYear.containing(latest).start_year + 1):
        label = AcademicYear(start_year).label
        if level == "year":
            names = [label]
        elif level == "term":
            names = [f"{label}-{t}" for t in TERMS]
        else:
            names = [f"{label}-{t}-{h}" for t in TERMS for h in (1, 2)]
        for name in names:
            try:
                period = parse_period(name, half_term_starts=halves)
            except PeriodError:
                continue  # a half term with no LA dates loaded
            if period.start > latest:
                break
            if period.end > latest:
                period = Period(f"{period.label} (to {latest:%d %b %Y})", period.start, latest)
            out.append(period)
    return out


def trend(
    store: Store,
    level: Level = "term",
    by: Sequence[str] | str | None = None,
    population: Population | None = None,
    *,
    cohorts: Cohorts | None = None,
) -> pd.DataFrame:
    """The headline measures for every period of a level, oldest first, optionally grouped (by one of the LA's
    ``cohorts`` too: a member counts in it for the sessions of each period inside their dates)."""
    cols = resolve_grouping(by, cohorts)
    cohort = cohort_of(cols, cohorts)
    frames = []
    for order, period in enumerate(periods_in_store(store, level)):
        frame = absence_measures(enrolment_absence(store, period, population, cohort=cohort), cols).to_pandas()
        frame = frame[frame.enrolments > 0]
        frame.insert(0, "period", period.label)
        frame.insert(0, "period_start", period.start)
        frame.insert(0, "order", order)
        frames.append(frame[["order", "period_start", "period", *cols, *HEADLINES]])
    if not frames:
        return pd.DataFrame(columns=["order", "period_start", "period", *cols, *HEADLINES])
    return pd.concat(frames, ignore_index=True)


def _same_point_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def change_on_last_year(
    store: Store,
    by: Sequence[str] | str | None = None,
    *,
    as_of: dt.date | None = None,
    population: Population | None = None,
    cohorts: Cohorts | None = None,
) -> pd.DataFrame:
    """This year to date against the same point last year (1 August to the same date), with the change.

    Columns: the groups, then ``<measure>``, ``<measure>_last_year`` and ``<measure>_change`` (points).
    """
    latest = as_of or store.latest_mark()
    if latest is None:
        return pd.DataFrame()
    year = AcademicYear.containing(latest)
    now = Period(f"{year.label} to {latest:%d %b}", year.start, latest)
    before_year = AcademicYear(year.start_year - 1)
    then = Period(
        f"{before_year.label} to {_same_point_last_year(latest):%d %b}",
        before_year.start,
        _same_point_last_year(latest),
    )
    cols = resolve_grouping(by, cohorts)
    cohort = cohort_of(cols, cohorts)
    current = absence_measures(enrolment_absence(store, now, population, cohort=cohort), cols).to_pandas()
    previous = absence_measures(enrolment_absence(store, then, population, cohort=cohort), cols).to_pandas()
    current, previous = current[[*cols, *HEADLINES]], previous[[*cols, *HEADLINES]]
    merged = (
        current.merge(previous, on=cols, how="left", suffixes=("", "_last_year"))
        if cols
        else current.join(previous.add_suffix("_last_year"))
    )
    for m in HEADLINES[1:]:
        merged[f"{m}_change"] = merged[m] - merged[f"{m}_last_year"]
    merged.insert(0, "compared_with", then.label)
    merged.insert(0, "period", now.label)
    return merged
