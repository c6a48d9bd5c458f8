"""The registers' pages as documents tables: the entries a user may see, filtered, with their deadlines.

Every list starts from :func:`visible` (the user's schools, then each entry through its enrolment, as
:func:`attendwise.web.registers.rules.can_see_entry` decides), so a page, its CSV and the pupil's own page
answer the same question the same way. Deadlines are counted on the school's calendar (the LA's for CME);
one that cannot be counted (no ``terms.csv`` that far) says so instead of a date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

from attendwise.documents.tables import Cell, Column, Kind, Table
from attendwise.measures.pupils import Enrolment, find_enrolments
from attendwise.registers import cme, exclusions, timetables
from attendwise.registers.deadlines import Deadline
from attendwise.registers.marks import coded_at, marks_on, rolls
from attendwise.registers.offrolling import SchoolDeregistrations, offrolling_watch
from attendwise.registers.school_days import NoCalendarError, SchoolCalendar
from attendwise.registers.settings import RegistersConfig
from attendwise.store import Store
from attendwise.web.registers import models as m
from attendwise.web.registers.rules import can_see_entry
from attendwise.web.rules import scope_for

if TYPE_CHECKING:
    from attendwise.web.rules import User

__all__ = ["Filters", "Page", "cme_page", "ehe_page", "exclusions_page", "removals_page", "timetables_page", "visible"]

Link = Callable[[int | None], str | None]


@dataclass(frozen=True)
class Filters:
    school: int | None = None
    status: str = "open"
    reason: str = ""


@dataclass(frozen=True)
class Page:
    """A register's page: its tables, the number of entries and the deadlines now due or overdue."""

    tables: tuple[Table, ...]
    entries: int
    due: int


def visible(user: User, queryset: QuerySet, store: Store) -> list[tuple[Any, Enrolment | None]]:
    """The entries of ``queryset`` the user may see, each with its enrolment (``None``: none held)."""
    scope = scope_for(user)
    if scope.schools is not None:
        queryset = queryset.filter(urn__in=scope.schools)
    rows = list(queryset)
    enrolments = find_enrolments(store, [r.enrolment_id for r in rows if r.enrolment_id is not None])
    out = []
    for r in rows:
        enrolment = enrolments.get(r.enrolment_id) if r.enrolment_id is not None else None
        if can_see_entry(user, r.urn, enrolment):
            out.append((r, enrolment))
    return out


def _filtered(queryset: QuerySet, f: Filters, *, open_q: dict[str, Any], reason: str | None = "reason") -> QuerySet:
    if f.school is not None:
        queryset = queryset.filter(urn=f.school)
    if f.status == "open":
        queryset = queryset.filter(**open_q)
    elif f.status == "closed":
        queryset = queryset.exclude(**open_q)
    if f.reason and reason:
        queryset = queryset.filter(**{reason: f.reason})
    return queryset


class Calendars:
    """Each school's calendar (and the LA's, under ``None``), read once per page."""

    def __init__(self, store: Store, config: RegistersConfig) -> None:
        self.store, self.closures_count = store, config.settings.closure_days_are_school_days

    @cache  # noqa: B019 - one page's calendars, the object lives for one request
    def of(self, urn: int | None) -> SchoolCalendar:
        return SchoolCalendar.from_store(self.store, urn, closures_count=self.closures_count)


def _deadline(make: Callable[[], Deadline | None], today: dt.date) -> tuple[Any, str, bool]:
    """A deadline's cell, its state, and whether it is due or overdue now."""
    try:
        d = make()
    except NoCalendarError:
        return "cannot count: import the LA's terms.csv", "", False
    if d is None:
        return None, "", False
    state = d.state(today)
    tag = {"overdue": "red", "late": "orange", "met": "green", "due": "yellow"}[state]
    return Cell(d.due, tag=tag), state, state in {"due", "overdue"}


def _child(entry: Any, enrolment: Enrolment | None, link: Link) -> Any:
    name = entry.child_name or entry.upn or "Not known"
    href = link(entry.enrolment_id) if enrolment is not None else None
    return Cell(name, href=href) if href else name


def _entry(pk: int, entry_link: Callable[[int], str] | None) -> Any:
    """The entry's number, linked to its page where the reader may record on it."""
    return Cell(f"Entry {pk}", href=entry_link(pk)) if entry_link else f"Entry {pk}"


def _school_names(store: Store) -> dict[int, str]:
    return {s.urn: s.name for s in store.schools()}


