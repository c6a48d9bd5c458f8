"""What the casework tests share: the shipped model and configuration, a pupil, and a case opened for them."""

from __future__ import annotations

import datetime as dt

from attendwise.casework import commands as c
from attendwise.casework.case import Case, CasePupil, replay
from attendwise.casework.events import CaseEvent, OpeningReason
from attendwise.casework.settings import load_casework_config
from attendwise.casework.stages import load_stage_model

MODEL = load_stage_model("three-stages")
CONFIG = load_casework_config()
PUPIL = CasePupil(enrolment_id=7, upn="A123456789012", urn=100001)
UTC = dt.UTC
OPENED_AT = dt.datetime(2024, 10, 1, 9, 30, tzinfo=UTC)


def at(day: int, hour: int = 10, month: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=UTC)


def opened(**kw: object) -> tuple[Case, list[CaseEvent]]:
    """A case opened on 1 October 2024 at stage 1 by the officer ``jo``."""
    event = c.open_case(
        PUPIL,
        MODEL,
        CONFIG,
        reason=kw.pop("reason", OpeningReason.EARLY_WARNING),  # type: ignore[arg-type]
        stage=str(kw.pop("stage", "prevention")),
        who="jo",
        at=OPENED_AT,
        why="Attendance fell from 96% to 91% over six weeks",
        **kw,  # type: ignore[arg-type]
    )
    return replay([event]), [event]


def then(case: Case, events: list[CaseEvent], event: CaseEvent) -> Case:
    """Append ``event`` (as the case store does) and return the case it leaves."""
    events.append(event)
    return replay(events)
