"""The national attendance codes: categories by code set, and the switch date."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.core.codes import CODE_SETS, SWITCH_DATE, Category, CodeError, code_set_for, lookup
from tests.conftest import value

BEFORE = dt.date(2024, 8, 18)
AFTER = SWITCH_DATE


class TestCodeSetFor:
    def test_switch_is_19_august_2024(self) -> None:
        """The 2024 codes apply from 19 August 2024 and not a day earlier."""
        assert code_set_for(BEFORE) == "2006"
        assert code_set_for(AFTER) == "2024"


class TestCovidX:
    @pytest.mark.parametrize(
        ("day", "code_set", "possible"),
        [
            (dt.date(2020, 7, 31), "2006", False),
            (dt.date(2020, 8, 1), "2020", True),
            (dt.date(2021, 1, 4), "2020", True),
            (dt.date(2022, 7, 31), "2020", True),
            (dt.date(2022, 8, 1), "2006", False),
            (dt.date(2024, 9, 2), "2024", False),
        ],
    )
    def test_x_is_coronavirus_only_in_2020_21_and_2021_22(self, day: dt.date, code_set: str, possible: bool) -> None:
        """X meant "not attending for coronavirus reasons" (possible, not absence) in those two years, and
        non-compulsory school age (not possible) before and after; every other code reads as in 2006."""
        assert code_set_for(day) == code_set
        x = lookup("X", day)
        assert x.category.counts_as_possible is possible
        assert not x.category.counts_as_absence and not x.category.counts_as_attendance
        if code_set == "2020":
            others = {c: v.category for c, v in CODE_SETS["2020"].items() if c != "X"}
            assert others == {c: v.category for c, v in CODE_SETS["2006"].items() if c != "X"}

    def test_sql_and_ibis_choose_the_same_set(self, store) -> None:  # type: ignore[no-untyped-def]
        """code_set_sql and code_set_of say what code_set_for says, on every boundary."""
        import ibis

        from attendwise.core.codes import code_set_of, code_set_sql

        days = [dt.date(2020, 7, 31), dt.date(2020, 8, 1), dt.date(2022, 7, 31), dt.date(2022, 8, 1), BEFORE, AFTER]
        for day in days:
            by_sql = value(store, f"SELECT {code_set_sql('d')} FROM (SELECT DATE '{day}' AS d)")
            by_ibis = store.ibis.execute(code_set_of(ibis.literal(day)))
            assert by_sql == by_ibis == code_set_for(day), day


class TestCategories:
    @pytest.mark.parametrize("code", ["/", "\\", "L"])
    def test_present(self, code: str) -> None:
        """Present and late-before-close count as attendance in both sets."""
        for day in (BEFORE, AFTER):
            assert lookup(code, day).category is Category.PRESENT

    @pytest.mark.parametrize(
        ("code", "day"),
        [
            ("B", BEFORE),
            ("J", BEFORE),
            ("P", BEFORE),
            ("V", BEFORE),
            ("W", BEFORE),
            ("K", AFTER),
            ("B", AFTER),
            ("P", AFTER),
            ("V", AFTER),
            ("W", AFTER),
        ],
    )
    def test_approved_educational_activity(self, code: str, day: dt.date) -> None:
        """AEA codes count as attendance and as possible sessions."""
        c = lookup(code, day)
        assert c.category is Category.AEA
        assert c.category.counts_as_attendance and c.category.counts_as_possible

    def test_old_j_is_attendance_but_j1_is_authorised_absence(self) -> None:
        """Old J (interview) was AEA; J1 is authorised absence: the category is never taken from the letter."""
        assert lookup("J", BEFORE).category.counts_as_attendance
        assert lookup("J1", AFTER).category is Category.AUTHORISED
        assert lookup("J1", AFTER).reason == "sess_auth_interview"

    @pytest.mark.parametrize("code", ["C", "E", "H", "F", "I", "M", "R", "S", "T"])
    def test_2006_authorised(self, code: str) -> None:
        assert lookup(code, BEFORE).category is Category.AUTHORISED

    @pytest.mark.parametrize("code", ["C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E"])
    def test_2024_authorised(self, code: str) -> None:
        assert lookup(code, AFTER).category is Category.AUTHORISED

    @pytest.mark.parametrize("code", ["G", "N", "O", "U"])
    def test_unauthorised_in_both(self, code: str) -> None:
        for day in (BEFORE, AFTER):
            assert lookup(code, day).category is Category.UNAUTHORISED

    @pytest.mark.parametrize("code", ["D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"])
    def test_2024_not_possible(self, code: str) -> None:
        """Dual registration, not required, unable to attend and administrative codes are not possible sessions."""
        assert not lookup(code, AFTER).category.counts_as_possible

    @pytest.mark.parametrize("code", ["D", "X", "Y", "Z", "#"])
    def test_2006_not_possible(self, code: str) -> None:
        assert not lookup(code, BEFORE).category.counts_as_possible


class TestInvalidCodes:
    @pytest.mark.parametrize("code", ["H", "F", "J", "Y"])
    def test_withdrawn_codes_after_switch_are_errors(self, code: str) -> None:
        """H, F, J and plain Y were withdrawn in August 2024."""
        with pytest.raises(CodeError, match="2006 attendance code"):
            lookup(code, AFTER)

    @pytest.mark.parametrize("code", ["Q", "K", "C1", "C2", "J1", "Y4"])
    def test_new_codes_before_switch_are_errors(self, code: str) -> None:
        with pytest.raises(CodeError, match="2024 attendance code"):
            lookup(code, BEFORE)

    @pytest.mark.parametrize("code", ["A", "7", "", "II", "y1"])
    def test_unknown(self, code: str) -> None:
        with pytest.raises(CodeError, match="not a national attendance code"):
            lookup(code, AFTER)


def test_every_absence_code_has_a_dfe_reason_column() -> None:
    """Each authorised or unauthorised code is reported under a DfE reason column; no other code is."""
    for codes in CODE_SETS.values():
        for c in codes.values():
            assert (c.reason is not None) == c.category.counts_as_absence, c


def test_daily_data_category_lists() -> None:
    """The 2024 categories are those the DfE's daily data files sum (shared/data README)."""
    after = CODE_SETS["2024"]
    by_category = {cat: {c.code for c in after.values() if c.category is cat} for cat in Category}
    assert by_category[Category.PRESENT] == {"/", "\\", "L"}
    assert by_category[Category.AEA] == {"B", "P", "V", "W", "K"}
    assert by_category[Category.AUTHORISED] == {"I", "M", "R", "S", "T", "E", "C", "C1", "J1", "C2"}
    assert by_category[Category.UNAUTHORISED] == {"G", "U", "O", "N"}
