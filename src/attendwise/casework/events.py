"""Case events: every change to a case, appended and never edited (who, when, what, why, and the details).

A case is nothing but its events: :func:`attendwise.casework.case.replay` folds them into the case's
state, and the case store keeps only the events (and, for lists, a projection rebuilt from them). Each
event is numbered in its case (``seq`` 1 is the opening), so two people writing event 5 at once cannot
both succeed: the second is refused and told who changed the case first.

An event's ``payload`` holds only JSON values (dates as ``YYYY-MM-DD``), so it is stored as it is
(:meth:`CaseEvent.to_record`) and read back to the same event (:meth:`CaseEvent.from_record`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

__all__ = ["KIND_LABELS", "OPENING_REASONS", "CaseEvent", "EventKind", "OpeningReason"]


class EventKind(StrEnum):
    """What an event records."""

    OPENED = "opened"
    STAGE_CHANGED = "stage_changed"
    PEOPLE_SET = "people_set"
    REVIEW_SET = "review_set"
    INTERVENTION_LOGGED = "intervention_logged"
    INTERVENTION_REVIEWED = "intervention_reviewed"
    EHA_OFFERED = "eha_offered"
    EHA_ANSWERED = "eha_answered"
    TAF_MEMBER_ADDED = "taf_member_added"
    TAF_MEMBER_LEFT = "taf_member_left"
    CRITERIA_RECORDED = "criteria_recorded"
    FAMILY_SUPPORT_REFERRED = "family_support_referred"
    FAMILY_SUPPORT_OUTCOME = "family_support_outcome"
    FAMILY_LINKED = "family_linked"
    SCHOOL_CHANGED = "school_changed"
    NOTE = "note"
    CLOSED = "closed"


#: Each kind in words, for a case's timeline.
KIND_LABELS: dict[EventKind, str] = {
    EventKind.OPENED: "Case opened",
    EventKind.STAGE_CHANGED: "Stage changed",
    EventKind.PEOPLE_SET: "People named",
    EventKind.REVIEW_SET: "Review date set",
    EventKind.INTERVENTION_LOGGED: "Intervention logged",
    EventKind.INTERVENTION_REVIEWED: "Intervention reviewed",
    EventKind.EHA_OFFERED: "Early Help Assessment offered",
    EventKind.EHA_ANSWERED: "Early Help Assessment answered",
    EventKind.TAF_MEMBER_ADDED: "Joined the Team Around the Family",
    EventKind.TAF_MEMBER_LEFT: "Left the Team Around the Family",
    EventKind.CRITERIA_RECORDED: "Family support criteria recorded",
    EventKind.FAMILY_SUPPORT_REFERRED: "Referred to family support",
    EventKind.FAMILY_SUPPORT_OUTCOME: "Family support referral outcome",
    EventKind.FAMILY_LINKED: "Linked to a family case",
    EventKind.SCHOOL_CHANGED: "Moved school",
    EventKind.NOTE: "Note",
    EventKind.CLOSED: "Case closed",
}


class OpeningReason(StrEnum):
    """Why a case was opened."""

    EARLY_WARNING = "early_warning"
    BAND_CHANGE = "band_change"
    TSM_ACTION = "tsm_action"
    SCHOOL_REQUEST = "school_request"
    BY_HAND = "by_hand"


#: Each opening reason in words.
OPENING_REASONS: dict[OpeningReason, str] = {
    OpeningReason.EARLY_WARNING: "Early warning: heading into persistent absence",
    OpeningReason.BAND_CHANGE: "A change of attendance band or stage",
    OpeningReason.TSM_ACTION: "An action agreed at a Targeting Support Meeting",
    OpeningReason.SCHOOL_REQUEST: "The school asked for support",
    OpeningReason.BY_HAND: "Opened by hand",
}


@dataclass(frozen=True)
class CaseEvent:
    """One change to a case.

    Attributes:
        seq: the event's number in its case, from 1 (the opening), with no gaps.
        kind: what it records (the "what").
        who: the user name of whoever recorded it.
        at: when it was recorded (timezone-aware).
        why: the reason given, in the recorder's words (required for decisions: opening, stage, closing).
        payload: the details, JSON values only; read-only.
    """

    seq: int
    kind: EventKind
    who: str
    at: dt.datetime
    why: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EventKind(self.kind))
        object.__setattr__(self, "payload", MappingProxyType(json.loads(json.dumps(dict(self.payload)))))

    def __hash__(self) -> int:
        return hash((self.seq, self.kind, self.who, self.at, self.why, json.dumps(dict(self.payload), sort_keys=True)))

    def to_record(self) -> dict[str, Any]:
        """The event as JSON values (``at`` in ISO 8601)."""
        return {
            "seq": self.seq,
            "kind": self.kind.value,
            "who": self.who,
            "at": self.at.isoformat(),
            "why": self.why,
            "payload": dict(self.payload),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> CaseEvent:
        at = record["at"]
        return cls(
            seq=int(record["seq"]),
            kind=EventKind(record["kind"]),
            who=str(record["who"]),
            at=at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at)),
            why=str(record.get("why", "")),
            payload=dict(record.get("payload") or {}),
        )
