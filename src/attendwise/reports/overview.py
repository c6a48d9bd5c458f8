"""The LA's figures: the LA overview page (headline measures against England and last year, the trend,
bands, groups, reasons and schools ranked) and the demo's report.

The overview is composed from a :class:`~attendwise.reports.source.FigureSource`; for an audience that
sees small numbers suppressed (a scrutiny member) every figure comes from the source's suppressed tables,
so it is suppressed as it is everywhere else. The demo's report is a list of documents
:class:`~attendwise.documents.tables.Table` s, so the CLI only writes out what is described here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from attendwise.analysis.early_warning import heading_into_pa
from attendwise.core.calendar import AcademicYear, Period, parse_period
from attendwise.core.codes import ABSENCE_REASONS
from attendwise.core.cohorts import NOT_IN_COHORT, Cohort
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.tables import Chart, Column, Kind, Table, fmt_count, table_from_frame
from attendwise.measures.absence import absence_measures, enrolment_absence
from attendwise.measures.bands import band_counts, load_scheme
from attendwise.measures.reference import national_figures
from attendwise.measures.trends import HEADLINES, change_on_last_year
from attendwise.reports.charts import reasons_chart, schools_chart
from attendwise.reports.common import (
    MEASURE_COLUMNS,
    Headline,
    band_rows,
    bands_figure,
    data_range,
    england_figures,
    england_note,
    headlines,
    national_label,
    previous_period,
    trend_figure,
)
from attendwise.reports.groups import GroupsPanel, flagged_groups
from attendwise.reports.source import FigureSource
from attendwise.store import Store

__all__ = [
    "HEADLINE_COLUMNS",
    "LAOverview",
    "demo_report",
    "headline_against_national",
    "headline_beside_national",
    "la_name",
    "la_name_of",
    "la_overview",
    "reasons_of",
    "reasons_table",
    "schools_by_severe_absence",
    "top_reasons",
]

#: The headline measures, as the demo and the LA's summary show them.
HEADLINE_COLUMNS = (
    Column("enrolments", "Enrolments", Kind.COUNT),
    Column("sess_overall_percent", "Overall absence %", Kind.PERCENT),
    Column("sess_authorised_percent", "Authorised %", Kind.PERCENT),
    Column("sess_unauthorised_percent", "Unauthorised %", Kind.PERCENT),
    Column("enrolments_pa_10_exact_percent", "Persistent absence %", Kind.PERCENT),
    Column("enrolments_pa_50_exact_percent", "Severe absence %", Kind.PERCENT),
)
_HEADING = {c.key: c.heading for c in HEADLINE_COLUMNS}


def headline_against_national(store: Store, period: Period, la_name: str) -> pd.DataFrame:
    """The LA's headline measures, total and by phase, beside the national figures for the year."""
    with store.materialised(enrolment_absence(store, period)) as enrolments:
        total = absence_measures(enrolments).to_pandas()
        phases = absence_measures(enrolments, ["education_phase"]).to_pandas()
    return headline_beside_national(total, phases, period, la_name)


