"""The demo city's register entries follow its marks: E runs become suspensions with a few left out or late,
C2 pupils get timetables with a few missing, and one secondary school deregisters to home education at
several times the rate of the rest."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from attendwise.registers.demo_entries import Leaver, Run, plan
from attendwise.registers.offrolling import SchoolDeregistrations, offrolling_watch

D = dt.date
LAST = D(2025, 2, 14)


def _leavers() -> list[Leaver]:
    out = []
    for urn in range(110000, 110010):
        phase = "secondary" if urn < 110005 else "primary"
        n = 40 if urn == 110002 else 25
        out += [Leaver(urn * 100 + i, f"U{urn}{i}", urn, phase, D(2025, 1, 10), None) for i in range(n)]
        out += [Leaver(urn * 100 + 90 + i, f"M{urn}{i}", urn, phase, D(2025, 1, 10), 110000) for i in range(4)]
    return out


def test_the_same_store_gives_the_same_entries() -> None:
    assert plan(_leavers(), [], [], last_day=LAST) == plan(_leavers(), [], [], last_day=LAST)


def test_one_secondary_school_is_over_the_expected_rate_and_flagged() -> None:
    made = plan(_leavers(), [], [], last_day=LAST)
    ehe = Counter(r["urn"] for r in made.removals if r["ground"] == "home_education")
    rows = [
        SchoolDeregistrations(u, str(u), "secondary" if u < 110005 else "primary", 1000, ehe.get(u, 0))
        for u in range(110000, 110010)
    ]
    flagged = [w.urn for w in offrolling_watch(rows, min_deregistrations=3, min_roll=30) if w.flagged]
    assert flagged == [110002]
    assert all(r["destination_urn"] == 110000 for r in made.removals if r["ground"] == "another_school")
    assert any(r["ground"] == "moved_away" and not r.get("destination_la") for r in made.removals)


def test_e_runs_become_suspensions_with_a_few_to_find() -> None:
    runs = [
        Run(
            i,
            f"U{i}",
            100001,
            (D(2025, 1, 6), D(2025, 1, 7)),
            ((D(2025, 1, 6), "AM"), (D(2025, 1, 6), "PM"), (D(2025, 1, 7), "AM"), (D(2025, 1, 7), "PM")),
        )
        for i in range(100)
    ]
    runs.append(Run(500, "L", 100001, (D(2025, 1, 8),), ((D(2025, 1, 8), "PM"),)))
    made = plan([], runs, [], last_day=LAST)
    assert 90 <= len(made.suspensions) < 101
    assert {r["length"] for r in made.suspensions if r["kind"] == "suspension"} == {2}
    assert any(r["start"] == D(2025, 1, 7) for r in made.suspensions)  # recorded a day late
    assert [r["kind"] for r in made.suspensions if r["enrolment_id"] == 500] == ["lunchtime"]


def test_c2_pupils_get_timetables_some_overdue_some_missing() -> None:
    c2 = [Run(i, f"U{i}", 100001, (D(2025, 1, 6), D(2025, 2, 10) if i % 2 else D(2025, 1, 20))) for i in range(16)]
    made = plan([], [], c2, last_day=LAST)
    assert len(made.timetables) == 14
    assert all(t["review_date"] == D(2025, 1, 27) and t["planned_end"] == D(2025, 2, 17) for t in made.timetables)
    assert {t["ended_on"] for t in made.timetables} == {None, D(2025, 1, 20)}
    live = [t for t in made.timetables if t["ended_on"] is None]
    assert live and all(t["review_date"] < LAST for t in live)


def test_one_in_eight_severely_absent_pupils_go_to_the_panel() -> None:
    severe = [(i, f"U{i}", 100001) for i in range(80)]
    made = plan([], [], [], last_day=LAST, severe=severe)
    assert len(made.panels) == 10
    decided = [p for p in made.panels if p["decision"]]
    assert decided and all(p["panel_date"] and p["review_date"] for p in decided)
    assert {p["decision"] for p in decided} <= {"further_school_action", "la_provision"}
