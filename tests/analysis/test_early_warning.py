"""Early warning: trajectory rules, reasons, the learned model, and a backtest that cannot see the future."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from attendwise.analysis.backtest import _last_day_before, backtest, score_at
from attendwise.analysis.early_warning import (
    EarlyWarningError,
    at_risk,
    features_at,
    heading_into_pa,
    projected_absence,
    reasons,
    train_model,
    year_grid,
)
from attendwise.core.calendar import AcademicYear
from attendwise.demo import CitySpec, generate_city
from attendwise.ingest import import_folder
from attendwise.store import Store
from tests.registers import Register

TEST_YEAR = AcademicYear(2024)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic city with two years (2023/24, 2024/25) imported into a store file."""
    root = tmp_path_factory.mktemp("city")
    generate_city(root / "csv", CitySpec(pupils=1200, schools=6, first_year=2023, years=2, seed=11))
    with Store(root / "city.duckdb") as store:
        import_folder(store, root / "csv")
    return root / "city.duckdb"


@pytest.fixture(scope="module")
def model(city: Path):
    with Store(city, read_only=True) as store:
        return train_model([year_grid(store, AcademicYear(2023))])


class TestNoFutureData:
    def test_features_read_no_later_week(self, city: Path) -> None:
        """Features after N weeks are the same from the whole year's grid as from one cut off at week N."""
        with Store(city, read_only=True) as store:
            full = year_grid(store, TEST_YEAR)
            for n in (4, 8, 12):
                cut = year_grid(store, TEST_YEAR, as_of=_last_day_before(full, n))
                a = features_at(full, n).set_index("enrolment_id").sort_index()
                b = features_at(cut, n).set_index("enrolment_id").sort_index()
                pd.testing.assert_frame_equal(a, b)

    def test_backtest_scores_ignore_later_marks(self, city: Path, tmp_path: Path) -> None:
        """Rewriting every mark after week 8 of the test year changes how pupils end the year but not one
        week-8 score, nor the model (trained on earlier years only). A leak of either kind fails this."""
        with Store(city, read_only=True) as store:
            full = year_grid(store, TEST_YEAR)
            cut = _last_day_before(full, 8)
            model = train_model([year_grid(store, AcademicYear(2023))])
            before = score_at(store, full, 8, model).sort_values("enrolment_id").reset_index(drop=True)
            report_before = backtest(store, (8,), model=None, test_year=TEST_YEAR, history_years=1)
        altered = tmp_path / "altered.duckdb"
        shutil.copy(city, altered)
        with Store(altered) as store:
            store.duckdb_connection().execute(
                "UPDATE marks SET code = 'O' WHERE date > ? AND code IN ('/', '\\')", [cut]
            )
            full2 = year_grid(store, TEST_YEAR)
            after = score_at(store, full2, 8, model).sort_values("enrolment_id").reset_index(drop=True)
            report_after = backtest(store, (8,), model=None, test_year=TEST_YEAR, history_years=1)
        pd.testing.assert_frame_equal(before, after)
        a, b = report_before.summary.iloc[0], report_after.summary.iloc[0]
        assert b.ended_pa > a.ended_pa  # the later marks did change the outcomes...
        assert report_before.trained_on == report_after.trained_on == ("2023/24",)


class TestBacktest:
    def test_reports_every_figure(self, city: Path) -> None:
        with Store(city, read_only=True) as store:
            report = backtest(store, (4, 8), test_year=TEST_YEAR, history_years=1)
        s = report.summary.set_index("weeks")
        assert list(s.index) == [4, 8]
        assert (s.auc_pa > 0.7).all() and (s.auc_pa <= 1).all()
        assert ((s.precision_top_k >= 0) & (s.precision_top_k <= 1)).all()
        assert (s.rule_warning_weeks == 0).all()
        assert set(report.calibration) == {4, 8} and len(report.calibration[8]) == 10
        assert "trained on 2023/24 only" in report.describe()

    def test_needs_an_earlier_year(self, store: Store, base, write) -> None:
        import_folder(store, write(base))
        with pytest.raises(EarlyWarningError, match="no year before"):
            backtest(store, (1,), test_year=TEST_YEAR)


