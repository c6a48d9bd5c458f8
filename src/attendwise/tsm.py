"""Targeting Support Meetings: the termly pack the LA's attendance team takes to every school.

Working together to improve school attendance (statutory from August 2024) asks LAs to hold a
Targeting Support Meeting (TSM) with each school every term: whole-school attendance against the LA
and national figures for the phase, the cohorts the LA prioritises, **every severely absent pupil**
(50% attendance or less), persistently absent pupils (90% or less), and the pupils the school wants
to discuss, with the actions agreed last time. This module computes that pack, for one school or
for every school at once, as typed objects; :mod:`attendwise.tsm_export` writes them as XLSX or
print-ready HTML, and the web app renders the same objects (it never computes a measure itself).

Everything is computed set-based: one pass over the store's marks gives every pupil's windows
(the last three school weeks, recent weeks, half terms) for all schools, and the headline measures,
bands and last year's figures come from :mod:`attendwise.measures`, :mod:`attendwise.bands` and
:mod:`attendwise.trends` grouped by school, so 130 packs cost little more than one.

The rules, decided here once:

* **The pack's date ("as at")** is the last date with a mark anywhere in the store within the term,
  unless a date is given: one date for every school, so a school and the LA are measured over the
  same sessions. A school whose registers stop earlier shows its own last mark
  (:attr:`TSMPack.school_last_mark`) and a note.
* **Periods.** "Year to date" is 1 August to the as-at date; "this term" is the census term's first
  day to the as-at date. Attendance categories and the pupil lists use the year to date, as the DfE's
  persistent absence measure does.
* **Who is counted.** Headline figures, categories and cohorts use the DfE population (pupils aged
  5 to 15 on 31 August, boarders left out; :class:`~attendwise.measures.Population`), so they sit
  beside the national figures; counting is by enrolment. The pupil lists use the same pupils, less
  those who had **left the school by the as-at date**: a TSM discusses pupils on roll. Pass
  ``population=Population.all_ages()`` to include reception and sixth form.
* **Severe and persistent absence lists.** Severely absent: attendance of 50% or less of the year's
  possible sessions. Persistently absent: attendance of 90% or less *and over 50%*; the severely
  absent are in their own list, so between the two lists every persistently absent pupil on roll
  appears exactly once. Thresholds are tested in whole sessions, never on rounded percentages.
* **Zero attendance since September** (:attr:`TSMPack.zero_attendance`): possible sessions in the
  year to date and not one of them attended (present, late before the register closed, or an
  approved educational activity). A pupil who came once is *not* listed (they are in the severe
  absence list). A **late joiner** is judged from their first session in the year: a pupil admitted
  in October who has not attended since is listed, "since" their first possible session. A pupil
  whose only marks are codes that are not possible sessions (``X``, ``Y1``-``Y7``, ``D``...) has no
  possible sessions and is not listed.
* **No attendance in the last three school weeks, unauthorised only**
  (:attr:`TSMPack.no_attendance_recently`): the window is the last 15 **school days** up to the
  as-at date, a school day being a day on which the school's register holds marks (so weekends,
  holidays, closures and INSET days do not count; the window may reach back over a holiday into the
  previous term, but not before 1 August; earlier in the year it is the year so far). A pupil is
  listed when, in that window, they had possible sessions, attended none, and *every* absence was
  unauthorised (``G``, ``N``, ``O``, ``U``). One authorised absence (illness, say) in the window
  keeps them off the list, as does a single attended session; codes that are not possible sessions
  are ignored. A pupil who joined during the window is judged on the sessions since joining (a new
  pupil who has never turned up is exactly who the list is for). Pupils recorded as **children
  missing education** are left out, because the LA's CME process already holds them: the store has
  no CME register, so the caller passes ``exclude_cme`` (a set of UPNs or a predicate on a UPN); the
  pack lists who was left out (:attr:`NoAttendanceSection.left_out_as_cme`).
* **At risk** (:attr:`TSMPack.at_risk`): pupils on roll who are not yet persistently absent but whom
  :mod:`attendwise.early_warning` projects into persistent absence by the end of the year, or whose
  learned risk of ending the year persistently absent is at least ``risk_threshold``, with the
  reasons in words. Without an earlier year in the store there is no learned model; the trajectory
  rules alone decide, and the pack says so.
* **Trend** for each listed pupil: attendance in the school's last four school weeks against the
  four before (school weeks are Monday weeks in which the school's register has marks).
  **Band history**: the pupil's band in each half term of the year so far (a term whose half-term
  dates the LA has not loaded is shown whole), with the LA's band scheme.
* **Cohorts** (:attr:`TSMPack.cohorts`): SEN support, EHC plan, children with a social worker (a
  child in need or on a child protection plan), children looked after and FSM eligible; each with
  its attendance and persistent absence in the school against the rest of the school and the same
  cohort across the LA, and the disproportionality flag from
  :func:`attendwise.disproportionality.disproportionality` computed within the school (flags need
  at least 10 pupils and 5 absentees behind them, otherwise "too few pupils to say").
* **Inputs from the case store.** The pupils the school asks to discuss and the actions agreed at the
  previous TSM live in the web app's case store, so they are passed in (:class:`TSMInputs`): a list
  of UPNs and a list of :class:`PreviousAction` (UPN, date, what was agreed). For each action the
  pack compares the pupil's attendance **before** the action (the ``baseline_days`` school days,
  default 30, i.e. six school weeks, before its date) with attendance **since** (its date to the
  as-at date, inclusive), at this school; "improved" means the rate since is higher.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from attendwise.bands import BandScheme, band_counts, load_scheme
from attendwise.calendar import AcademicYear, Period, PeriodError, parse_period
from attendwise.characteristics import PHASES
from attendwise.codes import ABSENCE_REASONS, code_set_sql, with_meaning
from attendwise.disproportionality import disproportionality_within
from attendwise.errors import AttendwiseError
from attendwise.measures import Population, absence_measures, enrolment_absence
from attendwise.pupils import BandAt, ReasonCount
from attendwise.reference import TERM_IDENTIFIERS, national_figures
from attendwise.store import Store, is_block_boundary

__all__ = [
    "COHORTS",
    "ActionReview",
    "AreaFigures",
    "AttendanceTrend",
    "BandCount",
    "CategoriesSection",
    "CohortFigures",
    "DiscussedPupil",
    "LastYearComparison",
    "NoAttendanceRecently",
    "NoAttendanceSection",
    "OverallAttendance",
    "PreviousAction",
    "PupilAtRisk",
    "PupilSummary",
    "TSMError",
    "TSMInputs",
    "TSMPack",
    "TermPacks",
    "ZeroAttendance",
    "pack_dates",
    "read_previous_actions",
    "tsm_pack",
    "tsm_packs",
]

#: School days in the "no attendance, unauthorised only" window (three school weeks).
WINDOW_SCHOOL_DAYS = 15
#: School weeks compared for each pupil's trend (the last N against the N before).
TREND_WEEKS = 4
#: A change in attendance of less than this many points is described as steady.
STEADY_POINTS = 1.0
#: School days before a previous action that give the "before" attendance rate.
BASELINE_DAYS = 30
#: School weeks assumed in a year when there is no learned model to say (190 days / 5, rounded up).
DEFAULT_WEEKS_IN_YEAR = 39


class TSMError(AttendwiseError):
    """A pack that cannot be built as asked (an unknown school, a term with no marks, ...)."""


# =================================================================================================
# Inputs from the case store
# =================================================================================================
@dataclass(frozen=True, slots=True)
class PreviousAction:
    """An action agreed at an earlier TSM for one pupil (held in the web app's case store).

    Attributes:
        upn: the pupil.
        agreed_on: the date the action was agreed (the previous TSM); attendance "since" counts from
            this date, inclusive.
        action: what was agreed, in words ("Early Help assessment offered").
        owner: who leads it (the lead practitioner), if recorded.
        reference: the case store's own id, handed back untouched so the web app can link to it.
    """

    upn: str
    agreed_on: dt.date
    action: str
    owner: str | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class TSMInputs:
    """What the school and the case store bring to a pack: pupils to discuss and previous actions.

    Attributes:
        discuss: UPNs of pupils the school asks to discuss (in the school's order).
        previous_actions: actions agreed at the previous TSM, each with its pupil's UPN.
    """

    discuss: Sequence[str] = ()
    previous_actions: Sequence[PreviousAction] = ()


def read_previous_actions(path: Path | str) -> tuple[PreviousAction, ...]:
    """Previous actions from a CSV with columns ``upn``, ``agreed_on`` (YYYY-MM-DD), ``action`` and
    optionally ``owner`` and ``reference`` (for the command line; the web app passes its own).

    Raises:
        TSMError: naming the file, line and field of the first problem.
    """
    path = Path(path)
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"upn", "agreed_on", "action"} - set(reader.fieldnames or [])
        if missing:
            raise TSMError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                agreed = dt.date.fromisoformat((row["agreed_on"] or "").strip())
            except ValueError:
                raise TSMError(
                    f"{path.name} line {line}, field 'agreed_on': {row['agreed_on']!r} is not a date (YYYY-MM-DD)"
                ) from None
            upn = (row["upn"] or "").strip().upper()
            if not upn:
                raise TSMError(f"{path.name} line {line}, field 'upn': empty")
            out.append(
                PreviousAction(
                    upn,
                    agreed,
                    (row["action"] or "").strip(),
                    (row.get("owner") or "").strip() or None,
                    (row.get("reference") or "").strip() or None,
                )
            )
    return tuple(out)


CMEExclusion = Collection[str] | Callable[[str], bool] | None


def _cme_predicate(exclude_cme: CMEExclusion) -> Callable[[str], bool]:
    if exclude_cme is None:
        return lambda _upn: False
    if callable(exclude_cme):
        return exclude_cme
    upns = {u.strip().upper() for u in exclude_cme}
    return lambda upn: upn.upper() in upns


# =================================================================================================
# The pack's objects
# =================================================================================================
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
        return _pct(self.recent_attended, self.recent_possible)

    @property
    def previous_percent(self) -> float | None:
        return _pct(self.previous_attended, self.previous_possible)

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
        return _pct(self.before_attended, self.before_possible)

    @property
    def since_percent(self) -> float | None:
        return _pct(self.since_attended, self.since_possible)

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


# =================================================================================================
# Dates
# =================================================================================================
def pack_dates(store: Store, term: str | Period, as_at: dt.date | None = None) -> tuple[Period, dt.date]:
    """The pack's term and its as-at date: the last mark in the store within the term, or ``as_at``.

    Raises:
        TSMError: if the term is not a term, has no marks, or ``as_at`` falls outside it.
    """
    if isinstance(term, Period):
        period = term
    else:
        try:
            period = parse_period(term, half_term_starts=store.half_term_starts(), latest_mark=store.latest_mark())
        except PeriodError as exc:
            raise TSMError(str(exc)) from None
        if not period.census or (period.start == period.academic_year.start and period.end == period.academic_year.end):
            raise TSMError(f"{term!r} is not a term: give e.g. 2024/25-autumn, 2024/25-spring or 2024/25-summer")
    last = store.scalar("SELECT max(date) FROM marks WHERE date BETWEEN ? AND ?", [period.start, period.end])
    if as_at is None:
        if last is None:
            raise TSMError(f"the store holds no marks in {period.describe()}")
        return period, last
    if not period.start <= as_at <= period.end:
        raise TSMError(f"{as_at:%d %b %Y} is not in {period.describe()}")
    return period, as_at


def _half_terms(store: Store, year: AcademicYear, as_at: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The half terms of the year up to ``as_at`` (a term whose halves the LA has not loaded is whole)."""
    starts = store.half_term_starts()
    out = []
    for term in ("autumn", "spring", "summer"):
        halves = []
        for half in ("1", "2"):
            with contextlib.suppress(PeriodError):
                p = parse_period(f"{year.label}-{term}-{half}", half_term_starts=starts)
                halves.append((f"{term.capitalize()} {half}", p.start, p.end))
        if len(halves) != 2:
            start, end = year.term(term)
            halves = [(term.capitalize(), start, end)]
        out += [(label, s, min(e, as_at)) for label, s, e in halves if s <= as_at]
    return out


# =================================================================================================
# Set-based computation for every school
# =================================================================================================
_FIGURE_SUMS = [
    "enrolments",
    "sess_possible",
    "sess_overall",
    "sess_authorised",
    "sess_unauthorised",
    "enrolments_pa_10_exact",
    "enrolments_pa_50_exact",
    "sess_present",
    "sess_aea",
]


def _pct(part: float, whole: float) -> float | None:
    return None if not whole else 100.0 * float(part) / float(whole)


def _figures(area: str, kind: str, basis: str, sums: Mapping[str, float] | pd.Series | None) -> AreaFigures:
    """Area figures from summed sessions and counts (so areas can be added and subtracted exactly)."""
    if sums is None or not sums["enrolments"]:
        return AreaFigures(area, kind, basis, 0 if sums is not None else None, None, None, None, None, None, None)
    possible = sums["sess_possible"]
    return AreaFigures(
        area=area,
        kind=kind,
        basis=basis,
        enrolments=int(sums["enrolments"]),
        attendance_percent=_pct(sums["sess_present"] + sums["sess_aea"], possible),
        overall_absence_percent=_pct(sums["sess_overall"], possible),
        authorised_absence_percent=_pct(sums["sess_authorised"], possible),
        unauthorised_absence_percent=_pct(sums["sess_unauthorised"], possible),
        persistent_absence_percent=_pct(sums["enrolments_pa_10_exact"], sums["enrolments"]),
        severe_absence_percent=_pct(sums["enrolments_pa_50_exact"], sums["enrolments"]),
        persistently_absent=int(sums["enrolments_pa_10_exact"]),
        severely_absent=int(sums["enrolments_pa_50_exact"]),
    )


def _none(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else float(value)


class _Headlines:
    """Per-school measure sums for one period, with the LA and phase totals (sums add and subtract exactly,
    so "other schools of the phase" is the phase's sums less the school's)."""

    def __init__(self, period: Period, by_school: pd.DataFrame) -> None:
        self.period = period
        sums = by_school[_FIGURE_SUMS].astype("int64")
        self.schools = {int(u): dict(zip(_FIGURE_SUMS, map(int, row), strict=True)) for u, row in sums.iterrows()}
        self.phase_of = {int(u): str(p) for u, p in by_school.education_phase.items()}
        self.total = {c: int(sums[c].sum()) for c in _FIGURE_SUMS}
        self.phases: dict[str, dict[str, int]] = {}
        self.phase_schools: dict[str, int] = {}
        for urn, row in self.schools.items():
            phase = self.phases.setdefault(self.phase_of[urn], dict.fromkeys(_FIGURE_SUMS, 0))
            for c in _FIGURE_SUMS:
                phase[c] += row[c]
            self.phase_schools[self.phase_of[urn]] = self.phase_schools.get(self.phase_of[urn], 0) + 1

    def school(self, urn: int) -> dict[str, int] | None:
        return self.schools.get(int(urn))

    def la(self) -> dict[str, int]:
        return self.total

    def similar(self, urn: int, phase_label: str) -> tuple[dict[str, int], int]:
        phase = self.phases.get(phase_label, dict.fromkeys(_FIGURE_SUMS, 0))
        own = self.schools.get(int(urn), dict.fromkeys(_FIGURE_SUMS, 0))
        others = self.phase_schools.get(phase_label, 0) - (1 if int(urn) in self.schools else 0)
        return {c: phase[c] - own[c] for c in _FIGURE_SUMS}, others


class TermPacks:
    """Computes, once, everything the packs of one term need for every school, then builds each pack.

    ``TermPacks(store, term, ...)`` does the heavy work (one pass over the store for every school);
    :meth:`pack` then builds one school's pack with its case-store inputs cheaply, so a service that
    keeps the object can rebuild a pack each time a meeting's pupils or actions change. :meth:`pack`
    reads the store for previous actions' attendance, so callers on several threads share one
    ``TermPacks`` under a lock.
    """

    def __init__(
        self,
        store: Store,
        term: str | Period,
        *,
        as_at: dt.date | None,
        urns: Sequence[int] | None,
        scheme: BandScheme | str,
        population: Population | None,
        exclude_cme: CMEExclusion,
        risk_threshold: float,
        baseline_days: int,
    ) -> None:
        self.store = store
        self.term, self.as_at = pack_dates(store, term, as_at)
        self.year = self.term.academic_year
        self.ytd = Period(f"{self.year.label} year to {self.as_at:%d %b %Y}", self.year.start, self.as_at)
        self.term_to_date = Period(
            f"{self.term.label} to {self.as_at:%d %b %Y}", self.term.start, min(self.term.end, self.as_at)
        )
        self.scheme = scheme if isinstance(scheme, BandScheme) else load_scheme(scheme)
        self.population = population or Population()
        self.is_cme = _cme_predicate(exclude_cme)
        self.risk_threshold = risk_threshold
        self.baseline_days = baseline_days
        self.schools = self._schools(urns)
        self.urns = list(self.schools.index)
        self.la_name = ", ".join(sorted({str(n) for n in self.schools_all.la_name})) or "the LA"
        self.half_terms = _half_terms(store, self.year, self.as_at)
        self.notes: list[str] = []

        # Measures read the store's weekly session blocks when a period ends at a block boundary; a pack as
        # at a Friday with nothing marked over the weekend measures exactly the same sessions to the Sunday.
        end = _block_aligned_end(store, self.as_at)
        with store.materialised(
            enrolment_absence(store, Period(self.ytd.label, self.ytd.start, end), self.population)
        ) as ytd_rows:
            self.ytd_headlines = self._headlines(ytd_rows, self.ytd)
            self.ytd_bands = self._bands(ytd_rows)
            frame = store.ibis.to_pyarrow(ytd_rows).to_pandas()
        term_period = Period(self.term_to_date.label, self.term_to_date.start, min(end, self.term.end))
        with store.materialised(enrolment_absence(store, term_period, self.population)) as term_rows:
            self.term_headlines = self._headlines(term_rows, self.term_to_date)
            self.term_bands = self._bands(term_rows)
        self.rows = self._with_people(frame)
        self.records = _Records(self.rows)
        slim = pd.DataFrame(
            {c: self.rows[c].to_numpy(dtype=object if c in ("upn", "nc_year") else None) for c in _SLIM_COLUMNS}
        )
        self.rows_by_school = {int(urn): g for urn, g in slim.groupby("school_urn")}
        cohort_rows = _cohort_frame(self.rows)
        self.la_cohorts = {name: _cohort_sums(cohort_rows, column, group) for name, (column, group) in COHORTS.items()}
        mine = cohort_rows[cohort_rows.school_urn.isin(self.urns)]
        self.cohort_sums = {
            (int(u), name): _cohort_sums(g, column, group)
            for u, g in mine.groupby("school_urn")
            for name, (column, group) in COHORTS.items()
        }
        self.school_sums = {int(u): _cohort_sums(g, "school_urn", u) for u, g in mine.groupby("school_urn")}
        tested = disproportionality_within(mine, "school_urn", ["fsm", "sen", "cla", "cin"])
        self.tested = (
            {
                (int(u), str(g)): (str(f), str(text), _none(rr))
                for u, g, f, text, rr in zip(
                    tested.school_urn, tested.group, tested.pa_flag, tested.summary, tested.pa_risk_ratio, strict=True
                )
            }
            if not tested.empty
            else {}
        )
        self._national_cache: dict[tuple[str, bool], tuple[AreaFigures, str]] = {}
        self.last_year, self.last_year_label = self._last_year()
        self.windows, self.days = self._pupil_windows()
        self.window_records = _Records(self.windows.reset_index())
        by_urn = self.days.groupby("urn").date
        self.first_day, self.last_day = by_urn.min().to_dict(), by_urn.max().to_dict()
        window = self.days[self.days.day_rank < WINDOW_SCHOOL_DAYS].groupby("urn").date
        self.window_days = {
            int(u): (first, last, n)
            for u, first, last, n in zip(window.min().index, window.min(), window.max(), window.size(), strict=True)
        }
        self.risk, self.risk_basis = self._early_warning()
        if not self.risk.empty:
            flagged = self.risk[
                (self.risk.projected_absence >= 0.1) | (self.risk.risk_pa.fillna(0) >= self.risk_threshold)
            ]
            self.risk = flagged

    # -- reading -------------------------------------------------------------------------------
    def _schools(self, urns: Sequence[int] | None) -> pd.DataFrame:
        self.schools_all = self.store.table("schools").to_pandas().set_index("urn")
        if urns is None:
            return self.schools_all
        unknown = [u for u in urns if u not in self.schools_all.index]
        if unknown:
            raise TSMError(f"no school with URN {unknown[0]} in the store")
        return self.schools_all.loc[list(urns)]

    def _headlines(self, rows: ibis.Table, period: Period) -> _Headlines:
        by = absence_measures(rows, ["school_urn", "school_name", "education_phase"]).to_pandas()
        return _Headlines(period, by.set_index("school_urn"))

    def _bands(self, rows: ibis.Table) -> dict[int, tuple[BandCount, ...]]:
        frame = band_counts(rows, self.scheme, ["school_urn"]).to_pandas()
        colours = {b.key: b.colour for b in self.scheme.bands}
        out: dict[int, tuple[BandCount, ...]] = {}
        for urn, g in frame.groupby("school_urn"):
            out[int(urn)] = tuple(
                BandCount(r.band, r.band_name, colours[r.band], int(r.enrolments), _none(r.percent))
                for r in g.itertuples()
            )
        return out

    def _with_people(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The year-to-date enrolment rows with names and admission and leaving dates."""
        e, p = self.store.table("enrolments"), self.store.table("pupils")
        people = (
            e.join(p, "upn").select("enrolment_id", "forename", "surname", "admission_date", "leaving_date").to_pandas()
        )
        rows = frame.merge(people, on="enrolment_id", how="left")
        rows["admission_date"] = pd.to_datetime(rows.admission_date).dt.date
        leaving = pd.to_datetime(rows.leaving_date)
        # On roll at the as-at date: no leaving date, or leaving on or after it.
        rows["on_roll"] = leaving.isna() | (leaving >= pd.Timestamp(self.as_at))
        rows["leaving_date"] = [None if pd.isna(d) else d.date() for d in leaving]
        rows["sess_attended"] = rows.sess_present + rows.sess_aea
        return rows

    def _last_year(self) -> tuple[_Headlines, str]:
        """Last year to the same point (1 August to the same date a year earlier), by school: the comparison
        of :func:`attendwise.trends.change_on_last_year`, measured once for every school."""
        then = _same_point_last_year(self.as_at)
        last = AcademicYear(self.year.start_year - 1)
        label = f"{last.label} to {then:%d %b}"
        period = Period(label, last.start, then)
        return self._headlines(enrolment_absence(self.store, period, self.population), period), label

    def _pupil_windows(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """One pass over the year's marks: each enrolment's sessions in every window the pack needs.

        Returns the per-enrolment windows and the school days (``urn``, ``date``, ``day_rank``,
        ``week_rank``; ranks count back from the as-at date, 0 being the latest).
        """
        marks = self.store.table("marks")
        enrolments = self.store.table("enrolments").select("enrolment_id", "urn")
        if len(self.urns) < len(self.schools_all):
            enrolments = enrolments.filter(enrolments.urn.isin(self.urns))
        m = marks.filter(marks.date.between(self.year.start, self.as_at)).join(enrolments, "enrolment_id")

        # The school days: dates on which each school's register holds marks, ranked back from as-at.
        days = m.select("urn", "date").distinct().to_pandas()
        days["date"] = pd.to_datetime(days.date)
        days["week"] = days.date - pd.to_timedelta(days.date.dt.weekday, unit="D")
        days["day_rank"] = days.groupby("urn").date.rank(method="dense", ascending=False).astype("int64") - 1
        days["week_rank"] = days.groupby("urn").week.rank(method="dense", ascending=False).astype("int64") - 1
        days["period"] = -1
        for i, (_, start, end) in enumerate(self.half_terms):
            days.loc[days.date.between(pd.Timestamp(start), pd.Timestamp(end)), "period"] = i
        days["date"] = days.date.dt.date
        day_table = ibis.memtable(days[["urn", "date", "day_rank", "week_rank", "period"]])

        m = with_meaning(m)
        m = m.join(day_table, ["urn", "date"])
        poss, att = m.is_possible, m.is_attendance
        auth, unauth = m.is_authorised, m.is_unauthorised
        window = m.day_rank < WINDOW_SCHOOL_DAYS
        recent = m.week_rank < TREND_WEEKS
        previous = (m.week_rank >= TREND_WEEKS) & (m.week_rank < 2 * TREND_WEEKS)
        unauth_reasons = [r for r in ABSENCE_REASONS if r.startswith("sess_unauth_")]
        aggs = {
            "first_possible": m.date.min(where=poss == 1),
            "w_possible": poss.sum(where=window),
            "w_attended": att.sum(where=window),
            "w_authorised": auth.sum(where=window),
            "w_unauthorised": unauth.sum(where=window),
            **{f"w_{r}": (m.reason == r).fill_null(False).cast("int64").sum(where=window) for r in unauth_reasons},
            "r_possible": poss.sum(where=recent),
            "r_attended": att.sum(where=recent),
            "p_possible": poss.sum(where=previous),
            "p_attended": att.sum(where=previous),
        }
        for i in range(len(self.half_terms)):
            aggs[f"h{i}_possible"] = poss.sum(where=m.period == i)
            aggs[f"h{i}_overall"] = (auth + unauth).sum(where=m.period == i)
        per = self.store.ibis.to_pyarrow(m.group_by("enrolment_id").aggregate(**aggs)).to_pandas()
        counts = [c for c in per.columns if c not in ("enrolment_id", "first_possible")]
        per[counts] = per[counts].fillna(0).astype("int64")
        per["first_possible"] = pd.to_datetime(per.first_possible).dt.date
        return per.set_index("enrolment_id"), days

    def _early_warning(self) -> tuple[pd.DataFrame, str]:
        """Early-warning features, projections and (with an earlier year to learn from) model risks."""
        from attendwise.early_warning import (
            EarlyWarningError,
            features_at,
            model_for,
            projected_absence,
            year_grid,
        )

        try:
            grid = year_grid(self.store, self.year, as_of=self.as_at)
        except EarlyWarningError:
            return pd.DataFrame(), "no marks this year to project from"
        feats = features_at(grid, grid.week_of(self.as_at))
        try:
            model = model_for(self.store, self.year)
        except EarlyWarningError as exc:
            feats = feats.assign(risk_pa=np.nan, risk_sa=np.nan)
            weeks = DEFAULT_WEEKS_IN_YEAR
            basis = (
                "Projected from attendance so far and its recent trend (early warning's trajectory rules); "
                f"no learned model: {exc}."
            )
        else:
            feats = feats.merge(model.predict(feats), on="enrolment_id")
            weeks = model.weeks_in_year
            basis = (
                "Projected from attendance so far and its recent trend, or a risk of at least "
                f"{self.risk_threshold:.0%} from the model trained on {', '.join(model.trained_years)}."
            )
        feats["projected_absence"] = projected_absence(feats, weeks)
        feats["weeks_in_year"] = weeks
        return feats.set_index("enrolment_id"), basis

    # -- one pack ------------------------------------------------------------------------------
    def pack(self, urn: int, inputs: TSMInputs | None = None, *, store: Store | None = None) -> TSMPack:
        """One school's pack with its case-store inputs.

        ``store``: the caller's own connection to the same store, for the few reads a pack makes (a
        DuckDB connection must not be used by two threads at once); default the one it was built with.
        """
        if store is None or store is self.store:
            return self._pack(urn, inputs)
        built_with, self.store = self.store, store
        try:
            return self._pack(urn, inputs)
        finally:
            self.store = built_with

    def _pack(self, urn: int, inputs: TSMInputs | None) -> TSMPack:
        inputs = inputs or TSMInputs()
        school = self.schools.loc[urn]
        phase_label = PHASES.get(school.phase, school.phase)
        rows = self.rows_by_school.get(int(urn), self.rows.iloc[:0])
        listed = rows[rows.on_roll]
        last_mark = self.last_day.get(int(urn))
        notes = list(self.notes)
        if last_mark is None:
            notes.append(f"The store holds no marks for this school in {self.year.label} up to {self.as_at:%d %b %Y}.")
        elif last_mark < self.as_at:
            notes.append(
                f"This school's registers end on {last_mark:%d %b %Y}, before the pack's date "
                f"({self.as_at:%d %b %Y}); its lists are as at {last_mark:%d %b %Y}."
            )
        overall, national_note = self._overall(urn, str(school["name"]), phase_label)
        notes.append(national_note)

        summaries: dict[int, PupilSummary] = {}

        def summary(enrolment_id: int) -> PupilSummary:
            if enrolment_id not in summaries:
                summaries[enrolment_id] = self._summary(self.records[enrolment_id])
            return summaries[enrolment_id]

        severe = listed[listed.pa_50 == 1]
        severe = severe.assign(_rate=severe.sess_attended / severe.sess_possible).sort_values(["_rate", "upn"])
        persistent = listed[(listed.pa_10 == 1) & (listed.pa_50 == 0)]
        persistent = persistent.assign(_rate=persistent.sess_attended / persistent.sess_possible).sort_values(
            ["_rate", "upn"]
        )
        return TSMPack(
            urn=int(urn),
            school_name=str(school["name"]),
            phase=str(school.phase),
            la_name=self.la_name,
            term=self.term,
            as_at=self.as_at,
            school_last_mark=last_mark,
            year_to_date=self.ytd,
            term_to_date=self.term_to_date,
            population=self.population.describe(),
            overall=overall,
            categories=CategoriesSection(
                self.scheme.name, self._band_counts(self.ytd_bands, urn), self._band_counts(self.term_bands, urn)
            ),
            severely_absent=tuple(summary(int(e)) for e in severe.enrolment_id),
            persistently_absent=tuple(summary(int(e)) for e in persistent.enrolment_id),
            zero_attendance=self._zero_attendance(listed, summary),
            no_attendance_recently=self._no_attendance(urn, listed, summary),
            at_risk=self._at_risk(listed, summary),
            at_risk_basis=self.risk_basis,
            cohorts=self._cohorts(urn),
            discussed=self._discussed(rows, inputs.discuss, summary),
            previous_actions=self._actions(urn, rows, inputs.previous_actions, summary),
            notes=tuple(notes),
        )

    def _band_counts(self, bands: dict[int, tuple[BandCount, ...]], urn: int) -> tuple[BandCount, ...]:
        if urn in bands:
            return bands[urn]
        return tuple(BandCount(b.key, b.name, b.colour, 0, None) for b in self.scheme.bands)

    def _overall(self, urn: int, name: str, phase_label: str) -> tuple[OverallAttendance, str]:
        who = self.population.describe()
        sections = []
        national_note = ""
        for headlines, is_term in ((self.ytd_headlines, False), (self.term_headlines, True)):
            dates = f"{headlines.period.start:%d %b %Y} to {headlines.period.end:%d %b %Y}"
            similar, n_similar = headlines.similar(urn, phase_label)
            national, national_note = self._national(phase_label, is_term=is_term)
            sections.append(
                (
                    _figures(name, "school", f"{who}, {dates}, from the registers", headlines.school(urn)),
                    _figures(self.la_name, "la", f"all schools in the LA, {who}, {dates}", headlines.la()),
                    _figures(
                        f"Other {phase_label.lower()} schools in {self.la_name}",
                        "similar",
                        f"the {n_similar} other schools of the same phase in the LA, pooled, {dates}",
                        similar if n_similar else None,
                    ),
                    national,
                )
            )
        now_label = f"{self.year.label} to {self.as_at:%d %b}"
        school_then = self.last_year.school(urn)
        la_then = self.last_year.la()
        comparisons = (
            LastYearComparison(
                name,
                now_label,
                self.last_year_label,
                sections[0][0],
                None
                if school_then is None or not school_then["enrolments"]
                else _figures(name, "school", self.last_year_label, school_then),
            ),
            LastYearComparison(
                self.la_name,
                now_label,
                self.last_year_label,
                sections[0][1],
                None if not la_then["enrolments"] else _figures(self.la_name, "la", self.last_year_label, la_then),
            ),
        )
        return OverallAttendance(sections[0], sections[1], comparisons), national_note

    def _national(self, phase_label: str, *, is_term: bool) -> tuple[AreaFigures, str]:
        """England for the school's phase: a figure loaded into the store (``attendwise reference``) for the
        term or year if there is one, else the shipped full-year figure (the nearest year shipped), with the
        basis saying which."""
        key = (phase_label, is_term)
        if key not in self._national_cache:
            self._national_cache[key] = self._read_national(phase_label, is_term=is_term)
        return self._national_cache[key]

    def _read_national(self, phase_label: str, *, is_term: bool) -> tuple[AreaFigures, str]:
        year = self.year.time_period
        identifier = next(
            (label for t, label in TERM_IDENTIFIERS.items() if self.year.term(t) == (self.term.start, self.term.end)),
            None,
        )
        loaded = self.store.con.execute(
            "SELECT * FROM reference_figures WHERE geographic_level = 'National' AND time_period = ? "
            "AND time_identifier = ? AND education_phase = ?",
            [year, identifier if is_term else "Academic year", phase_label],
        ).df()
        if not loaded.empty:
            r = loaded.iloc[0]
            source = f"{r.source}, {r.time_identifier.lower()} {self.year.label}"
        else:
            shipped = national_figures(year)
            match = shipped[shipped.education_phase == phase_label]
            if match.empty:
                match = shipped[shipped.education_phase == "Total"]
            r = match.iloc[0]
            source = str(r.source)
        overall = _none(r.get("sess_overall_percent"))
        figures = AreaFigures(
            area=f"England ({r.education_phase})",
            kind="national",
            basis=source,
            enrolments=None,
            attendance_percent=None if overall is None else 100.0 - overall,
            overall_absence_percent=overall,
            authorised_absence_percent=_none(r.get("sess_authorised_percent")),
            unauthorised_absence_percent=_none(r.get("sess_unauthorised_percent")),
            persistent_absence_percent=_none(r.get("enrolments_pa_10_exact_percent")),
            severe_absence_percent=_none(r.get("enrolments_pa_50_exact_percent")),
        )
        note = (
            f"England's figures are the DfE's published figures ({source}), not the same dates as the "
            "school's; load the DfE's term files with 'attendwise reference' for a closer comparison."
            if loaded.empty
            else f"England's figures: {source}."
        )
        return figures, note

    def _summary(self, r: dict[str, Any]) -> PupilSummary:
        enrolment_id = int(r["enrolment_id"])
        w = self.window_records.get(enrolment_id)
        band = self.scheme.band_for(int(r["sess_attended"]), int(r["sess_possible"]))
        history = []
        if w is not None:
            by_key = {b.key: b for b in self.scheme.bands}
            for i, (label, start, end) in enumerate(self.half_terms):
                possible, overall = int(w[f"h{i}_possible"]), int(w[f"h{i}_overall"])
                if possible == 0:
                    continue
                b = by_key[self.scheme.band_for(possible - overall, possible).key]
                history.append(BandAt(label, "half term", start, end, possible, overall, b.key, b.name, b.colour))
        overall = int(r["sess_overall"])
        reasons = sorted(
            (
                ReasonCount(
                    reason, label, reason.startswith("sess_auth_"), int(r[reason]), 100.0 * int(r[reason]) / overall
                )
                for reason, label in ABSENCE_REASONS.items()
                if int(r[reason]) > 0
            ),
            key=lambda c: (-c.sessions, c.label),
        )[:3]
        trend = AttendanceTrend(
            TREND_WEEKS,
            *(int(w[c]) if w is not None else 0 for c in ("r_possible", "r_attended", "p_possible", "p_attended")),
        )
        return PupilSummary(
            enrolment_id=enrolment_id,
            upn=str(r["upn"]),
            forename=None if pd.isna(r["forename"]) else str(r["forename"]),
            surname=None if pd.isna(r["surname"]) else str(r["surname"]),
            nc_year=str(r["nc_year"]),
            admission_date=r["admission_date"],
            leaving_date=r["leaving_date"],
            fsm=r["fsm"] == "FSM eligible",
            sen=str(r["sen_provision"]),
            cla=r["cla"] == "Looked after",
            cin=r["cin"] == "Child in need",
            cpp=r["cpp"] == "Child protection plan",
            sess_possible=int(r["sess_possible"]),
            sess_attended=int(r["sess_attended"]),
            sess_authorised=int(r["sess_authorised"]),
            sess_unauthorised=int(r["sess_unauthorised"]),
            band_key=band.key,
            band_name=band.name,
            band_colour=band.colour,
            trend=trend,
            band_history=tuple(history),
            reasons=tuple(reasons),
        )

    def _zero_attendance(
        self, listed: pd.DataFrame, summary: Callable[[int], PupilSummary]
    ) -> tuple[ZeroAttendance, ...]:
        zero = listed[(listed.sess_attended == 0) & (listed.sess_possible > 0)].sort_values(["nc_year", "upn"])
        out = []
        for e, urn in zip(zero.enrolment_id, zero.school_urn, strict=True):
            since = (self.window_records.get(int(e)) or {}).get("first_possible") or self.year.start
            first_day = self.first_day.get(int(urn), since)
            out.append(ZeroAttendance(summary(int(e)), since, since > first_day))
        return tuple(out)

    def _no_attendance(
        self, urn: int, listed: pd.DataFrame, summary: Callable[[int], PupilSummary]
    ) -> NoAttendanceSection:
        if int(urn) not in self.window_days:
            return NoAttendanceSection(None, None, 0, (), ())
        start, end, n_days = self.window_days[int(urn)]
        w = self.windows.reindex(listed.enrolment_id.astype(int))
        hit = w[(w.w_possible > 0) & (w.w_attended == 0) & (w.w_authorised == 0) & (w.w_unauthorised > 0)]
        upns = dict(zip(listed.enrolment_id.astype(int), listed.upn, strict=True))
        pupils, left_out = [], []
        labels = {r: ABSENCE_REASONS[r] for r in ABSENCE_REASONS if r.startswith("sess_unauth_")}
        for enrolment_id, row in hit.iterrows():
            upn = upns[int(enrolment_id)]
            if self.is_cme(upn):
                left_out.append(upn)
                continue
            by_reason = tuple(
                sorted(
                    ((label, int(row[f"w_{r}"])) for r, label in labels.items() if row[f"w_{r}"] > 0),
                    key=lambda x: -x[1],
                )
            )
            pupils.append(NoAttendanceRecently(summary(int(enrolment_id)), start, end, int(row.w_possible), by_reason))
        pupils.sort(key=lambda p: (p.pupil.nc_year, p.pupil.upn))
        return NoAttendanceSection(start, end, int(n_days), tuple(pupils), tuple(sorted(left_out)))

    def _at_risk(self, listed: pd.DataFrame, summary: Callable[[int], PupilSummary]) -> tuple[PupilAtRisk, ...]:
        from attendwise.early_warning import reasons

        if self.risk.empty:
            return ()
        candidates = listed[listed.pa_10 == 0]
        feats = self.risk.reindex(candidates.enrolment_id.astype(int)).dropna(subset=["absence_rate"])
        flagged = feats[(feats.projected_absence >= 0.1) | (feats.risk_pa.fillna(0) >= self.risk_threshold)]
        out = []
        for row in flagged.itertuples():
            enrolment_id = row.Index
            words = reasons(row, int(row.weeks_in_year))  # type: ignore[arg-type]
            if pd.notna(row.risk_pa) and row.risk_pa >= self.risk_threshold:
                words.append(f"the learned model gives a {row.risk_pa:.0%} risk of ending the year persistently absent")
            out.append(
                PupilAtRisk(
                    pupil=summary(int(enrolment_id)),
                    projected_attendance_percent=100.0 * (1 - float(row.projected_absence)),
                    risk_pa=_none(row.risk_pa),
                    risk_sa=_none(row.risk_sa),
                    reasons=tuple(words),
                )
            )
        out.sort(key=lambda p: (p.projected_attendance_percent, p.pupil.upn))
        return tuple(out)

    def _cohorts(self, urn: int) -> tuple[CohortFigures, ...]:
        urn = int(urn)
        out = []
        total = self.school_sums.get(urn, (0, 0, 0, 0, 0))
        for cohort, (_, group) in COHORTS.items():
            pupils, attended, possible, pa, sa = self.cohort_sums.get((urn, cohort), (0, 0, 0, 0, 0))
            others = [t - c for t, c in zip(total, (pupils, attended, possible, pa, sa), strict=True)]
            la_pupils, la_attended, la_possible, la_pa, _ = self.la_cohorts[cohort]
            if not pupils:
                flag, summary_text, rr = "", f"No pupils in this school are {cohort.lower()}.", None
            else:
                flag, summary_text, rr = self.tested[(urn, group)]
            out.append(
                CohortFigures(
                    cohort=cohort,
                    pupils=pupils,
                    attendance_percent=_pct(attended, possible),
                    persistently_absent=pa,
                    persistent_absence_percent=_pct(pa, pupils),
                    severely_absent=sa,
                    severe_absence_percent=_pct(sa, pupils),
                    others_attendance_percent=_pct(others[1], others[2]),
                    others_persistent_absence_percent=_pct(others[3], others[0]),
                    la_pupils=la_pupils,
                    la_attendance_percent=_pct(la_attended, la_possible),
                    la_persistent_absence_percent=_pct(la_pa, la_pupils),
                    risk_ratio=rr,
                    flag=flag,
                    summary=summary_text,
                )
            )
        return tuple(out)

    def _discussed(
        self, rows: pd.DataFrame, upns: Iterable[str], summary: Callable[[int], PupilSummary]
    ) -> tuple[DiscussedPupil, ...]:
        out = []
        for upn in upns:
            upn = upn.strip().upper()
            found = rows[rows.upn == upn]
            if found.empty:
                out.append(DiscussedPupil(upn, None, f"not counted at this school in {self.ytd.label}"))
                continue
            r = found.sort_values("admission_date").iloc[-1]
            note = "" if r.on_roll else f"left the school on {r.leaving_date:%d %b %Y}"
            out.append(DiscussedPupil(upn, summary(int(r.enrolment_id)), note))
        return tuple(out)

    def _actions(
        self,
        urn: int,
        rows: pd.DataFrame,
        actions: Sequence[PreviousAction],
        summary: Callable[[int], PupilSummary],
    ) -> tuple[ActionReview, ...]:
        if not actions:
            return ()
        upns = sorted({a.upn.strip().upper() for a in actions})
        earliest = min(a.agreed_on for a in actions)
        # The school's days, and its pupils' marks, from well before the earliest action to as-at.
        since = earliest - dt.timedelta(days=7 * (self.baseline_days // 5 + 12))
        placeholders = ",".join("?" * len(upns))
        with self.store.code_meanings() as codes:
            marks = self.store.con.execute(
                f"""SELECT e.upn, m.date, c.is_possible, c.is_attendance
                    FROM marks m JOIN enrolments e USING (enrolment_id)
                    JOIN {codes} c ON c.code = m.code
                     AND c.code_set = {code_set_sql("m.date")}
                    WHERE e.urn = ? AND e.upn IN ({placeholders}) AND m.date BETWEEN ? AND ?""",
                [urn, *upns, since, self.as_at],
            ).df()
            school_days = [
                d
                for (d,) in self.store.con.execute(
                    """SELECT DISTINCT m.date FROM marks m JOIN enrolments e USING (enrolment_id)
                       WHERE e.urn = ? AND m.date BETWEEN ? AND ? ORDER BY 1""",
                    [urn, since, self.as_at],
                ).fetchall()
            ]
        marks["date"] = pd.to_datetime(marks.date).dt.date
        out = []
        for action in actions:
            upn = action.upn.strip().upper()
            found = rows[rows.upn == upn]
            pupil = summary(int(found.sort_values("admission_date").iloc[-1].enrolment_id)) if len(found) else None
            before_days = [d for d in school_days if d < action.agreed_on][-self.baseline_days :]
            mine = marks[marks.upn == upn]
            before = mine[mine.date.isin(set(before_days))]
            after = mine[mine.date >= action.agreed_on]
            out.append(
                ActionReview(
                    action=action,
                    pupil=pupil,
                    before_start=before_days[0] if before_days else None,
                    before_possible=int(before.is_possible.sum()),
                    before_attended=int((before.is_possible * before.is_attendance).sum()),
                    since_possible=int(after.is_possible.sum()),
                    since_attended=int((after.is_possible * after.is_attendance).sum()),
                )
            )
        return tuple(out)


SOCIAL_WORKER = "With a social worker"

#: The LA's priority cohorts: label -> (enrolment column, group label), as
#: :func:`attendwise.measures.enrolment_absence` labels them (``cin`` here means "has a social worker").
COHORTS: dict[str, tuple[str, str]] = {
    "SEN support": ("sen_provision", "SEN support"),
    "EHC plan": ("sen_provision", "EHC plan"),
    "With a social worker (CIN or CPP)": ("cin", SOCIAL_WORKER),
    "Looked after": ("cla", "Looked after"),
    "FSM eligible": ("fsm", "FSM eligible"),
}


def _cohort_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The columns the cohorts need, ``cin`` standing for "has a social worker" (CIN or CPP), as plain
    numpy columns (grouping pyarrow-backed strings row by row is slow)."""
    social = (rows.cin == "Child in need") | (rows.cpp == "Child protection plan")
    return pd.DataFrame(
        {
            "school_urn": rows.school_urn.to_numpy(),
            "enrolment_id": rows.enrolment_id.to_numpy(),
            "fsm": rows.fsm.to_numpy(dtype=object),
            "sen_provision": rows.sen_provision.to_numpy(dtype=object),
            "cla": rows.cla.to_numpy(dtype=object),
            "cin": np.where(social.to_numpy(), SOCIAL_WORKER, "No social worker").astype(object),
            "sess_possible": rows.sess_possible.to_numpy(),
            "sess_attended": rows.sess_attended.to_numpy(),
            "sess_overall": rows.sess_overall.to_numpy(),
            "pa_10": rows.pa_10.to_numpy(),
            "pa_50": rows.pa_50.to_numpy(),
        }
    )


def _cohort_sums(frame: pd.DataFrame, column: str, group: object) -> tuple[int, int, int, int, int]:
    """Pupils, attended and possible sessions, and persistently and severely absent pupils of one cohort."""
    inside = frame[frame[column] == group]
    return (
        len(inside),
        int(inside.sess_attended.sum()),
        int(inside.sess_possible.sum()),
        int(inside.pa_10.sum()),
        int(inside.pa_50.sum()),
    )


#: The per-pupil columns the pack filters on, kept as plain numpy columns per school.
_SLIM_COLUMNS = [
    "enrolment_id",
    "school_urn",
    "upn",
    "nc_year",
    "on_roll",
    "pa_10",
    "pa_50",
    "sess_attended",
    "sess_possible",
    "admission_date",
    "leaving_date",
]


class _Records:
    """Rows of a frame by ``enrolment_id``, each read as a dict on demand (plain numpy columns: reading rows
    of a frame of pyarrow-backed columns one at a time is slow, and converting them all is wasted work)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = {c: frame[c].to_numpy(dtype=object) for c in frame.columns}
        self.position = {int(e): i for i, e in enumerate(frame.enrolment_id)}

    def get(self, enrolment_id: int) -> dict[str, Any] | None:
        i = self.position.get(int(enrolment_id))
        return None if i is None else {c: values[i] for c, values in self.columns.items()}

    def __getitem__(self, enrolment_id: int) -> dict[str, Any]:
        row = self.get(enrolment_id)
        if row is None:
            raise KeyError(enrolment_id)
        return row


def _same_point_last_year(day: dt.date) -> dt.date:
    """The same date a year earlier (28 February for 29 February), as :mod:`attendwise.trends` compares."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _block_aligned_end(store: Store, as_at: dt.date) -> dt.date:
    """The last day before the next session-block boundary after ``as_at`` if nothing is marked in between
    (so measures to it count exactly the sessions to ``as_at``); otherwise ``as_at`` itself."""
    day = as_at + dt.timedelta(days=1)
    while not is_block_boundary(day):
        day += dt.timedelta(days=1)
    end = day - dt.timedelta(days=1)
    if end == as_at or store.scalar("SELECT count(*) FROM marks WHERE date > ? AND date <= ?", [as_at, end]):
        return as_at
    return end


# =================================================================================================
# Public entry points
# =================================================================================================
def tsm_packs(
    store: Store,
    term: str | Period,
    *,
    schools: Sequence[int] | None = None,
    as_at: dt.date | None = None,
    inputs: Mapping[int, TSMInputs] | None = None,
    exclude_cme: CMEExclusion = None,
    scheme: BandScheme | str = "five-categories",
    population: Population | None = None,
    risk_threshold: float = 0.5,
    baseline_days: int = BASELINE_DAYS,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[int, TSMPack]:
    """The TSM pack of every school (or of ``schools``) for a term, computed in one pass over the store.

    Args:
        store: the register store.
        term: a census term, ``2024/25-autumn`` (or a :class:`~attendwise.calendar.Period`).
        schools: URNs; default every school in the store.
        as_at: the pack's date (default: the last mark in the store within the term).
        inputs: per URN, the pupils the school asks to discuss and the previous TSM's actions.
        exclude_cme: UPNs recorded as children missing education (a collection, or a predicate on a
            UPN), left out of the "no attendance in the last three school weeks" list.
        scheme: the LA's band scheme, a preset name, a TOML path or a loaded scheme.
        population: who is counted (default: the DfE's, pupils aged 5 to 15).
        risk_threshold: the learned PA risk at which a pupil not yet PA is listed as at risk.
        baseline_days: school days before a previous action that give its "before" rate.
        progress: called as ``progress(stage, done, total)`` while packs are built.

    Returns:
        The packs by URN, in URN order.

    Raises:
        TSMError: an unknown school, a period that is not a term, or a term with no marks.
    """
    builder = TermPacks(
        store,
        term,
        as_at=as_at,
        urns=schools,
        scheme=scheme,
        population=population,
        exclude_cme=exclude_cme,
        risk_threshold=risk_threshold,
        baseline_days=baseline_days,
    )
    inputs = inputs or {}
    out: dict[int, TSMPack] = {}
    urns = sorted(int(u) for u in builder.urns)
    for i, urn in enumerate(urns):
        out[urn] = builder.pack(urn, inputs.get(urn))
        if progress:
            progress("Building packs", i + 1, len(urns))
    return out


def tsm_pack(
    store: Store,
    urn: int,
    term: str | Period,
    *,
    as_at: dt.date | None = None,
    discuss: Sequence[str] = (),
    previous_actions: Sequence[PreviousAction] = (),
    exclude_cme: CMEExclusion = None,
    scheme: BandScheme | str = "five-categories",
    population: Population | None = None,
    risk_threshold: float = 0.5,
    baseline_days: int = BASELINE_DAYS,
) -> TSMPack:
    """The TSM pack for one school and one term (see the module docstring for every rule).

    Args:
        store: the register store.
        urn: the school.
        term: a census term, ``2024/25-autumn``.
        as_at: the pack's date (default: the last mark in the store within the term).
        discuss: UPNs of pupils the school asks to discuss (from the case store).
        previous_actions: actions agreed at the previous TSM (from the case store); each gets an
            :class:`ActionReview` saying whether the pupil's attendance has improved since.
        exclude_cme: UPNs recorded as children missing education (a collection or a predicate),
            left out of the "no attendance in the last three school weeks" list.
        scheme: the LA's band scheme.
        population: who is counted (default: the DfE's, pupils aged 5 to 15).
        risk_threshold: the learned PA risk at which a pupil not yet PA is listed as at risk.
        baseline_days: school days before a previous action that give its "before" rate.

    Examples:
        >>> from attendwise.store import Store
        >>> with Store(":memory:") as store:
        ...     tsm_pack(store, 100001, "2024/25-autumn")
        Traceback (most recent call last):
        ...
        attendwise.tsm.TSMError: no school with URN 100001 in the store
    """
    if store.scalar("SELECT count(*) FROM schools WHERE urn = ?", [int(urn)]) == 0:
        raise TSMError(f"no school with URN {urn} in the store")
    packs = tsm_packs(
        store,
        term,
        schools=[int(urn)],
        as_at=as_at,
        inputs={int(urn): TSMInputs(tuple(discuss), tuple(previous_actions))},
        exclude_cme=exclude_cme,
        scheme=scheme,
        population=population,
        risk_threshold=risk_threshold,
        baseline_days=baseline_days,
    )
    return packs[int(urn)]
