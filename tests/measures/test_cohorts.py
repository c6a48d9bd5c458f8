"""Measures by the LA's priority cohorts: a member counts in the cohort only for the sessions inside their dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given

from attendwise.core.calendar import parse_period
from attendwise.core.cohorts import NOT_IN_COHORT, load_cohorts
from attendwise.ingest import import_folder
from attendwise.measures.absence import (
    MeasureError,
    Population,
    enrolment_absence,
    measure_table,
    measure_tables,
    resolve_grouping,
)
from attendwise.store import Store
from tests import reference
from tests.measures.test_properties import PROPERTY, load
from tests.registers import Register
from tests.strategies import RANGE, cohort_registers

EBSA = load_cohorts().get("ebsa")
AUTUMN = parse_period("2024/25-autumn")


@pytest.fixture
def half(store: Store, write) -> tuple[Store, str, str]:
    """Two pupils over 20 school days from 2 September (40 sessions each): ``member`` is in EBSA for the
    first 10 days, absent for 8 of them and present for the rest of the time; ``other`` is never absent."""
    reg = Register()
    reg.school(100001)
    member, other = reg.pupil(), reg.pupil()
    reg.sessions(member, "O" * 16 + "/" * 24, dt.date(2024, 9, 2))
    reg.sessions(other, "/" * 40, dt.date(2024, 9, 2))
    reg.cohort(member, "ebsa", "2024-09-02", "2024-09-13")  # days 1-10: sessions 1-20
    import_folder(store, write(reg))
    return store, member, other


def test_a_pupil_in_a_cohort_for_half_the_period_counts_only_for_those_sessions(half) -> None:
    store, member, _ = half
    frame = measure_table(store, AUTUMN, "cohort:ebsa").set_index("cohort_ebsa")
    inside, outside = frame.loc[EBSA.label], frame.loc[NOT_IN_COHORT]
    assert (inside.enrolments, inside.sess_possible, inside.sess_overall) == (1, 20, 16)
    assert (inside.enrolments_pa_10_exact, inside.enrolments_pa_50_exact) == (1, 1)  # 80% absent while in it
    # The member's other 20 sessions (all present) and the other pupil's 40.
    assert (outside.enrolments, outside.sess_possible, outside.sess_overall) == (2, 60, 0)
    assert outside.enrolments_pa_10_exact == 0
    total = measure_table(store, AUTUMN).iloc[0]
    assert inside.sess_possible + outside.sess_possible == total.sess_possible
    rows = enrolment_absence(store, AUTUMN, cohort=EBSA).to_pandas()
    assert sorted(rows[rows.upn == member].sess_possible) == [20, 20]


def test_a_membership_outside_the_period_counts_for_nothing(half) -> None:
    store, _, _ = half
    later = parse_period("2024-09-16..2024-09-27")
    frame = measure_table(store, later, "cohort:ebsa")
    assert frame.cohort_ebsa.tolist() == [NOT_IN_COHORT]


def test_a_cohort_groups_with_other_groupings_and_beside_them(half) -> None:
    store, _, _ = half
    both = measure_table(store, AUTUMN, "cohort:ebsa,school")
    assert list(both.columns[:4]) == ["time_period", "time_identifier", "cohort_ebsa", "school_urn"]
    tables = measure_tables(store, AUTUMN, {"all": None, "ebsa": "cohort:ebsa", "by_school": "school,cohort:ebsa"})
    pd.testing.assert_frame_equal(tables["ebsa"], measure_table(store, AUTUMN, "cohort:ebsa"))
    pd.testing.assert_frame_equal(tables["all"], measure_table(store, AUTUMN))
    assert tables["by_school"].enrolments.sum() == 3


def test_cohort_groupings_are_checked() -> None:
    assert resolve_grouping("cohort:EBSA,school") == ["cohort_ebsa", "school_urn", "school_name"]
    with pytest.raises(Exception, match="'carers' is not one of the LA's cohorts"):
        resolve_grouping("cohort:carers")
    with pytest.raises(MeasureError, match="one cohort at a time"):
        resolve_grouping("cohort:ebsa,cohort:youth_justice")


@PROPERTY
@given(cohort_registers())
def test_measures_by_cohort_equal_the_plain_reference(reg: Register) -> None:
    """By cohort, the Ibis measures give what splitting each enrolment's marks by hand gives; every count of
    sessions adds up to the whole."""
    store, folder, tmp = load(reg)
    with tmp, store:
        got = measure_table(store, RANGE, "cohort:ebsa").set_index("cohort_ebsa")
        want = reference.cohort_headline(folder, RANGE.start, RANGE.end, "ebsa", EBSA.label, NOT_IN_COHORT)
        assert sorted(got.index) == sorted(want)
        for group, figures in want.items():
            for key, expected in figures.items():
                assert got.at[group, key] == expected, (group, key)
        whole = measure_table(store, RANGE).iloc[0]
        for col in ("sess_possible", "sess_overall", "sess_authorised", "sess_unauthorised"):
            assert got[col].sum() == whole[col], col
        everyone = measure_table(store, RANGE, "cohort:ebsa", Population.all_ages())
        assert (
            everyone.sess_possible.sum()
            == measure_table(store, RANGE, population=Population.all_ages()).iloc[0].sess_possible
        )
