"""Targeting Support Meetings on the web: the core's packs with the case store's meetings, pupils and actions.

The pack itself is :mod:`attendwise.reports.tsm`'s: the heavy part (:class:`~attendwise.reports.tsm.TermPacks`, one pass
over the store for every school) is computed once per data version and term, and each school's pack is
then built from it with what the case store holds (the pupils the school asks to discuss, the actions
agreed at the previous term's meeting), so recording an action shows in the pack at once. The pack's page
shows :func:`attendwise.reports.tsm.pack_sections`, the same sections the workbook and the printed pack
render.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.conf import settings

from attendwise.core.calendar import AcademicYear
from attendwise.documents.tables import Cell, Column, Kind, Section, Sparkline, Table, value_of
from attendwise.reports.trends import WEEKS, weekly_sparklines
from attendwise.reports.tsm import PreviousAction, TermPacks, TSMInputs, TSMPack, pack_sections, write_xlsx
from attendwise.web.models import ActionStatus, AgreedAction, DiscussedPupil, TargetingMeeting
from attendwise.web.rules import Scope
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess

__all__ = [
    "PackPage",
    "TermOverview",
    "available_terms",
    "inputs_for",
    "pack_page",
    "pack_workbook",
    "previous_term",
    "school_pack",
    "term_label",
    "term_name",
    "term_overview",
    "term_slug",
]

TERMS = ("autumn", "spring", "summer")
_SLUG = re.compile(r"(\d{4})-(\d{2})-(autumn|spring|summer)", re.ASCII)


# -- terms ---------------------------------------------------------------------------------------
def term_slug(label: str) -> str:
    """``2024/25-autumn`` as it appears in an address: ``2024-25-autumn``."""
    return label.replace("/", "-")


def term_name(label: str) -> str:
    """A term as people say it: ``2024/25-autumn`` is ``Autumn term 2024/25``.

    >>> term_name("2024/25-autumn"), term_name("not a term")
    ('Autumn term 2024/25', 'not a term')
    """
    year, _, name = label.partition("-")
    return f"{name.capitalize()} term {year}" if name in TERMS else label


def term_label(slug: str) -> str | None:
    """The term label for an address's slug, or None if it is not one (``2024-25-autumn``)."""
    m = _SLUG.fullmatch(slug)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        return None
    return f"{m.group(1)}/{m.group(2)}-{m.group(3)}"


def previous_term(label: str) -> str:
    """The term before: spring follows autumn, summer spring, and autumn the previous year's summer."""
    year, name = label.split("-", 1)
    start = int(year[:4])
    i = TERMS.index(name)
    if i:
        return f"{year}-{TERMS[i - 1]}"
    return f"{AcademicYear(start - 1).label}-summer"


def available_terms(access: StoreAccess) -> list[str]:
    """Every census term with marks in the store, newest first."""

    def compute() -> list[str]:
        store = access.store()
        first, last = store.mark_range()
        if first is None or last is None:
            return []
        out = []
        for year in range(AcademicYear.containing(first).start_year, AcademicYear.containing(last).start_year + 1):
            ay = AcademicYear(year)
            for name in TERMS:
                start, end = ay.term(name)
                if start <= last and end >= first:
                    out.append(f"{ay.label}-{name}")
        return out[::-1]

    return access.cached(("tsm-terms",), compute)


# -- the pack ------------------------------------------------------------------------------------
@dataclass
class _Term:
    packs: TermPacks
    lock: threading.Lock = field(default_factory=threading.Lock)


def _term_packs(access: StoreAccess, term: str) -> _Term:
    scheme = figures.band_scheme()
    from attendwise.web.registers.models import CmeReferral

    # Pupils with an open CME referral are left out of the "no attendance" lists (and the pack says so).
    cme = frozenset(CmeReferral.objects.filter(closed_on__isnull=True).exclude(upn="").values_list("upn", flat=True))

    def compute() -> _Term:
        return _Term(
            TermPacks(
                access.store(),
                term,
                as_at=None,
                urns=None,
                scheme=scheme,
                population=None,
                exclude_cme=cme,
                risk_threshold=0.5,
                baseline_days=30,
                priority_cohorts=figures.priority_cohorts(),
                suppression_threshold=int(settings.ATTENDWISE_SUPPRESSION_THRESHOLD),
            )
        )

    return access.cached(("tsm-term", term, scheme.name, cme), compute)


