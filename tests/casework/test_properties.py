"""Properties of the fold: a case is a pure fold of its events, whatever order independent events come in."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from attendwise.casework import commands as c
from attendwise.casework.case import Case, CaseRuleError, replay
from attendwise.casework.events import CaseEvent
from tests.casework.cases import CONFIG, MODEL, opened

D = dt.date
TYPES = [t.key for t in CONFIG.intervention_types if not t.timetable]
STAGES = [s.key for s in MODEL.stages]


def when(i: int) -> dt.datetime:
    return dt.datetime(2024, 10, 21, 8, tzinfo=dt.UTC) + dt.timedelta(minutes=i)


# -- independent streams: interventions, the Team Around the Family, early help ----------------------------
@st.composite
def streams(draw: st.DrawFn) -> dict[str, list]:
    """Three streams of changes about different things, each a list of functions case -> event."""
    visits = [
        (draw(st.sampled_from(TYPES)), D(2024, 10, draw(st.integers(1, 20))), i) for i in range(draw(st.integers(0, 5)))
    ]
    a = [
        lambda case, t=t, d=d, i=i: c.log_intervention(
            case, CONFIG, type=t, date=d, who="jo", at=when(i), notes=f"n{i}"
        )
        for t, d, i in visits
    ]
    members = draw(st.integers(0, 4))
    b = [
        lambda case, i=i: c.add_taf_member(
            case,
            agency=f"Agency {i}",
            person=f"Person {i}",
            role="Worker",
            start=D(2024, 10, 2 + i),
            who="al",
            at=when(100 + i),
        )
        for i in range(members)
    ]
    for ref in draw(st.lists(st.integers(1, max(members, 1)), unique=True, max_size=members)):
        b.append(
            lambda case, ref=ref: c.end_taf_membership(
                case, ref=ref, date=D(2024, 10, 20), who="al", at=when(200 + ref)
            )
        )
    early = []
    if draw(st.booleans()):
        early.append(lambda case: c.offer_eha(case, date=D(2024, 10, 3), offered_by="EHAC", who="mo", at=when(300)))
        answer = draw(st.sampled_from([None, "accepted", "declined"]))
        if answer:
            early.append(
                lambda case, answer=answer: c.answer_eha(
                    case, answer=answer, date=D(2024, 10, 4), who="mo", at=when(301)
                )
            )
    return {"a": a, "b": b, "c": early}


def run(order: list[str], changes: dict[str, list]) -> tuple[Case, list[CaseEvent]]:
    case, events = opened()
    taken = {k: iter(v) for k, v in changes.items()}
    for stream in order:
        event = next(taken[stream])(case)
        events.append(event)
        case = replay(events)
    return case, events


def content(case: Case) -> Case:
    """The case without what records the order events came in (its version, its last change)."""
    return replace(case, version=0, changed_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), changed_by="")


@settings(max_examples=60, deadline=None)
@given(streams(), st.data())
def test_independent_events_commute(changes: dict[str, list], data: st.DataObject) -> None:
    """Property: interleaving changes about different things in any order (keeping each one's own order)
    leaves the same case."""
    labels = [k for k, v in changes.items() for _ in v]
    shuffled = data.draw(st.permutations(labels))
    first, _ = run(labels, changes)
    second, events = run(list(shuffled), changes)
    assert content(first) == content(second)
    assert second.version == len(events)


# -- any valid history -----------------------------------------------------------------------------------
ACTIONS = st.sampled_from(
    ["stage", "visit", "timetable", "review", "offer", "answer", "taf", "leave", "criteria", "people", "note", "close"]
)


def attempt(case: Case, action: str, i: int, pick: int) -> CaseEvent:
    at, day = when(i), D(2024, 10, 1 + pick % 20)
    if action == "stage":
        return c.change_stage(case, MODEL, CONFIG, stage=STAGES[pick % 3], who="jo", at=at, why="figures")
    if action == "visit":
        return c.log_intervention(case, CONFIG, type=TYPES[pick % len(TYPES)], date=day, who="jo", at=at)
    if action == "timetable":
        return c.log_intervention(
            case,
            CONFIG,
            type="part_time_timetable",
            date=day,
            who="jo",
            at=at,
            end_date=day + dt.timedelta(weeks=4),
            review_date=day + dt.timedelta(weeks=2),
        )
    if action == "review":
        ref = 1 + pick % max(len(case.interventions), 1)
        return c.review_intervention(
            case,
            CONFIG,
            ref=ref,
            date=D(2024, 10, 21),
            who="jo",
            at=at,
            ended=pick % 2 == 0,
            next_review_date=D(2024, 11, 1),
        )
    if action == "offer":
        return c.offer_eha(case, date=day, offered_by="EHAC", who="jo", at=at)
    if action == "answer":
        return c.answer_eha(case, answer=["accepted", "declined"][pick % 2], date=D(2024, 10, 21), who="jo", at=at)
    if action == "taf":
        return c.add_taf_member(case, agency="Hub", person=f"P{pick}", role="Worker", start=day, who="jo", at=at)
    if action == "leave":
        return c.end_taf_membership(case, ref=1 + pick % max(len(case.taf), 1), date=D(2024, 10, 21), who="jo", at=at)
    if action == "criteria":
        return c.record_criteria(
            case, CONFIG, criteria=[k.key for k in CONFIG.criteria[: pick % 5]], date=day, who="jo", at=at
        )
    if action == "people":
        return c.set_people(case, MODEL, who="jo", at=at, lead_practitioner=f"Lead {pick % 3}")
    if action == "note":
        return c.add_note(case, text=f"note {pick}", who="jo", at=at)
    return c.close_case(case, CONFIG, outcome="other", date=D(2024, 10, 21), who="jo", at=at, why="done")


@st.composite
def histories(draw: st.DrawFn) -> list[CaseEvent]:
    """A case's events from a random run of attempts, keeping those the rules allow."""
    case, events = opened()
    for i, (action, pick) in enumerate(draw(st.lists(st.tuples(ACTIONS, st.integers(0, 99)), max_size=25))):
        try:
            event = attempt(case, action, i, pick)
        except CaseRuleError:
            continue
        events.append(event)
        case = replay(events)
    return events


@settings(max_examples=80, deadline=None)
@given(histories(), st.data())
def test_a_case_is_a_pure_fold_of_its_events(events: list[CaseEvent], data: st.DataObject) -> None:
    """Property: replaying the events gives the same case every time, from the start or from any snapshot;
    its version is its number of events, numbered 1, 2, 3... with no gaps."""
    whole = replay(events)
    k = data.draw(st.integers(1, len(events)))
    assert replay(events[k:], start=replay(events[:k])) == whole
    assert replay(list(events)) == whole
    assert whole.version == len(events) and [e.seq for e in events] == list(range(1, len(events) + 1))


@settings(max_examples=60, deadline=None)
@given(histories())
def test_events_stored_as_json_give_the_same_case(events: list[CaseEvent]) -> None:
    """Property: events written as JSON (as the case store keeps them) and read back give the same case."""
    stored = json.loads(json.dumps([e.to_record() for e in events]))
    assert replay(CaseEvent.from_record(r) for r in stored) == replay(events)
