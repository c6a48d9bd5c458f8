"""The pack's types: :class:`TSMPack` and the dataclasses of its sections, as the workbook, the printable
pack and the web app read them. Nothing here reads the store."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.characteristics import PHASES
from attendwise.measures.pupils import BandAt, ReasonCount
from attendwise.reports.tsm.inputs import PreviousAction

#: A change in attendance of less than this many points is described as steady.
STEADY_POINTS = 1.0


def pct(part: float, whole: float) -> float | None:
    return None if not whole else 100.0 * float(part) / float(whole)


def float_or_none(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else float(value)


@dataclass(frozen=True, slots=True)
class AreaFigures:
    """Headline figures for one area (the school, the LA, similar schools, England) over one period.

    Percentages are 0-100 and unrounded; ``None`` where the area's source does not give the figure
    (published national figures have no counts, and some years no severe absence rate).
    """

    area: str
    #: ``"school"``, ``"la"``, ``"similar"`` or ``"national"``.
    kind: str
    #: What the figures are, in words: who is counted, over what dates, from what source.
    basis: str
    enrolments: int | None
    attendance_percent: float | None
    overall_absence_percent: float | None
    authorised_absence_percent: float | None
    unauthorised_absence_percent: float | None
    persistent_absence_percent: float | None
    severe_absence_percent: float | None
    persistently_absent: int | None = None
    severely_absent: int | None = None


@dataclass(frozen=True, slots=True)
class LastYearComparison:
    """An area's year to date against the same point last year (1 August to the same date)."""

    area: str
    period: str
    compared_with: str
    this_year: AreaFigures
    #: ``None`` when the store holds no marks for the area last year.
    last_year: AreaFigures | None

    def change(self, measure: str) -> float | None:
        """The change in points on last year of an :class:`AreaFigures` measure (``attendance_percent`` ...)."""
        if self.last_year is None:
            return None
        now, then = getattr(self.this_year, measure), getattr(self.last_year, measure)
        return None if now is None or then is None else now - then

    @property
    def attendance_change_points(self) -> float | None:
        return self.change("attendance_percent")

    @property
    def persistent_absence_change_points(self) -> float | None:
        return self.change("persistent_absence_percent")

    @property
    def severe_absence_change_points(self) -> float | None:
        return self.change("severe_absence_percent")


@dataclass(frozen=True, slots=True)
class OverallAttendance:
    """Whole-school attendance for the year to date and this term, against its comparators."""

    #: The school, the LA, other schools of the same phase in the LA, England (in that order).
    year_to_date: tuple[AreaFigures, ...]
    this_term: tuple[AreaFigures, ...]
    #: The school and the LA against the same point last year.
    against_last_year: tuple[LastYearComparison, ...]

    @property
    def school(self) -> AreaFigures:
        return self.year_to_date[0]


@dataclass(frozen=True, slots=True)
class BandCount:
    """Pupils in one attendance category (band) of the LA's scheme."""

    key: str
    name: str
    colour: str
    pupils: int
    percent: float | None


@dataclass(frozen=True, slots=True)
class CategoriesSection:
    """The school's pupils in each attendance category, year to date and this term."""

    scheme: str
    year_to_date: tuple[BandCount, ...]
    this_term: tuple[BandCount, ...]


@dataclass(frozen=True, slots=True)
class AttendanceTrend:
    """Attendance in the school's last ``weeks`` school weeks against the ``weeks`` before."""

    weeks: int
    recent_possible: int
    recent_attended: int
    previous_possible: int
    previous_attended: int

    @property
    def recent_percent(self) -> float | None:
        return pct(self.recent_attended, self.recent_possible)

    @property
    def previous_percent(self) -> float | None:
        return pct(self.previous_attended, self.previous_possible)

    @property
    def change_points(self) -> float | None:
        now, before = self.recent_percent, self.previous_percent
        return None if now is None or before is None else now - before

    @property
    def direction(self) -> str:
        """``improving``, ``falling``, ``steady`` (within 1 point) or ``not enough sessions``."""
        change = self.change_points
        if change is None:
            return "not enough sessions"
        if change >= STEADY_POINTS:
            return "improving"
        if change <= -STEADY_POINTS:
            return "falling"
        return "steady"

    def describe(self) -> str:
        now, before = self.recent_percent, self.previous_percent
        if now is None:
            return f"no possible sessions in the last {self.weeks} school weeks"
        if before is None:
            return f"{now:.0f}% in the last {self.weeks} school weeks (none before to compare)"
        return f"{now:.0f}% in the last {self.weeks} school weeks against {before:.0f}% in the {self.weeks} before"