def inputs_for(urn: int, term: str) -> TSMInputs:
    """What the case store brings to a school's pack: this meeting's pupils, the previous meeting's actions."""
    meeting = TargetingMeeting.objects.filter(urn=urn, term=term).first()
    discuss = [p.upn for p in meeting.pupils.all()] if meeting else []
    previous = TargetingMeeting.objects.filter(urn=urn, term=previous_term(term)).first()
    actions = []
    if previous is not None:
        for a in previous.actions.exclude(upn=""):
            agreed = previous.held_on or previous.scheduled_for or a.created_at.date()
            actions.append(PreviousAction(a.upn, agreed, a.description, a.owner_name, str(a.pk)))
    return TSMInputs(tuple(discuss), tuple(actions))


def school_pack(access: StoreAccess, urn: int, term: str) -> TSMPack:
    """The school's pack for the term, with the case store's inputs as they are now."""
    shared = _term_packs(access, term)
    inputs = inputs_for(urn, term)
    with shared.lock:
        return shared.packs.pack(urn, inputs, store=access.store())


def pack_workbook(pack: TSMPack) -> bytes:
    """The pack as an XLSX workbook."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(pack, Path(folder) / "pack.xlsx")
        return path.read_bytes()


@dataclass
class PackPage:
    pack: TSMPack
    sections: list[Section]
    meeting: TargetingMeeting | None
    #: The meeting's actions, each with its pupil's name where the pack lists the pupil.
    actions: list[tuple[AgreedAction, str]]
    terms: list[str]
    #: The meeting's agenda as the case store holds it: who asked, why, and the lead practitioner.
    agenda: list[DiscussedPupil] = field(default_factory=list)
    #: Each pupil on the agenda with their name (where the pack lists them).
    names: dict[str, str] = field(default_factory=dict)

    @property
    def agenda_named(self) -> list[tuple[DiscussedPupil, str]]:
        return [(d, self.names.get(d.upn, "")) for d in self.agenda]


def pack_pupils(pack: TSMPack) -> list[tuple[str, str]]:
    """Every pupil the pack lists, once each, as a choice: UPN, and the name with the list it is in.

    The agenda and actions are picked from these (no typing a 13-character UPN).
    """
    lists = [
        ("severely absent", pack.severely_absent),
        ("persistently absent", pack.persistently_absent),
        ("no attendance this year", [z.pupil for z in pack.zero_attendance]),
        ("no attendance lately", [n.pupil for n in pack.no_attendance_recently.pupils]),
        ("heading into persistent absence", [r.pupil for r in pack.at_risk]),
        ("asked to discuss", [d.pupil for d in pack.discussed if d.pupil is not None]),
    ]
    seen: dict[str, tuple[str, str]] = {}
    for what, pupils in lists:
        for p in pupils:
            if p.upn not in seen:
                key = f"{p.surname or ''} {p.forename or ''}".lower()
                seen[p.upn] = (key, f"{p.name}, year {p.nc_year}, {what} ({p.upn})")
    return [(upn, label) for upn, (_, label) in sorted(seen.items(), key=lambda kv: kv[1])]


def _with_sparklines(access: StoreAccess, pack: TSMPack, sections: list[Section]) -> list[Section]:
    """The page's sections with each pupil's last school weeks to the pack's date beside their name (the
    workbook and printed pack keep their own columns)."""
    listed = [*pack.severely_absent, *pack.persistently_absent, *(r.pupil for r in pack.at_risk)]
    listed += [z.pupil for z in pack.zero_attendance] + [n.pupil for n in pack.no_attendance_recently.pupils]
    listed += [d.pupil for d in pack.discussed if d.pupil is not None]
    by_upn = {p.upn: p.enrolment_id for p in listed}

    def compute() -> dict[int, Sparkline]:
        return weekly_sparklines(access.store(), by_upn.values(), pack.as_at)

    sparks = access.cached(("pack-sparklines", pack.urn, pack.term.label, pack.as_at), compute)
    out = []
    for section in sections:
        tables = []
        for table in section.tables:
            headings = [c.heading for c in table.columns]
            if "UPN" not in headings or not table.rows:
                tables.append(table)
                continue
            at = headings.index("Name") + 1 if "Name" in headings else headings.index("UPN") + 1
            column = Column("trend", f"Last {WEEKS} school weeks")
            rows = []
            for row in table.rows:
                upn = value_of(row[headings.index("UPN")])
                line = sparks.get(by_upn.get(upn, -1), Sparkline(()))
                rows.append((*row[:at], line, *row[at:]))
            tables.append(replace(table, columns=(*table.columns[:at], column, *table.columns[at:]), rows=tuple(rows)))
        out.append(replace(section, tables=tuple(tables)))
    return out


def pack_page(access: StoreAccess, urn: int, term: str) -> PackPage:
    """The pack's sections, with this term's meeting and the actions agreed in it."""
    pack = school_pack(access, urn, term)
    sections = _with_sparklines(access, pack, pack_sections(pack))
    meeting = TargetingMeeting.objects.filter(urn=urn, term=term).select_related("officer").first()
    named = [*pack.severely_absent, *pack.persistently_absent, *(r.pupil for r in pack.at_risk)]
    named += [d.pupil for d in pack.discussed if d.pupil is not None]
    names = {p.upn: p.name for p in named}
    actions = [(a, names.get(a.upn, "")) for a in meeting.actions.all()] if meeting else []
    agenda = list(meeting.pupils.select_related("added_by")) if meeting else []
    return PackPage(pack, sections, meeting, actions, available_terms(access), agenda, names)


# -- the LA's term view --------------------------------------------------------------------------
@dataclass
class TermOverview:
    term: str
    terms: list[str]
    schools: Table
    severe: Table
    severe_without_plan: int
    meetings_held: int
    schools_total: int
    overdue: int


def _severe_lists(access: StoreAccess, term: str) -> dict[int, list[tuple[int, str, str, str, float]]]:
    """Per school, its severely absent pupils on roll: (enrolment id, UPN, name, year group, attendance %)."""

    def compute() -> dict[int, list[tuple[int, str, str, str, float]]]:
        shared = _term_packs(access, term)
        out = {}
        with shared.lock:
            for urn in shared.packs.urns:
                pack = shared.packs.pack(int(urn), None, store=access.store())
                out[int(urn)] = [
                    (p.enrolment_id, p.upn, p.name, p.nc_year, p.attendance_percent) for p in pack.severely_absent
                ]
        return out

    return access.cached(("tsm-severe", term, figures.band_scheme().name), compute)


@dataclass
class _Actions:
    """The actions agreed at this term's and last term's meetings of the schools: open and overdue ones
    counted by school, and each pupil's plan."""

    open: dict[int, int] = field(default_factory=dict)
    overdue: dict[int, int] = field(default_factory=dict)
    plans: dict[str, list[AgreedAction]] = field(default_factory=dict)


