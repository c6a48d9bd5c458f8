"""A pupil's record on small registers checked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.core.calendar import AcademicYear, parse_period
from attendwise.core.codes import Category
from attendwise.ingest import import_folder
from attendwise.measures.absence import Population, measure_table
from attendwise.measures.bands import load_scheme
from attendwise.measures.pupils import (
    enrolments_of,
    find_enrolment,
    find_enrolments,
    pupil_record,
    pupil_record_for_upn,
)
from attendwise.store import Store
from tests.registers import Register

MONDAY = dt.date(2024, 9, 2)


@pytest.fixture
def one_pupil(store: Store, write) -> tuple[Store, str]:
    """One Year 4 pupil: three weeks of 8/10 (illness twice a week), then a week of G G N N and six presents."""
    reg = Register()
    reg.school()
    upn = reg.pupil(fsm="Y", sen="K", ethnicity="APKN")
    reg.sessions(upn, "//////II//" * 3 + "GGNN//////", MONDAY)
    import_folder(store, write(reg))
    return store, upn


class TestFindEnrolment:
    def test_known_and_unknown(self, one_pupil: tuple[Store, str]) -> None:
        """An enrolment is found by its id with its school; an unknown id gives None."""
        store, upn = one_pupil
        e = find_enrolment(store, 1)
        assert e is not None
        assert (e.upn, e.urn, e.school_name, e.fsm, e.sen_label) == (upn, 100001, "School 100001", True, "SEN support")
        assert find_enrolment(store, 999) is None
        assert pupil_record(store, 999) is None
        assert pupil_record_for_upn(store, "A999999999999") is None

    def test_several_at_once(self, one_pupil: tuple[Store, str]) -> None:
        """A list of cases asks for its enrolments in one go: those the store holds, by id."""
        store, _ = one_pupil
        found = find_enrolments(store, [1, 999, 1])
        assert list(found) == [1] and found[1] == find_enrolment(store, 1)
        assert find_enrolments(store, []) == {}


class TestMarks:
    def test_meanings_follow_the_code_set_of_the_date(self, store: Store, write) -> None:
        """J on 16 Aug 2024 is an approved educational activity; J1 on 19 Aug 2024 is authorised absence."""
        reg = Register()
        reg.school()
        p = reg.pupil()
        reg.marks += [
            {"upn": p, "urn": 100001, "date": "2024-08-16", "session": "AM", "code": "J"},
            {"upn": p, "urn": 100001, "date": "2024-08-19", "session": "AM", "code": "J1"},
        ]
        import_folder(store, write(reg))
        record = pupil_record(store, 1)
        assert record is not None
        assert record.year == AcademicYear(2024)
        assert [(m.code, m.category, m.reason) for m in record.marks] == [
            ("J", Category.AEA, None),
            ("J1", Category.AUTHORISED, "sess_auth_interview"),
        ]
        assert record.attendance_percent == 50.0
        assert pupil_record(store, 1, year=AcademicYear(2023)).marks == ()  # type: ignore[union-attr]

    def test_marks_in_order_with_meanings(self, one_pupil: tuple[Store, str]) -> None:
        """Forty marks, AM before PM, each with its code's meaning."""
        store, _ = one_pupil
        record = pupil_record(store, 1)
        assert record is not None
        assert len(record.marks) == 40
        assert [(m.date, m.session) for m in record.marks[:3]] == [
            (MONDAY, "AM"),
            (MONDAY, "PM"),
            (MONDAY + dt.timedelta(days=1), "AM"),
        ]
        illness = [m for m in record.marks if m.code == "I"]
        assert len(illness) == 6
        assert all(m.reason == "sess_auth_illness" and m.meaning.startswith("Illness") for m in illness)


class TestWeeks:
    def test_running_rate(self, one_pupil: tuple[Store, str]) -> None:
        """Weeks of 8, 8, 8 and 6 attended out of 10: running rates 80, 80, 80, 75%."""
        store, _ = one_pupil
        record = pupil_record(store, 1)
        assert record is not None
        assert [w.week_start for w in record.weeks] == [MONDAY + dt.timedelta(weeks=i) for i in range(4)]
        assert [w.attended for w in record.weeks] == [8, 8, 8, 6]
        assert [w.running_percent for w in record.weeks] == [80.0, 80.0, 80.0, 75.0]
        assert record.weeks[-1].attendance_percent == 60.0

    def test_not_possible_sessions_are_left_out(self, store: Store, write) -> None:
        """X and # are not possible sessions: a week of 6 presents and 4 X is 100% attendance."""
        reg = Register()
        reg.school()
        p = reg.pupil()
        reg.sessions(p, "//////XX##", MONDAY)
        import_folder(store, write(reg))
        record = pupil_record(store, 1)
        assert record is not None
        (week,) = record.weeks
        assert (week.possible, week.attended, week.running_percent) == (6, 6, 100.0)


