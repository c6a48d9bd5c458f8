"""Casework in a Targeting Support Meeting: each listed pupil's case stage and open interventions, and an agreed
action that opens a case (opening reason "TSM action") or is recorded on the pupil's open case.

The pack itself is :mod:`attendwise.reports.tsm`'s; this module adds what the case store knows about the
pupils it lists (the severely and persistently absent, the pupils at risk, those the school asks to discuss,
and every pupil an action agreed at the meeting names), for a user who may see their cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.urls import reverse

from attendwise.casework.case import Case, long_date
from attendwise.documents.tables import Cell, Column, Kind, Table
from attendwise.measures.pupils import Enrolment, find_enrolments
from attendwise.reports.tsm import TSMPack
from attendwise.web.casework import rules as case_rules
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseRecord
from attendwise.web.casework.services.lists import replayed
from attendwise.web.models import AgreedAction
from attendwise.web.services.data import StoreAccess

__all__ = ["ActionLink", "PackCasework", "action_detail", "open_interventions", "pack_casework"]


def action_detail(action: AgreedAction) -> str:
    """An agreed action in words, as a case records where it came from."""
    return (
        f"TSM action agreed at the {action.meeting.term} meeting: {action.description} "
        f"({action.owner_name}, due {long_date(action.due_date)})"
    )


def open_interventions(case: Case) -> list[str]:
    """The interventions still running on a case, in words: not ended, and with a review or an end to come."""
    config = casework_config()
    names = {t.key: t for t in config.intervention_types}
    out = []
    for item in case.interventions:
        kind = names.get(item.type)
        if item.ended or not (item.review_date or item.end_date or (kind and kind.timetable)):
            continue
        when = f"review {long_date(item.review_date)}" if item.review_date else f"ends {long_date(item.end_date)}"
        out.append(f"{kind.name if kind else item.type} from {long_date(item.date)} ({when})")
    return out


@dataclass(frozen=True)
class ActionLink:
    """An action agreed for a pupil, and what the user may do with it on the pupil's case."""

    action: AgreedAction
    pupil: str
    #: The pupil's open case (the action can be recorded on it), if any.
    case: CaseRecord | None
    #: Where to open a case from the action, when the pupil has none and the user may open one.
    open_href: str | None


@dataclass(frozen=True)
class PackCasework:
    table: Table
    actions: tuple[ActionLink, ...]


_LISTS = ("Severely absent", "Persistently absent", "At risk", "To discuss")


def _listed(pack: TSMPack) -> dict[int, tuple[str, str, set[str]]]:
    """Each pupil the pack lists, by enrolment id: UPN, name and the lists they are in."""
    out: dict[int, tuple[str, str, set[str]]] = {}
    groups: Sequence[tuple[str, Iterable[object]]] = (
        ("Severely absent", pack.severely_absent),
        ("Persistently absent", pack.persistently_absent),
        ("At risk", (p.pupil for p in pack.at_risk)),
        ("To discuss", (d.pupil for d in pack.discussed if d.pupil is not None)),
    )
    for label, pupils in groups:
        for p in pupils:
            name = " ".join(x for x in (p.forename, p.surname) if x) or "Name not recorded"  # type: ignore[attr-defined]
            _, _, lists = out.setdefault(p.enrolment_id, (p.upn, name, set()))  # type: ignore[attr-defined]
            lists.add(label)
    return out


def pack_casework(access: StoreAccess, user: object, pack: TSMPack, actions: Sequence[AgreedAction]) -> PackCasework:
    """The case stage and open interventions of every pupil the pack lists (those with a case first), and the
    meeting's actions for pupils with what can be done with them on a case."""
    listed = _listed(pack)
    acted = [a for a in actions if a.upn and a.enrolment_id]
    found: dict[int, Enrolment] = find_enrolments(
        access.store(), sorted({*listed, *(int(a.enrolment_id) for a in acted)})
    )
    visible = {k: e for k, e in found.items() if case_rules.can_view_case(user, e)}  # type: ignore[arg-type]
    upns = {e.upn for e in visible.values()}
    records = {r.upn: r for r in CaseRecord.objects.filter(upn__in=upns, closed_on__isnull=True)}
    cases = replayed(list(records.values()))
    model = stage_model()
    rows = []
    for enrolment_id, (upn, name, lists) in listed.items():
        if enrolment_id not in visible:
            continue
        record = records.get(upn)
        if record is None:
            rows.append(
                (1, name, (Cell(name, reverse("pupil", args=[enrolment_id])), _in(lists), "No open case", "", ""))
            )
            continue
        case = cases[record.pk]
        try:
            stage = model.stage(case.stage)
            stage_cell = Cell(stage.label, tag=stage.colour)
        except Exception:  # a stage of a model the LA no longer uses
            stage_cell = Cell(case.stage, tag="grey")
        running = open_interventions(case)
        latest = case.interventions[-1] if case.interventions else None
        type_names = {t.key: t.name for t in casework_config().intervention_types}
        last = f"{type_names.get(latest.type, latest.type)}, {long_date(latest.date)}" if latest else "None yet"
        href = reverse("case", args=[record.pk])
        rows.append((0, name, (Cell(name, href), _in(lists), stage_cell, "; ".join(running) or "None", last)))
    rows.sort(key=lambda r: (r[0], r[1]))
    table = Table(
        "Casework for the pupils in this pack",
        (
            Column("pupil", "Pupil", Kind.TEXT),
            Column("listed", "Listed as", Kind.TEXT),
            Column("stage", "Case stage", Kind.TEXT),
            Column("open", "Open interventions", Kind.TEXT, wide=True),
            Column("latest", "Latest intervention", Kind.TEXT),
        ),
        tuple(r[2] for r in rows),
        empty="The pack lists no pupil whose cases you may see.",
        row_headers=True,
    )
    links = []
    for a in acted:
        e = visible.get(int(a.enrolment_id))  # type: ignore[arg-type]
        if e is None:
            continue
        record = records.get(e.upn)
        name = next((n for k, (_, n, _) in listed.items() if k == e.enrolment_id), e.upn)
        open_href = None
        if record is None and case_rules.can_open_case(user, e):  # type: ignore[arg-type]
            open_href = reverse("case_open", args=[e.enrolment_id]) + f"?reason=tsm_action&action={a.pk}"
        can_record = record is not None and case_rules.can_record_on_case(user, e)  # type: ignore[arg-type]
        links.append(ActionLink(a, name, record if can_record else None, open_href))
    return PackCasework(table, tuple(links))


def _in(lists: set[str]) -> str:
    return ", ".join(label for label in _LISTS if label in lists)
