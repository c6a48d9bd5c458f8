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
from tests.cities import START, A, B, build_register  # noqa: E402
from tests.registers import Register  # noqa: E402


@dataclass(frozen=True)
class City:
    """The test LA: what the tests need to know about it."""

    path: Path
    pupils: dict[str, str]  # label -> UPN
    enrolments: dict[str, int]  # label -> enrolment id


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


#: The richer test LA for suppression: URNs of its schools.
ASH, BEECH, CHERRY, DAMSON, ELM, FIR, GROVE, HAZEL = 200001, 200002, 200003, 200004, 200005, 200006, 200007, 200008
LAST_START = dt.date(2023, 9, 4)


def build_trust_register() -> tuple[Register, dict[str, tuple[str, int]]]:
    """A small LA over two years with what a scrutiny member could try to difference.

    * Grove is the LA's only special school: 90 pupils, 3 of them severely absent.
    * Cherry Primary had 3 pupils last year and 12 this year; Damson Primary 6 and 3; Hazel Primary 8
      each year. Last year Damson keeps Cherry company among the primary schools, this year Hazel keeps
      Damson company, so Cherry's headlines compare a figure shown with one suppressed.
    * Six children are looked after, one of them (``ash_cla_severe``, at Ash) severely absent.
    * Everyone else is a mix of FSM, SEN, sex, year, ethnicity, language, children in need and reasons
      for absence, with a few persistently and severely absent pupils in most schools.
    """
    reg = Register()
    reg.school(ASH, name="Ash Primary School")
    reg.school(BEECH, name="Beech Primary School")
    reg.school(CHERRY, name="Cherry Primary School")
    reg.school(DAMSON, name="Damson Primary School")
    reg.school(ELM, phase="secondary", name="Elm Academy")
    reg.school(FIR, phase="secondary", name="Fir Academy")
    reg.school(GROVE, phase="special", name="Grove Special School")
    reg.school(HAZEL, name="Hazel Primary School")
    people: dict[str, tuple[str, int]] = {}
    present = "/" * 30
    # Absence patterns over 30 sessions: expected, at risk of PA, persistent, at risk of SA, severe.
    patterns = {
        "expected": present,
        "at_risk_pa": "/" * 28 + "IM",
        "persistent": "/" * 24 + "IIGOMN",
        "at_risk_sa": "/" * 18 + "IIIIOOOOGGUU",
        "severe": "/" * 12 + "OOOOOOIIIIIIEEEEGG",
    }
    ethnicities = ["WBRI", "WBRI", "WBRI", "APKN", "BAFR", "MWBC", "WOTH", "NOBT"]
    languages = ["ENG", "ENG", "ENG", "OTH"]
    serial = iter(range(10_000))

    def add(label: str, urn: int, kind: str, *, years: tuple[bool, bool] = (True, True), **kw: str) -> None:
        n = next(serial)
        secondary = urn in (ELM, FIR)
        extra = {
            "dob": "2011-03-01" if secondary else "2015-03-01",
            "nc_year": str(7 + n % 3) if secondary else str(3 + n % 3),
            "sex": "M" if n % 2 else "F",
            "fsm": "Y" if n % 3 == 0 else "N",
            "sen": "K" if n % 7 == 0 else ("E" if n % 23 == 0 else "N"),
            "ethnicity": ethnicities[n % len(ethnicities)],
            "first_language": languages[n % len(languages)],
        }
        if not years[0]:
            extra["admission"] = "2024-09-01"
        if not years[1]:
            extra["leaving"] = "2024-07-19"
        extra.update(kw)
        upn = reg.pupil(urn, **extra)
        reg.pupils[-1]["forename"] = label.replace("_", " ").title()
        reg.pupils[-1]["surname"] = "Trustchild"
        for start, on_roll in zip((LAST_START, START), years, strict=True):
            if on_roll:
                reg.sessions(upn, patterns[kind], start, urn=urn)
        people[label] = (upn, urn)

    def school(prefix: str, urn: int, mix: dict[str, int], **kw: object) -> None:
        i = 0
        for kind, count in mix.items():
            for _ in range(count):
                add(f"{prefix}{i}", urn, kind, **kw)  # type: ignore[arg-type]
                i += 1

    school("ash", ASH, {"expected": 25, "at_risk_pa": 6, "persistent": 4, "at_risk_sa": 2, "severe": 1})
    add("ash_cla_severe", ASH, "severe", cla="Y", fsm="Y")
    add("ash_cla_a", ASH, "expected", cla="Y")
    add("ash_cla_b", ASH, "persistent", cla="Y", cin="Y")
    school("beech", BEECH, {"expected": 18, "at_risk_pa": 6, "persistent": 4, "at_risk_sa": 2})
    add("beech_cla", BEECH, "expected", cla="Y")
    add("beech_cin", BEECH, "at_risk_sa", cin="Y")
    school("cherry", CHERRY, {"expected": 2, "persistent": 1})
    school("cherry_new", CHERRY, {"expected": 6, "at_risk_pa": 2, "persistent": 1}, years=(False, True))
    school("damson", DAMSON, {"expected": 2, "at_risk_pa": 1})
    school("damson_gone", DAMSON, {"expected": 2, "persistent": 1}, years=(True, False))
    school("hazel", HAZEL, {"expected": 5, "at_risk_pa": 2, "persistent": 1})
    school("elm", ELM, {"expected": 20, "at_risk_pa": 8, "persistent": 6, "at_risk_sa": 3, "severe": 2})
    add("elm_cla", ELM, "at_risk_pa", cla="Y", cin="Y")
    add("elm_cpp", ELM, "persistent", cpp="Y", cin="Y")
    school("fir", FIR, {"expected": 14, "at_risk_pa": 5, "persistent": 3, "at_risk_sa": 2})
    add("fir_cla", FIR, "expected", cla="Y")
    school("grove", GROVE, {"expected": 50, "at_risk_pa": 20, "persistent": 12, "at_risk_sa": 5, "severe": 3})
    cohorts(reg, people)
    return reg, people


