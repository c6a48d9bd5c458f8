"""The meeting's agenda and action review (:mod:`attendwise.reports.tsm.actions`)."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.reports.tsm import TSMPack


class TestCaseStoreInputs:
    def test_pupils_to_discuss(self, pack: TSMPack, school) -> None:
        """Known pupils come with their summary; an unknown UPN and a leaver say why."""
        regular, unknown, left = pack.discussed
        assert regular.pupil is not None and regular.pupil.attendance_percent == 100
        assert unknown.pupil is None and "not counted at this school" in unknown.note
        assert left.pupil is not None and left.note == "left the school on 11 Oct 2024"

    def test_improvement_since_each_action(self, pack: TSMPack) -> None:
        """Before = the 30 school days before 4 Nov (16 Sep to 25 Oct); since = 4 to 15 Nov."""
        improving, persistent, unknown, future = pack.previous_actions
        assert improving.before_start == dt.date(2024, 9, 16)
        assert (improving.before_possible, improving.before_attended) == (60, 20)
        assert (improving.since_possible, improving.since_attended) == (20, 20)
        assert improving.improved is True and improving.change_points == pytest.approx(100 - 100 / 3)
        assert improving.describe() == "attendance rose from 33% to 100% since 04 Nov 2024"
        assert (persistent.before_attended, persistent.since_attended) == (50, 15)
        assert persistent.improved is False
        assert unknown.pupil is None and unknown.improved is None
        assert future.since_possible == 0 and future.improved is None
        assert future.describe().startswith("no possible sessions since")
