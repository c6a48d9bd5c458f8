"""The LA overview: headline measures against England and last year, trend, bands, reasons, schools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.documents.charts import bar_chart, line_chart
from attendwise.documents.suppression import SUPPRESSED, suppress_band_counts, suppress_measures
from attendwise.documents.tables import Column, Figure, Table, fmt_count, fmt_percent, table_from_frame
from attendwise.measures.reference import national_figures
from attendwise.reports.overview import headline_against_national, la_name_of, top_reasons
from attendwise.web.rules import Scope
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.disproportionality import GroupsPanel, flagged_groups
from attendwise.web.services.early_warning import heading_into_pa, la_risk
from attendwise.web.services.periods import previous_period

__all__ = ["Headline", "LAOverview", "bands_figure", "la_name", "la_overview", "trend_figure"]

MEASURE_COLUMNS = [
    Column("enrolments", "Enrolments", "count"),
    Column("sess_overall_percent", "Overall absence %", "percent"),
    Column("sess_authorised_percent", "Authorised %", "percent"),
    Column("sess_unauthorised_percent", "Unauthorised %", "percent"),
    Column("enrolments_pa_10_exact", "Persistently absent", "count"),
    Column("enrolments_pa_10_exact_percent", "Persistent absence %", "percent"),
    Column("enrolments_pa_50_exact", "Severely absent", "count"),
    Column("enrolments_pa_50_exact_percent", "Severe absence %", "percent"),
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
    trend: Figure
    bands: Figure
    reasons: Table
    schools: Table
    schools_shown: int
    schools_total: int
    groups: GroupsPanel
    #: Pupils not yet persistently absent but heading that way (early warning), formatted; None with no marks.
    heading_into_pa: str | None = None


def la_name(access: StoreAccess) -> str:
    """The LA's name as the store's schools give it."""

    def compute() -> str:
        return la_name_of(access.store(), "Local authority")

    return access.cached(("la_name",), compute)


def _value(frame: pd.DataFrame, column: str) -> object:
    return frame[column].iloc[0] if len(frame) and column in frame else None


def _diff(ours: object, theirs: object, what: str) -> str | None:
    if ours in (None, SUPPRESSED) or theirs is None or pd.isna(theirs) or pd.isna(ours):  # type: ignore[arg-type]
        return None
    delta = float(ours) - float(theirs)  # type: ignore[arg-type]
    if round(delta, 1) == 0:
        return f"the same as {what} ({float(theirs):.1f}%)"  # type: ignore[arg-type]
    direction = "higher" if delta > 0 else "lower"
    return f"{abs(delta):.1f} points {direction} than {what} ({float(theirs):.1f}%)"  # type: ignore[arg-type]


def headlines(
    totals: pd.DataFrame, national: pd.DataFrame | None, national_label: str, last: pd.DataFrame | None, last_label: str
) -> list[Headline]:
    """Headline cards: overall, persistent and severe absence, each against England and last year."""
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
                _diff(ours, _value(national, column), national_label) if national is not None else None,
                _diff(ours, _value(last, column), last_label) if last is not None else None,
            )
            if c
        ]
        value = SUPPRESSED if ours == SUPPRESSED else (fmt_percent(ours) + "%" if ours is not None else "")
        out.append(Headline(label, value, tuple(comparisons)))
    out.append(Headline("Enrolments counted (pupils aged 5 to 15)", fmt_count(_value(totals, "enrolments")), ()))
    return out


def trend_figure(
    access: StoreAccess, period: Period, previous: Period | None, *, school: int | None, name: str, fig_id: str
) -> Figure:
    """Overall absence by month: this period and the same months a year earlier (or the LA, for a school)."""
    this = figures.monthly(access, period)
    series = []
    pick = this.school_urn.isna() if school is None else this.school_urn == school
    series.append(this[pick].assign(series=f"{name} {period.academic_year.label}"))
    if school is not None:
        series.append(this[this.school_urn.isna()].assign(series=f"Local authority {period.academic_year.label}"))
    if previous is not None:
        earlier = figures.monthly(access, previous)
        pick = earlier.school_urn.isna() if school is None else earlier.school_urn == school
        series.append(earlier[pick].assign(series=f"{name} {previous.academic_year.label}"))
    frame = pd.concat(series, ignore_index=True) if series else pd.DataFrame()
    frame = frame.assign(month_name=pd.to_datetime(frame.month_start).dt.strftime("%b")) if len(frame) else frame
    order = (
        list(dict.fromkeys(this.assign(m=pd.to_datetime(this.month_start).dt.strftime("%b")).m)) if len(this) else []
    )
    if len(frame):
        wide = frame.pivot_table(index="month_name", columns="series", values="sess_overall_percent", sort=False)
        wide = wide.reindex([m for m in order if m in wide.index]).reset_index()
    else:
        wide = pd.DataFrame({"month_name": []})
    cols = [Column("month_name", "Month")] + [Column(s, f"{s}: overall absence %", "percent") for s in wide.columns[1:]]
    table = table_from_frame(wide, "Overall absence by month (%)", cols, empty_message="No marks in this period yet.")
    spec = (
        line_chart(
            frame, x="month_name", y="sess_overall_percent", series="series", x_order=order, y_title="Overall absence %"
        )
        if len(frame)
        else None
    )
    return Figure(
        fig_id,
        "Overall absence by month",
        spec,
        table,
        "Sessions missed as a percentage of possible sessions, each month.",
    )


def bands_figure(frame: pd.DataFrame, *, suppress: bool, threshold: int, fig_id: str, title: str) -> Figure:
    """Pupils in each attendance band: a bar chart and its table."""
    scheme = figures.band_scheme()
    if suppress:
        frame = suppress_band_counts(frame, threshold)
    colours = {b.key: b.colour for b in scheme.bands}
    table = table_from_frame(
        frame,
        title,
        [Column("band_name", "Band"), Column("enrolments", "Pupils", "count"), Column("percent", "%", "percent")],
        tags={"band_name": [colours.get(k, "grey") for k in frame.band]},
    )
    spec = bar_chart(
        frame,
        category="band_name",
        value="enrolments",
        value_title="Pupils",
        colours=[colours.get(k, "grey") for k in frame.band],
    )
    return Figure(fig_id, title, spec, table, scheme.description)


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
    rows = figures.period_rows(access, period)
    totals = figures.measures(access, rows, key=("la", period))
    previous = previous_period(store, period)
    last = figures.measures(access, figures.period_rows(access, previous), key=("la", previous)) if previous else None
    national = national_figures(period.academic_year.time_period)
    national_total = national[national.education_phase == "Total"]
    national_year = int(national.time_period.iloc[0])
    national_label = f"England {national_year // 100}/{national_year % 100:02d}"
    if suppress:
        totals = suppress_measures(totals, threshold)
        last = suppress_measures(last, threshold) if last is not None else None

    headline = access.cached(("headline", period, name), lambda: headline_against_national(store, period, name))
    if suppress:
        headline = suppress_measures(headline, threshold, keys=["area", "education_phase"])
    headline_table = table_from_frame(
        headline,
        f"Headline absence, {period.describe()}, pupils aged 5 to 15, beside England",
        [
            Column("area", "Area"),
            Column("education_phase", "Phase"),
            *MEASURE_COLUMNS[:4],
            MEASURE_COLUMNS[5],
            MEASURE_COLUMNS[7],
        ],
    )

    band_frame = figures.bands(access, rows, key=("la", period))
    reasons = access.cached(("reasons", period), lambda: top_reasons(store, period))
    reasons_table = table_from_frame(
        reasons,
        "Most common reasons for absence",
        [
            Column("kind", "Kind"),
            Column("reason", "Reason"),
            Column("sessions", "Sessions", "count"),
            Column("rate", "% of possible sessions", "rate2"),
            Column("share", "% of all absence", "percent"),
        ],
    )

    by_school = figures.measures(
        access, rows, ["school_urn", "school_name", "education_phase"], key=("la-schools", period)
    )
    ranked = by_school.sort_values(
        ["enrolments_pa_50_exact_percent", "enrolments_pa_10_exact_percent"], ascending=False
    ).reset_index(drop=True)
    shown = ranked.head(top)
    urns = [int(u) for u in shown.school_urn]
    if suppress:
        shown = suppress_measures(shown, threshold, keys=["school_urn", "school_name", "education_phase"])
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
    groups = flagged_groups(access, rows, key=("la", period), suppress=suppress, threshold=threshold)
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
        headlines=headlines(
            totals, national_total, national_label, last, previous.academic_year.label if previous else ""
        ),
        headline_table=headline_table,
        trend=trend_figure(access, period, previous, school=None, name=name, fig_id="trend"),
        bands=bands_figure(
            band_frame,
            suppress=suppress,
            threshold=threshold,
            fig_id="bands",
            title=f"Pupils in each attendance band, {period.label}",
        ),
        reasons=reasons_table,
        schools=schools,
        schools_shown=len(shown),
        schools_total=len(ranked),
    )