@dataclass(frozen=True, slots=True)
class PupilSummary:
    """One pupil as the pack shows them: figures for the year to date, trend, band history, reasons."""

    enrolment_id: int
    upn: str
    forename: str | None
    surname: str | None
    nc_year: str
    admission_date: dt.date
    leaving_date: dt.date | None
    fsm: bool
    sen: str
    cla: bool
    cin: bool
    cpp: bool
    sess_possible: int
    sess_attended: int
    sess_authorised: int
    sess_unauthorised: int
    band_key: str
    band_name: str
    band_colour: str
    trend: AttendanceTrend
    band_history: tuple[BandAt, ...]
    #: The main reasons for absence in the year to date, most sessions first (at most three).
    reasons: tuple[ReasonCount, ...]

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.forename, self.surname) if p) or "Name not recorded"

    @property
    def sess_overall(self) -> int:
        return self.sess_authorised + self.sess_unauthorised

    @property
    def attendance_percent(self) -> float:
        return 100.0 * self.sess_attended / self.sess_possible

    @property
    def has_social_worker(self) -> bool:
        return self.cin or self.cpp

    @property
    def priority_groups(self) -> tuple[str, ...]:
        """The LA priority cohorts the pupil is in, as short labels."""
        groups = []
        if self.sen in ("SEN support", "EHC plan"):
            groups.append(self.sen)
        if self.has_social_worker:
            groups.append("Social worker")
        if self.cla:
            groups.append("Looked after")
        if self.fsm:
            groups.append("FSM")
        return tuple(groups)

    def describe_reasons(self) -> str:
        return "; ".join(f"{r.label} ({r.sessions})" for r in self.reasons) or "no absence"

    def describe_band_history(self) -> str:
        return "; ".join(f"{b.period}: {b.attendance_percent:.0f}% ({b.band_name})" for b in self.band_history)


@dataclass(frozen=True, slots=True)
class ZeroAttendance:
    """A pupil with possible sessions this year and not one attended."""

    pupil: PupilSummary
    #: The pupil's first possible session this year (1 September for most, later for a late joiner).
    since: dt.date

    #: True if the pupil's first possible session came after the school's first school day of the year.
    late_joiner: bool


@dataclass(frozen=True, slots=True)
class NoAttendanceRecently:
    """A pupil who attended nothing in the last three school weeks, every absence unauthorised."""

    pupil: PupilSummary
    window_start: dt.date
    window_end: dt.date
    sess_possible: int
    #: Unauthorised sessions in the window by DfE reason label (``No reason yet provided``: 20 ...).
    unauthorised_by_reason: tuple[tuple[str, int], ...]

    def describe(self) -> str:
        reasons = ", ".join(f"{label.lower()} {n}" for label, n in self.unauthorised_by_reason)
        return f"{self.sess_possible} sessions since {self.window_start:%d %b}, all unauthorised ({reasons})"


