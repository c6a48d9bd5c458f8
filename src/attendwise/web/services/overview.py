"""The LA overview: headline measures against England and last year, trend, bands, reasons, schools.

For a scrutiny member every figure comes from the suppressed tables of
:mod:`attendwise.web.services.protected`, so it is suppressed as it is everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.documents.charts import bar_chart, line_chart
from attendwise.documents.marks import SUPPRESSED, is_suppressed
from attendwise.documents.suppression import (
    ENROLMENTS,
    Suppressed,
    band_count_column,
    band_percent_column,
    measure_layout,
    suppress_table,
)
from attendwise.documents.tables import Chart, Column, Kind, Table, fmt_count, fmt_percent, table_from_frame
from attendwise.measures.reference import national_figures
from attendwise.reports.overview import headline_beside_national, la_name_of, reasons_of
from attendwise.web.rules import Scope
from attendwise.web.services import figures, protected
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.disproportionality import GroupsPanel, flagged_groups
from attendwise.web.services.early_warning import heading_into_pa, la_risk
from attendwise.web.services.periods import previous_period

__all__ = [
    "Headline",
    "LAOverview",
    "bands_figure",
    "compare",
    "headlines",
    "la_name",
    "la_overview",
    "reasons_table",
    "trend_figure",
]

MEASURE_COLUMNS = [
    Column("enrolments", "Enrolments", Kind.COUNT),
    Column("sess_overall_percent", "Overall absence %", Kind.PERCENT),
    Column("sess_authorised_percent", "Authorised %", Kind.PERCENT),
    Column("sess_unauthorised_percent", "Unauthorised %", Kind.PERCENT),
    Column("enrolments_pa_10_exact", "Persistently absent", Kind.COUNT),
    Column("enrolments_pa_10_exact_percent", "Persistent absence %", Kind.PERCENT),
    Column("enrolments_pa_50_exact", "Severely absent", Kind.COUNT),
    Column("enrolments_pa_50_exact_percent", "Severe absence %", Kind.PERCENT),
]


@dataclass(frozen=True)
class Headline:
    """One headline figure with what it is compared against."""

    label: str
    value: str
    comparisons: tuple[str, ...]


@dataclass
class LAOverview:
    la_name: str
    period: Period
    previous: Period | None
    suppressed: bool
    headlines: list[Headline]
    headline_table: Table
    trend: Chart
    bands: Chart
    reasons: Table
    schools: Table
    schools_shown: int
    schools_total: int
    groups: GroupsPanel
    #: Pupils not yet persistently absent but heading that way (early warning), formatted; None with no marks.
    heading_into_pa: str | None = None
    #: Counts below this are suppressed (when ``suppressed``).
    threshold: int = 5


def la_name(access: StoreAccess) -> str:
    """The LA's name as the store's schools give it."""

    def compute() -> str:
        return la_name_of(access.store(), "Local authority")

    return access.cached(("la_name",), compute)


def _value(frame: pd.DataFrame | None, column: str) -> object:
    return frame[column].iloc[0] if frame is not None and len(frame) and column in frame else None


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[call-overload]


def compare(ours: object, theirs: object, what: str) -> str | None:
    """A rate against another (``what`` names the other) in words, or None when there is nothing to
    compare with. A suppressed figure on either side is said to be suppressed: a difference from a
    shown figure would give it back."""
    if _missing(theirs) or _missing(ours):
        return None
    if is_suppressed(ours):
        return f"Not compared with {what}: suppressed (too few pupils)"
    if is_suppressed(theirs):
        return f"Not compared with {what}: its figure is suppressed (too few pupils)"
    delta = float(ours) - float(theirs)  # type: ignore[arg-type]
    if round(delta, 1) == 0:
        return f"the same as {what} ({float(theirs):.1f}%)"  # type: ignore[arg-type]
    direction = "higher" if delta > 0 else "lower"
    return f"{abs(delta):.1f} points {direction} than {what} ({float(theirs):.1f}%)"  # type: ignore[arg-type]


def headlines(
    totals: pd.DataFrame,
    national: pd.DataFrame | None,
    national_label: str,
    last: pd.DataFrame | None,
    last_label: str,
) -> list[Headline]:
    """Headline cards: overall, persistent and severe absence, each against England and last year.

    ``totals`` and ``last`` are one row of measures as published (``x`` where suppressed)."""
    out = []
    for column, label in (
        ("sess_overall_percent", "Overall absence"),
        ("enrolments_pa_10_exact_percent", "Persistent absence (10% or more of sessions missed)"),
        ("enrolments_pa_50_exact_percent", "Severe absence (50% or more of sessions missed)"),
    ):
        ours = _value(totals, column)
        comparisons = [
            c
            for c in (
                compare(ours, _value(national, column), national_label) if national is not None else None,
                compare(ours, _value(last, column), last_label) if last is not None else None,
            )
            if c
        ]
        value = SUPPRESSED if is_suppressed(ours) else (fmt_percent(ours) + "%" if not _missing(ours) else "")
        out.append(Headline(label, value, tuple(comparisons)))
    out.append(Headline("Enrolments counted (pupils aged 5 to 15)", fmt_count(_value(totals, "enrolments")), ()))
    return out


def _series(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    school: int | None,
    *,
    suppress: bool,
    threshold: int,
) -> pd.DataFrame:
    """Overall absence by month of the LA (``school`` None) or one school, suppressed when asked: a
    month of fewer pupils than the threshold, and every month of a group hidden in the period."""
    monthly = figures.monthly(access, period)
    frame = monthly[monthly.school_urn.isna() if school is None else monthly.school_urn == school]
    frame = frame.reset_index(drop=True)
    if not suppress or frame.empty:
        return frame[["month", "month_start", "sess_overall_percent"]]
    keys = ["month", "month_start", "school_urn"]
    months = suppress_table(frame, threshold, keys, measure_layout()).shown(["sess_overall_percent"], every_row=True)
    whole = protected.grouped(access, scope, period, [], threshold=threshold, school=school)
    if whole.values.empty or bool(whole.hidden[ENROLMENTS].iloc[0]):
        months["sess_overall_percent"] = SUPPRESSED
    return months[["month", "month_start", "sess_overall_percent"]]


def trend_figure(
    access: StoreAccess,
    period: Period,
    previous: Period | None,
    *,
    school: int | None,
    name: str,
    fig_id: str,
    scope: Scope | None = None,
    suppress: bool = False,
    threshold: int = 5,
) -> Chart:
    """Overall absence by month: this period and the same months a year earlier (or the LA, for a school)."""
    scope = protected.la_wide(scope or Scope(None, None))
    series = [(period, school, f"{name} {period.academic_year.label}")]
    if school is not None:
        series.append((period, None, f"Local authority {period.academic_year.label}"))
    if previous is not None:
        series.append((previous, school, f"{name} {previous.academic_year.label}"))
    parts = [
        _series(access, scope, p, urn, suppress=suppress, threshold=threshold).assign(series=label)
        for p, urn, label in series
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.assign(month_name=pd.to_datetime(frame.month_start).dt.strftime("%b")) if len(frame) else frame
    this = parts[0]
    order = list(dict.fromkeys(pd.to_datetime(this.month_start).dt.strftime("%b"))) if len(this) else []
    if len(frame):
        wide = frame.pivot(index="month_name", columns="series", values="sess_overall_percent")
        wide = wide.reindex(index=[m for m in order if m in wide.index], columns=[s for *_, s in series if s in wide])
        wide = wide.dropna(how="all")  # a month with no sessions yet
        wide = wide.rename_axis(columns=None).reset_index()
    else:
        wide = pd.DataFrame({"month_name": []})
    cols = [Column("month_name", "Month")] + [
        Column(s, f"{s}: overall absence %", Kind.PERCENT) for s in wide.columns[1:]
    ]
    table = table_from_frame(wide, "Overall absence by month (%)", cols, empty="No marks in this period yet.")
    spec = (
        line_chart(
            frame, x="month_name", y="sess_overall_percent", series="series", x_order=order, y_title="Overall absence %"
        )
        if len(frame)
        else None
    )
    return Chart(
        fig_id,
        "Overall absence by month",
        spec,
        table,
        "Sessions missed as a percentage of possible sessions, each month.",
    )


def band_rows(table: Suppressed) -> pd.DataFrame:
    """The attendance bands of a suppressed table's one row, one row per band (``x`` where suppressed)."""
    scheme = figures.band_scheme()
    return pd.DataFrame(
        {
            "band": [b.key for b in scheme.bands],
            "band_name": [b.name for b in scheme.bands],
            "enrolments": [table.value(band_count_column(b.key)) for b in scheme.bands],
            "percent": [table.value(band_percent_column(b.key)) for b in scheme.bands],
        }
    )


