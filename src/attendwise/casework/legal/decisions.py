"""A decision on the legal pathway: what was decided, allowed or refused, by whom, when, and by which rule.

Every step (a request checked, a notice issued, a payment taken, a notice withdrawn, a prosecution filed)
returns or raises one, so a decision can be explained afterwards from its record alone: the rule it applied
in words, the figures it read (the sessions, the notices counted, the reading of the three years), and for a
refusal the alternative actions open to the officer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from attendwise.core.errors import AttendwiseError

__all__ = ["Check", "Decision", "LegalRuleError", "decide", "long_date"]


def long_date(day: dt.date) -> str:
    """``Wed 8 April 2026``."""
    return f"{day:%a} {day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Decision:
    """One decision. ``figures`` holds JSON values only (dates as ``YYYY-MM-DD``), so it is stored as it is."""

    action: str
    allowed: bool
    rule: str
    reason: str
    who: str
    at: dt.datetime
    alternatives: tuple[str, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.who.strip():
            raise LegalRuleError("say who is deciding")
        if self.at.tzinfo is None:
            raise LegalRuleError("a decision's time must say its timezone")
        object.__setattr__(self, "figures", MappingProxyType(json.loads(json.dumps(dict(self.figures), default=str))))

    def __hash__(self) -> int:
        return hash((self.action, self.allowed, self.rule, self.reason, self.who, self.at, self.alternatives))

    def to_record(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "allowed": self.allowed,
            "rule": self.rule,
            "reason": self.reason,
            "who": self.who,
            "at": self.at.isoformat(),
            "alternatives": list(self.alternatives),
            "figures": dict(self.figures),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Decision:
        return cls(
            action=str(record["action"]),
            allowed=bool(record["allowed"]),
            rule=str(record["rule"]),
            reason=str(record["reason"]),
            who=str(record["who"]),
            at=dt.datetime.fromisoformat(str(record["at"])),
            alternatives=tuple(record.get("alternatives", ())),
            figures=dict(record.get("figures") or {}),
        )


class LegalRuleError(AttendwiseError):
    """A step the rules refuse; ``decision`` (when there is one) is the refusal, to be recorded."""

    def __init__(self, message: str, decision: Decision | None = None) -> None:
        super().__init__(message)
        self.decision = decision


def decide(
    action: str,
    allowed: bool,
    rule: str,
    reason: str,
    who: str,
    at: dt.datetime,
    *,
    alternatives: tuple[str, ...] = (),
    **figures: Any,
) -> Decision:
    return Decision(action, allowed, rule, reason, who, at, alternatives, figures)


def refuse(action: str, rule: str, reason: str, who: str, at: dt.datetime, **kw: Any) -> LegalRuleError:
    """The error refusing ``action``, carrying its recorded refusal."""
    return LegalRuleError(reason, decide(action, False, rule, reason, who, at, **kw))


@dataclass(frozen=True)
class Check:
    """One check of a request: passed or failed, with what it found; a check that does not block only warns."""

    key: str
    label: str
    passed: bool
    detail: str
    rule: str
    blocking: bool = True
