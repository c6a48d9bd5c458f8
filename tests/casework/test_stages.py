"""Stage models: the shipped three stages, LA-written models and their errors, and suggestions at the edges."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attendwise.casework.stages import (
    STAGE_MODELS,
    AttendanceFigures,
    StageModelError,
    load_stage_model,
    percent_text,
    suggest_from_band_move,
    suggest_stage,
)
from attendwise.measures.bands import load_scheme

THREE = load_stage_model("three-stages")


class TestThreeStages:
    def test_the_shipped_stages_and_their_leads(self) -> None:
        """Prevention, early intervention, targeted support; led by the school, the school then the LA
        Supporting Families team, and the LA officer."""
        assert [(s.number, s.key, s.lead, s.lead_with_family_support) for s in THREE.stages] == [
            (1, "prevention", "school", None),
            (2, "early_intervention", "school", "family_support"),
            (3, "targeted_support", "la_officer", None),
        ]
        assert THREE.leads["family_support"] == "LA Supporting Families team"
        assert THREE.stage("early_intervention").lead_for(family_support=True) == "family_support"
        assert THREE.stage("early_intervention").lead_for(family_support=False) == "school"
        assert THREE.stage("targeted_support").lead_for(family_support=True) == "la_officer"
        assert set(STAGE_MODELS) == {"three-stages"}

    @pytest.mark.parametrize(
        ("percent", "number"),
        [
            ("100", 1),
            ("91", 1),  # the written lower edge of stage 1
            ("90.9", 1),  # in no stage as written (91-100 / 51-90); over 90% is stage 1
            ("90.5", 1),
            ("90", 2),  # persistent absence: 10% absent
            ("51", 2),
            ("50.5", 2),  # in no stage as written
            ("50", 3),  # severe absence: "50% and below"
            ("0", 3),
        ],
    )
    def test_edges_follow_the_dfe_definitions(self, percent: str, number: int) -> None:
        """Every rate is in one stage: over 90% is stage 1, over 50% to 90% stage 2, 50% or less stage 3."""
        assert THREE.stage_for_percent(Fraction(percent)).number == number

    @pytest.mark.parametrize(
        ("attended", "possible", "number"),
        [(342, 380, 2), (343, 380, 1), (190, 380, 3), (191, 380, 2), (171, 190, 2), (95, 190, 3), (1, 1, 1), (0, 1, 3)],
    )
    def test_edges_on_sessions(self, attended: int, possible: int, number: int) -> None:
        """In sessions: 342 of 380 (90%) is stage 2 and 343 (90.26%) stage 1; 190 of 380 (50%) stage 3, 191 stage 2;
        the reference's E17 pupils (171 and 95 of 190) are stages 2 and 3."""
        assert THREE.stage_for(attended, possible).number == number

    @given(st.integers(1, 400).flatmap(lambda p: st.tuples(st.integers(0, p), st.just(p))))
    def test_stages_agree_with_the_three_stage_band_scheme(self, s: tuple[int, int]) -> None:
        """Property: the stage of any attendance is the band of the shipped three-stage band scheme."""
        attended, possible = s
        band = load_scheme("three-stages").band_for(attended, possible)
        assert THREE.stage_for(attended, possible).key == band.key

    def test_describe(self) -> None:
        assert THREE.stage("early_intervention").describe() == (
            "Stage 2: early intervention: attendance over 50% and at most 90%; lead practitioner: School, "
            "then LA Supporting Families team once the family qualifies for intensive support"
        )