def cohorts(reg: Register, people: dict[str, tuple[str, int]]) -> None:
    """Memberships of both shipped cohorts, for :func:`build_trust_register`.

    * Youth justice involvement (``la_only``): two pupils at Fir, both years, so every count is under the
      threshold.
    * EBSA: Grove's severely absent three and two at Ash both years, a looked-after child at Ash this year
      only, and Elm's severe pupil and Cherry's persistent one for one week of this year's three (part-year:
      each counts in the cohort for that week and as everyone else for the rest).
    """
    for label in ("fir3", "fir20"):
        reg.cohort(people[label][0], "youth_justice", "2023-09-01", source="YJS referral")
    for label in ("grove87", "grove88", "grove89", "ash37", "ash36"):
        reg.cohort(people[label][0], "ebsa", "2023-09-01", source="EBSA panel")
    reg.cohort(people["ash_cla_b"][0], "ebsa", "2024-09-01")
    reg.cohort(people["elm38"][0], "ebsa", "2024-09-09", "2024-09-13")
    reg.cohort(people["cherry2"][0], "ebsa", "2024-09-09", "2024-09-13")


@pytest.fixture(scope="session")
def trust_city(tmp_path_factory: pytest.TempPathFactory) -> City:
    """The store of :func:`build_trust_register`."""
    folder = tmp_path_factory.mktemp("trust")
    reg, people = build_trust_register()
    path = folder / "trust.duckdb"
    with Store(path) as store:
        import_folder(store, reg.write(folder / "registers"))
        enrolments = {label: enrolments_of(store, upn)[0].enrolment_id for label, (upn, _) in people.items()}
    return City(path, {k: v[0] for k, v in people.items()}, enrolments)


@pytest.fixture(scope="session")
def _trust_access(trust_city: City):
    """One way into :func:`trust_city` for every test that reads it, so its cached figures are shared."""
    from attendwise.web.services.data import StoreAccess

    return StoreAccess(trust_city.path)


@pytest.fixture
def in_trust_city(trust_city: City, _trust_access, settings) -> Iterator[City]:
    """Point the app at :func:`trust_city` for one test (``web_store`` points the next one back)."""
    from attendwise.web.services import data

    settings.ATTENDWISE_STORE = trust_city.path
    data._access = _trust_access
    yield trust_city
    data.reset_access()
