"""The LA's priority cohorts in a school (:mod:`attendwise.reports.tsm.cohorts`)."""

from __future__ import annotations

import pytest

from attendwise.reports.tsm import COHORTS, TSMPack


class TestCohorts:
    def test_priority_cohorts_with_flags(self, pack: TSMPack) -> None:
        """One FSM pupil at 40%; two with a social worker (CIN at 1%, CPP at 60%); all too few to flag."""
        cohorts = {c.cohort: c for c in pack.cohorts}
        assert list(cohorts) == list(COHORTS)
        fsm = cohorts["FSM eligible"]
        assert (fsm.pupils, fsm.attendance_percent, fsm.persistently_absent) == (1, pytest.approx(40.0), 1)
        social = cohorts["With a social worker (CIN or CPP)"]
        assert (social.pupils, social.attendance_percent, social.severely_absent) == (2, pytest.approx(30.5), 1)
        assert social.la_pupils == 2
        assert {c.flag for c in pack.cohorts} == {"too few pupils to say"}
        assert cohorts["Looked after"].others_persistent_absence_percent == pytest.approx(100 * 13 / 15)
