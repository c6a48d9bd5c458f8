"""A case from its events: a case worked from opening to closing, checked by hand, and the rules it meets."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.casework import commands as c
from attendwise.casework.case import CaseRuleError, Document, apply, replay
from attendwise.casework.events import CaseEvent, EventKind, OpeningReason
from attendwise.casework.stages import AttendanceFigures, suggest_stage
from attendwise.casework.timeline import describe_event
from tests.casework.cases import CONFIG, MODEL, OPENED_AT, PUPIL, at, opened, then

D = dt.date


class TestACaseWorkedThrough:
    def test_opening(self) -> None:
        """Opened from an early-warning flag at stage 1, led by the school, reviewed six weeks later."""
        case, events = opened(la_officer="jo")
        assert (case.pupil, case.stage, case.lead, case.opening_reason) == (
            PUPIL,
            "prevention",
            "school",
            OpeningReason.EARLY_WARNING,
        )
        assert (case.opened_on, case.review_date, case.version, case.la_officer) == (
            D(2024, 10, 1),
            D(2024, 11, 12),
            1,
            "jo",
        )
        assert case.stage_history[0].why == "Attendance fell from 96% to 91% over six weeks"
        assert case.is_open and events[0].seq == 1

    def test_from_first_concern_to_closing(self) -> None:
        """Stage 2 on the figures, an EHA offered and accepted, two TAF members, a visit, a part-time timetable
        reviewed and ended, three criteria (so the Supporting Families team leads at stage 2), closed when
        attendance recovered."""
        case, events = opened()
        suggestion = suggest_stage(MODEL, case.stage, AttendanceFigures("2024/25 so far", 54, 62))
        case = then(
            case,
            events,
            c.record_criteria(
                case, CONFIG, criteria=["education", "housing", "health"], date=D(2024, 10, 2), who="jo", at=at(2)
            ),
        )
        case = then(
            case,
            events,
            c.change_stage(
                case,
                MODEL,
                CONFIG,
                stage="early_intervention",
                who="jo",
                at=at(3),
                why="Below 90% since September",
                suggestion=suggestion,
            ),
        )
        assert (case.stage, case.lead) == ("early_intervention", "family_support")
        assert case.stage_history[-1].suggested == "early_intervention"
        assert case.stage_history[-1].figures == AttendanceFigures("2024/25 so far", 54, 62)
        case = then(
            case, events, c.offer_eha(case, date=D(2024, 10, 3), offered_by="Ms Patel (EHAC)", who="jo", at=at(3))
        )
        case = then(
            case,
            events,
            c.answer_eha(case, answer="accepted", date=D(2024, 10, 7), who="jo", at=at(7), reference="EHM-1234"),
        )
        assert case.current_offer is not None
        assert (case.current_offer.status, case.current_offer.answered_on, case.current_offer.reference) == (
            "accepted",
            D(2024, 10, 7),
            "EHM-1234",
        )
        case = then(
            case,
            events,
            c.add_taf_member(
                case,
                agency="School",
                person="Mr Hill",
                role="Attendance champion",
                start=D(2024, 10, 8),
                who="jo",
                at=at(8),
            ),
        )
        case = then(
            case,
            events,
            c.add_taf_member(
                case,
                agency="Family hub",
                person="Sam Okafor",
                role="Family worker",
                start=D(2024, 10, 8),
                who="jo",
                at=at(8),
            ),
        )
        case = then(
            case,
            events,
            c.log_intervention(
                case,
                CONFIG,
                type="home_visit",
                date=D(2024, 10, 9),
                who="jo",
                at=at(9),
                notes="Mum at home",
                outcome="Agreed a morning routine",
                next_step="Call on Monday",
            ),
        )
        case = then(
            case,
            events,
            c.log_intervention(
                case,
                CONFIG,
                type="part_time_timetable",
                date=D(2024, 10, 14),
                who="jo",
                at=at(14),
                end_date=D(2024, 11, 22),
                review_date=D(2024, 11, 4),
            ),
        )
        timetable = case.interventions[-1]
        case = then(
            case,
            events,
            c.review_intervention(
                case,
                CONFIG,
                ref=timetable.ref,
                date=D(2024, 11, 4),
                who="jo",
                at=at(4, month=11),
                outcome="Mornings going well",
                next_review_date=D(2024, 11, 18),
            ),
        )
        assert case.intervention(timetable.ref).review_date == D(2024, 11, 18)
        case = then(
            case,
            events,
            c.review_intervention(
                case, CONFIG, ref=timetable.ref, date=D(2024, 11, 18), who="jo", at=at(18, month=11), ended=True
            ),
        )
        assert case.intervention(timetable.ref).ended_on == D(2024, 11, 18)
        case = then(
            case, events, c.end_taf_membership(case, ref=2, date=D(2024, 11, 20), who="jo", at=at(20, month=11))
        )
        assert [m.person for m in case.current_taf] == ["Mr Hill"]
        case = then(
            case,
            events,
            c.close_case(
                case,
                CONFIG,
                outcome="attendance_improved",
                date=D(2024, 12, 2),
                who="jo",
                at=at(2, month=12),
                why="Attendance 96% since half term",
            ),
        )
        assert not case.is_open and case.closure is not None
        assert (case.closure.outcome, case.closure.on, case.version) == (
            "attendance_improved",
            D(2024, 12, 2),
            len(events),
        )
        with pytest.raises(CaseRuleError, match="the case was closed on 2 December 2024"):
            c.add_note(case, text="Late note", who="jo", at=at(3, month=12))

    def test_the_timeline_in_words(self) -> None:
        case, events = opened(detail="4 Mondays missed in the last 8 weeks")
        suggestion = suggest_stage(MODEL, case.stage, AttendanceFigures("2024/25 so far", 54, 62))
        case = then(
            case,
            events,
            c.change_stage(
                case,
                MODEL,
                CONFIG,
                stage="targeted_support",
                who="jo",
                at=at(3),
                why="Home visits refused",
                suggestion=suggestion,
            ),
        )
        assert describe_event(events[0], MODEL, CONFIG) == (
            "Case opened",
            "At stage 1: prevention. Early warning: heading into persistent absence. "
            "4 Mondays missed in the last 8 weeks",
        )
        assert describe_event(events[1], MODEL, CONFIG) == (
            "Stage changed",
            "From stage 1: prevention to stage 3: targeted support (suggested: stage 2: early intervention, from "
            "attendance 87.1% (54 of 62 possible sessions attended, 2024/25 so far)). Lead: LA attendance officer",
        )


class TestRules:
    def test_a_stage_change_needs_a_reason_and_a_new_stage(self) -> None:
        case, _ = opened()
        with pytest.raises(CaseRuleError, match="Say why the stage changes"):
            c.change_stage(case, MODEL, CONFIG, stage="early_intervention", who="jo", at=at(2), why="  ")
        with pytest.raises(CaseRuleError, match="already at stage 1: prevention"):
            c.change_stage(case, MODEL, CONFIG, stage="prevention", who="jo", at=at(2), why="x")
        with pytest.raises(CaseRuleError, match="has no stage 'legal'"):
            c.change_stage(case, MODEL, CONFIG, stage="legal", who="jo", at=at(2), why="x")

    def test_a_person_may_choose_another_stage_than_suggested(self) -> None:
        """attendwise suggests stage 2; the officer decides stage 3, and the suggestion is kept beside the decision."""
        case, events = opened()
        suggestion = suggest_stage(MODEL, case.stage, AttendanceFigures("autumn", 80, 100))
        case = then(
            case,
            events,
            c.change_stage(
                case,
                MODEL,
                CONFIG,
                stage="targeted_support",
                who="jo",
                at=at(2),
                why="Refuses all contact",
                suggestion=suggestion,
            ),
        )
        change = case.stage_history[-1]
        assert (change.stage, change.previous, change.suggested, change.who, change.why) == (
            "targeted_support",
            "prevention",
            "early_intervention",
            "jo",
            "Refuses all contact",
        )

    def test_opening_needs_a_reason(self) -> None:
        with pytest.raises(CaseRuleError, match="Say why the case is being opened"):
            c.open_case(PUPIL, MODEL, CONFIG, reason="by_hand", stage="prevention", who="jo", at=OPENED_AT, why="")
        with pytest.raises(CaseRuleError, match="is not a reason a case opens for"):
            c.open_case(PUPIL, MODEL, CONFIG, reason="hunch", stage="prevention", who="jo", at=OPENED_AT, why="x")

    def test_early_help_answers_need_an_offer(self) -> None:
        case, events = opened()
        with pytest.raises(CaseRuleError, match="Record the Early Help Assessment offer first"):
            c.answer_eha(case, answer="accepted", date=D(2024, 10, 2), who="jo", at=at(2))
        case = then(case, events, c.offer_eha(case, date=D(2024, 10, 2), offered_by="jo", who="jo", at=at(2)))
        with pytest.raises(CaseRuleError, match="offered on 2 October 2024 and is waiting for an answer"):
            c.offer_eha(case, date=D(2024, 10, 3), offered_by="jo", who="jo", at=at(3))
        with pytest.raises(CaseRuleError, match="cannot be before the offer"):
            c.answer_eha(case, answer="declined", date=D(2024, 10, 1), who="jo", at=at(3))
        case = then(
            case, events, c.answer_eha(case, answer="declined", date=D(2024, 10, 4), who="jo", at=at(4), why="Not now")
        )
        case = then(case, events, c.offer_eha(case, date=D(2024, 10, 20), offered_by="jo", who="jo", at=at(20)))
        assert [(o.ref, o.status) for o in case.early_help] == [(1, "declined"), (2, "offered")]
        assert case.early_help[0].answer_why == "Not now"

    def test_a_part_time_timetable_needs_its_end_and_review(self) -> None:
        case, _ = opened()
        with pytest.raises(CaseRuleError, match="Give the date the part-time timetable ends"):
            c.log_intervention(
                case,
                CONFIG,
                type="part_time_timetable",
                date=D(2024, 10, 2),
                who="jo",
                at=at(2),
                review_date=D(2024, 10, 9),
            )
        with pytest.raises(CaseRuleError, match="reviewed on or before its end date"):
            c.log_intervention(
                case,
                CONFIG,
                type="part_time_timetable",
                date=D(2024, 10, 2),
                who="jo",
                at=at(2),
                review_date=D(2024, 11, 9),
                end_date=D(2024, 11, 1),
            )

    def test_interventions_are_logged_when_done_and_only_letters_hold_documents(self) -> None:
        case, events = opened()
        with pytest.raises(CaseRuleError, match="cannot be after today"):
            c.log_intervention(case, CONFIG, type="phone_call", date=D(2024, 10, 3), who="jo", at=at(2))
        with pytest.raises(CaseRuleError, match="'visit' is not an intervention type"):
            c.log_intervention(case, CONFIG, type="visit", date=D(2024, 10, 2), who="jo", at=at(2))
        letter = Document(
            "attendance-concern.pdf", "casework/7/1.pdf", "application/pdf", template="attendance_concern"
        )
        with pytest.raises(CaseRuleError, match="A phone call does not hold a document"):
            c.log_intervention(
                case, CONFIG, type="phone_call", date=D(2024, 10, 2), who="jo", at=at(2), document=letter
            )
        case = then(
            case,
            events,
            c.log_intervention(case, CONFIG, type="letter", date=D(2024, 10, 2), who="jo", at=at(2), document=letter),
        )
        assert case.interventions[0].document == letter and case.interventions[0].by == "jo"

    def test_people_only_what_changes(self) -> None:
        case, events = opened()
        case = then(
            case, events, c.set_people(case, MODEL, who="jo", at=at(2), lead_practitioner="Mrs Khan", la_officer="jo")
        )
        assert events[-1].payload == {"lead_practitioner": "Mrs Khan", "la_officer": "jo"}
        with pytest.raises(CaseRuleError, match="Nothing has changed"):
            c.set_people(case, MODEL, who="jo", at=at(3), lead_practitioner="Mrs Khan")
        with pytest.raises(CaseRuleError, match="'head' is not a lead"):
            c.set_people(case, MODEL, who="jo", at=at(3), lead="head")

    def test_review_dates(self) -> None:
        case, _ = opened()
        with pytest.raises(CaseRuleError, match="on or after the day the case opened"):
            c.set_review(case, review_date=D(2024, 9, 1), who="jo", at=at(2))

    def test_times_must_say_their_timezone(self) -> None:
        case, _ = opened()
        with pytest.raises(CaseRuleError, match="timezone"):
            c.add_note(case, text="x", who="jo", at=dt.datetime(2024, 10, 2, 10))


class TestTheFold:
    def test_events_must_come_in_order(self) -> None:
        """An event numbered anything but next is refused: the fold, like the case store, has no gaps or repeats."""
        case, _ = opened()
        note = c.add_note(case, text="Called", who="jo", at=at(2))
        with pytest.raises(CaseRuleError, match="event 3 cannot follow event 1"):
            apply(case, CaseEvent(3, note.kind, note.who, note.at, note.why, note.payload))
        with pytest.raises(CaseRuleError, match="only the first event of a case opens it"):
            apply(case, CaseEvent(2, EventKind.OPENED, "jo", at(2), "x", {}))
        with pytest.raises(CaseRuleError, match="a case's first event must open it"):
            apply(None, note)

    def test_an_event_reads_back_from_its_record(self) -> None:
        case, events = opened()
        events.append(c.log_intervention(case, CONFIG, type="home_visit", date=D(2024, 10, 1), who="jo", at=at(1, 15)))
        records = [e.to_record() for e in events]
        assert [CaseEvent.from_record(r) for r in records] == events
        assert replay(CaseEvent.from_record(r) for r in records) == replay(events)

    def test_payloads_cannot_be_changed(self) -> None:
        _, events = opened()
        with pytest.raises(TypeError):
            events[0].payload["stage"] = "targeted_support"  # type: ignore[index]
