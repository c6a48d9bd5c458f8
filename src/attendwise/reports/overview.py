"""Report tables built from the measures: what the demo and the LA's headline summary show.

Each report is a list of ``(title, frame, key columns, {column: (label, format)})`` so that the CLI,
and later the web app, only lay out what is computed here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from attendwise.core.calendar import AcademicYear, Period, parse_period
from attendwise.core.codes import ABSENCE_REASONS
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

Report = tuple[str, pd.DataFrame, list[str], dict[str, tuple[str, str]]]

HEADLINE_COLUMNS = {
    "enrolments": ("Enrolments", "{:,.0f}"),
    "sess_overall_percent": ("Overall absence %", "{:.1f}"),
    "sess_authorised_percent": ("Authorised %", "{:.1f}"),
    "sess_unauthorised_percent": ("Unauthorised %", "{:.1f}"),
    "enrolments_pa_10_exact_percent": ("Persistent absence %", "{:.1f}"),
    "enrolments_pa_50_exact_percent": ("Severe absence %", "{:.1f}"),
}


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
    cols = ["area", "education_phase", *HEADLINE_COLUMNS]
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


def demo_report(store: Store, period_text: str | None = None) -> list[Report]:
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
    change: list[Report] = []
    first = store.mark_range()[0]
    if part_year and first is not None and first < year.start:  # last year is in the store
        wide = change_on_last_year(store, as_of=latest).iloc[0]
        now, then = str(wide.period), str(wide.compared_with)
        frame = pd.DataFrame(
            {
                "measure": [HEADLINE_COLUMNS[m][0] for m in HEADLINES[1:]],
                "this_year": [wide[m] for m in HEADLINES[1:]],
                "last_year": [wide[f"{m}_last_year"] for m in HEADLINES[1:]],
                "change": [round(wide[f"{m}_change"], 1) + 0.0 for m in HEADLINES[1:]],  # no "-0.0"
            }
        )
        columns = {"this_year": (now, "{:.1f}"), "last_year": (then, "{:.1f}"), "change": ("Change", "{:+.1f}")}
        title = "This year to date against the same point last year, pupils aged 5-15"
        change = [(title, frame, ["measure"], columns)]
    scheme = load_scheme("five-categories")
    bands = band_counts(enrolment_absence(store, period), scheme).to_pandas()
    reasons = top_reasons(store, period)
    severe = schools_by_severe_absence(store, period)
    return [
        (
            f"Headline absence, {period.describe()}, pupils aged 5-15",
            headline,
            ["area", "education_phase"],
            HEADLINE_COLUMNS,
        ),
        *change,
        (
            f"{scheme.name}, {period.label}",
            bands,
            ["band_name"],
            {"enrolments": ("Pupils", "{:,.0f}"), "percent": ("%", "{:.1f}")},
        ),
        (
            f"Top reasons for absence, {period.label}",
            reasons,
            ["kind", "reason"],
            {
                "sessions": ("Sessions", "{:,.0f}"),
                "rate": ("% of possible", "{:.2f}"),
                "share": ("% of absence", "{:.1f}"),
            },
        ),
        (
            f"Schools with the highest severe absence, {period.label}",
            severe,
            ["school_urn", "school_name", "education_phase"],
            {
                "enrolments": ("Enrolments", "{:,.0f}"),
                "enrolments_pa_50_exact": ("Severely absent", "{:,.0f}"),
                "enrolments_pa_50_exact_percent": ("SA %", "{:.1f}"),
                "enrolments_pa_10_exact_percent": ("PA %", "{:.1f}"),
                "sess_overall_percent": ("Overall absence %", "{:.1f}"),
            },
        ),
    ]


def la_name_of(store: Store, unnamed: str = "LA") -> str:
    """The LA's name as the store's schools give it (the LAs' names, for a store of several)."""
    return ", ".join(name or f"LA {code}" for code, name in store.local_authorities()) or unnamed