def _actions(urns: list[int], term: str, today: dt.date) -> _Actions:
    out = _Actions()
    agreed = AgreedAction.objects.filter(meeting__urn__in=urns, meeting__term__in=[term, previous_term(term)])
    for a in agreed.select_related("meeting"):
        urn = a.meeting.urn
        if a.status == ActionStatus.OPEN:
            out.open[urn] = out.open.get(urn, 0) + 1
            if a.due_date < today:
                out.overdue[urn] = out.overdue.get(urn, 0) + 1
        if a.upn:
            out.plans.setdefault(a.upn, []).append(a)
    return out


def _date_cell(value: dt.date | dt.datetime | None, missing: str) -> Cell | dt.date:
    return Cell(missing, tag="grey") if value is None else value


def _meetings_table(
    term: str,
    schools: dict[int, str],
    meetings: dict[int, TargetingMeeting],
    severe: dict[int, list[tuple[int, str, str, str, float]]],
    actions: _Actions,
    pack_link: Callable[[int], str],
) -> Table:
    """A row per school: its officer, the meeting scheduled, held and its pack downloaded, and its actions."""
    rows = []
    for urn, name in schools.items():
        m = meetings.get(urn)
        officer = (m.officer.get_full_name() or m.officer.get_username()) if m and m.officer else ""
        overdue = actions.overdue.get(urn, 0)
        rows.append(
            (
                Cell(name, href=pack_link(urn)),
                officer,
                _date_cell(m.scheduled_for if m else None, "Not scheduled"),
                _date_cell(m.held_on if m else None, "Not held"),
                _date_cell(m.pack_generated_at if m else None, "Not downloaded"),
                len(severe.get(urn, [])),
                actions.open.get(urn, 0),
                Cell(overdue, tag="red") if overdue else overdue,
            )
        )
    return Table(
        f"Targeting Support Meetings, {term_name(term)}",
        (
            Column("school", "School"),
            Column("officer", "Officer"),
            Column("scheduled", "Scheduled"),
            Column("held", "Held"),
            Column("pack", "Pack downloaded"),
            Column("severe", "Severely absent", Kind.COUNT),
            Column("open", "Open actions", Kind.COUNT),
            Column("overdue", "Overdue actions", Kind.COUNT),
        ),
        tuple(rows),
        empty="No schools in your scope.",
    )


