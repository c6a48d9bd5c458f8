"""DfE absence measures on small registers checked by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from attendwise.core.calendar import parse_period
from attendwise.ingest import import_folder
from attendwise.measures.absence import (
    GROUPINGS,
    MeasureError,
    Population,
    measure_table,
    measure_tables,
    resolve_grouping,
)
from attendwise.store import Store
from tests.registers import Register

YEAR = parse_period("2024/25")
OLD_YEAR = parse_period("2023/24")


def headline(store: Store, period=YEAR, by: str | None = None, population: Population | None = None) -> pd.DataFrame:
    return measure_table(store, period, by, population)


def one(store: Store, period=YEAR, population: Population | None = None) -> pd.Series:
    return headline(store, period, population=population).iloc[0]


class TestCategories:
    def test_every_2024_category(self, store: Store, write) -> None:
        """20 sessions: 6 present (/ \\ L), 3 AEA (K V B), 4 authorised (I M C2 J1), 3 unauthorised (G O U),
        4 not possible (D X Y4 #). Possible 16; absence 7 of 16 = 43.75%."""
        reg = Register()
        reg.school()
        p = reg.pupil()
        reg.sessions(
            p, ["/", "/", "L", "/", "/", "L", "K", "V", "B", "I", "M", "C2", "J1", "G", "O", "U", "D", "X", "Y4", "#"]
        )
        import_folder(store, write(reg))
        r = one(store)
        assert (r.sess_possible, r.sess_authorised, r.sess_unauthorised, r.sess_overall) == (16, 4, 3, 7)
        assert r.sess_overall_percent == pytest.approx(43.75)
        assert (r.sess_present, r.sess_aea) == (6, 3)
        assert r.sess_attendance_percent == pytest.approx(56.25)
        assert (
            r.sess_auth_illness,
            r.sess_auth_appointments,
            r.sess_auth_temp_reduced_timetable,
            r.sess_auth_interview,
        ) == (1, 1, 1, 1)
        assert (r.sess_unauth_holiday, r.sess_unauth_other, r.sess_unauth_late) == (1, 1, 1)
        assert r.sess_auth_illness_rate == pytest.approx(100 / 16)
        assert r.sess_auth_illness_distribution == pytest.approx(100 / 7)
        assert (r.enrolments_pa_10_exact, r.enrolments_pa_50_exact) == (1, 0)

    def test_2006_codes_before_the_switch(self, store: Store, write) -> None:
        """In 2023/24, J is attendance (AEA), H is authorised holiday and Y is not possible."""
        reg = Register()
        reg.school()
        p = reg.pupil(dob="2014-03-01")
        reg.sessions(p, ["J", "J", "H", "H", "F", "Y", "/", "/", "N", "T"], dt.date(2024, 3, 4))
        import_folder(store, write(reg))
        r = one(store, OLD_YEAR)
        assert (r.sess_possible, r.sess_aea, r.sess_authorised, r.sess_unauthorised) == (9, 2, 4, 1)
        assert (r.sess_auth_holiday, r.sess_auth_ext_holiday, r.sess_auth_traveller, r.sess_unauth_noyet) == (
            2,
            1,
            1,
            1,
        )

    def test_j_and_j1_across_the_switch(self, store: Store, write) -> None:
        """A J on 16 Aug 2024 is attendance; a J1 on 19 Aug 2024 is absence: same pupil, one period."""
        reg = Register()
        reg.school()
        p = reg.pupil()
        reg.marks += [
            {"upn": p, "urn": 100001, "date": "2024-08-16", "session": "AM", "code": "J"},
            {"upn": p, "urn": 100001, "date": "2024-08-19", "session": "AM", "code": "J1"},
        ]
        import_folder(store, write(reg))
        r = one(store, parse_period("2024-08-01..2024-08-31"))
        assert (r.sess_possible, r.sess_aea, r.sess_authorised) == (2, 1, 1)

    def test_x_in_the_covid_years_is_possible_but_not_absence(self, store: Store, write) -> None:
        """In 2020/21 X (coronavirus) counts in possible sessions and not as absence; in 2019/20 and from
        2022/23 X (non-compulsory school age) is not possible. 6 sessions a year: / X X I O /."""
        reg = Register()
        reg.school()
        p = reg.pupil(dob="2011-03-01", admission="2019-09-01")
        for start in (dt.date(2020, 1, 6), dt.date(2021, 1, 4), dt.date(2022, 7, 18), dt.date(2023, 1, 9)):
            reg.sessions(p, ["/", "X", "X", "I", "O", "/"], start)
        import_folder(store, write(reg))
        covid = one(store, parse_period("2020/21"))
        assert (covid.sess_possible, covid.sess_overall, covid.sess_present) == (6, 2, 2)
        assert covid.sess_overall_percent == pytest.approx(100 * 2 / 6)
        assert covid.sess_attendance_percent == pytest.approx(100 * 2 / 6)  # X is neither attendance nor absence
        assert one(store, parse_period("2021/22")).sess_possible == 6  # the last week of July 2022
        for year in ("2019/20", "2022/23"):
            r = one(store, parse_period(year))
            assert (r.sess_possible, r.sess_overall) == (4, 2), year
        # the same from the weekly blocks (a Monday-to-Sunday range) and from the marks (any other range)
        assert one(store, parse_period("2021-01-04..2021-01-10")).sess_possible == 6
        r = one(store, parse_period("2021-01-04..2021-01-05"))  # / X X I
        assert (r.sess_possible, r.sess_overall) == (4, 1)


class TestThresholds:
    @pytest.mark.parametrize(("absent", "pa", "sa"), [(37, 0, 0), (38, 1, 0), (189, 1, 0), (190, 1, 1)])
    def test_exact_boundaries_of_380(self, store: Store, write, absent: int, pa: int, sa: int) -> None:
        """38 of 380 is exactly 10%: persistently absent; 37 is not. 190 is exactly 50%: severely absent."""
        reg = Register()
        reg.school()
        p = reg.pupil()
        reg.sessions(p, ["I"] * absent + ["/"] * (380 - absent))
        import_folder(store, write(reg))
        r = one(store)
        assert (r.enrolments_pa_10_exact, r.enrolments_pa_50_exact) == (pa, sa)

    def test_thresholds_use_own_possible_sessions(self, store: Store, write) -> None:
        """A late joiner with 2 absences in 10 possible sessions is persistently absent (20%)."""
        reg = Register()
        reg.school()
        p = reg.pupil(admission="2025-05-12")
        reg.sessions(p, "II////////", dt.date(2025, 5, 12))
        import_folder(store, write(reg))
        assert one(store).enrolments_pa_10_exact == 1


def test_empty_period_gives_zero_not_null(store: Store, base, write) -> None:
    import_folder(store, write(base))
    r = one(store, parse_period("2023/24"))
    assert (r.enrolments, r.sess_possible, r.enrolments_pa_10_exact) == (0, 0, 0)
    assert pd.isna(r.sess_overall_percent)


class TestPopulation:
    @pytest.fixture
    def mixed(self, store: Store, write) -> Store:
        """Ages 4 (reception), 5, 15 and 16 on 31 Aug 2024; a boarder; a pupil with only X marks."""
        reg = Register()
        reg.school()
        for dob in ("2020-01-01", "2019-08-31", "2009-09-01", "2008-08-31"):
            reg.sessions(reg.pupil(dob=dob), "I/")
        reg.sessions(reg.pupil(boarder="Y"), "II")
        reg.sessions(reg.pupil(), "XX")
        import_folder(store, write(reg))
        return store

    def test_compulsory_school_age_only_by_default(self, mixed: Store) -> None:
        """Aged 5 (born 31 Aug 2019) and 15 (born 1 Sep 2008... 2009) count; 4 and 16 do not; nor boarders
        nor enrolments with no possible sessions."""
        assert one(mixed).enrolments == 2

    def test_all_ages(self, mixed: Store) -> None:
        assert one(mixed, population=Population.all_ages()).enrolments == 4

    def test_boarders_on_request(self, mixed: Store) -> None:
        assert one(mixed, population=Population(include_boarders=True)).enrolments == 3


class TestSummerRules:
    def test_age_15_second_half_summer_removed(self, store: Store, write) -> None:
        """For a 15-year-old, sessions from the spring bank holiday (26 May 2025) are removed from year figures."""
        reg = Register()
        reg.school(phase="secondary")
        p = reg.pupil(dob="2009-01-01", nc_year="11")
        reg.sessions(p, "////", dt.date(2025, 5, 19))
        reg.sessions(p, "SSSS", dt.date(2025, 6, 2))
        import_folder(store, write(reg))
        r = one(store)
        assert (r.sess_possible, r.sess_overall) == (4, 0)
        assert one(store, parse_period("2025-05-01..2025-07-31")).sess_possible == 8

    def test_joiners_in_second_half_summer_left_out_of_year(self, store: Store, write) -> None:
        reg = Register()
        reg.school()
        reg.sessions(reg.pupil(admission="2025-06-02"), "II", dt.date(2025, 6, 2))
        reg.sessions(reg.pupil(), "//", dt.date(2025, 6, 2))
        import_folder(store, write(reg))
        assert one(store).enrolments == 1
        assert one(store, parse_period("2025-06-01..2025-06-30")).enrolments == 2


class TestGrouping:
    def test_enrolment_counting_for_a_mover(self, store: Store, write) -> None:
        """A pupil who moves school counts once at each (the DfE counts enrolments, not pupils)."""
        reg = Register()
        reg.school(100001)
        reg.school(100002)
        p = reg.pupil(urn=100001, leaving="2024-09-30")
        reg.pupil(urn=100002, admission="2024-10-01", upn=p)
        reg.sessions(p, "//II", dt.date(2024, 9, 2), urn=100001)
        reg.sessions(p, "////", dt.date(2024, 10, 1), urn=100002)
        import_folder(store, write(reg))
        by_school = headline(store, by="school")
        assert list(by_school.enrolments) == [1, 1]
        assert list(by_school.enrolments_pa_10_exact) == [1, 0]
        assert one(store).enrolments == 2

    def test_characteristic_labels(self, store: Store, base, write) -> None:
        import_folder(store, write(base))
        frame = headline(store, by="fsm,sen,ethnicity")
        assert set(frame.fsm) == {"FSM eligible", "FSM not eligible"}
        assert set(frame.sen_provision) == {"No identified SEN", "SEN support"}
        assert set(frame.ethnicity_major) == {"White", "Asian / Asian British"}

    def test_several_groupings_at_once_equal_one_at_a_time(self, store: Store, write) -> None:
        """measure_tables (one query for every grouping) gives exactly what measure_table gives for each,
        column types and row order included."""
        reg = Register()
        reg.school(100001)
        reg.school(100002, phase="secondary", la_code="998")
        kinds = [
            {"fsm": "Y", "sen": "K", "ethnicity": "APKN", "sex": "M", "cla": "Y"},
            {"fsm": "N", "sen": "E", "ethnicity": "WALB", "nc_year": "9", "dob": "2010-10-01"},
            {"fsm": "Y", "sen": "N", "ethnicity": "REFU", "first_language": "OTH", "cin": "Y"},
            {"fsm": "N", "sen": "N", "ethnicity": "BAFR", "cpp": "Y"},
        ]
        for i, kind in enumerate(kinds * 2):
            p = reg.pupil(urn=100001 + i % 2, **kind)
            reg.sessions(p, "////IIOOGG//"[i:] + "/" * i, dt.date(2024, 9, 2), urn=100001 + i % 2)
        import_folder(store, write(reg))
        groupings = {name: name for name in GROUPINGS} | {"total": None, "school_fsm": "school,fsm,sen"}
        for period in (YEAR, OLD_YEAR):  # (no marks in 2023/24: a zero total row, no group rows)
            together = measure_tables(store, period, groupings)
            for name, by in groupings.items():
                pd.testing.assert_frame_equal(together[name], headline(store, period, by=by), obj=name)
        assert measure_tables(store, OLD_YEAR, {"total": None})["total"].enrolments.tolist() == [0]

    def test_unknown_grouping(self) -> None:
        with pytest.raises(MeasureError, match="cannot group by 'postcode'"):
            resolve_grouping("school,postcode")

    def test_dfe_column_names(self, store: Store, base, write) -> None:
        """The output columns are the DfE's published names, so tables sit beside published files."""
        import_folder(store, write(base))
        cols = set(headline(store).columns)
        for name in (
            "time_period",
            "time_identifier",
            "enrolments",
            "sess_possible",
            "sess_overall",
            "sess_authorised",
            "sess_unauthorised",
            "sess_overall_percent",
            "sess_authorised_percent",
            "sess_unauthorised_percent",
            "enrolments_pa_10_exact",
            "enrolments_pa_10_exact_percent",
            "enrolments_pa_50_exact",
            "enrolments_pa_50_exact_percent",
            "sess_auth_illness",
            "sess_unauth_holiday",
            "sess_auth_illness_rate",
            "sess_overall_percent_pa_10_exact",
        ):
            assert name in cols


def test_enrolment_rows_have_zero_not_null_reasons(store: Store, write) -> None:
    """A pupil who was never absent has 0 sessions for every reason, not a missing value."""
    from attendwise.measures.absence import REASONS, enrolment_absence

    reg = Register()
    reg.school()
    reg.sessions(reg.pupil(), "////")
    import_folder(store, write(reg))
    rows = enrolment_absence(store, YEAR).to_pandas()
    assert (rows[REASONS] == 0).all().all()
