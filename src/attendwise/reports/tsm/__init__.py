"""Targeting Support Meetings: the termly pack the LA's attendance team takes to every school.

Working together to improve school attendance (statutory from August 2024) asks LAs to hold a
Targeting Support Meeting (TSM) with each school every term: whole-school attendance against the LA
and national figures for the phase, the cohorts the LA prioritises, **every severely absent pupil**
(50% attendance or less), persistently absent pupils (90% or less), and the pupils the school wants
to discuss, with the actions agreed last time. This package computes that pack, for one school or
for every school at once, as typed objects, and lays each pack out as sections of the documents vocabulary
(:mod:`~attendwise.reports.tsm.sections`): :mod:`~attendwise.reports.tsm.workbook` writes them as XLSX,
:mod:`~attendwise.reports.tsm.printable` as print-ready HTML, and the web app's pack page shows the same
sections (it never computes a measure itself).

Everything is computed set-based: one pass over the store's marks gives every pupil's windows
(the last three school weeks, recent weeks, half terms) for all schools, and the headline measures,
bands and last year's figures come from :mod:`attendwise.measures.absence`, :mod:`attendwise.measures.bands` and
:mod:`attendwise.measures.trends` grouped by school, so 130 packs cost little more than one.

The rules, decided here once:

* **The pack's date ("as at")** is the last date with a mark anywhere in the store within the term,
  unless a date is given: one date for every school, so a school and the LA are measured over the
  same sessions. A school whose registers stop earlier shows its own last mark
  (:attr:`TSMPack.school_last_mark`) and a note.
* **Periods.** "Year to date" is 1 August to the as-at date; "this term" is the census term's first
  day to the as-at date. Attendance categories and the pupil lists use the year to date, as the DfE's
  persistent absence measure does.
* **Who is counted.** Headline figures, categories and cohorts use the DfE population (pupils aged
  5 to 15 on 31 August, boarders left out; :class:`~attendwise.measures.absence.Population`), so they sit
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
  :mod:`attendwise.analysis.early_warning` projects into persistent absence by the end of the year, or whose
  learned risk of ending the year persistently absent is at least ``risk_threshold``, with the
  reasons in words. Without an earlier year in the store there is no learned model; the trajectory
  rules alone decide, and the pack says so.
* **Trend** for each listed pupil: attendance in the school's last four school weeks against the
  four before (school weeks are Monday weeks in which the school's register has marks).
  **Band history**: the pupil's band in each half term of the year so far (a term whose half-term
  dates the LA has not loaded is shown whole), with the LA's band scheme.
* **Cohorts** (:attr:`TSMPack.cohorts`): SEN support, EHC plan, children with a social worker (a
  child in need or on a child protection plan), children looked after and FSM eligible, then the LA's
  own priority cohorts its cohorts file's ``[packs]`` names for the school's phase (members counted for
  the sessions inside their dates; a cohort only LA staff may see membership of shows ``x`` for any
  figure on fewer pupils than the suppression threshold, the school's other pupils too); each with
  its attendance and persistent absence in the school against the rest of the school and the same
  cohort across the LA, and the disproportionality flag from
  :func:`attendwise.analysis.disproportionality.disproportionality` computed within the school (flags need
  at least 10 pupils and 5 absentees behind them, otherwise "too few pupils to say").
* **Inputs from the case store.** The pupils the school asks to discuss and the actions agreed at the
  previous TSM live in the web app's case store, so they are passed in (:class:`TSMInputs`): a list
  of UPNs and a list of :class:`PreviousAction` (UPN, date, what was agreed). For each action the
  pack compares the pupil's attendance **before** the action (the ``baseline_days`` school days,
  default 30, i.e. six school weeks, before its date) with attendance **since** (its date to the
  as-at date, inclusive), at this school; "improved" means the rate since is higher.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from attendwise.core.calendar import Period
from attendwise.core.cohorts import Cohorts
from attendwise.measures.absence import Population
from attendwise.measures.bands import BandScheme
from attendwise.reports.tsm.actions import BASELINE_DAYS
from attendwise.reports.tsm.cohorts import COHORTS
from attendwise.reports.tsm.dates import pack_dates
from attendwise.reports.tsm.files import FORMATS, pack_filename, write_pack, write_packs
from attendwise.reports.tsm.inputs import CMEExclusion, PreviousAction, TSMError, TSMInputs, read_previous_actions
from attendwise.reports.tsm.pack import (
    ActionReview,
    AreaFigures,
    AttendanceTrend,
    BandCount,
    CategoriesSection,
    CohortFigures,
    DiscussedPupil,
    LastYearComparison,
    NoAttendanceRecently,
    NoAttendanceSection,
    OverallAttendance,
    PupilAtRisk,
    PupilSummary,
    TSMPack,
    ZeroAttendance,
)
from attendwise.reports.tsm.printable import render_html
from attendwise.reports.tsm.sections import pack_sections
from attendwise.reports.tsm.term import TermPacks
from attendwise.reports.tsm.workbook import write_xlsx
from attendwise.store import Store

__all__ = [
    "COHORTS",
    "FORMATS",
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
    "pack_filename",
    "pack_sections",
    "read_previous_actions",
    "render_html",
    "tsm_pack",
    "tsm_packs",
    "write_pack",
    "write_packs",
    "write_xlsx",
]


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
    priority_cohorts: Cohorts | None = None,
    suppression_threshold: int = 5,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[int, TSMPack]:
    """The TSM pack of every school (or of ``schools``) for a term, computed in one pass over the store.

    Args:
        store: the register store.
        term: a census term, ``2024/25-autumn`` (or a :class:`~attendwise.core.calendar.Period`).
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
        priority_cohorts: the LA's own cohorts (:mod:`attendwise.core.cohorts`); each pack shows those its
            ``[packs]`` names for the school's phase, members counted for the sessions inside their dates.
        suppression_threshold: a cohort only LA staff may see membership of shows no figure on fewer pupils.

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
        priority_cohorts=priority_cohorts,
        suppression_threshold=suppression_threshold,
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
    priority_cohorts: Cohorts | None = None,
    suppression_threshold: int = 5,
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
        attendwise.reports.tsm.inputs.TSMError: no school with URN 100001 in the store
    """
    if store.school(int(urn)) is None:
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
        priority_cohorts=priority_cohorts,
        suppression_threshold=suppression_threshold,
    )
    return packs[int(urn)]