class TestRulesAndReasons:
    def features(self, **overrides: float) -> pd.Series:
        row = {
            "week": 8,
            "possible": 80,
            "absence_rate": 0.06,
            "recent_rate": 0.12,
            "earlier_rate": 0.02,
            "mondays_recent": 4,
            "fridays_recent": 0,
            "unauth_recent4": 4,
            "unauth_prev4": 1,
            "unauth_last10": 5,
            "whole_weeks_recent": 0,
            "ly_rate": 0.14,
            "ly_pa": 1,
            "ly_sa": 0,
            "moved_phase": 1,
            "year_group": 7,
            "new_to_school": 1,
        }
        return pd.Series(row | overrides)

    def test_projection_weights_recent_weeks(self) -> None:
        """6% absent so far, 12% lately: at 0.6*12 + 0.4*6 = 9.6% for 31 more weeks, the year ends near 9.2%."""
        frame = pd.DataFrame([self.features()])
        projected = projected_absence(frame, weeks_in_year=39).iloc[0]
        assert projected == pytest.approx((0.06 * 80 + 0.096 * 310) / 390)

    def test_reasons_in_words(self) -> None:
        row = self.features()
        row["projected_absence"] = 0.11
        words = reasons(row, 39)
        assert "attendance fell from 98% to 88% over the last 6 weeks" in words
        assert "on course to end the year at 89% attendance" in words
        assert "4 Mondays missed in the last 8 weeks" in words
        assert "unauthorised absence rising (1 to 4 sessions in successive 4-week spells)" in words
        assert "was persistently absent last year (86% attendance)" in words
        assert "moved to secondary school this year" in words

    def test_quiet_pupil_has_no_reasons(self) -> None:
        row = self.features(
            absence_rate=0.01,
            recent_rate=0.01,
            earlier_rate=0.01,
            mondays_recent=0,
            unauth_recent4=0,
            unauth_prev4=0,
            ly_rate=0.02,
            ly_pa=0,
            moved_phase=0,
            new_to_school=0,
        )
        row["projected_absence"] = 0.01
        assert reasons(row, 39) == []


def test_week_counts_school_weeks(store: Store, write) -> None:
    """Half-term weeks (no marks) are not school weeks: 'after 2 weeks' skips the holiday."""
    reg = Register()
    reg.school()
    p = reg.pupil()
    reg.sessions(p, "/" * 10, dt.date(2024, 10, 21))
    reg.sessions(p, "IIIIIIIIII", dt.date(2024, 11, 4))
    import_folder(store, write(reg))
    grid = year_grid(store, TEST_YEAR)
    assert grid.weeks == 2 and grid.week_starts == [dt.date(2024, 10, 21), dt.date(2024, 11, 4)]
    after_one, after_two = features_at(grid, 1).iloc[0], features_at(grid, 2).iloc[0]
    assert (after_one.possible, after_one.absence_rate) == (10, 0.0)
    assert (after_two.possible, after_two.absence_rate) == (20, 0.5)


def test_at_risk_lists_everyone_on_roll_with_reasons(city: Path, model) -> None:
    with Store(city, read_only=True) as store:
        frame = at_risk(store, model=model)
    assert len(frame) > 1000
    assert frame.risk_pa.is_monotonic_decreasing
    assert frame.reasons.str.len().gt(0).any()
    assert {"upn", "school_name", "attendance_percent", "projected_attendance_percent", "risk_sa", "rule"} <= set(
        frame.columns
    )


def test_transition_view_shows_last_year_beside_this_year(city: Path, model) -> None:
    """Year 7 pupils this year, each with last year's attendance (at primary) and the change since."""
    from attendwise.analysis.early_warning import transition

    with Store(city, read_only=True) as store:
        frame = transition(store, into="secondary", model=model)
        infant = transition(store, into="infant", model=model)
    assert len(frame) > 50 and set(frame.nc_year) == {"7"}
    with_history = frame.dropna(subset=["last_year_attendance_percent"])
    assert len(with_history) > 0.8 * len(frame)
    assert (
        with_history.change_points == with_history.attendance_percent - with_history.last_year_attendance_percent
    ).all()
    assert set(infant.nc_year) <= {"R", "1"} and len(infant) > 0
    with pytest.raises(EarlyWarningError, match="unknown transition"):
        transition(store, into="college", model=model)


