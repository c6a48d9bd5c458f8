"""A case following its pupil to a new school, and the retention rule's days."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.casework import commands as c
from attendwise.casework.case import CasePupil, CaseRuleError
from attendwise.casework.retention import due_for_removal, retention_cutoff, rule_in_words
from attendwise.casework.settings import CaseworkSettings
from attendwise.casework.timeline import describe_event
from tests.casework.cases import CONFIG, MODEL, PUPIL, at, opened, then


class TestFollowingThePupil:
    def test_the_case_moves_to_the_new_enrolment_keeping_everything_else(self) -> None:
        case, events = opened(la_officer="olu")
        case = then(case, events, c.add_note(case, text="Called mum", who="jo", at=at(2)))
        event = c.follow_pupil(
            case,
            enrolment_id=9,
            urn=100002,
            who="attendwise",
            at=at(3),
            school_name="Birch Primary School",
            previous_school_name="Alder Primary School",
        )
        moved = then(case, events, event)
        assert moved.pupil == CasePupil(9, PUPIL.upn, 100002)
        assert (moved.stage, moved.la_officer, moved.version) == (case.stage, "olu", 3)
        assert event.why == "The pupil is now on the roll of Birch Primary School"
        assert describe_event(event, MODEL, CONFIG) == (
            "Moved school",
            "From Alder Primary School to Birch Primary School",
        )

    def test_a_move_to_the_same_enrolment_is_refused(self) -> None:
        case, _ = opened()
        with pytest.raises(CaseRuleError, match="already on this enrolment"):
            c.follow_pupil(case, enrolment_id=PUPIL.enrolment_id, urn=PUPIL.urn, who="attendwise", at=at(2))


class TestRetention:
    @pytest.mark.parametrize(
        ("closed_on", "due"),
        [
            (dt.date(2019, 3, 1), True),
            (dt.date(2019, 3, 2), False),  # kept six years to the day
            (None, False),  # an open case is never due
        ],
    )
    def test_six_years_after_closing_by_default(self, closed_on: dt.date | None, due: bool) -> None:
        assert due_for_removal(closed_on, dt.date(2025, 3, 2), CaseworkSettings()) is due

    def test_the_period_is_a_setting(self) -> None:
        settings = CaseworkSettings(closed_case_retention_years=1)
        assert retention_cutoff(dt.date(2024, 2, 29), settings) == dt.date(2023, 2, 28)
        assert rule_in_words(settings) == "closed cases are kept 1 year after they close"
