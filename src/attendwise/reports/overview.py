"""Report tables built from the measures: what the demo and the LA's headline summary show.

The demo's report is a list of documents :class:`~attendwise.documents.tables.Table` s, so the CLI only
writes out what is described here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from attendwise.core.calendar import AcademicYear, Period, parse_period
from attendwise.core.codes import ABSENCE_REASONS
from attendwise.documents.tables import Column, Kind, Table, table_from_frame
from attendwise.measures.absence import absence_measures, enrolment_absence
from attendwise.measures.bands import band_counts, load_scheme
from attendwise.measures.reference import national_figures
from attendwise.measures.trends import HEADLINES, change_on_last_year
from attendwise.store import Store

__all__ = [
    "HEADLINE_COLUMNS",
    "demo_report",
    "headline_against_national",
    "headline_beside_national",
    "reasons_of",
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


def headline_beside_national(total: pd.DataFrame, phases: pd.DataFrame, period: Period, la_name: str) -> pd.DataFrame:
    """The LA's measures (``total``: one row; ``phases``: by ``education_phase``) beside the national
    figures for the year, total first, then each phase, the LA above England. The figures are laid out
    as given (suppressed ones too)."""
    la = pd.concat([total.assign(education_phase="Total"), phases], ignore_index=True).assign(area=la_name)
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
