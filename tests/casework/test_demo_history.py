"""The demo city's casework history: cases follow the marks, every event follows the rules, within the registers."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from attendwise.casework.case import CasePupil, replay
from attendwise.casework.demo_history import HalfTerm, PupilHalves, history_for
from attendwise.casework.events import EventKind
from tests.casework.cases import CONFIG, MODEL

D = dt.date
HALVES = [
    ("2024/25 autumn half term 1", D(2024, 9, 2), D(2024, 10, 25)),
    ("2024/25 autumn half term 2", D(2024, 11, 4), D(2024, 12, 20)),
    ("2024/25 spring half term 1", D(2025, 1, 6), D(2025, 2, 14)),
]


def pupil(*attended: int, possible: int = 70, enrolment_id: int = 7) -> PupilHalves:
    halves = tuple(HalfTerm(label, s, e, a, possible) for (label, s, e), a in zip(HALVES, attended, strict=False))
    return PupilHalves(CasePupil(enrolment_id, "A123456789012", 100001), halves)


def test_a_fall_to_stage_3_then_recovery() -> None:
    """70/70, then 28/70 (40%: stage 3), then 68/70 (97%): the case opens three weeks into autumn 2 at
    stage 3, the school calls and writes, the LA visits and offers early help, the stage moves to 1 in
    spring, and the case closes two days before the half term ends: attendance improved."""
    events = history_for(
        pupil(70, 28, 68), MODEL, CONFIG, last_day=D(2025, 2, 14), officer="officer", school_user="school"
    )
    case = replay(events)
    assert (case.opened_on, case.stage_history[0].stage) == (D(2024, 11, 25), "targeted_support")
    kinds = [e.kind for e in events]
    assert kinds[0] == EventKind.OPENED and kinds[-1] == EventKind.CLOSED
    assert [i.type for i in case.interventions][:4] == ["phone_call", "letter", "meeting_in_school", "home_visit"]
    assert case.early_help and case.early_help[0].offered_on == D(2024, 12, 9)
    assert [s.stage for s in case.stage_history] == ["targeted_support", "prevention"]
    assert case.closure is not None and (case.closure.on, case.closure.outcome) == (
        D(2025, 2, 12),
        "attendance_improved",
    )


def test_no_drop_no_case() -> None:
    assert history_for(pupil(70, 69, 68), MODEL, CONFIG, last_day=D(2025, 2, 14), officer="o", school_user="s") == []


def test_nothing_after_the_registers_end() -> None:
    events = history_for(pupil(70, 28), MODEL, CONFIG, last_day=D(2024, 11, 29), officer="o", school_user="s")
    assert events and max(e.at.date() for e in events) <= D(2024, 11, 29)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 70), min_size=1, max_size=3), st.integers(1, 10_000))
def test_every_history_follows_the_rules(attended: list[int], enrolment_id: int) -> None:
    """Property: whatever the half terms, a history replays, in time order, numbered from 1, within the registers."""
    events = history_for(
        pupil(*attended, enrolment_id=enrolment_id),
        MODEL,
        CONFIG,
        last_day=D(2025, 2, 14),
        officer="o",
        school_user="s",
    )
    if events:
        replay(events)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert max(e.at.date() for e in events) <= D(2025, 2, 14)


class TestPlantedEffects:
    def _events(self):
        return history_for(
            pupil(70, 28, 30), MODEL, CONFIG, last_day=D(2025, 2, 14), officer="officer", school_user="school"
        )

    def test_only_absences_after_the_opening_half_term_turn_into_attendance(self) -> None:
        from attendwise.casework.demo_history import Session, planted_effects

        events = self._events()
        halves = pupil(70, 28, 30).halves
        sessions = [Session(D(2024, 12, 16), "AM", "O")] + [
            Session(D(2025, 1, 6) + dt.timedelta(days=d), s, "O") for d in range(30) for s in ("AM", "PM")
        ]
        planted = planted_effects(events, halves, sessions, seed=7)
        assert planted and all(p.code == "/" and p.date >= D(2025, 1, 6) for p in planted)
        assert planted == planted_effects(events, halves, sessions, seed=7)  # the same city, the same marks
        assert len(planted) < len(sessions) - 1  # a little help, not a cure

    def test_calls_and_timetables_do_nothing_while_letters_meetings_visits_help(self) -> None:
        from attendwise.casework.demo_history import EFFECTS, effect_from

        assert EFFECTS["phone_call"] == EFFECTS["part_time_timetable"] == 0
        assert 0 < EFFECTS["meeting_in_school"] <= EFFECTS["letter"] <= EFFECTS["home_visit"] < EFFECTS["eha_accepted"]
        events = self._events()
        assert effect_from(events, D(2024, 11, 26)) == 0  # only the phone call so far
        assert 0.2 < effect_from(events, D(2025, 1, 6)) < 0.5
