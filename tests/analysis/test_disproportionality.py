"""Disproportionality on hand-built populations where the answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attendwise.analysis.disproportionality import (
    adjusted_effect,
    disproportionality,
    disproportionality_table,
    disproportionality_within,
    schools_driving_gap,
)
from attendwise.core.calendar import parse_period
from attendwise.ingest import import_folder
from tests.registers import Register


def population(groups: list[tuple[dict[str, str], int, int]], *, school: int = 100001) -> pd.DataFrame:
    """Rows of enrolments: (characteristics, how many, how many persistently absent)."""
    rows = []
    base = {
        "sex": "Female",
        "fsm": "FSM not eligible",
        "sen_provision": "No identified SEN",
        "sen_primary_need": "None",
        "ethnicity_major": "White",
        "ethnicity_minor": "White British",
        "first_language": "English",
        "cla": "Not looked after",
        "cin": "Not child in need",
        "cpp": "No child protection plan",
        "nc_year": "5",
        "education_phase": "State-funded primary",
    }
    for traits, n, pa in groups:
        for i in range(n):
            absent = i < pa
            rows.append(
                base
                | traits
                | {
                    "enrolment_id": len(rows),
                    "upn": f"U{len(rows)}",
                    "school_urn": school,
                    "school_name": f"School {school}",
                    "sess_possible": 100,
                    "sess_overall": 20 if absent else 2,
                    "sess_authorised": 20 if absent else 2,
                    "sess_unauthorised": 0,
                    "pa_10": int(absent),
                    "pa_50": 0,
                }
            )
    return pd.DataFrame(rows)


def row(table: pd.DataFrame, group: str) -> pd.Series:
    return table.set_index("group").loc[group]


class TestFlags:
    def test_planted_group_found_with_the_right_ratio(self) -> None:
        """200 Gypsy/Roma pupils, 60 PA (30%), among 2000 others with 200 PA (10%): RR = 3."""
        frame = population([({"ethnicity_minor": "Gypsy / Roma"}, 200, 60), ({}, 2000, 200)])
        table = disproportionality(frame, ["ethnicity_minor"])
        r = row(table, "Gypsy / Roma")
        assert r.pa_risk_ratio == pytest.approx(3.0)
        assert r.pa_rr_low < 3.0 < r.pa_rr_high and r.pa_rr_low > 2
        assert r.share_of_pupils == pytest.approx(100 * 200 / 2200)
        assert r.share_of_pa == pytest.approx(100 * 60 / 260)
        assert r.pa_flag == "over-represented"
        assert "statistically clear" in r.summary
        assert row(table, "White British").pa_flag == "under-represented"

    def test_group_of_three_is_never_flagged(self) -> None:
        """3 pupils, all persistently absent, is not enough to say anything."""
        frame = population([({"ethnicity_minor": "Traveller of Irish heritage"}, 3, 3), ({}, 500, 50)])
        r = row(disproportionality(frame, ["ethnicity_minor"]), "Traveller of Irish heritage")
        assert r.pa_flag == "too few pupils to say"
        assert "too few to draw a conclusion" in r.summary

    def test_no_difference_is_not_flagged(self) -> None:
        frame = population([({"sex": "Male"}, 1000, 100), ({}, 1000, 100)])
        table = disproportionality(frame, ["sex"])
        assert set(table.pa_flag) == {""}
        assert row(table, "Male").pa_risk_ratio == pytest.approx(1.0)

    def test_many_groups_do_not_flag_on_chance(self) -> None:
        """40 groups drawn from one rate: the false discovery control flags (almost) none of them."""
        rng = np.random.default_rng(7)
        groups = [({"ethnicity_minor": f"G{i}"}, 200, int(rng.binomial(200, 0.15))) for i in range(40)]
        table = disproportionality(population(groups), ["ethnicity_minor"])
        assert (table.pa_flag == "over-represented").sum() <= 1

    def test_pairs(self) -> None:
        frame = population(
            [
                ({"fsm": "FSM eligible", "sen_provision": "SEN support"}, 100, 50),
                ({"fsm": "FSM eligible"}, 300, 45),
                ({}, 1000, 100),
            ]
        )
        table = disproportionality(frame, ["fsm", "sen"], pairs=True)
        r = row(table, "FSM eligible & SEN support")
        assert r.characteristic == "fsm x sen" and r.pa_flag == "over-represented"


class TestAdjusted:
    def test_recovers_a_planted_effect(self) -> None:
        """Group membership itself doubles the odds within every FSM stratum: the adjusted effect remains."""
        frame = population(
            [
                ({"ethnicity_minor": "Gypsy / Roma", "fsm": "FSM eligible"}, 200, 80),
                ({"ethnicity_minor": "Gypsy / Roma"}, 200, 40),
                ({"fsm": "FSM eligible"}, 1000, 250),
                ({}, 3000, 300),
            ]
        )
        effect = adjusted_effect(frame, "ethnicity_minor", "Gypsy / Roma", controls=("fsm",))
        assert effect.remains
        assert effect.odds_ratio_low > 1.5
        assert "still" in effect.describe() and "not explained by FSM eligibility" in effect.describe()

    def test_removes_a_confounded_effect(self) -> None:
        """A group whose higher PA is entirely because more of it is FSM eligible: no effect once adjusted."""
        frame = population(
            [
                ({"ethnicity_minor": "Group X", "fsm": "FSM eligible"}, 300, 90),
                ({"ethnicity_minor": "Group X"}, 100, 10),
                ({"fsm": "FSM eligible"}, 300, 90),
                ({}, 2000, 200),
            ]
        )
        effect = adjusted_effect(frame, "ethnicity_minor", "Group X", controls=("fsm",))
        assert effect.unadjusted_risk_ratio > 1.5
        assert not effect.remains
        assert effect.adjusted_risk_ratio == pytest.approx(1.0, abs=0.01)
        assert "largely explained by FSM eligibility" in effect.describe()


def test_schools_driving_an_la_gap() -> None:
    """School A's group pupils are far more absent than its other pupils; school B's are not."""
    a = population([({"fsm": "FSM eligible"}, 100, 40), ({}, 400, 40)], school=100001)
    b = population([({"fsm": "FSM eligible"}, 100, 10), ({}, 400, 40)], school=100002)
    frame = pd.concat([a, b], ignore_index=True).assign(enrolment_id=lambda f: range(len(f)))
    out = schools_driving_gap(frame, "fsm", "FSM eligible")
    assert list(out.school_urn) == [100001, 100002]
    assert out.excess_absentees.iloc[0] == pytest.approx(30.0)
    assert out.share_of_excess.iloc[0] == pytest.approx(100.0)


def test_end_to_end_from_the_store(store, write) -> None:
    """From imported registers: FSM pupils all absent, others all present."""
    reg = Register()
    reg.school()
    for i in range(24):
        p = reg.pupil(fsm="Y" if i < 12 else "N")
        reg.sessions(p, ("II" + "/" * 8) if i < 12 else "/" * 10)
    import_folder(store, write(reg))
    table = disproportionality_table(store, parse_period("2024/25"), ["fsm"])
    r = row(table, "FSM eligible")
    assert (r.enrolments, r.pa_enrolments, r.pa_rate) == (12, 12, 100.0)
    assert r.pa_flag == "over-represented"


def test_perfect_separation_is_said_in_words() -> None:
    """Every pupil in the group absent: no finite adjusted odds ratio, and the text says why."""
    frame = population([({"fsm": "FSM eligible"}, 12, 12), ({}, 12, 0)])
    effect = adjusted_effect(frame, "fsm", "FSM eligible", controls=("sen",))
    assert not effect.estimable
    assert "cannot be estimated: all or none of the 12 pupils" in effect.describe()


def test_within_each_school_equals_one_call_per_school() -> None:
    """disproportionality_within tests every school at once exactly as one call per school would
    (the false discovery rate controlled within each school, not across them)."""
    a = population([({"fsm": "FSM eligible"}, 30, 15), ({}, 70, 7)], school=100001)
    b = population([({"fsm": "FSM eligible"}, 12, 2), ({"sen_provision": "SEN support"}, 20, 9), ({}, 40, 4)])
    b = b.assign(school_urn=100002, enrolment_id=b.enrolment_id + 10_000)
    both = pd.concat([a, b], ignore_index=True)
    within = disproportionality_within(both, "school_urn", ["fsm", "sen"])
    for urn, rows in ((100001, a), (100002, b)):
        alone = disproportionality(rows, ["fsm", "sen"])
        mine = within[within.school_urn == urn].drop(columns="school_urn").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_dtype=False)
