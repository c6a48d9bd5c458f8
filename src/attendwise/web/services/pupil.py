"""The pupil page: one child's record (from :mod:`attendwise.measures.pupils`) laid out for the browser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from attendwise.core.calendar import AcademicYear, Period
from attendwise.core.codes import Category
from attendwise.core.cohorts import Cohort
from attendwise.documents.charts import bar_chart, line_chart
from attendwise.documents.tables import Chart, Column, Kind, Table, fmt_percent, table_from_frame
from attendwise.measures.pupils import Enrolment, Mark, PupilRecord, find_enrolment, pupil_record
from attendwise.web.rules import Scope
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.early_warning import PupilRisk, pupil_risk

__all__ = [
    "CATEGORY_CLASSES",
    "CalendarWeek",
    "PupilPage",
    "marks_table",
    "pupil_page",
    "visible_cohorts",
    "visible_enrolment",
]

#: CSS class and short legend label of each statistical category in the attendance calendar.
CATEGORY_CLASSES: dict[Category, tuple[str, str]] = {
    Category.PRESENT: ("present", "Present"),
    Category.AEA: ("aea", "Approved educational activity"),
    Category.AUTHORISED: ("authorised", "Authorised absence"),
    Category.UNAUTHORISED: ("unauthorised", "Unauthorised absence"),
    Category.NOT_COUNTED: ("not_counted", "Not counted (unable to attend, not required)"),
    Category.ADMINISTRATIVE: ("administrative", "Not on roll or school closed"),
    Category.COVID: ("not_counted", "Not attending for coronavirus reasons (possible, not absence)"),
}
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


@dataclass(frozen=True)
class CalendarCell:
    code: str
    css: str
    meaning: str
    category: str


@dataclass(frozen=True)
class CalendarWeek:
    week_start: dt.date
    cells: tuple[CalendarCell | None, ...]  # Mon AM, Mon PM, ... Fri PM
    running_percent: str


@dataclass
class PupilPage:
    record: PupilRecord
    enrolment: Enrolment
    enrolments: list[tuple[Enrolment, str | None]]
    calendar: list[CalendarWeek]
    legend: list[tuple[str, str]]
    running: Chart
    reasons: Chart
    band_history: Table
    #: Early warning: the pupil's risk and its reasons, if they are on roll at the latest mark.
    risk: PupilRisk | None = None
    #: The pupil's periods in the LA's priority cohorts that the user may see: (label, start, end or None).
    cohorts: tuple[tuple[str, dt.date, dt.date | None], ...] = ()


def visible_cohorts(
    access: StoreAccess, upn: str, may_see: Callable[[Cohort], bool]
) -> tuple[tuple[str, dt.date, dt.date | None], ...]:
    """The pupil's periods in the LA's priority cohorts whose membership ``may_see`` allows
    (:func:`attendwise.web.rules.can_see_cohort_membership`); a cohort the LA no longer declares is left out."""
    declared = figures.priority_cohorts()
    out = []
    for m in access.store().cohort_memberships([upn]).get(upn, []):
        cohort = next((c for c in declared if c.key == m.cohort), None)
        if cohort is not None and may_see(cohort):
            out.append((cohort.label, m.start_date, m.end_date))
    return tuple(out)


def visible_enrolment(access: StoreAccess, scope: Scope, enrolment_id: int) -> tuple[Enrolment | None, bool]:
    """The enrolment and whether the user may see it (``(None, False)`` if there is none)."""
    enrolment = find_enrolment(access.store(), enrolment_id)
    if enrolment is None:
        return None, False
    return enrolment, scope.allows_enrolment(enrolment)


def _calendar(record: PupilRecord) -> list[CalendarWeek]:
    by_slot: dict[tuple[dt.date, str], Mark] = {(m.date, m.session): m for m in record.marks}
    running = {w.week_start: fmt_percent(w.running_percent) for w in record.weeks}
    if not record.marks:
        return []
    first = record.marks[0].date - dt.timedelta(days=record.marks[0].date.weekday())
    last = record.marks[-1].date
    weeks = []
    monday = first
    while monday <= last:
        cells: list[CalendarCell | None] = []
        any_mark = False
        for d in range(5):
            day = monday + dt.timedelta(days=d)
            for session in ("AM", "PM"):
                mark = by_slot.get((day, session))
                if mark is None:
                    cells.append(None)
                    continue
                any_mark = True
                css, label = CATEGORY_CLASSES[mark.category]
                cells.append(CalendarCell(mark.code, css, mark.meaning, label))
        if any_mark:
            weeks.append(CalendarWeek(monday, tuple(cells), running.get(monday, "")))
        monday += dt.timedelta(days=7)
    return weeks


def marks_table(record: PupilRecord) -> Table:
    """Every mark of the record (the pupil's CSV export)."""
    columns = [
        Column("date", "Date"),
        Column("session", "Session"),
        Column("code", "Code"),
        Column("category", "Category"),
        Column("meaning", "Meaning"),
        Column("reason", "DfE reason column"),
    ]
    rows = [(m.date.isoformat(), m.session, m.code, m.category.value, m.meaning, m.reason or "") for m in record.marks]
    return Table(f"Marks, {record.year.label}", tuple(columns), tuple(rows))


def _kept_rows(access: StoreAccess, period: Period) -> pd.DataFrame | None:
    """Every pupil's rows of a period of this year (kept for every pupil page); an earlier year's pupil is
    measured alone, rather than one such page scanning a year for every pupil."""
    latest = access.cached(("latest-mark",), lambda: access.store().mark_range()[1])
    if latest is None or period.academic_year != AcademicYear.containing(latest):
        return None
    return figures.pupil_rows(access, period)


def pupil_page(
    access: StoreAccess,
    scope: Scope,
    enrolment: Enrolment,
    *,
    pupil_link: Callable[[int], str],
    may_see_cohort: Callable[[Cohort], bool] = lambda cohort: False,
) -> PupilPage:
    """The page for an enrolment the user may see (check :func:`visible_enrolment` first)."""
    record = pupil_record(
        access.store(),
        enrolment.enrolment_id,
        scheme=figures.band_scheme(),
        rows_for=lambda period: _kept_rows(access, period),
    )
    assert record is not None
    enrolments = [
        (
            e,
            pupil_link(e.enrolment_id)
            if scope.allows_enrolment(e) and e.enrolment_id != enrolment.enrolment_id
            else None,
        )
        for e in record.enrolments
        if scope.allows_enrolment(e)
    ]
    return PupilPage(
        record=record,
        enrolment=enrolment,
        enrolments=enrolments,
        calendar=_calendar(record),
        legend=[(css, label) for css, label in CATEGORY_CLASSES.values()],
        running=_running_figure(record),
        reasons=_reasons_figure(record),
        band_history=_band_table(record),
        risk=pupil_risk(access, enrolment.enrolment_id),
        cohorts=visible_cohorts(access, enrolment.upn, may_see_cohort),
    )


def _running_figure(record: PupilRecord) -> Chart:
    """Attendance so far this year, week by week: the chart and its table."""
    weeks = pd.DataFrame(
        [
            {
                "week": f"{w.week_start:%d %b}",
                "running": w.running_percent,
                "week_rate": w.attendance_percent,
                "series": "Attendance so far this year",
            }
            for w in record.weeks
        ]
    )
    table = Table(
        "Attendance week by week (%)",
        (
            Column("week", "Week beginning", Kind.DATE),
            Column("possible", "Possible sessions", Kind.COUNT),
            Column("attended", "Attended", Kind.COUNT),
            Column("week_rate", "That week %", Kind.PERCENT),
            Column("running", "So far this year %", Kind.PERCENT),
        ),
        tuple((w.week_start, w.possible, w.attended, w.attendance_percent, w.running_percent) for w in record.weeks),
        empty="No marks this year yet.",
    )
    spec = (
        line_chart(
            weeks,
            x="week",
            y="running",
            series="series",
            x_order=list(weeks.week),
            y_title="Attendance so far %",
            dates=True,
        )
        if len(weeks)
        else None
    )
    words = ""
    if record.weeks:
        first, last = record.weeks[0], record.weeks[-1]
        words = (
            f"Attendance so far this year after each school week, from {fmt_percent(first.running_percent)}% in the "
            f"week of {first.week_start:%-d %B} to {fmt_percent(last.running_percent)}% in the week of "
            f"{last.week_start:%-d %B %Y}."
        )
    return Chart("running", "Attendance so far this year, week by week", spec, table, words)


def _reasons_figure(record: PupilRecord) -> Chart:
    """Sessions missed by reason: the chart and its table."""
    frame = pd.DataFrame(
        [
            {
                "label": r.label,
                "kind": "Authorised" if r.authorised else "Unauthorised",
                "sessions": r.sessions,
                "share": r.percent_of_absence,
            }
            for r in record.reasons
        ],
        columns=["label", "kind", "sessions", "share"],
    )
    table = table_from_frame(
        frame,
        "Sessions missed by reason",
        [
            Column("label", "Reason"),
            Column("kind", "Kind"),
            Column("sessions", "Sessions", Kind.COUNT),
            Column("share", "% of absence", Kind.PERCENT),
        ],
        empty="No absence recorded this year.",
    )
    spec = bar_chart(frame, category="label", value="sessions", value_title="Sessions") if len(frame) else None
    words = ""
    if len(frame):
        top = frame.sort_values("sessions", ascending=False).iloc[0]
        words = f"Sessions missed by reason: most for {top.label} ({top.sessions} sessions)."
    return Chart("reasons", "Reasons for absence", spec, table, words)


def _band_table(record: PupilRecord) -> Table:
    """The pupil's band by half term, term and year so far."""
    history = pd.DataFrame(
        [
            {
                "period": b.period,
                "kind": b.kind,
                "possible": b.sess_possible,
                "missed": b.sess_overall,
                "attendance": b.attendance_percent,
                "band": b.band_name,
                "colour": b.colour,
            }
            for b in record.band_history
        ],
        columns=["period", "kind", "possible", "missed", "attendance", "band", "colour"],
    )
    return table_from_frame(
        history,
        f"Attendance band by half term and term ({figures.band_scheme().name})",
        [
            Column("period", "Period"),
            Column("possible", "Possible sessions", Kind.COUNT),
            Column("missed", "Sessions missed", Kind.COUNT),
            Column("attendance", "Attendance %", Kind.PERCENT),
            Column("band", "Band"),
        ],
        tags={"band": list(history.colour)},
        empty="No marks this year yet.",
    )
