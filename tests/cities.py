"""The small test LA, hand-built: three schools and fifteen pupils over three weeks of September 2024.

The web tests serve it (``tests/web/conftest.py``) and the reports' tests compose its pages without Django.
"""

from __future__ import annotations

import datetime as dt

from tests.registers import Register

START = dt.date(2024, 9, 2)
A, B, C = 100001, 100002, 100003


def build_register() -> tuple[Register, dict[str, tuple[str, int]]]:
    """Three schools: A (primary, 7 pupils), B (primary, 3 pupils), C (secondary, 5 pupils).

    In A, ``a_severe`` (a child looked after) misses most sessions and ``a_pa`` misses 20%;
    ``b_pupil`` is at B; ``c_cin`` at C is a child in need with persistent absence. ``a_pa`` and ``b_pupil``
    share a mother (contacts ``P1``): one family across schools A and B.
    """
    reg = Register()
    reg.school(A, name="Alder Primary School")
    reg.school(B, name="Birch Primary School")
    reg.school(C, phase="secondary", name="Cedar Academy")
    people: dict[str, tuple[str, int]] = {}
    good = "/" * 30

    def add(label: str, urn: int, codes: str, **kw: str) -> None:
        upn = reg.pupil(urn, **kw)
        reg.pupils[-1]["forename"] = label.replace("_", " ").title()
        reg.pupils[-1]["surname"] = "Testchild"
        reg.sessions(upn, codes, START, urn=urn)
        people[label] = (upn, urn)

    add("a_severe", A, "OOOOOOOOOOOOOOOOOOOO//////////", cla="Y", fsm="Y")
    add("a_pa", A, "//////IIII//////GG////////////", fsm="Y")
    for i in range(5):
        add(f"a_good{i}", A, good, sex="M" if i % 2 else "F")
    for i in range(3):
        add(f"b_pupil{i}" if i else "b_pupil", B, "//////////////////////////NN//")
    add("c_cin", C, "//////IIIIIIII////////////////", dob="2011-03-01", nc_year="8", cin="Y")
    for i in range(4):
        add(f"c_good{i}", C, good, dob="2011-03-01", nc_year="8")
    # Parents: a_pa (at A) and b_pupil (at B) share their mother, so they are one family across two schools;
    # a_pa's father has parental responsibility but does not live with them; the grandmother has none.
    mum = {"forename": "Amina", "surname": "Begum", "title": "Ms", "relationship": "mother", "priority": "1"}
    reg.contact(people["a_pa"][0], "P1", **mum)
    reg.contact(people["b_pupil"][0], "P1", **mum)
    reg.contact(
        people["a_pa"][0], "P2", forename="Tariq", surname="Begum", relationship="father", lives_with="N", priority="2"
    )
    reg.contact(people["a_pa"][0], "G1", forename="Rahima", surname="Khan", relationship="grandparent", pr="N")
    return reg, people