def cme_page(
    rows: Sequence[tuple[m.CmeReferral, Enrolment | None]],
    *,
    store: Store,
    config: RegistersConfig,
    today: dt.date,
    link: Link,
    entry_link: Callable[[int], str] | None = None,
) -> Page:
    cal = Calendars(store, config)
    names = _school_names(store)
    n = config.settings.cme_escalation_school_days
    out, due = [], 0
    for r, e in rows:
        core = cme.CmeReferral(
            r.referred_on,
            r.source,
            r.reason,
            r.upn or None,
            r.whereabouts_unknown_since,
            r.ehc_plan,
            r.interim_provision,
            escalated_on=r.escalated_on,
        )
        cell, _state, now = _deadline(lambda core=core: cme.escalation(core, cal.of(None), n), today)
        due += now and r.closed_on is None
        out.append(
            (
                _child(r, e, link),
                names.get(r.urn, "") if r.urn else "",
                r.referred_on,
                config.name_of("referral_source", r.source),
                config.name_of("cme_reason", r.reason),
                r.whereabouts_unknown_since,
                cell if r.closed_on is None else None,
                r.interim_provision if r.ehc_plan else "",
                config.name_of("cme_outcome", r.outcome) if r.outcome else "",
                r.closed_on,
                _entry(r.pk, entry_link),
            )
        )
    table = Table(
        "Children missing education",
        (
            Column("child", "Child"),
            Column("school", "Last school"),
            Column("referred", "Referred", Kind.DATE),
            Column("source", "Source"),
            Column("reason", "Reason"),
            Column("unknown_since", "Whereabouts unknown since", Kind.DATE),
            Column("escalate_by", f"Escalate by (school day {n})", Kind.DATE),
            Column("ehc_interim", "EHC plan: interim provision", wide=True),
            Column("outcome", "Outcome"),
            Column("closed", "Closed", Kind.DATE),
            Column("entry", "Referral"),
        ),
        out,
        empty="No referrals match.",
    )
    return Page((table,), len(rows), due)


def ehe_page(
    rows: Sequence[tuple[m.EheEntry, Enrolment | None]],
    *,
    store: Store,
    config: RegistersConfig,
    today: dt.date,
    link: Link,
    watch_from: dt.date,
    all_entries: Iterable[m.EheEntry],
    entry_link: Callable[[int], str] | None = None,
    watch_shown: frozenset[int] | None = None,
) -> Page:
    from attendwise.registers.ehe import SUITABILITY, consent_needed

    names = _school_names(store)
    out, due = [], 0
    for r, e in rows:
        needed = consent_needed(
            child_protection_plan=r.child_protection_plan, s47_enquiry=False, special_school=r.special_school
        )
        waiting = bool(needed) and r.consent_given_on is None and r.ended_on is None
        due += waiting
        consent = Cell("needed: " + ", ".join(needed), tag="red") if waiting else ("given" if needed else "")
        out.append(
            (
                _child(r, e, link),
                names.get(r.urn, "") if r.urn else "",
                r.started_on,
                config.name_of("ehe_reason", r.reason),
                SUITABILITY.get(r.suitability, r.suitability),
                consent,
                r.last_visit_on,
                r.notice_served_on,
                r.ended_on,
                _entry(r.pk, entry_link),
            )
        )
    register = Table(
        "Children educated at home",
        (
            Column("child", "Child"),
            Column("school", "Removed from"),
            Column("started", "Started", Kind.DATE),
            Column("reason", "Reason"),
            Column("suitability", "Suitability"),
            Column("consent", "LA consent"),
            Column("visit", "Last visit", Kind.DATE),
            Column("notice", "s437(1) notice", Kind.DATE),
            Column("ended", "Ended", Kind.DATE),
            Column("entry", "Entry"),
        ),
        out,
        empty="No children match.",
    )
    return Page(
        (register, offrolling_table(store, config, all_entries, watch_from, today, watch_shown)), len(rows), due
    )


