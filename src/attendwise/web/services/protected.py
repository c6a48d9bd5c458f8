"""The figures of audiences that see small numbers suppressed: one suppressed table per grouping.

A scrutiny member, or whoever an export marked for sharing outside the team reaches, can set every
page, export and API answer side by side and add up and take away. So a figure is suppressed the same
way wherever it appears, and each table is suppressed against the coarser tables its rows add up to
(:func:`attendwise.documents.suppression.suppress_table`): the FSM groups of a school against the school and
against the FSM groups of its phase; the schools against their phases; the phases against the whole.
A table lists every group of its characteristics (an empty one too, as ``x``, when its emptiness
has to be hidden), with the attendance bands as columns beside the DfE measures, so a band table and
a measures table of the same groups agree.

Tables are built from the period's enrolment rows in the user's scope (:func:`figures.scoped_rows`),
one per period, scope and grouping, and cached per data version. A scope of one school is that
school's rows of the LA's tables, so a school's figures are the same whoever exports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.documents.suppression import (
    Layout,
    Parent,
    Suppressed,
    band_count_column,
    band_percent_column,
    layout_for,
    suppress_table,
)
from attendwise.measures.absence import GROUPINGS, MeasureError, every_group
from attendwise.web.rules import Scope
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess

__all__ = ["MAX_CHARACTERISTICS", "dimensions", "grouped", "la_wide", "prefetch", "table"]

#: Characteristics that determine others: a school its phase, a minor ethnic group its major one.
IMPLIES: dict[str, tuple[str, ...]] = {"school": ("phase",), "ethnicity_minor": ("ethnicity",)}

#: The most characteristics a suppressed table is grouped by (a school counts as one).
MAX_CHARACTERISTICS = 3

_DIMENSION_OF: dict[str, str] = {}
for _key, _cols in GROUPINGS.items():
    for _col in _cols:
        _DIMENSION_OF.setdefault(_col, _key)


#: A priority cohort's dimension: ``cohort:KEY``, its column ``cohort_KEY``.
_COHORT_DIM, _COHORT_COL = "cohort:", "cohort_"


def _grouping(dim: str) -> list[str]:
    """The columns of a dimension: a key of :data:`GROUPINGS`, or a priority cohort's."""
    if dim.startswith(_COHORT_DIM):
        return [_COHORT_COL + dim[len(_COHORT_DIM) :]]
    return GROUPINGS[dim]


def _cohort_key(dims: frozenset[str]) -> str | None:
    """The priority cohort a table is grouped by (its rows split by it), if any."""
    return next((d[len(_COHORT_DIM) :] for d in sorted(dims) if d.startswith(_COHORT_DIM)), None)


def dimensions(cols: Sequence[str]) -> frozenset[str]:
    """The groupings (keys of :data:`GROUPINGS`, or ``cohort:KEY``) behind output columns, with what they
    determine."""
    dims = set()
    for col in cols:
        if col.startswith(_COHORT_COL):
            dims.add(_COHORT_DIM + col[len(_COHORT_COL) :])
            continue
        if col not in _DIMENSION_OF:
            raise MeasureError(f"unknown grouping column {col!r}")
        dims.add(_DIMENSION_OF[col])
    for d in list(dims):
        dims.update(IMPLIES.get(d, ()))
    return frozenset(dims)


def _free(dims: frozenset[str]) -> list[str]:
    """The groupings of ``dims`` that no other one determines, in :data:`GROUPINGS` order."""
    implied = {i for d in dims for i in IMPLIES.get(d, ())}
    return [d for d in GROUPINGS if d in dims and d not in implied] + sorted(
        d for d in dims if d.startswith(_COHORT_DIM)
    )


def _coarser(dims: frozenset[str]) -> list[frozenset[str]]:
    """``dims`` and every grouping its table is suppressed against, down to the whole (no grouping)."""
    found: dict[frozenset[str], None] = {}
    todo = [dims]
    while todo:
        d = todo.pop()
        if d not in found:
            found[d] = None
            todo += [d - {f} for f in _free(d)]
    return list(found)


def _columns(dims: frozenset[str]) -> list[str]:
    cohorts = sorted(d for d in dims if d.startswith(_COHORT_DIM))
    return list(dict.fromkeys(c for d in [*cohorts, *(g for g in GROUPINGS if g in dims)] for c in _grouping(d)))


def la_wide(scope: Scope) -> Scope:
    """The scope of figures about the whole LA (the LA overview, its schools export), whoever asks."""
    return replace(scope, schools=None, social_care_only=False)


def _base(scope: Scope) -> tuple[frozenset[int] | None, bool]:
    """The rows the tables are built from: one school's scope is the LA's rows (then filtered)."""
    if scope.schools is not None and len(scope.schools) == 1 and not scope.social_care_only:
        return None, False
    return scope.schools, scope.social_care_only


def _rows(
    access: StoreAccess, base: tuple[frozenset[int] | None, bool], period: Period, cohort: str | None = None
) -> pd.DataFrame:
    """The rows of the base scope; split by a priority cohort (``cohort``, its key) for a table grouped by it."""
    schools, social = base
    split = figures.priority_cohorts().get(cohort) if cohort is not None else None
    rows = figures.period_rows(access, period, split)
    return figures.scoped_rows(rows, Scope(None, schools, social_care_only=social))


