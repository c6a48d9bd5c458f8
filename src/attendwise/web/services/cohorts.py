"""The cohort page: the measures and bands for any characteristic (or two), within the user's scope.

Suppressed, the measures and the bands are one table of :mod:`attendwise.web.services.protected`, the
same whoever asks (the page, its CSV, the API).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.cohorts import Cohort
from attendwise.documents.charts import bar_chart
from attendwise.documents.suppression import (
    Suppressed,
    band_count_column,
)
from attendwise.documents.tables import Chart, Column, Kind, Table, table_from_frame
from attendwise.measures.absence import GROUPINGS, cohort_of, resolve_grouping
from attendwise.measures.absence import MEASURE_COLUMNS as DFE_COLUMNS
from attendwise.reports.common import MEASURE_COLUMNS
from attendwise.web.rules import Scope
from attendwise.web.services import figures, protected
from attendwise.web.services.data import StoreAccess

__all__ = ["CHARACTERISTICS", "CohortPage", "cohort_choices", "cohort_frame", "cohort_page", "grouping_of"]

#: The characteristics a user may choose, with their labels (keys of ``measures.GROUPINGS``).
CHARACTERISTICS: dict[str, str] = {
    "fsm": "Free school meals",
    "sen": "SEN provision",
    "need": "SEN primary need",
    "sex": "Sex",
    "year": "Year group",
    "ethnicity": "Ethnicity (major group)",
    "ethnicity_minor": "Ethnicity (minor group)",
    "language": "First language",
    "cla": "Looked after",
    "cin": "Child in need",
    "cpp": "Child protection plan",
    "phase": "Phase",
}
assert set(CHARACTERISTICS) <= set(GROUPINGS)

_LABELS = {
    "fsm": "Free school meals",
    "sen_provision": "SEN provision",
    "sen_primary_need": "SEN primary need",
    "sex": "Sex",
    "nc_year": "Year group",
    "ethnicity_major": "Ethnicity",
    "ethnicity_minor": "Ethnicity (minor)",
    "first_language": "First language",
    "cla": "Looked after",
    "cin": "Child in need",
    "cpp": "Child protection plan",
    "education_phase": "Phase",
}


def cohort_choices() -> list[tuple[str, str]]:
    """The LA's priority cohorts as choices beside the characteristics (``cohort:ebsa``)."""
    return [(c.grouping, f"Priority cohort: {c.label}") for c in figures.priority_cohorts()]


def _label(col: str) -> str:
    cohort = figures.priority_cohorts().by_column(col)
    return cohort.label if cohort is not None else _LABELS.get(col, col)


@dataclass
class CohortPage:
    period: Period
    by: list[str]
    columns: list[str]
    suppressed: bool
    measures: Chart
    bands: Table
    #: Counts below this are suppressed (when ``suppressed``).
    threshold: int = 5


def _rows(
    access: StoreAccess, scope: Scope, period: Period, school: int | None, cohort: Cohort | None = None
) -> pd.DataFrame:
    return figures.scoped_rows(figures.period_rows(access, period, cohort), scope, school)


def _hidden(cohort: Cohort) -> bool:
    """By default a cohort only LA staff may see membership of is shown with small numbers suppressed."""
    return cohort.sensitive


def _suppressed(
    access: StoreAccess, scope: Scope, period: Period, cols: list[str], school: int | None, threshold: int
) -> Suppressed:
    return protected.grouped(access, scope, period, cols, threshold=threshold, school=school)


def cohort_frame(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    by: list[str] | str,
    *,
    school: int | None,
    suppress: bool,
    threshold: int,
    hidden: Callable[[Cohort], bool] = _hidden,
) -> tuple[list[str], pd.DataFrame]:
    """The DfE measure columns by the chosen characteristics (for the page, the CSV and the API).

    A priority cohort (``cohort:KEY``) counts its members' sessions inside their dates; one whose membership
    ``hidden`` says the user may not see (a sensitive cohort, for a school) is suppressed as scrutiny's is.

    Raises:
        MeasureError: an unknown characteristic or cohort, two cohorts, or (suppressed) too many of them.
    """
    cols, cohort, suppress = grouping_of(by, suppress, hidden)
    if suppress:
        frame = _suppressed(access, scope, period, cols, school, threshold).shown(DFE_COLUMNS)
        return cols, frame[[*cols, *DFE_COLUMNS]].reset_index(drop=True)
    rows = _rows(access, scope, period, school, cohort)
    key = ("cohort", period, scope.schools, scope.social_care_only, school, cohort)
    return cols, figures.measures(access, rows, cols, key=key)


def grouping_of(
    by: list[str] | str, suppress: bool, hidden: Callable[[Cohort], bool]
) -> tuple[list[str], Cohort | None, bool]:
    """The columns, the priority cohort they split by, and whether small numbers are suppressed."""
    declared = figures.priority_cohorts()
    cols = resolve_grouping(by, declared)
    cohort = cohort_of(cols, declared)
    return cols, cohort, suppress or (cohort is not None and hidden(cohort))


def cohort_page(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    by: list[str],
    *,
    school: int | None,
    suppress: bool,
    threshold: int,
    scope_label: str,
    hidden: Callable[[Cohort], bool] = _hidden,
) -> CohortPage:
    cols, frame = cohort_frame(
        access, scope, period, by, school=school, suppress=suppress, threshold=threshold, hidden=hidden
    )
    _, cohort, suppress = grouping_of(by, suppress, hidden)
    label_cols = [Column(c, _label(c)) for c in cols]
    frame = frame.assign(group=[" / ".join(str(v) for v in vals) for vals in frame[cols].itertuples(index=False)])
    table = table_from_frame(
        frame,
        f"Absence by {', '.join(_label(c).lower() for c in cols)}, {scope_label}, {period.label}",
        [*label_cols, *MEASURE_COLUMNS],
    )
    spec = (
        bar_chart(frame, category="group", value="enrolments_pa_10_exact_percent", value_title="Persistent absence %")
        if len(frame)
        else None
    )
    figure = Chart(
        "cohort",
        "Persistent absence by group",
        spec,
        table,
        "Enrolments missing 10% or more of their possible sessions, as a percentage of the group.",
    )

    scheme = figures.band_scheme()
    bands = [b.key for b in scheme.bands]
    if suppress:
        # The same table as the measures: the bands of each group beside its enrolments.
        shown = _suppressed(access, scope, period, cols, school, threshold).shown([band_count_column(b) for b in bands])
        wide = shown.rename(columns={band_count_column(b): b for b in bands})[[*cols, *bands]]
    else:
        rows = _rows(access, scope, period, school, cohort)
        key = ("cohort", period, scope.schools, scope.social_care_only, school, cohort)
        band_frame = figures.bands(access, rows, cols, key=key)
        wide = band_frame.pivot_table(index=cols, columns="band", values="enrolments", aggfunc="first", sort=False)
        wide = wide.reindex(columns=bands).reset_index()
    bands_table = table_from_frame(
        wide,
        f"Pupils in each attendance band by {', '.join(_label(c).lower() for c in cols)}",
        [*label_cols, *[Column(b.key, b.name, Kind.COUNT) for b in scheme.bands]],
    )
    return CohortPage(period, by, cols, suppress, figure, bands_table, threshold)