def offrolling_table(
    store: Store,
    config: RegistersConfig,
    entries: Iterable[m.EheEntry],
    start: dt.date,
    today: dt.date,
    shown: frozenset[int] | None = None,
) -> Table:
    """Home-education deregistrations per school since ``start`` against its roll (the off-rolling watch), every
    school compared with every other of its phase, the schools ``shown`` listed (``None``: every school)."""
    counts: dict[int, int] = defaultdict(int)
    for r in entries:
        if r.urn is not None and r.removal_id is not None and start <= r.started_on:
            counts[r.urn] += 1
    on_roll = rolls(store, start)
    rows = [
        SchoolDeregistrations(s.urn, s.name, s.phase, on_roll.get(s.urn, 0), counts.get(s.urn, 0))
        for s in store.schools()
    ]
    s = config.settings
    watch = offrolling_watch(rows, min_deregistrations=s.offrolling_min_deregistrations, min_roll=s.offrolling_min_roll)
    return Table(
        f"Off-rolling watch: deregistrations to home education since {start:%d %B %Y}",
        (
            Column("school", "School"),
            Column("phase", "Phase"),
            Column("roll", "On roll", Kind.COUNT),
            Column("observed", "Deregistrations", Kind.COUNT),
            Column("expected", "Expected", Kind.NUMBER, places=1),
            Column("ratio", "Ratio", Kind.NUMBER, places=1),
            Column("low", "95% interval from", Kind.NUMBER, places=1),
            Column("high", "to", Kind.NUMBER, places=1),
            Column("flag", "Flag"),
        ),
        [
            (
                w.name,
                w.phase,
                w.roll,
                w.observed,
                w.expected,
                w.risk_ratio,
                w.low,
                w.high,
                Cell("flagged", tag="red") if w.flagged else "",
            )
            for w in watch
            if (w.observed or w.flagged) and (shown is None or w.urn in shown)
        ],
        notes=(
            "Expected: the school's roll at the rate of the other schools of its phase. Flagged when Fisher's exact "
            "test is clear after controlling the false discovery rate across schools, the ratio is above 1, and "
            f"the school has at least {s.offrolling_min_deregistrations} deregistrations and "
            f"{s.offrolling_min_roll} pupils.",
        ),
        empty="No deregistrations to home education in this period.",
    )


def _exclusion(r: m.ExclusionRecord) -> exclusions.Exclusion:
    return exclusions.Exclusion(r.kind, r.start, float(r.length), tuple(r.reasons))


def exclusions_page(
    rows: Sequence[tuple[m.ExclusionRecord, Enrolment | None]],
    *,
    store: Store,
    config: RegistersConfig,
    today: dt.date,
    link: Link,
    reconcile: bool = True,
) -> Page:
    """The records with their deadlines; with ``reconcile``, also their E marks against them."""
    cal = Calendars(store, config)
    names = _school_names(store)
    s = config.settings
    out, due = [], 0
    for r, e in rows:
        x = _exclusion(r)
        sixth, _, now6 = _deadline(
            lambda x=x, r=r: exclusions.sixth_day(x, cal.of(r.urn), s) if x.kind == "permanent" else None, today
        )
        board, _, nowb = _deadline(
            lambda r=r: (
                exclusions.board_deadline(r.notice_on, cal.of(r.urn), s)
                if r.kind == "permanent" and r.notice_on and not r.board_met_on
                else None
            ),
            today,
        )
        due += now6 + nowb
        flags = ", ".join(
            f
            for f, on in (("EHC plan", r.ehc_plan), ("looked after", r.looked_after), ("Fair Access", r.fair_access))
            if on
        )
        reasons = "; ".join(config.name_of("exclusion_reason", k) for k in r.reasons)
        out.append(
            (
                _child(r, e, link),
                names.get(r.urn, ""),
                exclusions.KINDS.get(r.kind, r.kind),
                r.start,
                x.school_days if r.kind != "permanent" else None,
                reasons,
                sixth,
                board,
                flags,
            )
        )
    records = Table(
        "Suspensions and permanent exclusions",
        (
            Column("child", "Child"),
            Column("school", "School"),
            Column("kind", "Kind"),
            Column("start", "From", Kind.DATE),
            Column("days", "School days", Kind.NUMBER, places=1),
            Column("reasons", "Reasons", wide=True),
            Column("sixth_day", f"Provision by (day {s.excluded_provision_day})", Kind.DATE),
            Column("board_by", "Board meets by", Kind.DATE),
            Column("flags", "Flags"),
        ),
        out,
        empty="No suspensions or exclusions match.",
    )
    if not reconcile:
        return Page((records,), len(rows), due)
    return Page((records, e_marks_table(rows, store, link)), len(rows), due)


