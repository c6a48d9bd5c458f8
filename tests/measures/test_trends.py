"""Measures over time and change on last year."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.ingest import import_folder
from attendwise.measures.trends import change_on_last_year, periods_in_store, trend
from tests.registers import Register


@pytest.fixture
def two_years(store, write):
    """One pupil: 2023/24 autumn 20% absent, spring none; 2024/25 autumn 10% absent (to 29 Nov 2024)."""
    reg = Register()
    reg.school()
    p = reg.pupil(dob="2014-03-01")
    reg.sessions(p, "I" * 4 + "/" * 16, dt.date(2023, 11, 6))
    reg.sessions(p, "/" * 20, dt.date(2024, 1, 8))
    reg.sessions(p, "I" * 2 + "/" * 18, dt.date(2024, 11, 18))
    import_folder(store, write(reg))
    return store


def test_terms_across_years(two_years) -> None:
    periods = periods_in_store(two_years, "term")
    assert [p.label for p in periods] == [
        "2023/24 autumn term",
        "2023/24 spring term",
        "2023/24 summer term",
        "2024/25 autumn term (to 29 Nov 2024)",
    ]
    frame = trend(two_years, "term")
    assert list(frame.period) == ["2023/24 autumn term", "2023/24 spring term", "2024/25 autumn term (to 29 Nov 2024)"]
    assert list(frame.sess_overall_percent) == [20.0, 0.0, 10.0]
    assert list(frame.enrolments_pa_10_exact_percent) == [100.0, 0.0, 100.0]


def test_year_pa_is_recomputed_not_averaged(two_years) -> None:
    years = trend(two_years, "year")
    assert years.sess_overall_percent.iloc[0] == pytest.approx(10.0)  # 4 of 40
    assert years.enrolments_pa_10_exact_percent.iloc[0] == 100.0


def test_change_on_last_year(two_years) -> None:
    """To 29 Nov 2024 against to 29 Nov 2023: 2 of 20 (10%) now against 4 of 20 (20%) then."""
    frame = change_on_last_year(two_years)
    r = frame.iloc[0]
    assert (r.sess_overall_percent, r.sess_overall_percent_last_year, r.sess_overall_percent_change) == (
        10.0,
        20.0,
        -10.0,
    )
    assert r.compared_with == "2023/24 to 29 Nov"


def test_grouped_trend(two_years) -> None:
    frame = trend(two_years, "term", by="fsm")
    assert set(frame.fsm) == {"FSM not eligible"}
