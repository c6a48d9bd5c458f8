"""A case's events in words, for its timeline (newest first on the case page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from attendwise.casework.case import long_date
from attendwise.casework.events import KIND_LABELS, OPENING_REASONS, CaseEvent, EventKind, OpeningReason
from attendwise.casework.settings import CaseworkConfig
from attendwise.casework.stages import AttendanceFigures, StageModel, StageModelError

__all__ = ["describe_event"]


def _day(value: object) -> str:
    return long_date(dt.date.fromisoformat(str(value))) if value else ""


def _stage(model: StageModel, key: object) -> str:
    try:
        return model.stage(str(key)).label
    except StageModelError:
        return str(key)  # a stage of a model the LA no longer uses: its key, as recorded


def _type(config: CaseworkConfig, key: object) -> str:
    return next((t.name for t in config.intervention_types if t.key == key), str(key))


def _suggestion(model: StageModel, p: Mapping[str, Any]) -> str:
    if not p.get("suggested") or not p.get("figures"):
        return ""
    f = p["figures"]
    figures = AttendanceFigures(str(f["period"]), int(f["attended"]), int(f["possible"]))
    agreed = "as suggested" if p["suggested"] == p["stage"] else f"suggested: {_stage(model, p['suggested']).lower()}"
    return f" ({agreed}, from attendance {figures.describe(model.edges)})"


def describe_event(
    event: CaseEvent, model: StageModel, config: CaseworkConfig, name_of: Callable[[str], str] = str
) -> tuple[str, str]:
    """The event's heading and what it recorded, in words (``name_of`` turns a user name into a person's name)."""
    p = event.payload
    k = event.kind
    text: str
    if k == EventKind.OPENED:
        text = f"At {_stage(model, p['stage']).lower()}. {OPENING_REASONS[OpeningReason(p['reason'])]}."
        if p.get("detail"):
            text += f" {p['detail']}"
        text += _suggestion(model, p)
    elif k == EventKind.STAGE_CHANGED:
        text = f"From {_stage(model, p['previous']).lower()} to {_stage(model, p['stage']).lower()}" + _suggestion(
            model, p
        )
        if p.get("lead"):
            text += f". Lead: {model.leads.get(p['lead'], p['lead'])}"
    elif k == EventKind.PEOPLE_SET:
        names = {
            "lead": "Lead",
            "lead_practitioner": "Lead practitioner",
            "attendance_champion": "Attendance champion",
            "la_officer": "LA officer",
        }
        parts = []
        for key, label in names.items():
            if key in p:
                value = (
                    model.leads.get(p[key], p[key])
                    if key == "lead"
                    else name_of(p[key])
                    if key == "la_officer"
                    else p[key]
                )
                parts.append(f"{label}: {value or 'nobody'}")
        text = "; ".join(parts)
    elif k == EventKind.REVIEW_SET:
        text = f"Next review on {_day(p['review_date'])}"
    elif k == EventKind.INTERVENTION_LOGGED:
        text = f"{_type(config, p['type'])} on {_day(p['date'])} by {p['by']}"
        for key, label in (("notes", "Notes"), ("outcome", "Outcome"), ("next_step", "Next step")):
            if p.get(key):
                text += f". {label}: {p[key]}"
        if p.get("end_date"):
            text += f". Ends {_day(p['end_date'])}"
        if p.get("review_date"):
            text += f". Review on {_day(p['review_date'])}"
        if p.get("document"):
            text += f". Document: {p['document']['name']}"
    elif k == EventKind.INTERVENTION_REVIEWED:
        text = f"Intervention {p['ref']} reviewed on {_day(p['date'])}"
        if p.get("outcome"):
            text += f": {p['outcome']}"
        text += (
            ". Ended"
            if p.get("ended")
            else (f". Next review on {_day(p['next_review_date'])}" if p.get("next_review_date") else "")
        )
    elif k == EventKind.EHA_OFFERED:
        text = f"Offered on {_day(p['date'])} by {p['offered_by']}" + (
            f" (reference {p['reference']})" if p.get("reference") else ""
        )
    elif k == EventKind.EHA_ANSWERED:
        text = f"{str(p['answer']).capitalize()} on {_day(p['date'])}"
    elif k == EventKind.TAF_MEMBER_ADDED:
        text = f"{p['person']}, {p['role']} ({p['agency']}), from {_day(p['start'])}"
    elif k == EventKind.TAF_MEMBER_LEFT:
        text = f"Member {p['ref']} left on {_day(p['date'])}"
    elif k == EventKind.CRITERIA_RECORDED:
        names = [next((c.name for c in config.criteria if c.key == key), key) for key in p["criteria"]]
        qualifies = config.qualifies_for_intensive_support(len(names))
        text = f"{len(names)} met" + (f": {'; '.join(names)}" if names else "")
        text += ". Qualifies for intensive family support" if qualifies else ""
    elif k == EventKind.FAMILY_SUPPORT_REFERRED:
        text = f"To {p['to']} on {_day(p['date'])}"
    elif k == EventKind.FAMILY_SUPPORT_OUTCOME:
        text = f"Referral {p['ref']}: {p['outcome']} ({_day(p['date'])})"
    elif k == EventKind.FAMILY_LINKED:
        text = (
            f"Family case {p['family_case']}" if p.get("family_case") is not None else "Unlinked from its family case"
        )
    elif k == EventKind.SCHOOL_CHANGED:
        text = f"From {p['previous_school_name']} to {p['school_name']}"
    elif k == EventKind.CLOSED:
        outcome = next((c.name for c in config.closure_outcomes if c.key == p["outcome"]), p["outcome"])
        text = f"On {_day(p['date'])}: {outcome}"
    else:
        text = ""
    return KIND_LABELS[k], text