def e_marks_table(rows: Sequence[tuple[m.ExclusionRecord, Enrolment | None]], store: Store, link: Link) -> Table:
    """E marks without a suspension record, and records without E marks, for the pupils listed (on the days the
    school's register holds marks: the reconciliation is of the past)."""
    by_enrolment: dict[int, list[m.ExclusionRecord]] = defaultdict(list)
    enrolments: dict[int, Enrolment] = {}
    for r, e in rows:
        if e is not None:
            by_enrolment[e.enrolment_id].append(r)
            enrolments[e.enrolment_id] = e
    latest = store.latest_mark()
    if latest is None or not by_enrolment:
        return _mismatch_table([])
    first = min(r.start for records in by_enrolment.values() for r in records)
    calendars: dict[int, SchoolCalendar] = {}
    covered: dict[int, list[exclusions.Exclusion]] = {}
    days: set[tuple[int, dt.date]] = set()
    for eid, records in by_enrolment.items():
        urn = enrolments[eid].urn
        if urn not in calendars:
            calendars[urn] = SchoolCalendar(tuple(store.school_days(urn, first, latest)))
        covered[eid] = [_exclusion(r) for r in records]
        days |= {(eid, d) for x in covered[eid] for d, _s in x.sessions(calendars[urn], latest)}
    e_marks = coded_at(store, {e.urn for e in enrolments.values()}, {"E"})
    held = marks_on(store, days)
    out = []
    for eid, records in by_enrolment.items():
        e = enrolments[eid]
        found = exclusions.reconcile(
            covered[eid], sorted({*e_marks.get(eid, []), *held.get(eid, [])}), calendars[e.urn], latest
        )
        name = Cell(records[0].child_name or e.upn, href=link(eid))
        out += [(name, e.school_name, x.date, x.session, x.code, x.problem) for x in found]
    return _mismatch_table(out)


def _mismatch_table(rows: list[tuple[Any, ...]]) -> Table:
    return Table(
        "E marks and exclusion records that disagree",
        (
            Column("child", "Child"),
            Column("school", "School"),
            Column("date", "Date", Kind.DATE),
            Column("session", "Session"),
            Column("code", "Code"),
            Column("problem", "Problem"),
        ),
        rows,
        notes=("For the school to correct the mark or notify the suspension.",),
        empty="The E marks of these pupils match their records.",
    )


def e_marks_without_records(store: Store, urns: Sequence[int] | None, known: set[int], link: Link) -> Table:
    """Pupils with E marks and no exclusion record at all (the other way round of the reconciliation)."""
    marks = {k: v for k, v in coded_at(store, urns, {"E"}).items() if k not in known}
    found = find_enrolments(store, list(marks))
    names = store.pupil_names([e.upn for e in found.values()])
    rows = [
        (
            Cell(" ".join(n for n in names.get(e.upn, ()) if n) or e.upn, href=link(eid)),
            e.school_name,
            len(marks[eid]),
            marks[eid][0][0],
            marks[eid][-1][0],
        )
        for eid, e in sorted(found.items())
    ]
    return Table(
        "Pupils with E marks and no suspension or exclusion record",
        (
            Column("child", "Child"),
            Column("school", "School"),
            Column("sessions", "E sessions", Kind.COUNT),
            Column("first", "First", Kind.DATE),
            Column("last", "Last", Kind.DATE),
        ),
        rows,
        empty="Every pupil with E marks has an exclusion record.",
    )


def timetables_page(
    rows: Sequence[tuple[m.PartTimeTimetable, Enrolment | None]],
    *,
    store: Store,
    config: RegistersConfig,
    today: dt.date,
    link: Link,
    c2_schools: Sequence[int] | bool | None = False,
) -> Page:
    """The timetables with what needs attention; with ``c2_schools`` (URNs, or ``None`` for every school) also the
    C2 marks at those schools that no timetable covers."""
    names = _school_names(store)
    out, due = [], 0
    by_enrolment: dict[int, list[timetables.Timetable]] = defaultdict(list)
    for r, e in rows:
        t = timetables.Timetable(r.start, r.planned_end, r.review_date, r.reason, r.agreed_by, r.ended_on)
        if e is not None:
            by_enrolment[e.enrolment_id].append(t)
        flags = timetables.flags(t, today, config.settings.timetable_max_weeks)
        due += bool(flags)
        out.append(
            (
                _child(r, e, link),
                names.get(r.urn, ""),
                r.start,
                r.planned_end,
                r.review_date,
                r.reason,
                r.agreed_by,
                Cell("; ".join(flags), tag="red") if flags else "",
            )
        )
    table = Table(
        "Part-time timetables",
        (
            Column("child", "Child"),
            Column("school", "School"),
            Column("start", "Start", Kind.DATE),
            Column("end", "Planned end", Kind.DATE),
            Column("review", "Review", Kind.DATE),
            Column("reason", "Reason", wide=True),
            Column("agreed", "Agreed by"),
            Column("flags", "Needs attention"),
        ),
        out,
        empty="No part-time timetables match.",
    )
    if c2_schools is False:
        return Page((table,), len(rows), due)
    return Page((table, c2_table(store, c2_schools, by_enrolment, link)), len(rows), due)  # type: ignore[arg-type]


