"""What the LA overview and a school page share: the measure columns, headline cards against England and
last year, overall absence by month, pupils in each attendance band, and the period a year earlier.

Every figure comes from a :class:`~attendwise.reports.source.FigureSource`; where figures are suppressed
each comes from the source's suppressed tables, so it is suppressed as it is everywhere else.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd

from attendwise.core.calendar import AcademicYear, Period
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
from attendwise.documents.tables import Chart, Column, Kind, fmt_count, fmt_percent, table_from_frame
from attendwise.measures.bands import BandScheme
from attendwise.measures.reference import national_figures
from attendwise.reports.source import FigureSource
from attendwise.store import Store

__all__ = [
    "MEASURE_COLUMNS",
    "Headline",
    "band_rows",
    "bands_figure",
    "compare",
    "data_range",
    "england_figures",
    "england_note",
    "headlines",
    "national_label",
    "previous_period",
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


# -- the period a year earlier -------------------------------------------------------------------
def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def previous_period(store: Store, period: Period) -> Period | None:
    """The same period one academic year earlier, if the store has marks in it.

    A period still running (the store's latest mark falls inside it) is compared with the same point last
    year: from the start of the period a year earlier to the same date a year before the latest mark, as the
    TSM pack and the CLI compare (:func:`attendwise.reports.tsm.dates.same_point_last_year`); so this year
    so far is never set against the whole of last year.
    """
    first, latest = store.mark_range()
    year = period.academic_year
    before = AcademicYear(year.start_year - 1)
    if latest is not None and period.start <= latest < period.end:
        start = next(
            (before.term(t)[0] for t in ("autumn", "spring", "summer") if (period.start, period.end) == year.term(t)),
            _year_earlier(period.start),
        )
        if (period.start, period.end) == (year.start, year.end) or period.start == year.start:
            start = before.start
        then = _year_earlier(latest)
        earlier = Period(f"{_in_year(period.label, year, before)} to {then:%d %b}", start, then)
        return None if first is None or first > earlier.end else earlier
    if period.census and (period.start, period.end) == (year.start, year.end):
        earlier = Period(before.label, before.start, before.end, census=True)
    else:
        term = next(
            (t for t in ("autumn", "spring", "summer") if period.census and (period.start, period.end) == year.term(t)),
            None,
        )
        if term is not None:
            start, end = before.term(term)
            earlier = Period(f"{before.label} {term} term", start, end, census=True)
        else:
            label = period.label.replace(year.label, before.label) if year.label in period.label else period.label
            earlier = Period(
                f"{label} (a year earlier)" if label == period.label else label,
                _year_earlier(period.start),
                _year_earlier(period.end),
            )
    if first is None or first > earlier.end:
        return None
    return earlier


#: Measures the DfE does not publish every year (its daily data has no severe absence).
_SOMETIMES_PUBLISHED = {"enrolments_pa_50_exact_percent": "severe", "enrolments_pa_10_exact_percent": "persistent"}


def england_figures(time_period: int) -> pd.DataFrame:
    """England's figures for the year, each measure from the latest year that publishes it
    (:func:`_england_figures`, read once per year asked)."""
    return _england_figures(time_period).copy()


@functools.cache
def _england_figures(time_period: int) -> pd.DataFrame:
    """England's figures for the year (:func:`attendwise.measures.reference.national_figures`), where a measure
    the year's source does not publish is taken from the latest earlier year that does: the daily data of
    2024/25 gives no severe absence, so 2023/24's census figure stands in. ``<column>_year`` says which
    year each row's figure is from (its academic year's label), and :func:`england_note` says so in words.

    >>> frame = england_figures(202425)
    >>> total = frame[frame.education_phase == "Total"].iloc[0]
    >>> float(total.enrolments_pa_50_exact_percent), total.enrolments_pa_50_exact_percent_year
    (2.3, '2023/24')
    """
    national = national_figures(time_period).copy()
    year = int(national.time_period.iloc[0])
    earlier_years = []
    asked = year - 101
    while True:
        frame = national_figures(asked)
        found = int(frame.time_period.iloc[0])
        if found >= year or (earlier_years and found == int(earlier_years[-1].time_period.iloc[0])):
            break
        earlier_years.append(frame)
        asked = found - 101
    for column in _SOMETIMES_PUBLISHED:
        years: list[str] = []
        for i, row in national.iterrows():
            label = AcademicYear(year // 100).label
            if pd.isna(row[column]):
                label = ""
                for earlier in earlier_years:
                    same = earlier[earlier.education_phase == row.education_phase][column].dropna()
                    if len(same):
                        national.at[i, column] = float(same.iloc[0])
                        label = AcademicYear(int(earlier.time_period.iloc[0]) // 100).label
                        break
            years.append(label)
        national[f"{column}_year"] = years
    return national


def england_note(national: pd.DataFrame) -> str:
    """What a table beside England must say of figures from another year than the rest (or nothing)."""
    year = AcademicYear(int(national.time_period.iloc[0]) // 100).label
    out = []
    for column, what in _SOMETIMES_PUBLISHED.items():
        others = sorted({y for y in national.get(f"{column}_year", []) if y and y != year})
        if others:
            out.append(
                f"England's {what} absence is {', '.join(others)}'s, the latest the DfE publishes: "
                f"its {year} figures give none."
            )
    return " ".join(out)


def _in_year(label: str, year: AcademicYear, before: AcademicYear) -> str:
    """A period's label with its year changed to the year before (``2024/25 autumn term`` to ``2023/24 ...``)."""
    label = label.replace(" year to date", "")
    return label.replace(year.label, before.label) if year.label in label else before.label


