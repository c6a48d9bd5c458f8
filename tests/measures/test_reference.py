"""Reference figures: shipped national figures, DfE files loaded by the LA, statistical neighbours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attendwise.core.calendar import parse_period
from attendwise.ingest import import_folder
from attendwise.measures.reference import (
    ReferenceDataError,
    compare_with_reference,
    load_reference_file,
    load_statistical_neighbours,
    national_figures,
    read_dfe_file,
)
from tests.conftest import value
from tests.measures.test_dfe_data import DAILY, SHARED, need
from tests.registers import Register

NEIGHBOURS = SHARED / "dfe-statistical-neighbours" / "sn_may_2025.xlsx"


def test_shipped_national_figures() -> None:
    """2023/24: 7.1% overall, 20% PA, 2.3% SA (DfE census); a later year falls back to the latest shipped."""
    total = national_figures(202324).set_index("education_phase").loc["Total"]
    assert (total.sess_overall_percent, total.enrolments_pa_10_exact_percent, total.enrolments_pa_50_exact_percent) == (
        7.1,
        20.0,
        2.3,
    )
    assert national_figures(203031).time_period.iloc[0] == 202425


def test_daily_data_file_is_read_in_our_columns() -> None:
    """The DfE daily file's national 2024/25 total is 6.87% overall, 18.70% PA."""
    frame = read_dfe_file(need(DAILY / "EES_ytd_data_2024-25.csv"))
    nat = frame[(frame.geographic_level == "National") & (frame.education_phase == "Total")].iloc[0]
    assert nat.sess_overall_percent == pytest.approx(6.870, abs=5e-4)
    assert nat.enrolments_pa_10_exact_percent == pytest.approx(18.70, abs=5e-3)
    assert nat.time_identifier == "Academic year"


def test_suppressed_cells_are_missing_not_zero() -> None:
    """City of London's primary row is 'c' in 2024/25: it loads as missing."""
    frame = read_dfe_file(need(DAILY / "EES_ytd_data_2024-25.csv"))
    city = frame[(frame.la_name == "City of London") & (frame.education_phase == "State-funded primary")]
    assert city.sess_overall_percent.isna().all()


def test_not_a_dfe_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ReferenceDataError, match="not a DfE absence file"):
        read_dfe_file(path)


def test_compare_with_national_region_and_neighbours(store, write) -> None:
    """An LA treated as Coventry (331): its published figure, West Midlands, England and its 10 neighbours."""
    need(NEIGHBOURS)
    reg = Register()
    reg.school(la_code="331")
    reg.sessions(reg.pupil(), "I" + "/" * 19, dt.date(2024, 9, 2))
    import_folder(store, write(reg))
    assert load_reference_file(store, DAILY / "EES_ytd_data_2024-25.csv") > 400
    assert load_statistical_neighbours(store, NEIGHBOURS) > 1500
    table = compare_with_reference(store, parse_period("2024/25"), la_name="Our LA").set_index("comparator")
    assert table.loc["Our LA", "sess_overall_percent"] == pytest.approx(5.0)
    assert "Coventry (published)" in table.index and "West Midlands" in table.index
    assert table.loc["England", "sess_overall_percent"] == pytest.approx(6.870, abs=5e-4)
    assert "Statistical neighbours (10)" in table.index
    assert table.loc["Rank among itself and neighbours (1 = lowest absence)", "basis"] == "1 of 11"
    # loading the same file again replaces its rows rather than doubling them
    before = value(store, "SELECT count(*) FROM reference_figures")
    load_reference_file(store, DAILY / "EES_ytd_data_2024-25.csv")
    assert value(store, "SELECT count(*) FROM reference_figures") == before


def test_compare_uses_shipped_national_without_files(store, base, write) -> None:
    import_folder(store, write(base))
    table = compare_with_reference(store, parse_period("2024/25")).set_index("comparator")
    assert table.loc["England", "basis"].startswith("DfE, Pupil attendance in schools 2024/25")
