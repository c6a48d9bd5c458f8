"""What a pack is brought (:mod:`attendwise.reports.tsm.inputs`): previous actions from a CSV."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.reports.tsm import PreviousAction, TSMError, read_previous_actions


class TestActionsFile:
    def test_actions_from_csv(self, tmp_path) -> None:
        """The command line's CSV of actions; a bad date is named by file, line and field."""
        good = tmp_path / "actions.csv"
        good.write_text("upn,agreed_on,action,owner\nb999100024005,2024-11-04,Call home,LA\n", encoding="utf-8")
        assert read_previous_actions(good) == (
            PreviousAction("B999100024005", dt.date(2024, 11, 4), "Call home", "LA"),
        )
        bad = tmp_path / "bad.csv"
        bad.write_text("upn,agreed_on,action\nB999100024005,4/11/2024,Call\n", encoding="utf-8")
        with pytest.raises(TSMError, match=r"bad\.csv line 2, field 'agreed_on'"):
            read_previous_actions(bad)
