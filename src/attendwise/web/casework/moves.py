"""The case follows the pupil: when a pupil moves school, their open case moves to the enrolment they are on
the roll of now, so the new school sees and works it and the old school no longer does.

:func:`follow_pupils` compares every open case's enrolment with the pupil's current one in the register store
(on roll, the latest admission) and records a ``school_changed`` event on each case whose pupil has moved
(:func:`attendwise.casework.commands.follow_pupil`). A pupil who has left with no new school (missing
education, say) keeps the case where it was. It runs after every import through the upload page, and from
the command line (``attendwise case-moves``).
"""

from __future__ import annotations

from dataclasses import dataclass

from attendwise.casework import commands
from attendwise.casework.case import CaseRuleError
from attendwise.measures.pupils import find_enrolments
from attendwise.web.casework import store as case_store
from attendwise.web.casework.models import CaseRecord
from attendwise.web.services.data import StoreAccess

__all__ = ["FOLLOWER", "Move", "follow_pupils"]

#: Who a move is recorded by: attendwise itself, from the registers.
FOLLOWER = "attendwise"


@dataclass(frozen=True)
class Move:
    case_id: int
    from_urn: int
    to_urn: int


def follow_pupils(access: StoreAccess) -> list[Move]:
    """Move every open case whose pupil is now on another enrolment's roll to that enrolment; the moves made."""
    store = access.store()
    records = list(
        CaseRecord.objects.filter(closed_on__isnull=True).only("pk", "upn", "enrolment_id", "urn", "version")
    )
    if not records:
        return []
    latest = store.latest_enrolments(r.upn for r in records)
    ids = sorted({int(row[0]) for row in latest.values()} | {r.enrolment_id for r in records})
    enrolments = find_enrolments(store, ids)
    moves: list[Move] = []
    for record in records:
        row = latest.get(record.upn)
        current = enrolments.get(int(row[0])) if row is not None else None
        before = enrolments.get(record.enrolment_id)
        if current is None or current.enrolment_id == record.enrolment_id or not current.on_roll:
            continue
        if before is not None and before.on_roll and current.urn == before.urn:
            continue  # a second enrolment at the same school while the first is open: nothing moves
        try:
            case_store.record(
                record.pk,
                record.version,
                lambda case, current=current, before=before: commands.follow_pupil(
                    case,
                    enrolment_id=current.enrolment_id,
                    urn=current.urn,
                    who=FOLLOWER,
                    at=case_store.now(),
                    school_name=current.school_name,
                    previous_school_name=before.school_name if before else "",
                ),
                "attendwise (from the registers)",
            )
        except (case_store.StaleCase, CaseRuleError):
            continue  # changed at this moment: the next run moves it
        moves.append(Move(record.pk, record.urn, current.urn))
    return moves
