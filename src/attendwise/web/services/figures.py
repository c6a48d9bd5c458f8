"""The figures every page draws on, computed by the core once per data version and cached.

* :func:`period_rows`: :func:`attendwise.measures.absence.enrolment_absence` for a period (the DfE
  population), with each enrolment's band from :func:`attendwise.measures.bands.assign_bands`: one scan of
  the period's marks, about 60,000 rows for a city;
* :func:`measures`: :func:`attendwise.measures.absence_measures` over any subset of those rows
  (a school, a user's scope, a cohort) and any grouping;
* :func:`bands`: :func:`attendwise.measures.bands.band_counts` over a subset;
* :func:`monthly`: the measures for each month of a period, LA-wide and by school, for trends.

Subsets are chosen by filtering rows (which enrolments), never by recomputing a measure.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache

import ibis
import pandas as pd
import pyarrow as pa

from attendwise.core.calendar import Period
from attendwise.measures.absence import absence_measures, enrolment_absence
from attendwise.measures.bands import BandScheme, band_counts, load_scheme
from attendwise.web.rules import Scope
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.periods import months

__all__ = [
    "SOCIAL_CARE_LABELS",
    "band_scheme",
    "bands",
    "measures",
    "monthly",
    "period_rows",
    "scoped_rows",
]

#: Labels :func:`enrolment_absence` gives children looked after, in need and on a protection plan.
SOCIAL_CARE_LABELS = {"cla": "Looked after", "cin": "Child in need", "cpp": "Child protection plan"}


@cache
def _scheme(name: str) -> BandScheme:
    return load_scheme(name)


def band_scheme() -> BandScheme:
    """The LA's band scheme (``ATTENDWISE_BAND_SCHEME``)."""
    from django.conf import settings

    return _scheme(str(settings.ATTENDWISE_BAND_SCHEME))


def period_rows(access: StoreAccess, period: Period) -> pd.DataFrame:
    """One row per counted enrolment in the period, with its band (cached per data version)."""

    def compute() -> pd.DataFrame:
        store = access.store()
        from attendwise.measures.bands import assign_bands

        expr = assign_bands(enrolment_absence(store, period), band_scheme())
        frame = store.ibis.to_pyarrow(expr).to_pandas()
        return frame.sort_values("enrolment_id").reset_index(drop=True)

    return access.cached(("rows", period, band_scheme().name), compute)


def scoped_rows(rows: pd.DataFrame, scope: Scope, school: int | None = None) -> pd.DataFrame:
    """The rows the user may see: their schools, and for the Virtual School only its children."""
    keep = pd.Series(True, index=rows.index)
    if scope.schools is not None:
        keep &= rows.school_urn.isin(scope.schools)
    if scope.social_care_only:
        keep &= (
            (rows.cla == SOCIAL_CARE_LABELS["cla"])
            | (rows.cin == SOCIAL_CARE_LABELS["cin"])
            | (rows.cpp == SOCIAL_CARE_LABELS["cpp"])
        )
    if school is not None:
        keep &= rows.school_urn == school
    return rows[keep]


def _table(rows: pd.DataFrame) -> ibis.Table:
    return ibis.memtable(pa.Table.from_pandas(rows, preserve_index=False))


def measures(
    access: StoreAccess, rows: pd.DataFrame, by: list[str] | tuple[str, ...] = (), *, key: Hashable = None
) -> pd.DataFrame:
    """:func:`absence_measures` of these rows; cached under ``key`` when one is given."""

    def compute() -> pd.DataFrame:
        return access.store().ibis.to_pyarrow(absence_measures(_table(rows), list(by))).to_pandas()

    if key is None:
        return compute()
    return access.cached(("measures", key, tuple(by)), compute)


def bands(
    access: StoreAccess, rows: pd.DataFrame, by: list[str] | tuple[str, ...] = (), *, key: Hashable = None
) -> pd.DataFrame:
    """:func:`band_counts` of these rows in the LA's scheme; cached under ``key`` when given."""

    def compute() -> pd.DataFrame:
        expr = band_counts(_table(rows.drop(columns=["band"])), band_scheme(), list(by))
        return access.store().ibis.to_pyarrow(expr).to_pandas()

    if key is None:
        return compute()
    return access.cached(("bands", key, tuple(by)), compute)


def monthly(access: StoreAccess, period: Period) -> pd.DataFrame:
    """The measures for each month of the period, LA-wide (``school_urn`` null) and by school."""

    def compute() -> pd.DataFrame:
        store = access.store()
        latest = store.latest_mark()
        frames = []
        for month in months(period, latest):
            rows = _table(store.ibis.to_pyarrow(enrolment_absence(store, month)).to_pandas())
            total = store.ibis.to_pyarrow(absence_measures(rows)).to_pandas().assign(school_urn=pd.NA)
            by_school = store.ibis.to_pyarrow(absence_measures(rows, ["school_urn"])).to_pandas()
            both = pd.concat([total, by_school], ignore_index=True)
            frames.append(both.assign(month=month.label, month_start=month.start))
        if not frames:
            return pd.DataFrame(columns=["month", "month_start", "school_urn", "sess_overall_percent"])
        return pd.concat(frames, ignore_index=True)

    return access.cached(("monthly", period), compute)