def data_range(store: Store, period: Period) -> str:
    """The dates a period's figures really cover: its start to its end, or to the latest mark while it runs.

    The web and CLI label a period by these, so "2024/25" read in March says it runs to March.
    """
    _, latest = store.mark_range()
    end = period.end if latest is None or latest >= period.end else max(latest, period.start)
    so_far = latest is not None and latest < period.end
    return (
        f"{period.label}{' so far' if so_far and 'to date' not in period.label else ''}: "
        f"{period.start:%-d %B %Y} to {end:%-d %B %Y}" + (" (the latest register mark)" if so_far else "")
    )


def national_label(national: pd.DataFrame, phase: str | None = None) -> str:
    """England's figures named with their year (and phase): ``England 2023/24``, ``England primary 2023/24``."""
    year = int(national.time_period.iloc[0])
    return f"England {phase.lower() + ' ' if phase else ''}{year // 100}/{year % 100:02d}"


# -- headline cards ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Headline:
    """One headline figure with what it is compared against."""

    label: str
    value: str
    comparisons: tuple[str, ...]


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
        other_year = _value(national, f"{column}_year")
        england = (
            national_label.rsplit(" ", 1)[0] + f" {other_year}"
            if isinstance(other_year, str) and other_year and not national_label.endswith(other_year)
            else national_label
        )
        comparisons = [
            c
            for c in (
                compare(ours, _value(national, column), england) if national is not None else None,
                compare(ours, _value(last, column), last_label) if last is not None else None,
            )
            if c
        ]
        value = SUPPRESSED if is_suppressed(ours) else (fmt_percent(ours) + "%" if not _missing(ours) else "")
        out.append(Headline(label, value, tuple(comparisons)))
    out.append(Headline("Enrolments counted (pupils aged 5 to 15)", fmt_count(_value(totals, "enrolments")), ()))
    return out


# -- overall absence by month --------------------------------------------------------------------
def _series(
    source: FigureSource, period: Period, school: int | None, *, suppress: bool, threshold: int
) -> pd.DataFrame:
    """Overall absence by month of the LA (``school`` None) or one school, suppressed when asked: a
    month of fewer pupils than the threshold, and every month of a group hidden in the period."""
    monthly = source.monthly(period)
    frame = monthly[monthly.school_urn.isna() if school is None else monthly.school_urn == school]
    frame = frame.reset_index(drop=True)
    if not suppress or frame.empty:
        return frame[["month", "month_start", "sess_overall_percent"]]
    keys = ["month", "month_start", "school_urn"]
    months = suppress_table(frame, threshold, keys, measure_layout()).shown(["sess_overall_percent"], every_row=True)
    whole = source.suppressed(period, [], threshold=threshold, school=school)
    if whole.values.empty or bool(whole.hidden[ENROLMENTS].iloc[0]):
        months["sess_overall_percent"] = SUPPRESSED
    return months[["month", "month_start", "sess_overall_percent"]]


def _by_month(frame: pd.DataFrame, order: list[str], labels: list[str]) -> pd.DataFrame:
    """The series side by side, a row per month in the period's order (``month_name``, then a column each)."""
    if not len(frame):
        return pd.DataFrame({"month_name": []})
    wide = frame.pivot(index="month_name", columns="series", values="sess_overall_percent")
    wide = wide.reindex(index=[m for m in order if m in wide.index], columns=[s for s in labels if s in wide])
    wide = wide.dropna(how="all")  # a month with no sessions yet
    return wide.rename_axis(columns=None).reset_index()


def trend_figure(
    source: FigureSource,
    period: Period,
    previous: Period | None,
    *,
    school: int | None,
    name: str,
    fig_id: str,
    suppress: bool = False,
    threshold: int = 5,
) -> Chart:
    """Overall absence by month: this period and the same months a year earlier (or the LA, for a school)."""
    series = [(period, school, f"{name} {period.academic_year.label}")]
    if school is not None:
        series.append((period, None, f"Local authority {period.academic_year.label}"))
    if previous is not None:
        series.append((previous, school, f"{name} {previous.academic_year.label}"))
    parts = [
        _series(source, p, urn, suppress=suppress, threshold=threshold).assign(series=label) for p, urn, label in series
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.assign(month_name=pd.to_datetime(frame.month_start).dt.strftime("%b")) if len(frame) else frame
    this = parts[0]
    order = list(dict.fromkeys(pd.to_datetime(this.month_start).dt.strftime("%b"))) if len(this) else []
    wide = _by_month(frame, order, [s for *_, s in series])
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


# -- attendance bands ----------------------------------------------------------------------------
def band_rows(table: Suppressed, scheme: BandScheme) -> pd.DataFrame:
    """The attendance bands of a suppressed table's one row, one row per band (``x`` where suppressed)."""
    return pd.DataFrame(
        {
            "band": [b.key for b in scheme.bands],
            "band_name": [b.name for b in scheme.bands],
            "enrolments": [table.value(band_count_column(b.key)) for b in scheme.bands],
            "percent": [table.value(band_percent_column(b.key)) for b in scheme.bands],
        }
    )


def bands_figure(frame: pd.DataFrame, scheme: BandScheme, *, fig_id: str, title: str) -> Chart:
    """Pupils in each attendance band (a frame of :func:`attendwise.measures.bands.band_counts`, or
    :func:`band_rows`): a bar chart and its table."""
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
