"""Families across schools (pupils sharing a parent with parental responsibility), and their attendance."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from attendwise.core.calendar import Period
from attendwise.ingest import import_folder
from attendwise.measures.attendance import LearningHours, learning_time, pupil_attendance, year_so_far
from attendwise.measures.families import connected_families, families, family_attendance, family_of
from attendwise.store import Store
from tests.registers import Register

PRIMARY, SECONDARY = 100001, 100002
MONDAY = dt.date(2024, 9, 2)


@pytest.fixture
def city(store: Store, write) -> dict[str, str]:
    """Hand-built families at two schools.

    * Ava (primary) and Ben (secondary): mother M1 and father F1, both with parental responsibility.
      Their grandmother G1 (no parental responsibility) is also Finn's contact: Finn is not their brother.
    * Cal and Dee share mother M2; Dee and Eli share father F2 (Eli's mother is M3): one family of three
      half-siblings, although Cal and Eli share no parent.
    * Hal has a parent of his own; Ivy has no contacts at all.
    """
    reg = Register()
    reg.school(PRIMARY)
    reg.school(SECONDARY, phase="secondary")
    kids = {}
    for name, urn, year in [("ava", PRIMARY, "4"), ("ben", SECONDARY, "8"), ("cal", PRIMARY, "2"),
                            ("dee", SECONDARY, "9"), ("eli", PRIMARY, "5"), ("finn", PRIMARY, "3"),
                            ("hal", SECONDARY, "7"), ("ivy", PRIMARY, "1")]:  # fmt: skip
        kids[name] = reg.pupil(urn, nc_year=year, forename=name.title())
        reg.pupils[-1]["forename"] = name.title()
    reg.sessions(kids["ava"], "//////////", MONDAY, urn=PRIMARY)
    reg.sessions(kids["ben"], "////IIUU//", MONDAY, urn=SECONDARY)
    for child, contact, pr in [("ava", "M1", "Y"), ("ava", "F1", "Y"), ("ben", "M1", "Y"), ("ben", "F1", "Y"),
                               ("ava", "G1", "N"), ("finn", "G1", "N"), ("finn", "M9", "Y"),
                               ("cal", "M2", "Y"), ("dee", "M2", "Y"), ("dee", "F2", "Y"), ("eli", "F2", "Y"),
                               ("eli", "M3", "Y"), ("hal", "M4", "Y")]:  # fmt: skip
        reg.contact(kids[child], contact, surname=f"Parent {contact}", pr=pr)
    import_folder(store, write(reg))
    return kids


def test_components_chain_through_every_shared_parent() -> None:
    links = [("A", "m"), ("B", "m"), ("B", "d"), ("C", "d"), ("E", "x"), ("F", "y"), ("F", "x"), ("G", "z")]
    found = connected_families(links)
    assert [(sorted(f.upns), sorted(f.contact_ids)) for f in found] == [
        (["A", "B", "C"], ["d", "m"]),
        (["E", "F"], ["x", "y"]),
        (["G"], ["z"]),
    ]
    assert connected_families([]) == []


class TestFamilyOf:
    def test_siblings_at_two_schools(self, store: Store, city: dict[str, str]) -> None:
        family = family_of(store, city["ava"])
        assert family is not None
        assert set(family.upns) == {city["ava"], city["ben"]}
        assert family.schools == ((PRIMARY, "School 100001"), (SECONDARY, "School 100002"))
        assert family.shared_parents(city["ava"], city["ben"]) == {"M1", "F1"}
        ava = family.member(city["ava"])
        assert ava is not None and ava.name == "Ava"
        # the grandmother is Ava's contact (shown on her), but she makes no family
        assert {c.contact.contact_id for c in ava.contacts} == {"M1", "F1", "G1"} and ava.parent_ids == {"M1", "F1"}

    def test_half_siblings_chain_into_one_family(self, store: Store, city: dict[str, str]) -> None:
        family = family_of(store, city["eli"])
        assert family is not None
        assert set(family.upns) == {city["cal"], city["dee"], city["eli"]}
        assert family.shared_parents(city["cal"], city["eli"]) == frozenset()
        assert family.shared_parents(city["dee"], city["eli"]) == {"F2"}
        assert family_of(store, city["cal"]) == family

    def test_a_child_on_their_own(self, store: Store, city: dict[str, str]) -> None:
        for name in ("hal", "ivy", "finn"):
            family = family_of(store, city[name])
            assert family is not None and family.upns == (city[name],), name
        assert family_of(store, "A999100024999") is None

    def test_every_family(self, store: Store, city: dict[str, str]) -> None:
        found = families(store)
        assert [set(f.upns) for f in found] == [
            {city["cal"], city["dee"], city["eli"]},
            {city["ava"], city["ben"]},
        ]
        assert len(families(store, min_children=1)) == 4  # the two, Finn, Hal (Ivy has no parent recorded)


class TestFamilyAttendance:
    def test_each_siblings_figures(self, store: Store, city: dict[str, str]) -> None:
        view = family_attendance(store, city["ben"])
        assert view is not None
        by_upn = {s.member.upn: s.attendance for s in view.siblings}
        ava, ben = by_upn[city["ava"]], by_upn[city["ben"]]
        assert ava is not None and ben is not None
        assert (ava.sess_possible, ava.sess_attended, ava.sess_missed) == (10, 10, 0)
        assert (ben.sess_possible, ben.sess_attended, ben.sess_authorised, ben.sess_unauthorised) == (10, 6, 2, 2)
        assert ben.days_missed == 2 and ben.attendance_percent == 60.0 and ben.persistently_absent
        assert ben.hours_missed() == 10  # 2 days of 5 learning hours
        assert [m.upn for m in view.persistently_absent] == [city["ben"]]
        assert (view.sess_possible, view.sess_missed) == (20, 4)
        assert view.period == year_so_far(store)
        assert view.period.start == dt.date(2024, 8, 1) and view.period.end == dt.date(2024, 9, 6)

    def test_a_sibling_with_no_sessions_yet(self, store: Store, city: dict[str, str]) -> None:
        view = family_attendance(store, city["cal"])
        assert view is not None and all(s.attendance is None for s in view.siblings)

    def test_pupil_attendance_sums_a_pupils_schools(self, store: Store, write) -> None:
        reg = Register()
        reg.school(PRIMARY)
        reg.school(SECONDARY)
        upn = reg.pupil(PRIMARY, admission="2019-09-01", leaving="2024-09-04")
        reg.pupil(SECONDARY, admission="2024-09-05", upn=upn)
        reg.sessions(upn, "//////", MONDAY, urn=PRIMARY)
        reg.sessions(upn, "NN//", dt.date(2024, 9, 5), urn=SECONDARY)
        import_folder(store, write(reg))
        period = Period("first week", MONDAY, dt.date(2024, 9, 6))
        figures = pupil_attendance(store, [upn, "A999100024999"], period)
        assert list(figures) == [upn]
        assert (figures[upn].sess_possible, figures[upn].sess_attended, figures[upn].sess_unauthorised) == (10, 8, 2)


def test_learning_time_is_coventrys_table() -> None:
    """97% -> 6 days, 30 hours a year, 360 hours YR-Y11; 95% -> 10, 50, 600; 90% -> 20, 100, 1,200; ..."""
    table = {97: (6, 30, 360), 95: (10, 50, 600), 90: (20, 100, 1200), 80: (40, 200, 2400), 50: (100, 500, 6000)}
    for percent, expected in table.items():
        t = learning_time(Fraction(percent, 100))
        assert (t.days_a_year, t.hours_a_year, t.hours_school_life) == expected
    t = learning_time(Fraction(9, 10), LearningHours(days_a_year=190))
    assert (t.days_a_year, t.hours_a_year, t.hours_school_life) == (19, 95, 1140)
    with pytest.raises(ValueError):
        learning_time(Fraction(3, 2))