class TestReasons:
    def test_reasons_agree_with_the_measures(self, one_pupil: tuple[Store, str]) -> None:
        """Six illness, two unagreed holiday and two no-reason-yet sessions: the same as the DfE measures."""
        store, _ = one_pupil
        record = pupil_record(store, 1)
        assert record is not None
        assert [(r.reason, r.sessions) for r in record.reasons] == [
            ("sess_auth_illness", 6),
            ("sess_unauth_holiday", 2),
            ("sess_unauth_noyet", 2),
        ]
        assert sum(r.percent_of_absence for r in record.reasons) == pytest.approx(100.0)
        dfe = measure_table(store, parse_period("2024/25")).iloc[0]
        assert (record.sess_possible, record.sess_overall) == (dfe.sess_possible, dfe.sess_overall)
        assert record.sess_authorised == dfe.sess_authorised
        assert record.absence_percent == pytest.approx(dfe.sess_overall_percent)


class TestBandHistory:
    def test_half_terms_terms_and_year(self, store: Store, write) -> None:
        """Autumn 1 at 100%, autumn 2 at 50%: autumn 1 expected, autumn 2 severe, the term and year 75%."""
        reg = Register()
        reg.school()
        reg.half_terms_2024_25()
        p = reg.pupil()
        reg.sessions(p, "/" * 10, dt.date(2024, 10, 21))
        reg.sessions(p, "/" * 5 + "O" * 5, dt.date(2024, 11, 4))
        import_folder(store, write(reg))
        record = pupil_record(store, 1)
        assert record is not None
        history = [(b.kind, b.period, b.band_key) for b in record.band_history]
        assert history == [
            ("half term", "2024/25 autumn half term 1", "expected"),
            ("half term", "2024/25 autumn half term 2", "severe"),
            ("term", "2024/25 autumn term", "at_risk_sa"),
            ("year", "2024/25 to 08 Nov 2024", "at_risk_sa"),
        ]
        current = record.current_band
        assert current is not None
        assert current.attendance_percent == 75.0
        scheme = load_scheme("five-categories")
        assert current.band_key == scheme.band_for(15, 20).key

    def test_other_scheme(self, one_pupil: tuple[Store, str]) -> None:
        """With the three-stage scheme, 75% attendance is stage 2, early intervention."""
        store, _ = one_pupil
        record = pupil_record(store, 1, scheme="three-stages")
        assert record is not None and record.current_band is not None
        assert record.current_band.band_key == "early_intervention"


class TestWhoHasARecord:
    def test_reception_and_boarders_have_records(self, store: Store, write) -> None:
        """A four-year-old and a boarder are outside the DfE population but still have a record."""
        reg = Register()
        reg.school()
        young = reg.pupil(dob="2020-01-10", nc_year="R")
        boarder = reg.pupil(boarder="Y")
        reg.sessions(young, "//II", MONDAY)
        reg.sessions(boarder, "////", MONDAY)
        import_folder(store, write(reg))
        assert measure_table(store, parse_period("2024/25"), population=Population()).iloc[0].enrolments == 0
        record = pupil_record(store, enrolments_of(store, young)[0].enrolment_id)
        assert record is not None
        assert (record.characteristics.age_at_start_of_year, record.sess_possible, record.sess_overall) == (4, 4, 2)
        assert record.current_band is not None and record.current_band.band_key == "severe"
        boarding = pupil_record(store, enrolments_of(store, boarder)[0].enrolment_id)
        assert boarding is not None and boarding.attendance_percent == 100.0

    def test_a_pupil_who_moved_school(self, store: Store, write) -> None:
        """Two enrolments in one year: the UPN record joins both, each enrolment's record has its own marks."""
        reg = Register()
        reg.school(100001)
        reg.school(100002, name="Second School")
        p = reg.pupil(100001, leaving="2024-09-06")
        reg.pupil(100002, upn=p, admission="2024-09-09")
        reg.sessions(p, "////////II", MONDAY, urn=100001)
        reg.sessions(p, "OOOO//////", dt.date(2024, 9, 9), urn=100002)
        import_folder(store, write(reg))
        enrolments = enrolments_of(store, p)
        assert [e.school_name for e in enrolments] == ["Second School", "School 100001"]
        whole = pupil_record_for_upn(store, p)
        assert whole is not None
        assert (len(whole.marks), whole.sess_possible, whole.sess_overall) == (20, 20, 6)
        assert {e.urn for e in whole.shown} == {100001, 100002}
        first = pupil_record(store, enrolments[1].enrolment_id)
        assert first is not None
        assert (len(first.marks), first.sess_overall) == (10, 2)
        assert [e.urn for e in first.shown] == [100001]
        assert len(first.enrolments) == 2

    def test_characteristics(self, one_pupil: tuple[Store, str]) -> None:
        """Characteristics carry the DfE's labels."""
        store, _ = one_pupil
        record = pupil_record(store, 1)
        assert record is not None
        c = record.characteristics
        assert (c.fsm, c.sen, c.ethnicity_major, c.ethnicity_minor, c.sex, c.nc_year) == (
            "FSM eligible",
            "SEN support",
            "Asian / Asian British",
            "Pakistani",
            "Female",
            "4",
        )
        assert record.name == "Name not recorded"