@dataclass(frozen=True, slots=True)
class NoAttendanceSection:
    """The "no attendance in the last three school weeks, unauthorised only" list and who was left out."""

    window_start: dt.date | None
    window_end: dt.date | None
    school_days: int
    pupils: tuple[NoAttendanceRecently, ...]
    #: UPNs that met the rule but are recorded as children missing education (left to the CME process).
    left_out_as_cme: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PupilAtRisk:
    """A pupil not yet persistently absent whom early warning flags, with the reasons in words."""

    pupil: PupilSummary
    projected_attendance_percent: float
    #: The learned model's risk of ending the year persistently / severely absent (None without a model).
    risk_pa: float | None
    risk_sa: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CohortFigures:
    """One LA priority cohort within the school, against the rest of the school and the LA's cohort."""

    cohort: str
    pupils: int
    attendance_percent: float | None
    persistently_absent: int
    persistent_absence_percent: float | None
    severely_absent: int
    severe_absence_percent: float | None
    #: The school's other pupils (not in the cohort).
    others_attendance_percent: float | None
    others_persistent_absence_percent: float | None
    #: The same cohort in every school of the LA.
    la_pupils: int
    la_attendance_percent: float | None
    la_persistent_absence_percent: float | None
    #: Persistent absence risk ratio against the school's other pupils (None with no pupils).
    risk_ratio: float | None
    #: ``over-represented``, ``under-represented``, ``too few pupils to say`` or ``""`` (no clear difference).
    flag: str
    summary: str


@dataclass(frozen=True, slots=True)
class DiscussedPupil:
    """A pupil the school asked to discuss: their summary, or why there is none."""

    upn: str
    pupil: PupilSummary | None
    note: str


@dataclass(frozen=True, slots=True)
class ActionReview:
    """A previous TSM action and whether the pupil's attendance has improved since it was agreed."""

    action: PreviousAction
    pupil: PupilSummary | None
    before_start: dt.date | None
    before_possible: int
    before_attended: int
    since_possible: int
    since_attended: int

    @property
    def before_percent(self) -> float | None:
        return pct(self.before_attended, self.before_possible)

    @property
    def since_percent(self) -> float | None:
        return pct(self.since_attended, self.since_possible)

    @property
    def change_points(self) -> float | None:
        b, s = self.before_percent, self.since_percent
        return None if b is None or s is None else s - b

    @property
    def improved(self) -> bool | None:
        """True if attendance since the action is higher than before it; None if either is unknown."""
        change = self.change_points
        return None if change is None else change > 0

    def describe(self) -> str:
        b, s = self.before_percent, self.since_percent
        when = f"{self.action.agreed_on:%d %b %Y}"
        if self.pupil is None:
            return "not on roll at this school this year"
        if s is None:
            return f"no possible sessions since {when} yet"
        if b is None:
            return f"{s:.0f}% since {when}; no sessions before it to compare"
        verb = "rose" if s > b else ("fell" if s < b else "stayed")
        how = f"at {s:.0f}%" if s == b else f"from {b:.0f}% to {s:.0f}%"
        return f"attendance {verb} {how} since {when}"


@dataclass(frozen=True, slots=True)
class TSMPack:
    """Everything a Targeting Support Meeting needs for one school and one term."""

    urn: int
    school_name: str
    phase: str
    la_name: str
    term: Period
    as_at: dt.date
    #: The school's own latest mark up to the as-at date (earlier if its registers lag).
    school_last_mark: dt.date | None
    year_to_date: Period
    term_to_date: Period
    population: str
    overall: OverallAttendance
    categories: CategoriesSection
    severely_absent: tuple[PupilSummary, ...]
    persistently_absent: tuple[PupilSummary, ...]
    zero_attendance: tuple[ZeroAttendance, ...]
    no_attendance_recently: NoAttendanceSection
    at_risk: tuple[PupilAtRisk, ...]
    #: How the at-risk list was decided (with or without a learned model).
    at_risk_basis: str
    cohorts: tuple[CohortFigures, ...]
    discussed: tuple[DiscussedPupil, ...]
    previous_actions: tuple[ActionReview, ...]
    #: Caveats a reader needs (a school's registers lag, national figures are full-year, ...).
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def phase_label(self) -> str:
        return PHASES.get(self.phase, self.phase)

    @property
    def title(self) -> str:
        return f"Targeting Support Meeting: {self.school_name} ({self.urn}), {self.term.label}"
