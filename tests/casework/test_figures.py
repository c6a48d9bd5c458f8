"""The stage a pupil's record suggests: the year so far, and a move between their last two half terms."""

from __future__ import annotations

import datetime as dt

from attendwise.casework.figures import suggestions_for, year_figures
from attendwise.casework.stages import AttendanceFigures
from attendwise.ingest import import_folder
from attendwise.measures.pupils import pupil_record
from attendwise.store import Store
from tests.casework.cases import MODEL
from tests.registers import Register


def test_a_fall_between_half_terms_is_a_band_move(store: Store, write) -> None:
    """Autumn 1 all present (stage 1), autumn 2 half missed (stage 3): the year so far (75%) suggests stage 2
    for a stage 1 case, and the move between the half terms suggests stage 3, with autumn 2's figures."""
    reg = Register()
    reg.school()
    reg.half_terms_2024_25()
    p = reg.pupil()
    reg.sessions(p, "/" * 10, dt.date(2024, 10, 21))
    reg.sessions(p, "/" * 5 + "O" * 5, dt.date(2024, 11, 4))
    import_folder(store, write(reg))
    record = pupil_record(store, 1)
    assert record is not None
    assert year_figures(record) == AttendanceFigures("2024/25 so far", 15, 20)
    found = suggestions_for(MODEL, "prevention", record)
    assert found.year is not None and (found.year.suggested.number, found.year.direction) == (2, "up")
    assert found.band_move is not None and found.band_move.suggested.number == 3
    assert found.band_move.figures == AttendanceFigures("2024/25 autumn half term 2", 5, 10)


def test_steady_attendance_moves_nothing(store: Store, write) -> None:
    reg = Register()
    reg.school()
    reg.half_terms_2024_25()
    p = reg.pupil()
    reg.sessions(p, "/" * 20, dt.date(2024, 10, 28))
    import_folder(store, write(reg))
    record = pupil_record(store, 1)
    assert record is not None
    found = suggestions_for(MODEL, "prevention", record)
    assert found.band_move is None and found.year is not None and not found.year.moves
