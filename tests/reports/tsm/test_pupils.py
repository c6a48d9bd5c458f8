"""The pupil lists (:mod:`attendwise.reports.tsm.pupils`): severely and persistently absent, no
attendance this year or in the last three school weeks, and at risk."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.measures.absence import Population
from attendwise.reports.tsm import TSMPack, tsm_pack
from attendwise.store import Store
from tests.reports.tsm.tsm_school import AS_AT, URN, keys


class TestSevereAndPersistent:
    def test_every_severely_absent_pupil_on_roll_lowest_first(self, pack: TSMPack, school) -> None:
        """The leaver and the reception child are not listed; a pupil who came once is (1%)."""
        upns = school[1]
        assert set(keys(upns, pack.severely_absent)) == {
            "severe",
            "zero",
            "came_once",
            "came_once_recently",
            "late_joiner",
            "joined_in_window",
            "cme",
        }
        rates = [x.attendance_percent for x in pack.severely_absent]
        assert rates == sorted(rates) and rates[-1] == pytest.approx(40.0)

    def test_persistently_absent_exactly_once(self, pack: TSMPack, school) -> None:
        """90% exactly is persistent, 91% is not; the severely absent are not repeated; with the leaver the
        two lists make the school's 14 persistently absent."""
        upns = school[1]
        assert keys(upns, pack.persistently_absent) == [
            "improving",
            "authorised_only",
            "mixed_with_authorised",
            "mixed_unauthorised",
            "persistent",
            "ninety",
        ]
        assert len(pack.severely_absent) + len(pack.persistently_absent) + 1 == pack.overall.school.persistently_absent

    def test_trend_band_history_and_reasons(self, pack: TSMPack, school) -> None:
        """The severely absent pupil: 50% in the 4 weeks before, 0% in the last 4; severe in both half terms;
        illness, N and O 20 sessions each."""
        severe = next(x for x in pack.severely_absent if x.upn == school[1]["severe"])
        assert (severe.sess_possible, severe.sess_attended, severe.sess_unauthorised) == (100, 40, 40)
        t = severe.trend
        assert (t.recent_possible, t.recent_attended, t.previous_possible, t.previous_attended) == (40, 0, 40, 20)
        assert t.direction == "falling" and t.change_points == pytest.approx(-50)
        assert [(b.period, b.sess_possible, b.sess_overall, b.band_key) for b in severe.band_history] == [
            ("Autumn 1", 80, 40, "severe"),
            ("Autumn 2", 20, 20, "severe"),
        ]
        assert [(r.label, r.sessions) for r in severe.reasons] == [
            ("Illness (not medical or dental appointments)", 20),
            ("No reason yet provided", 20),
            ("Other unauthorised absence", 20),
        ]
        assert severe.priority_groups == ("FSM",)
        improving = next(x for x in pack.persistently_absent if x.upn == school[1]["improving"])
        assert [b.band_key for b in improving.band_history] == ["severe", "expected"]
        assert improving.priority_groups == ("Social worker",)


class TestZeroAttendance:
    def test_who_has_not_attended_this_year(self, pack: TSMPack, school) -> None:
        """Listed: never attended, the late joiners (since their first session) and the CME pupil. Not listed:
        a pupil who came once (even long ago), the leaver, a pupil with no possible sessions, reception."""
        upns = school[1]
        got = dict(zip(keys(upns, pack.zero_attendance), pack.zero_attendance, strict=True))
        assert set(got) == {"zero", "late_joiner", "joined_in_window", "cme"}
        assert (got["zero"].since, got["zero"].late_joiner) == (dt.date(2024, 9, 2), False)
        assert (got["late_joiner"].since, got["late_joiner"].late_joiner) == (dt.date(2024, 10, 7), True)
        assert got["joined_in_window"].since == dt.date(2024, 11, 11)

    def test_all_ages_brings_in_reception(self, school: tuple[str, dict[str, str]]) -> None:
        """With every age counted, the reception child who never attended is listed too."""
        path, upns = school
        with Store(path, read_only=True) as store:
            wide = tsm_pack(store, URN, "2024/25-autumn", population=Population.all_ages())
        assert "reception" in keys(upns, wide.zero_attendance)


class TestNoAttendanceRecently:
    def test_the_window_is_15_school_days_over_the_holiday(self, pack: TSMPack) -> None:
        section = pack.no_attendance_recently
        assert (section.window_start, section.window_end, section.school_days) == (
            dt.date(2024, 10, 21),
            AS_AT,
            15,
        )

    def test_unauthorised_only_and_not_cme(self, pack: TSMPack, school) -> None:
        """Listed: every session in the window unauthorised (mixed G/N/U/O with a Y7 too; a pupil who came
        once before the window; late joiners judged since joining). Not listed: one attended session in the
        window, authorised absence only, one authorised session among unauthorised ones, the CME pupil."""
        upns = school[1]
        section = pack.no_attendance_recently
        assert set(keys(upns, section.pupils)) == {
            "severe",
            "zero",
            "came_once",
            "mixed_unauthorised",
            "late_joiner",
            "joined_in_window",
        }
        assert section.left_out_as_cme == (upns["cme"],)
        mixed = next(x for x in section.pupils if x.pupil.upn == upns["mixed_unauthorised"])
        assert mixed.sess_possible == 26  # 30 sessions less the 4 Y7, which are not possible sessions
        assert dict(mixed.unauthorised_by_reason) == {
            "Other unauthorised absence": 14,
            "No reason yet provided": 4,
            "Holiday not agreed": 4,
            "Late after registers closed": 4,
        }
        joined = next(x for x in section.pupils if x.pupil.upn == upns["joined_in_window"])
        assert joined.sess_possible == 10

    def test_cme_exclusion_by_predicate_or_not_at_all(self, school: tuple[str, dict[str, str]]) -> None:
        """A predicate excludes as a set does; without an exclusion the CME pupil is listed."""
        path, upns = school
        with Store(path, read_only=True) as store:
            by_predicate = tsm_pack(store, URN, "2024/25-autumn", exclude_cme=lambda upn: upn == upns["cme"])
            none = tsm_pack(store, URN, "2024/25-autumn")
        assert by_predicate.no_attendance_recently.left_out_as_cme == (upns["cme"],)
        assert "cme" in keys(upns, none.no_attendance_recently.pupils)
        assert none.no_attendance_recently.left_out_as_cme == ()


class TestAtRisk:
    def test_not_yet_persistent_but_projected(self, pack: TSMPack, school) -> None:
        """Without an earlier year there is no model: the 91% pupil, falling, is projected below 90%."""
        assert "no learned model" in pack.at_risk_basis
        assert keys(school[1], pack.at_risk) == ["ninety_one"]
        risk = pack.at_risk[0]
        assert risk.risk_pa is None and risk.projected_attendance_percent < 90
        assert any("on course to end the year" in r for r in risk.reasons)
