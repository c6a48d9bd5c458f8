"""The figures every page draws on, computed by the core once per data version and cached.

* :func:`period_rows`: :func:`attendwise.measures.absence.enrolment_absence` for a period (the DfE
  population), with each enrolment's band from :func:`attendwise.measures.bands.assign_bands`: one scan of
  the period's marks, about 60,000 rows for a city;
* :func:`measures`: :func:`attendwise.measures.absence.absence_measures` over any subset of those rows
  (a school, a user's scope, a cohort) and any grouping; :func:`several_measures` for several
  groupings of the same rows in one query;
* :func:`bands`: :func:`attendwise.measures.bands.band_counts` over a subset;
* :func:`monthly`: the measures for each month of a period, LA-wide and by school, for trends.

Subsets are chosen by filtering rows (which enrolments), never by recomputing a measure.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import cache

import ibis
import pandas as pd
import pyarrow as pa

from attendwise.core.calendar import Period
from attendwise.core.cohorts import Cohort, Cohorts, load_cohorts
from attendwise.measures.absence import absence_measures, enrolment_absence, several_absence_measures, unstack_measures
from attendwise.measures.bands import BandScheme, band_counts, bands_of_counts, load_scheme, several_band_counts
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
    "priority_cohorts",
    "pupil_rows",
    "scoped_rows",
    "several_bands",
    "several_measures",
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


@cache
def _cohorts(name: str) -> Cohorts:
    return load_cohorts(name)


def priority_cohorts() -> Cohorts:
    """The LA's priority cohorts (``ATTENDWISE_COHORTS``)."""
    from django.conf import settings

    return _cohorts(str(settings.ATTENDWISE_COHORTS))


def period_rows(access: StoreAccess, period: Period, cohort: Cohort | None = None) -> pd.DataFrame:
    """One row per counted enrolment in the period, with its band (cached per data version); split by one of
    the LA's priority cohorts, a member's enrolment is a row for its sessions inside their dates and one for the
    rest (:func:`attendwise.measures.absence.enrolment_absence`), each banded on its own sessions."""

    def compute() -> pd.DataFrame:
        store = access.store()
        from attendwise.measures.bands import assign_bands

        expr = assign_bands(enrolment_absence(store, period, cohort=cohort), band_scheme())
        frame = store.ibis.to_pyarrow(expr).to_pandas()
        return frame.sort_values("enrolment_id", kind="stable").reset_index(drop=True)

    return access.cached(("rows", period, band_scheme().name, cohort), compute)


#: What the pupil page reads of every pupil's rows: the totals, reasons and sessions missed.
_PUPIL_COLUMNS = ("enrolment_id", "sess_possible", "sess_present", "sess_aea", "sess_authorised", "sess_unauthorised")


def pupil_rows(access: StoreAccess, period: Period) -> pd.DataFrame:
    """Every pupil's enrolment row for a period as the pupil page counts it (every age, boarders, no DfE summer
    rules: :data:`attendwise.measures.pupils.PUPIL_POPULATION`), cached per data version: one scan of the
    period's marks serves every pupil's page, where measuring one pupil at a time costs a second each."""

    def compute() -> pd.DataFrame:
        from attendwise.core.codes import ABSENCE_REASONS
        from attendwise.measures.pupils import PUPIL_POPULATION

        store = access.store()
        rows = enrolment_absence(store, period, PUPIL_POPULATION)
        rows = rows.select(*_PUPIL_COLUMNS, "sess_overall", *ABSENCE_REASONS)
        return store.ibis.to_pyarrow(rows).to_pandas()

    return access.cached(("pupil-rows", period), compute)


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


def several_measures(
    access: StoreAccess, rows: pd.DataFrame, groupings: Sequence[Sequence[str]], *, key: Hashable
) -> list[pd.DataFrame]:
    """:func:`measures` of these rows for several groupings, in one query
    (:func:`attendwise.measures.absence.several_absence_measures`); each is cached as :func:`measures` with
    ``key`` caches it, so asking for one of them afterwards costs nothing."""
    shapes = [tuple(g) for g in groupings]
    missing = [s for s in shapes if not access.is_cached(("measures", key, s))]
    found: dict[tuple[str, ...], pd.DataFrame] = {}
    if missing:
        stacked = access.store().ibis.to_pyarrow(several_absence_measures(_table(rows), missing)).to_pandas()
        found = dict(zip(missing, unstack_measures(stacked, missing), strict=True))
    return [
        access.cached(("measures", key, s), lambda s=s: found[s] if s in found else measures(access, rows, s))
        for s in shapes
    ]


def several_bands(
    access: StoreAccess, rows: pd.DataFrame, groupings: Sequence[Sequence[str]], *, key: Hashable
) -> list[pd.DataFrame]:
    """:func:`bands` for several groupings, in one query (:func:`attendwise.measures.bands.several_band_counts`,
    laid out by :func:`attendwise.measures.bands.bands_of_counts`); each cached as :func:`bands` caches it."""
    shapes = [tuple(g) for g in groupings]
    missing = [s for s in shapes if not access.is_cached(("bands", key, s))]
    found: dict[tuple[str, ...], pd.DataFrame] = {}
    if missing:
        stacked = access.store().ibis.to_pyarrow(several_band_counts(_table(rows), missing)).to_pandas()
        counts = unstack_measures(stacked, missing, ["band", "enrolments"])
        found = {s: bands_of_counts(c, band_scheme(), list(s)) for s, c in zip(missing, counts, strict=True)}
    return [
        access.cached(("bands", key, s), lambda s=s: found[s] if s in found else bands(access, rows, s)) for s in shapes
    ]


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

    def one_month(month: Period) -> pd.DataFrame:
        store = access.store()
        shapes: list[tuple[str, ...]] = [(), ("school_urn",)]
        stacked = store.ibis.to_pyarrow(several_absence_measures(enrolment_absence(store, month), shapes))
        total, by_school = unstack_measures(stacked.to_pandas(), shapes)
        both = pd.concat([total.assign(school_urn=pd.NA), by_school], ignore_index=True)
        return both.assign(month=month.label, month_start=month.start)

    def compute() -> pd.DataFrame:
        latest = access.store().latest_mark()
        # Each month is kept on its own, so a term, a half term or last year's same months reuse the months
        # the year's trend already measured.
        frames = [
            access.cached(("month", m.label, m.start, m.end), lambda m=m: one_month(m)) for m in months(period, latest)
        ]
        if not frames:
            return pd.DataFrame(columns=["month", "month_start", "school_urn", "sess_overall_percent"])
        return pd.concat(frames, ignore_index=True)

    return access.cached(("monthly", period), compute)