class TestSuggestions:
    def test_a_drop_below_90_suggests_moving_up(self) -> None:
        """342 of 380 sessions is 90.0%: stage 2, so a stage 1 case is asked to consider moving up, with the figures."""
        s = suggest_stage(THREE, "prevention", AttendanceFigures("2024/25 so far", 342, 380))
        assert (s.suggested.number, s.moves, s.direction) == (2, True, "up")
        assert s.describe() == (
            "Attendance 90.0% (342 of 380 possible sessions attended, 2024/25 so far) is in stage 2: early "
            "intervention; the case is at stage 1: prevention: consider moving up to stage 2."
        )

    def test_just_over_90_stays_and_is_never_shown_as_90(self) -> None:
        """343 of 380 is 90.26%: stage 1, the case's stage; 8999 of 9998 (90.008%) would round to 90.0, so it
        is quoted to the place that keeps it over 90."""
        s = suggest_stage(THREE, "prevention", AttendanceFigures("autumn", 343, 380))
        assert (s.moves, s.direction) == (False, None)
        assert s.describe().endswith("is in stage 1: prevention, the case's stage.")
        near = suggest_stage(THREE, "early_intervention", AttendanceFigures("autumn", 8999, 9998))
        assert (near.suggested.number, near.direction) == (1, "down")
        assert near.describe().startswith("Attendance 90.01% (8999 of 9998")

    def test_recovery_suggests_moving_down(self) -> None:
        s = suggest_stage(THREE, "targeted_support", AttendanceFigures("spring", 360, 380))
        assert (s.suggested.number, s.direction) == (1, "down")

    def test_no_case_yet(self) -> None:
        s = suggest_stage(THREE, None, AttendanceFigures("autumn", 100, 200))
        assert (s.suggested.number, s.moves, s.direction) == (3, True, None)

    def test_no_possible_sessions_suggests_nothing(self) -> None:
        with pytest.raises(StageModelError, match="no possible sessions"):
            suggest_stage(THREE, None, AttendanceFigures("autumn", 0, 0))

    def test_band_move_between_half_terms(self) -> None:
        """From 92% last half term to 89% this one the pupil moves from stage 1 to 2: a suggestion; within a
        stage, none."""
        before, after = AttendanceFigures("autumn 1", 69, 75), AttendanceFigures("autumn 2", 62, 70)
        moved = suggest_from_band_move(THREE, "prevention", before, after)
        assert moved is not None and moved.suggested.number == 2 and moved.figures == after
        same = AttendanceFigures("autumn 2", 66, 70)
        assert suggest_from_band_move(THREE, "prevention", before, same) is None

    @pytest.mark.parametrize(
        ("rate", "text"),
        [("88.15", "88.2"), ("89.96", "89.96"), ("90", "90.0"), ("90.04", "90.04"), ("50.04", "50.04")],
    )
    def test_percent_text_never_lands_on_an_edge_it_is_not_on(self, rate: str, text: str) -> None:
        assert percent_text(Fraction(rate), THREE.edges) == text


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "our-stages.toml"
    path.write_text(body, encoding="utf-8")
    return path


LEADS = '[lead]\nschool = "School"\nofficer = "LA officer"\n'


class TestLAWrittenModels:
    def test_four_stages(self, tmp_path: Path) -> None:
        """An LA's own model in the same form: four stages, edges as the LA writes them."""
        model = load_stage_model(
            write(
                tmp_path,
                LEADS
                + """
[[stage]]
key = "universal"
number = 1
name = "Universal"
at_least = 95
lead = "school"
[[stage]]
key = "watch"
number = 2
name = "Watch"
above = 90
below = 95
lead = "school"
[[stage]]
key = "support"
number = 3
name = "Support"
above = 50
at_most = 90
lead = "school"
lead_with_family_support = "officer"
[[stage]]
key = "legal"
number = 4
name = "Legal"
at_most = 50
lead = "officer"
""",
            )
        )
        assert [model.stage_for_percent(p).number for p in ("95", "94.9", "90.1", "90", "50")] == [1, 2, 2, 3, 4]
        assert model.by_number(3).lead_with_family_support_name == "LA officer"

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (
                LEADS + '[[stage]]\nkey="a"\nnumber=1\nname="A"\nat_least=91\nlead="school"\n'
                '[[stage]]\nkey="b"\nnumber=2\nname="B"\nat_most=90\nlead="school"\n',
                "our-stages.toml: stages 'b' and 'a' leave a gap at 90%-91%",
            ),
            (
                LEADS + '[[stage]]\nkey="a"\nnumber=1\nname="A"\nat_least=90\nlead="school"\n'
                '[[stage]]\nkey="b"\nnumber=2\nname="B"\nat_most=90\nlead="school"\n',
                "stages 'b' and 'a' overlap at 90%-90%",
            ),
            (
                LEADS + '[[stage]]\nkey="a"\nnumber=2\nname="A"\nabove=50\nlead="school"\n'
                '[[stage]]\nkey="b"\nnumber=1\nname="B"\nat_most=50\nlead="school"\n',
                "stage 'a' is number 2, but it is stage 1 counting from the highest attendance",
            ),
            (LEADS + '[[stage]]\nkey="a"\nname="A"\nlead="school"\n', "stage 'a' needs a number"),
            (
                LEADS + '[[stage]]\nkey="a"\nnumber=1\nname="A"\nlead="head"\n',
                "stage 'a': lead must be one of the \\[lead\\] table's keys \\(school, officer\\), got 'head'",
            ),
            ('[[stage]]\nkey="a"\nnumber=1\nname="A"\nlead="school"\n', "needs a \\[lead\\] table"),
            (LEADS, "a scheme needs \\[\\[stage\\]\\] entries"),
            (LEADS + '[[stage]]\nkey="a"\nnumber=1\nname="A"\nat_least=1\nlead="school"\n', "no stage includes 0%"),
            ("name = ", "our-stages.toml: Invalid value"),
        ],
    )
    def test_refused_with_the_file_and_the_stage_named(self, tmp_path: Path, body: str, message: str) -> None:
        with pytest.raises(StageModelError, match=message):
            load_stage_model(write(tmp_path, body))

    def test_unknown_preset_or_file(self) -> None:
        with pytest.raises(StageModelError, match="neither a stage model preset \\(three-stages\\) nor a file"):
            load_stage_model("four-stages")

    def test_unknown_stage(self) -> None:
        with pytest.raises(StageModelError, match="has no stage 'legal'"):
            THREE.stage("legal")
