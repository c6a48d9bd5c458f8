"""A :class:`~attendwise.reports.source.FigureSource` without the web app: the figures computed from a store
by the measures, each kept in a dict, so the reports' pages can be composed in a test without Django."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import ibis
import pandas as pd
import pyarrow as pa

from attendwise.core.calendar import Period
from attendwise.core.cohorts import Cohort
from attendwise.documents.suppression import Suppressed
from attendwise.measures.absence import absence_measures, enrolment_absence
from attendwise.measures.bands import BandScheme, assign_bands, band_counts, load_scheme
from attendwise.reports.early_warning import LARisk, score_pupils
from attendwise.store import Store

T = TypeVar("T")


def _memtable(rows: pd.DataFrame) -> ibis.Table:
    return ibis.memtable(pa.Table.from_pandas(rows, preserve_index=False))


def _months(period: Period, latest: dt.date) -> list[Period]:
    out, day = [], period.start.replace(day=1)
    while day <= min(period.end, latest):
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append(Period(f"{day:%b %Y}", max(day, period.start), min(nxt - dt.timedelta(days=1), period.end)))
        day = nxt
    return out


class StoreFigures:
    """The figures of ``store``, unsuppressed: asking for a suppressed table fails the test."""

    def __init__(self, store: Store, scheme: BandScheme | None = None) -> None:
        self._store = store
        self._scheme = scheme or load_scheme("five-categories")
        self.kept: dict[tuple[Hashable, ...], Any] = {}

    def store(self) -> Store:
        return self._store

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        if key not in self.kept:
            self.kept[key] = compute()
        return self.kept[key]

    def band_scheme(self) -> BandScheme:
        return self._scheme

    def _run(self, expr: ibis.Table) -> pd.DataFrame:
        return self._store.ibis.to_pyarrow(expr).to_pandas()

    def period_rows(self, period: Period, cohort: Cohort | None = None) -> pd.DataFrame:
        def compute() -> pd.DataFrame:
            frame = self._run(assign_bands(enrolment_absence(self._store, period, cohort=cohort), self._scheme))
            return frame.sort_values("enrolment_id", kind="stable").reset_index(drop=True)

        return self.cached(("rows", period, cohort), compute)

    def measures(self, rows: pd.DataFrame, by: Sequence[str] = (), *, key: Hashable = None) -> pd.DataFrame:
        return self._run(absence_measures(_memtable(rows), list(by)))

    def bands(self, rows: pd.DataFrame, by: Sequence[str] = (), *, key: Hashable = None) -> pd.DataFrame:
        return self._run(band_counts(_memtable(rows.drop(columns=["band"])), self._scheme, list(by)))

    def monthly(self, period: Period) -> pd.DataFrame:
        latest = self._store.latest_mark()
        frames = []
        for month in _months(period, latest) if latest else []:
            rows = self._run(enrolment_absence(self._store, month))
            total = self._run(absence_measures(_memtable(rows)))
            by_school = self._run(absence_measures(_memtable(rows), ["school_urn"]))
            both = pd.concat([total.assign(school_urn=pd.NA), by_school], ignore_index=True)
            frames.append(both.assign(month=month.label, month_start=month.start))
        return pd.concat(frames, ignore_index=True)

    def suppressed(
        self, period: Period, cols: Sequence[str], *, threshold: int, school: int | None = None
    ) -> Suppressed:
        raise AssertionError(f"a suppressed table was asked for, by {list(cols)}")

    def prefetch(self, period: Period, groupings: Sequence[Sequence[str]], *, school: int | None = None) -> None:
        raise AssertionError("suppressed tables were asked for")

    def at_risk(self) -> LARisk | None:
        return self.cached(("early-warning",), lambda: score_pupils(self._store))