def headline_beside_national(
    total: pd.DataFrame, phases: pd.DataFrame, period: Period, la_name: str, national: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The LA's measures (``total``: one row; ``phases``: by ``education_phase``) beside the national
    figures for the year (``national``, the shipped ones by default), total first, then each phase, the LA
    above England. The figures are laid out as given (suppressed ones too)."""
    la = pd.concat([total.assign(education_phase="Total"), phases], ignore_index=True).assign(area=la_name)
    if national is None:
        national = national_figures(period.academic_year.time_period)
    year = AcademicYear(int(national.time_period.iloc[0]) // 100).label
    national = national.assign(area=f"England {year}")
    cols = ["area", "education_phase", *(c.key for c in HEADLINE_COLUMNS)]
    out = pd.concat([la.reindex(columns=cols), national.reindex(columns=cols)], ignore_index=True)
    order = {"Total": 0, "State-funded primary": 1, "State-funded secondary": 2, "Special": 3}
    out["_order"] = out.education_phase.map(order)
    return (
        out.sort_values(["_order", "area"], key=lambda s: s if s.name == "_order" else s.str.startswith("England"))
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def top_reasons(store: Store, period: Period, n: int = 5) -> pd.DataFrame:
    """The most common authorised and unauthorised reasons: sessions, rate and share of absence."""
    return reasons_of(absence_measures(enrolment_absence(store, period)).to_pandas().iloc[0], n)


def reasons_of(totals: pd.Series, n: int | None = 5) -> pd.DataFrame:
    """The reasons for absence in one row of :func:`absence_measures`, most sessions first within each
    kind (the ``n`` most common of each, or every reason with sessions): ``column`` names the reason's
    column."""
    rows = []
    for reason, label in ABSENCE_REASONS.items():
        rows.append(
            {
                "kind": "Authorised" if reason.startswith("sess_auth_") else "Unauthorised",
                "reason": label,
                "column": reason,
                "sessions": totals[reason],
                "rate": totals[f"{reason}_rate"],
                "share": totals[f"{reason}_distribution"],
            }
        )
    frame = pd.DataFrame(rows)
    frame = frame[frame.sessions > 0].sort_values(["kind", "sessions"], ascending=[True, False])
    return (frame.groupby("kind").head(n) if n is not None else frame).reset_index(drop=True)


def schools_by_severe_absence(store: Store, period: Period, n: int = 10) -> pd.DataFrame:
    """Schools with the highest severe absence rate (ties broken by the number severely absent)."""
    by_school = absence_measures(
        enrolment_absence(store, period), ["school_urn", "school_name", "education_phase"]
    ).to_pandas()
    return (
        by_school.sort_values(["enrolments_pa_50_exact_percent", "enrolments_pa_50_exact"], ascending=False)
        .head(n)
        .reset_index(drop=True)
    )


def _table(frame: pd.DataFrame, caption: str, keys: list[str], columns: tuple[Column, ...]) -> Table:
    """A report table: its key columns as text (``school_name`` headed "School name"), then ``columns``."""
    shown = [Column(k, k.replace("_", " ").capitalize()) for k in keys]
    return table_from_frame(frame, caption, [*shown, *columns], row_headers=False)


def demo_report(store: Store, period_text: str | None = None) -> list[Table]:
    """Everything the demo prints, for the latest academic year in the store.

    When the marks stop before July of that year (a store mid-year, as the demo's is by default) the
    period is the year to date, England's figures are labelled as the whole year they are, and a
    table of this year to date against the same point last year follows the headline.
    """
    latest = store.latest_mark()
    if latest is None:
        return []
    year = AcademicYear.containing(latest)
    part_year = period_text is None and latest < dt.date(year.start_year + 1, 7, 1)
    period = parse_period(
        period_text or (f"{year.label}-ytd" if part_year else year.label),
        half_term_starts=store.half_term_starts(),
        latest_mark=latest,
    )
    la_name = la_name_of(store)
    headline = headline_against_national(store, period, la_name)
    if part_year:
        england = headline.area.str.startswith("England")
        headline.loc[england, "area"] = headline.loc[england, "area"] + " (whole year)"
    change: list[Table] = []
    first = store.mark_range()[0]
    if part_year and first is not None and first < year.start:  # last year is in the store
        wide = change_on_last_year(store, as_of=latest).iloc[0]
        now, then = str(wide.period), str(wide.compared_with)
        frame = pd.DataFrame(
            {
                "measure": [_HEADING[m] for m in HEADLINES[1:]],
                "this_year": [wide[m] for m in HEADLINES[1:]],
                "last_year": [wide[f"{m}_last_year"] for m in HEADLINES[1:]],
                "change": [round(wide[f"{m}_change"], 1) + 0.0 for m in HEADLINES[1:]],  # no "-0.0"
            }
        )
        columns = (
            Column("this_year", now, Kind.PERCENT),
            Column("last_year", then, Kind.PERCENT),
            Column("change", "Change", Kind.POINTS),
        )
        title = "This year to date against the same point last year, pupils aged 5-15"
        change = [_table(frame, title, ["measure"], columns)]
    scheme = load_scheme("five-categories")
    bands = band_counts(enrolment_absence(store, period), scheme).to_pandas()
    reasons = top_reasons(store, period)
    severe = schools_by_severe_absence(store, period)
    return [
        _table(
            headline,
            f"Headline absence, {period.describe()}, pupils aged 5-15",
            ["area", "education_phase"],
            HEADLINE_COLUMNS,
        ),
        *change,
        _table(
            bands,
            f"{scheme.name}, {period.label}",
            ["band_name"],
            (Column("enrolments", "Pupils", Kind.COUNT), Column("percent", "%", Kind.PERCENT)),
        ),
        _table(
            reasons,
            f"Top reasons for absence, {period.label}",
            ["kind", "reason"],
            (
                Column("sessions", "Sessions", Kind.COUNT),
                Column("rate", "% of possible", Kind.PERCENT, 2),
                Column("share", "% of absence", Kind.PERCENT),
            ),
        ),
        _table(
            severe,
            f"Schools with the highest severe absence, {period.label}",
            ["school_urn", "school_name", "education_phase"],
            (
                Column("enrolments", "Enrolments", Kind.COUNT),
                Column("enrolments_pa_50_exact", "Severely absent", Kind.COUNT),
                Column("enrolments_pa_50_exact_percent", "SA %", Kind.PERCENT),
                Column("enrolments_pa_10_exact_percent", "PA %", Kind.PERCENT),
                Column("sess_overall_percent", "Overall absence %", Kind.PERCENT),
            ),
        ),
    ]


def la_name_of(store: Store, unnamed: str = "LA") -> str:
    """The LA's name as the store's schools give it (the LAs' names, for a store of several)."""
    return ", ".join(name or f"LA {code}" for code, name in store.local_authorities()) or unnamed


def la_name(source: FigureSource) -> str:
    """The LA's name as the store's schools give it (kept by the source)."""
    return source.cached(("la_name",), lambda: la_name_of(source.store(), "Local authority"))


# -- the LA overview -----------------------------------------------------------------------------
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
    schools_chart: Chart | None
    reasons_chart: Chart | None
    schools_shown: int
    schools_total: int
    groups: GroupsPanel
    #: Pupils not yet persistently absent but heading that way (early warning), formatted; None with no marks.
    heading_into_pa: str | None = None
    #: Counts below this are suppressed (when ``suppressed``).
    threshold: int = 5
    #: The LA's priority cohorts, each against everyone else (None when the LA declares none).
    cohorts: Table | None = None
    #: The dates the figures cover (:func:`attendwise.reports.common.data_range`).
    period_text: str = ""


#: What the priority cohorts table shows of each cohort and of everyone else.
_COHORT_FIGURES = (
    ("enrolments", "Pupils", Kind.COUNT),
    ("sess_overall_percent", "Overall absence %", Kind.PERCENT),
    ("enrolments_pa_10_exact_percent", "Persistent absence %", Kind.PERCENT),
    ("enrolments_pa_50_exact_percent", "Severe absence %", Kind.PERCENT),
)


def priority_cohorts_table(
    source: FigureSource,
    period: Period,
    cohorts: Sequence[Cohort],
    *,
    suppress: bool,
    threshold: int,
    hidden: Callable[[Cohort], bool],
) -> Table | None:
    """Each of the LA's priority cohorts LA-wide (members counted for the sessions inside their dates) beside
    everyone else; from the suppressed tables for an audience that sees small numbers suppressed, or for whom
    the cohort's membership is ``hidden``. Cohorts the store holds no membership of yet are left out (None
    when that is all of them)."""
    held = set(source.store().cohorts_held())
    cohorts = [c for c in cohorts if c.key in held]
    if not cohorts:
        return None
    keys = [k for k, _, _ in _COHORT_FIGURES]
    rows = []
    for cohort in cohorts:
        if suppress or hidden(cohort):
            frame = source.suppressed(period, [cohort.column], threshold=threshold).shown(keys)
        else:
            split = source.period_rows(period, cohort)
            frame = source.measures(split, [cohort.column], key=("la-priority-cohort", period, cohort))
        by_group = frame.set_index(cohort.column)
        inside = by_group.loc[cohort.label] if cohort.label in by_group.index else None
        outside = by_group.loc[NOT_IN_COHORT] if NOT_IN_COHORT in by_group.index else None
        rows.append(
            (
                cohort.label,
                *(inside[k] if inside is not None else 0 for k in keys),
                *(outside[k] if outside is not None else None for k in keys[1:]),
            )
        )
    columns = [
        Column("cohort", "Priority cohort"),
        *(Column(k, heading, kind) for k, heading, kind in _COHORT_FIGURES),
        *(Column(f"others_{k}", f"Everyone else: {heading}", kind) for k, heading, kind in _COHORT_FIGURES[1:]),
    ]
    return Table(
        f"The LA's priority cohorts, {period.label}",
        tuple(columns),
        tuple(rows),
        notes=("A pupil counts in a cohort only for the sessions inside their dates in it.",),
    )


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


_SCHOOL_KEYS = ["school_urn", "school_name", "education_phase"]


@dataclass(frozen=True)
class _LAFigures:
    """The LA's measures the overview lays out, as published (``x`` where suppressed)."""

    totals: pd.DataFrame
    phases: pd.DataFrame
    last: pd.DataFrame | None
    bands: pd.DataFrame
    reasons: Table
    by_school: pd.DataFrame


def _la_figures(source: FigureSource, period: Period, previous: Period | None) -> _LAFigures:
    """The LA's measures of this period and last year's, from the period's rows."""
    rows = source.period_rows(period)
    totals = source.measures(rows, key=("la", period))
    last = None
    if previous is not None:
        last = source.measures(source.period_rows(previous), key=("la", previous))
    return _LAFigures(
        totals=totals,
        phases=source.measures(rows, ["education_phase"], key=("la", period)),
        last=last,
        bands=source.bands(rows, key=("la", period)),
        reasons=reasons_table(totals.iloc[0]),
        by_school=source.measures(rows, _SCHOOL_KEYS, key=("la-schools", period)),
    )


def _suppressed_la_figures(source: FigureSource, period: Period, previous: Period | None, threshold: int) -> _LAFigures:
    """The LA's measures of this period and last year's, from the suppressed tables."""
    source.prefetch(period, [[], ["education_phase"], _SCHOOL_KEYS])
    total = source.suppressed(period, [], threshold=threshold)
    last = source.suppressed(previous, [], threshold=threshold).shown(every_row=True) if previous else None
    return _LAFigures(
        totals=total.shown(every_row=True),
        phases=source.suppressed(period, ["education_phase"], threshold=threshold).shown(),
        last=last,
        bands=band_rows(total, source.band_scheme()),
        reasons=reasons_table(total.values.iloc[0], lambda c: bool(total.column_hidden(c).iloc[0])),
        by_school=source.suppressed(period, _SCHOOL_KEYS, threshold=threshold).shown(),
    )


def _headline_table(figures: _LAFigures, period: Period, name: str, national: pd.DataFrame) -> Table:
    table = table_from_frame(
        headline_beside_national(figures.totals, figures.phases, period, name, national),
        f"Headline absence, {period.describe()}, pupils aged 5 to 15, beside England",
        [
            Column("area", "Area"),
            Column("education_phase", "Phase"),
            *MEASURE_COLUMNS[:4],
            MEASURE_COLUMNS[5],
            MEASURE_COLUMNS[7],
        ],
    )
    note = england_note(national)
    return replace(table, notes=(note,)) if note else table


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Schools by severe then persistent absence rate, highest first; a suppressed rate ranks last."""
    keys = {
        c: pd.to_numeric(frame[c].where(frame[c] != SUPPRESSED), errors="coerce").fillna(-1.0)
        for c in ("enrolments_pa_50_exact_percent", "enrolments_pa_10_exact_percent")
    }
    order = frame.assign(_sa=keys["enrolments_pa_50_exact_percent"], _pa=keys["enrolments_pa_10_exact_percent"])
    return order.sort_values(["_sa", "_pa"], ascending=False, kind="stable").drop(columns=["_sa", "_pa"])


def _schools_table(
    by_school: pd.DataFrame,
    top: int,
    school_link: Callable[[int], str | None],
    schools: frozenset[int] | None = None,
) -> tuple[Table, int]:
    """The ``top`` schools by severe then persistent absence, linked to their pages; and how many there are.
    With ``schools``, only those (an officer's own schools, ranked among themselves)."""
    ranked = _ranked(by_school).reset_index(drop=True)
    if schools is not None:
        ranked = ranked[ranked.school_urn.isin(schools)].reset_index(drop=True)
    shown = ranked.head(top)
    urns = [int(u) for u in shown.school_urn]
    which = "Your schools" if schools is not None else "Schools"
    table = table_from_frame(
        shown,
        f"{which} with the highest severe absence, then persistent absence ({min(top, len(ranked))} of {len(ranked)})",
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
    return table, len(ranked)


def _heading_into_pa(source: FigureSource, *, suppress: bool, threshold: int) -> str | None:
    """How many pupils are heading into persistent absence (early warning), formatted; None with no marks."""
    risk = source.at_risk()
    if risk is None:
        return None
    count = len(heading_into_pa(risk.frame))
    return SUPPRESSED if suppress and 0 < count < threshold else fmt_count(count)


def la_overview(
    source: FigureSource,
    period: Period,
    *,
    suppress: bool,
    threshold: int,
    school_link: Callable[[int], str | None],
    top: int = 20,
    cohorts: Sequence[Cohort] = (),
    hidden: Callable[[Cohort], bool] = lambda cohort: cohort.sensitive,
    schools: frozenset[int] | None = None,
) -> LAOverview:
    """Everything on the LA overview page; with ``suppress``, small numbers suppressed (for a scrutiny
    member) and every figure taken from the source's suppressed tables.

    Args:
        school_link: the address of a school's page (None for no link).
        top: how many schools the ranked table shows.
        cohorts: the LA's priority cohorts, each shown against everyone else.
        hidden: whether the audience may not see a cohort's membership (its figures are then suppressed).
        schools: the viewer's own schools (an officer's School access rows): the ranked table lists only
            them; None lists every school.
    """
    name = la_name(source)
    rows = source.period_rows(period)
    previous = previous_period(source.store(), period)
    national = england_figures(period.academic_year.time_period)
    if suppress:
        figures = _suppressed_la_figures(source, period, previous, threshold)
    else:
        figures = _la_figures(source, period, previous)
    schools_table, ranked = _schools_table(figures.by_school, top, school_link, schools)
    shown = _ranked(figures.by_school)
    if schools is not None:
        shown = shown[shown.school_urn.isin(schools)]
    groups = flagged_groups(
        source,
        rows,
        key=("la", period),
        suppress=suppress,
        threshold=threshold,
        suppressed=(lambda col: source.suppressed(period, [col], threshold=threshold)) if suppress else None,
    )
    return LAOverview(
        groups=groups,
        heading_into_pa=_heading_into_pa(source, suppress=suppress, threshold=threshold),
        la_name=name,
        period=period,
        previous=previous,
        period_text=data_range(source.store(), period),
        suppressed=suppress,
        threshold=threshold,
        headlines=headlines(
            figures.totals,
            national[national.education_phase == "Total"],
            national_label(national),
            figures.last,
            previous.label if previous else "",
        ),
        headline_table=_headline_table(figures, period, name, national),
        trend=trend_figure(
            source, period, previous, school=None, name=name, fig_id="trend", suppress=suppress, threshold=threshold
        ),
        bands=bands_figure(
            figures.bands, source.band_scheme(), fig_id="bands", title=f"Pupils in each attendance band, {period.label}"
        ),
        reasons=figures.reasons,
        schools=schools_table,
        schools_chart=schools_chart(shown.head(top), schools_table),
        reasons_chart=reasons_chart(figures.reasons),
        schools_shown=min(top, ranked),
        schools_total=ranked,
        cohorts=priority_cohorts_table(source, period, cohorts, suppress=suppress, threshold=threshold, hidden=hidden),
    )