def test_cli_transition_and_drivers(city: Path) -> None:
    from click.testing import CliRunner

    from attendwise.cli import main

    runner = CliRunner()
    out = runner.invoke(main, ["--store", str(city), "transition", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert "last_year_attendance_percent" in out.output.splitlines()[0]
    out = runner.invoke(
        main, ["--store", str(city), "disproportionality", "--drivers", "fsm=FSM eligible", "--format", "csv"]
    )
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0].startswith("school_urn,school_name,group_enrolments")


def test_first_year_gets_rules_and_reasons_without_a_model(tmp_path: Path) -> None:
    """An LA's first year in the store has nothing to learn from: the rules still rank and explain, the
    learned risks are missing rather than invented, and asking for the model says why it cannot be had."""
    generate_city(tmp_path / "csv", CitySpec(pupils=400, schools=3, first_year=2024, years=1, seed=5))
    with Store(tmp_path / "one.duckdb") as store:
        import_folder(store, tmp_path / "csv")
        with pytest.raises(EarlyWarningError, match="no year before"):
            at_risk(store)
        frame = at_risk(store, require_model=False)
    assert frame.risk_pa.isna().all() and frame.risk_sa.isna().all()
    assert frame.projected_attendance_percent.is_monotonic_increasing
    worst = frame.iloc[0]
    assert worst.rule in {"severely absent", "persistently absent"}
    assert worst.reasons.startswith("already")


def test_last_years_history_from_census_blocks_equals_the_marks(city: Path, monkeypatch) -> None:
    """Last year's attendance per pupil is read from the census blocks when they cover the year; it must be
    exactly what counting last year's marks gives."""
    from attendwise.analysis.early_warning import _enrolments

    with Store(city, read_only=True) as store:
        fast = _enrolments(store, TEST_YEAR, TEST_YEAR.end)
        monkeypatch.setattr(store, "blocks_cover", lambda *a, **k: False)
        slow = _enrolments(store, TEST_YEAR, TEST_YEAR.end)
    cols = ["ly_possible", "ly_absent", "ly_unauth", "ly_phase", "ly_schools"]
    assert fast.ly_possible.notna().sum() > 100  # most pupils have a last year here
    pd.testing.assert_frame_equal(
        fast.sort_values("enrolment_id")[["enrolment_id", *cols]].reset_index(drop=True),
        slow.sort_values("enrolment_id")[["enrolment_id", *cols]].reset_index(drop=True),
        check_dtype=False,
    )


def test_heading_into_pa_takes_pupils_not_yet_pa_on_either_signal() -> None:
    frame = pd.DataFrame(
        {
            "attendance_percent": [95.0, 95.0, 95.0, 89.0, 90.0],
            "projected_attendance_percent": [96.0, 90.0, 93.0, 85.0, 88.0],
            "risk_pa": [0.1, 0.2, 0.6, 0.9, float("nan")],
        }
    )
    # on course for 90% or below; likely by the model; 89% and 90% are already persistently absent
    assert list(heading_into_pa(frame).index) == [1, 2]


def test_a_priority_cohort_is_a_feature_from_its_start_date_only(store, write) -> None:
    """A pupil in EBSA from the third school week: the snapshot after two weeks does not know it, after four does."""
    import datetime as dt

    from attendwise.analysis.early_warning import cohort_features, features_at, year_grid
    from attendwise.core.calendar import AcademicYear
    from attendwise.ingest import import_folder
    from tests.registers import Register

    reg = Register()
    reg.school(100001)
    member, other = reg.pupil(), reg.pupil()
    for upn in (member, other):
        reg.sessions(upn, "/" * 60, dt.date(2024, 9, 2))
    reg.cohort(member, "ebsa", "2024-09-16")
    import_folder(store, write(reg))
    grid = year_grid(store, AcademicYear(2024))
    assert cohort_features([grid]) == ("cohort_ebsa",)
    for week, flags in ((2, {member: 0, other: 0}), (4, {member: 1, other: 0})):
        frame = features_at(grid, week).merge(grid.enrolments[["enrolment_id", "upn"]], on="enrolment_id")
        assert dict(zip(frame.upn, frame.cohort_ebsa, strict=True)) == flags