def c2_table(
    store: Store, urns: Sequence[int] | None, timetabled: dict[int, list[timetables.Timetable]], link: Link
) -> Table:
    """C2 marks on days no timetable of the pupil's covers."""
    marks = coded_at(store, urns, {"C2"})
    found = find_enrolments(store, list(marks))
    out = []
    for eid, rows in sorted(marks.items()):
        days = timetables.c2_without_timetable([d for d, _s, _c in rows], timetabled.get(eid, []))
        if days:
            e = found[eid]
            out.append((Cell(e.upn, href=link(eid)), e.school_name, len(days), days[0], days[-1]))
    return Table(
        "C2 marks without a part-time timetable",
        (
            Column("child", "Pupil"),
            Column("school", "School"),
            Column("days", "Days", Kind.COUNT),
            Column("first", "First", Kind.DATE),
            Column("last", "Last", Kind.DATE),
        ),
        out,
        empty="Every C2 mark is covered by a timetable.",
    )


def removals_page(
    rows: Sequence[tuple[m.RemovalNotification, Enrolment | None]], *, store: Store, config: RegistersConfig, link: Link
) -> Page:
    names = _school_names(store)
    opened = _opened([r.pk for r, _ in rows])
    out = []
    for r, e in rows:
        dest = r.destination_la or (names.get(r.destination_urn, str(r.destination_urn)) if r.destination_urn else "")
        out.append(
            (
                _child(r, e, link),
                names.get(r.urn, ""),
                r.removal_date,
                config.ground(r.ground).label
                if r.ground in {g.key for g in config.choices("removal_ground")}
                else r.ground,
                dest,
                ", ".join(opened.get(r.pk, [])),
                r.source,
                r.recorded_by,
            )
        )
    table = Table(
        "Removals from roll",
        (
            Column("child", "Pupil"),
            Column("school", "School"),
            Column("date", "Removed", Kind.DATE),
            Column("ground", "Ground"),
            Column("destination", "Destination"),
            Column("opened", "Opened"),
            Column("source", "Notified by"),
            Column("by", "User"),
        ),
        out,
        empty="No removals have been notified.",
    )
    return Page((table,), len(rows), 0)


def _opened(removal_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    kinds: tuple[tuple[type[Model], str], ...] = ((m.EheEntry, "home-education entry"), (m.CmeReferral, "CME referral"))
    for model, label in kinds:
        for rid in model.objects.filter(removal_id__in=removal_ids).values_list("removal_id", flat=True):
            out[rid].append(label)
    return out


def panels_page(
    rows: Sequence[tuple[m.PanelReferral, Enrolment | None]],
    *,
    store: Store,
    config: RegistersConfig,
    today: dt.date,
    link: Link,
) -> Page:
    """Referrals to the extended school non-attendance panel, their decisions and reviews (overdue flagged)."""
    names = _school_names(store)
    out, due = [], 0
    for r, e in rows:
        overdue = r.review_date is not None and not r.outcome and r.review_date < today
        due += overdue
        review = Cell(r.review_date, tag="red") if overdue else r.review_date
        decision = config.name_of("panel_decision", r.decision) if r.decision else "Awaiting the panel"
        out.append(
            (
                _child(r, e, link),
                names.get(r.urn, ""),
                r.referred_on,
                r.school_actions,
                r.panel_date,
                decision,
                r.provision,
                review,
                r.outcome,
            )
        )
    table = Table(
        "Extended school non-attendance panel referrals",
        (
            Column("child", "Child"),
            Column("school", "School"),
            Column("referred", "Referred", Kind.DATE),
            Column("actions", "School's actions so far", wide=True),
            Column("panel", "Panel", Kind.DATE),
            Column("decision", "Decision"),
            Column("provision", "Provision", wide=True),
            Column("review", "Review", Kind.DATE),
            Column("outcome", "Outcome", wide=True),
        ),
        out,
        empty="No referrals match.",
    )
    return Page((table,), len(rows), due)