def bands_figure(frame: pd.DataFrame, *, fig_id: str, title: str) -> Chart:
    """Pupils in each attendance band (a frame of :func:`attendwise.measures.bands.band_counts`, or
    :func:`band_rows`): a bar chart and its table."""
    scheme = figures.band_scheme()
    colours = {b.key: b.colour for b in scheme.bands}
    table = table_from_frame(
        frame,
        title,
        [Column("band_name", "Band"), Column("enrolments", "Pupils", Kind.COUNT), Column("percent", "%", Kind.PERCENT)],
        tags={"band_name": [colours.get(k, "grey") for k in frame.band]},
    )
    spec = bar_chart(
        frame,
        category="band_name",
        value="enrolments",
        value_title="Pupils",
        colours=[colours.get(k, "grey") for k in frame.band],
    )
    return Chart(fig_id, title, spec, table, scheme.description)


def reasons_table(totals: pd.Series, hidden: Callable[[str], bool] | None = None, n: int = 5) -> Table:
    """The most common reasons for absence in a row of measures; with ``hidden`` (whether a reason's
    column is suppressed), a suppressed reason is ``x`` and ranked after those shown."""
    frame = reasons_of(totals, None if hidden else n)
    if hidden is not None:
        frame = frame.assign(_hidden=[hidden(c) for c in frame.column])
        frame = frame.sort_values(["kind", "_hidden", "sessions"], ascending=[True, True, False], kind="stable")
        frame = frame.groupby("kind").head(n).astype(object)
        frame.loc[frame._hidden.astype(bool), ["sessions", "rate", "share"]] = SUPPRESSED
    return table_from_frame(
        frame,
        "Most common reasons for absence",
        [
            Column("kind", "Kind"),
            Column("reason", "Reason"),
            Column("sessions", "Sessions", Kind.COUNT),
            Column("rate", "% of possible sessions", Kind.PERCENT, 2),
            Column("share", "% of all absence", Kind.PERCENT),
        ],
    )


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Schools by severe then persistent absence rate, highest first; a suppressed rate ranks last."""
    keys = {
        c: pd.to_numeric(frame[c].where(frame[c] != SUPPRESSED), errors="coerce").fillna(-1.0)
        for c in ("enrolments_pa_50_exact_percent", "enrolments_pa_10_exact_percent")
    }
    order = frame.assign(_sa=keys["enrolments_pa_50_exact_percent"], _pa=keys["enrolments_pa_10_exact_percent"])
    return order.sort_values(["_sa", "_pa"], ascending=False, kind="stable").drop(columns=["_sa", "_pa"])


def la_overview(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    *,
    threshold: int,
    school_link: Callable[[int], str | None],
    top: int = 20,
) -> LAOverview:
    """Everything on the LA overview page, suppressed for a scrutiny member."""
    store = access.store()
    name = la_name(access)
    suppress = scope.suppress
    wide = protected.la_wide(scope)
    rows = figures.period_rows(access, period)
    previous = previous_period(store, period)
    national = national_figures(period.academic_year.time_period)
    national_total = national[national.education_phase == "Total"]
    national_year = int(national.time_period.iloc[0])
    national_label = f"England {national_year // 100}/{national_year % 100:02d}"
    school_keys = ["school_urn", "school_name", "education_phase"]

    def grouped(cols: list[str], p: Period = period) -> Suppressed:
        return protected.grouped(access, wide, p, cols, threshold=threshold)

    if suppress:
        protected.prefetch(access, wide, period, [[], ["education_phase"], school_keys])
        total = grouped([])
        totals, phases = total.shown(every_row=True), grouped(["education_phase"]).shown()
        last = grouped([], previous).shown(every_row=True) if previous else None
        band_frame = band_rows(total)
        reasons = reasons_table(total.values.iloc[0], lambda c: bool(total.column_hidden(c).iloc[0]))
        by_school = grouped(school_keys).shown()
    else:
        totals = figures.measures(access, rows, key=("la", period))
        phases = figures.measures(access, rows, ["education_phase"], key=("la", period))
        last = (
            figures.measures(access, figures.period_rows(access, previous), key=("la", previous)) if previous else None
        )
        band_frame = figures.bands(access, rows, key=("la", period))
        reasons = reasons_table(totals.iloc[0])
        by_school = figures.measures(access, rows, school_keys, key=("la-schools", period))

    headline_table = table_from_frame(
        headline_beside_national(totals, phases, period, name),
        f"Headline absence, {period.describe()}, pupils aged 5 to 15, beside England",
        [
            Column("area", "Area"),
            Column("education_phase", "Phase"),
            *MEASURE_COLUMNS[:4],
            MEASURE_COLUMNS[5],
            MEASURE_COLUMNS[7],
        ],
    )
    ranked = _ranked(by_school).reset_index(drop=True)
    shown = ranked.head(top)
    urns = [int(u) for u in shown.school_urn]
    schools = table_from_frame(
        shown,
        f"Schools with the highest severe absence, then persistent absence ({min(top, len(ranked))} of {len(ranked)})",
        [
            Column("school_name", "School"),
            Column("education_phase", "Phase"),
            MEASURE_COLUMNS[0],
            MEASURE_COLUMNS[1],
            MEASURE_COLUMNS[4],
            MEASURE_COLUMNS[5],
            MEASURE_COLUMNS[6],
            MEASURE_COLUMNS[7],
        ],
        links={"school_name": [school_link(u) for u in urns]},
    )
    groups = flagged_groups(
        access,
        rows,
        key=("la", period),
        suppress=suppress,
        threshold=threshold,
        suppressed=(lambda col: grouped([col])) if suppress else None,
    )
    risk = la_risk(access)
    heading: str | None = None
    if risk is not None:
        count = len(heading_into_pa(risk.frame))
        heading = SUPPRESSED if suppress and 0 < count < threshold else fmt_count(count)
    return LAOverview(
        groups=groups,
        heading_into_pa=heading,
        la_name=name,
        period=period,
        previous=previous,
        suppressed=suppress,
        threshold=threshold,
        headlines=headlines(
            totals, national_total, national_label, last, previous.academic_year.label if previous else ""
        ),
        headline_table=headline_table,
        trend=trend_figure(
            access,
            period,
            previous,
            school=None,
            name=name,
            fig_id="trend",
            scope=scope,
            suppress=suppress,
            threshold=threshold,
        ),
        bands=bands_figure(band_frame, fig_id="bands", title=f"Pupils in each attendance band, {period.label}"),
        reasons=reasons,
        schools=schools,
        schools_shown=len(shown),
        schools_total=len(ranked),
    )
