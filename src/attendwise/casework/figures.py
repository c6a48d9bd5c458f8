"""The stage a pupil's record suggests: the year so far, and a move between their last two half terms.

The figures are the pupil's record's (:func:`attendwise.measures.pupils.pupil_record`), the same as the
pupil page shows; nothing here counts marks.
"""

from __future__ import annotations

from dataclasses import dataclass

from attendwise.casework.stages import (
    AttendanceFigures,
    StageModel,
    StageSuggestion,
    suggest_from_band_move,
    suggest_stage,
)
from attendwise.measures.pupils import PupilRecord

__all__ = ["RecordSuggestions", "suggestions_for", "year_figures"]


def year_figures(record: PupilRecord) -> AttendanceFigures | None:
    """The pupil's sessions in the record's year so far (``None`` with no possible sessions yet)."""
    if record.sess_possible <= 0:
        return None
    return AttendanceFigures(f"{record.year.label} so far", record.sess_attended, record.sess_possible)


@dataclass(frozen=True)
class RecordSuggestions:
    #: The stage the year so far falls in, beside the case's (``None``: no possible sessions yet).
    year: StageSuggestion | None
    #: Set when attendance moved from one stage's range to another's between the last two half terms.
    band_move: StageSuggestion | None


def suggestions_for(model: StageModel, current: str | None, record: PupilRecord) -> RecordSuggestions:
    """What the record suggests for a case at ``current`` (``None``: a case not yet opened)."""
    figures = year_figures(record)
    halves = [b for b in record.band_history if b.kind == "half term" and b.sess_possible > 0]
    move = None
    if len(halves) >= 2:
        before, after = halves[-2], halves[-1]
        move = suggest_from_band_move(
            model,
            current,
            AttendanceFigures(before.period, before.sess_attended, before.sess_possible),
            AttendanceFigures(after.period, after.sess_attended, after.sess_possible),
        )
    return RecordSuggestions(suggest_stage(model, current, figures) if figures else None, move)
