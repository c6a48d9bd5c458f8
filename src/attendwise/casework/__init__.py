"""Casework: a case for every child the team supports, its stages, early help and interventions.

The rules and types of casework, with no Django and no engine (the web app keeps cases in its own
database, ``attendwise.web.casework``):

* :mod:`~attendwise.casework.stages`: the LA's staged model as configuration (like a band scheme) and
  the stage a pupil's attendance suggests;
* :mod:`~attendwise.casework.settings`: casework's settings, intervention types, family support
  criteria and closure outcomes, shipped in ``presets/`` and changed by the LA's own file;
* :mod:`~attendwise.casework.events`: the append-only events a case is made of;
* :mod:`~attendwise.casework.case`: a case's state, a pure fold of its events;
* :mod:`~attendwise.casework.commands`: recording something on a case, as the event to append;
* :mod:`~attendwise.casework.flags`: overdue reviews, no contact for N school weeks, part-time
  timetables due;
* :mod:`~attendwise.casework.timeline`: each event in words.
"""

from __future__ import annotations

from attendwise.casework.case import Case, CasePupil, CaseRuleError, Document, apply, replay
from attendwise.casework.events import KIND_LABELS, OPENING_REASONS, CaseEvent, EventKind, OpeningReason
from attendwise.casework.flags import Flag, case_flags
from attendwise.casework.settings import SETTINGS, CaseworkConfig, CaseworkConfigError, load_casework_config
from attendwise.casework.stages import (
    STAGE_MODELS,
    AttendanceFigures,
    Stage,
    StageModel,
    StageModelError,
    StageSuggestion,
    load_stage_model,
    suggest_from_band_move,
    suggest_stage,
)
from attendwise.casework.timeline import describe_event

__all__ = [
    "KIND_LABELS",
    "OPENING_REASONS",
    "SETTINGS",
    "STAGE_MODELS",
    "AttendanceFigures",
    "Case",
    "CaseEvent",
    "CasePupil",
    "CaseRuleError",
    "CaseworkConfig",
    "CaseworkConfigError",
    "Document",
    "EventKind",
    "Flag",
    "OpeningReason",
    "Stage",
    "StageModel",
    "StageModelError",
    "StageSuggestion",
    "apply",
    "case_flags",
    "describe_event",
    "load_casework_config",
    "load_stage_model",
    "replay",
    "suggest_from_band_move",
    "suggest_stage",
]