def _severe_table(
    term: str,
    schools: dict[int, str],
    severe: dict[int, list[tuple[int, str, str, str, float]]],
    plans: dict[str, list[AgreedAction]],
    *,
    pack_link: Callable[[int], str],
    pupil_link: Callable[[int], str],
) -> tuple[Table, int]:
    """Every severely absent pupil of the schools with the plan agreed for them, those without one first;
    and how many have none."""
    rows: list[tuple[bool, float, tuple[object, ...]]] = []
    without = 0
    for urn, school in schools.items():
        for enrolment_id, upn, name, year, attendance in severe.get(urn, []):
            agreed = plans.get(upn, [])
            if not agreed:
                without += 1
            plan = "; ".join(f"{a.description} ({a.owner_name}, due {a.due_date:%d %b})" for a in agreed)
            row = (
                Cell(name, href=pupil_link(enrolment_id)),
                Cell(school, href=pack_link(urn)),
                year,
                attendance,
                plan or Cell("No plan agreed", tag="red"),
            )
            rows.append((bool(plan), attendance, row))
    rows.sort(key=lambda r: r[:2])  # those without a plan first, then the lowest attendance
    table = Table(
        f"Severely absent pupils on roll, {term_name(term)} (50% attendance or less), those without a plan first",
        (
            Column("pupil", "Pupil"),
            Column("school", "School"),
            Column("year", "Year group"),
            Column("attendance", "Attendance %", Kind.PERCENT),
            Column("plan", "Agreed plan"),
        ),
        tuple(row for *_, row in rows),
        empty="No pupil in your schools is severely absent.",
    )
    return table, without


def term_overview(
    access: StoreAccess,
    scope: Scope,
    term: str,
    *,
    pack_link: Callable[[int], str],
    pupil_link: Callable[[int], str],
    today: dt.date | None = None,
) -> TermOverview:
    """Every school in the user's scope for a term: meeting held or not, pack generated, actions overdue;
    and every severely absent pupil with the plan agreed for them, so none is missed."""
    packs = _term_packs(access, term).packs
    in_scope = packs.schools[[scope.allows_school(int(u)) for u in packs.schools.index]].sort_values("name")
    schools = {int(u): str(name) for u, name in zip(in_scope.index, in_scope.name, strict=True)}
    urns = list(schools)
    meetings = {m.urn: m for m in TargetingMeeting.objects.filter(term=term, urn__in=urns).select_related("officer")}
    actions = _actions(urns, term, today or dt.date.today())
    severe = _severe_lists(access, term)
    severe_table, without = _severe_table(
        term, schools, severe, actions.plans, pack_link=pack_link, pupil_link=pupil_link
    )
    return TermOverview(
        term=term,
        terms=available_terms(access),
        schools=_meetings_table(term, schools, meetings, severe, actions, pack_link),
        severe=severe_table,
        severe_without_plan=without,
        meetings_held=sum(1 for m in meetings.values() if m.held_on),
        schools_total=len(urns),
        overdue=sum(actions.overdue.values()),
    )
