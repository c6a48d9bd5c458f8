"""Fixtures for the web app: a small hand-built LA in a store file, and one user per role."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendwise.web.settings.test")

import django

django.setup()

from attendwise.ingest import import_folder  # noqa: E402
from attendwise.measures.pupils import enrolments_of  # noqa: E402
from attendwise.store import Store  # noqa: E402
from tests.registers import Register  # noqa: E402

START = dt.date(2024, 9, 2)
A, B, C = 100001, 100002, 100003


@dataclass(frozen=True)
class City:
    """The test LA: what the tests need to know about it."""

    path: Path
    pupils: dict[str, str]  # label -> UPN
    enrolments: dict[str, int]  # label -> enrolment id


def build_register() -> tuple[Register, dict[str, tuple[str, int]]]:
    """Three schools: A (primary, 7 pupils), B (primary, 3 pupils), C (secondary, 5 pupils).

    In A, ``a_severe`` (a child looked after) misses most sessions and ``a_pa`` misses 20%;
    ``b_pupil`` is at B; ``c_cin`` at C is a child in need with persistent absence.
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
    return reg, people


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    folder = tmp_path_factory.mktemp("city")
    reg, people = build_register()
    path = folder / "city.duckdb"
    with Store(path) as store:
        import_folder(store, reg.write(folder / "registers"))
        enrolments = {label: enrolments_of(store, upn)[0].enrolment_id for label, (upn, _) in people.items()}
    return City(path, {k: v[0] for k, v in people.items()}, enrolments)


@pytest.fixture(autouse=True)
def web_store(city: City, settings) -> Iterator[City]:
    """Every web test reads the test city (figures cached per data version are shared between tests)."""
    from attendwise.web.services import data

    settings.ATTENDWISE_STORE = city.path
    if data._access is not None and data._access.path != city.path:
        data.reset_access()
    yield city


ROLES = {
    "la_admin": ("la_admin", []),
    "officer": ("officer", []),
    "officer_a": ("officer", [A]),
    "school_a": ("school", [A]),
    "school_b": ("school", [B]),
    "virtual_school": ("virtual_school", []),
    "scrutiny": ("scrutiny", []),
}


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    from attendwise.web.models import Profile, SchoolAccess

    def make(name: str):
        role, urns = ROLES[name]
        user = get_user_model().objects.create_user(username=name, password="correct-horse-battery-9")
        Profile.objects.create(user=user, role=role)
        for urn in urns:
            SchoolAccess.objects.create(user=user, urn=urn)
        return user

    return make


@pytest.fixture
def client_as(client, make_user):
    """A test client signed in as the named role."""

    def sign_in(name: str):
        client.force_login(make_user(name))
        return client

    sign_in.client = client  # type: ignore[attr-defined]
    return sign_in