def _layout(access: StoreAccess, base: tuple[frozenset[int] | None, bool], period: Period) -> Layout:
    scheme = figures.band_scheme()
    bands = [b.key for b in scheme.bands]
    return access.cached(
        ("protected-layout", period, base, scheme.name), lambda: layout_for(_rows(access, base, period), bands)
    )


def _bands_wide(long: pd.DataFrame, cols: list[str], bands: list[str]) -> pd.DataFrame:
    """Band counts (one row per group and band) as columns of one row per group."""
    if long.empty:
        return pd.DataFrame(columns=[*cols, *map(band_count_column, bands), *map(band_percent_column, bands)])
    if not cols:
        one = long.set_index("band")
        return pd.DataFrame(
            [
                {
                    **{band_count_column(b): one.at[b, "enrolments"] for b in bands},
                    **{band_percent_column(b): one.at[b, "percent"] for b in bands},
                }
            ]
        )
    wide = long.set_index([*cols, "band"])[["enrolments", "percent"]].unstack("band")
    wide.columns = [
        band_count_column(b) if what == "enrolments" else band_percent_column(b) for what, b in wide.columns
    ]
    return wide.reindex(columns=[*map(band_count_column, bands), *map(band_percent_column, bands)]).reset_index()


def _grid(rows: pd.DataFrame, dims: frozenset[str]) -> pd.DataFrame:
    """Every combination of the groups of ``dims`` found in ``rows`` (each school with its phase)."""
    grid = pd.DataFrame(index=[0])
    for d in _free(dims):
        cols = list(dict.fromkeys([*_grouping(d), *(c for i in IMPLIES.get(d, ()) if i in dims for c in GROUPINGS[i])]))
        domain = rows[cols].drop_duplicates().sort_values(cols).reset_index(drop=True)
        grid = grid.merge(domain, how="cross")
    return grid[_columns(dims)].reset_index(drop=True)


def _dims(cols: Sequence[str], school: int | None) -> frozenset[str]:
    return dimensions([*cols, *(GROUPINGS["school"] if school is not None else [])])


def prefetch(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    groupings: Sequence[Sequence[str]],
    *,
    school: int | None = None,
) -> None:
    """Count the measures and bands of several tables (and of the coarser ones each is suppressed
    against) in one query, before a page asks for them one by one."""
    base = _base(scope)
    rows = _rows(access, base, period)
    # (A grouping by a priority cohort reads its own split rows: its tables are counted when asked for.)
    plain = [cols for cols in groupings if not any(c.startswith(_COHORT_COL) for c in cols)]
    coarser = list(dict.fromkeys(tuple(_columns(d)) for cols in plain for d in _coarser(_dims(cols, school))))
    cache = ("protected", period, base, None)
    figures.several_measures(access, rows, coarser, key=cache)
    figures.several_bands(access, rows, coarser, key=cache)


def table(access: StoreAccess, scope: Scope, period: Period, dims: frozenset[str], *, threshold: int) -> Suppressed:
    """The suppressed table of the scope's rows grouped by ``dims`` (every group, bands as columns)."""
    base = _base(scope)
    scheme = figures.band_scheme()
    key = ("protected", period, base, scheme.name, threshold, dims)

    def compute() -> Suppressed:
        cohort = _cohort_key(dims)
        rows = _rows(access, base, period, cohort)
        cols = _columns(dims)
        # Rows split by a cohort count their own tables (the coarser ones without it read the plain rows).
        cache = ("protected", period, base, cohort)
        # The measures and bands of this table and of every coarser one it is suppressed against, in one query.
        coarser = [_columns(d) for d in _coarser(dims) if _cohort_key(d) == cohort]
        figures.several_measures(access, rows, coarser, key=cache)
        figures.several_bands(access, rows, coarser, key=cache)
        parents = [
            Parent(tuple(_columns(dims - {d})), table(access, scope, period, dims - {d}, threshold=threshold))
            for d in _free(dims)
        ]
        measures = figures.measures(access, rows, cols, key=cache)
        bands = _bands_wide(figures.bands(access, rows, cols, key=cache), cols, [b.key for b in scheme.bands])
        groups = _grid(rows, dims) if len(rows) else pd.DataFrame(columns=cols)
        frame = every_group(measures, groups)
        frame = every_group(bands, groups).drop(columns=cols).pipe(lambda b: pd.concat([frame, b], axis=1))
        return suppress_table(frame, threshold, cols, _layout(access, base, period), parents)

    return access.cached(key, compute)


def grouped(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    cols: Sequence[str],
    *,
    threshold: int,
    school: int | None = None,
) -> Suppressed:
    """The suppressed table by ``cols`` (columns from :func:`attendwise.measures.absence.resolve_grouping`) of
    the scope's rows, or of one school's.

    Raises:
        MeasureError: grouped by more than :data:`MAX_CHARACTERISTICS` characteristics.
    """
    if scope.schools is not None and len(scope.schools) == 1 and not scope.social_care_only:
        school = school if school is not None else next(iter(scope.schools))
    dims = _dims(cols, school)
    if len(_free(dims)) > MAX_CHARACTERISTICS:
        raise MeasureError(
            f"figures with small numbers suppressed can be grouped by at most {MAX_CHARACTERISTICS} "
            "characteristics (a school counts as one)"
        )
    found = table(access, scope, period, dims, threshold=threshold)
    if school is not None:
        found = found.take(found.values["school_urn"] == school)
    return found
