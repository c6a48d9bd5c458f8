"""Who is in the LA's priority cohorts: shown on the pupil page and in the API to the roles that may see each
cohort's membership, and a sensitive (``la_only``) cohort's never to a school, anywhere it can look."""

from __future__ import annotations

import json
import shutil

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.ingest import import_folder
from attendwise.store import Store
from tests.cities import A
from tests.registers import Register

EBSA, YOUTH = "Emotionally based school avoidance", "Youth justice involvement"


@pytest.fixture
def members(city, tmp_path, settings):
    """The test city with a_severe (looked after, at A) in both cohorts and a_pa in EBSA."""
    from attendwise.web.services import data

    copy = tmp_path / "copy.duckdb"
    shutil.copy(city.path, copy)
    reg = Register()
    reg.cohort(city.pupils["a_severe"], "youth_justice", "2024-09-02", source="YJS referral")
    reg.cohort(city.pupils["a_severe"], "ebsa", "2024-09-09", "2024-09-20")
    reg.cohort(city.pupils["a_pa"], "ebsa", "2024-09-02")
    with Store(copy) as store:
        import_folder(store, reg.write(tmp_path / "cohorts"))
    settings.ATTENDWISE_STORE = copy
    data.reset_access()
    yield city
    data.reset_access()


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("la_admin", {EBSA, YOUTH}),
        ("officer", {EBSA, YOUTH}),
        ("officer_a", {EBSA, YOUTH}),
        ("school_a", {EBSA}),
        ("virtual_school", {EBSA}),
    ],
)
def test_the_pupil_page_and_the_api_show_only_the_cohorts_the_role_may_see(client_as, members, role, sees) -> None:
    c = client_as(role)
    enrolment = members.enrolments["a_severe"]
    page = _text(c.get(reverse("pupil", args=[enrolment])))
    assert {label for label in (EBSA, YOUTH) if label in page} == sees
    if EBSA in sees:
        assert f"{EBSA}: from 9 Sep 2024 to 20 Sep 2024" in page
    api = json.loads(c.get(reverse("api_pupil", args=[enrolment])).content)
    assert {m["cohort"] for m in api["cohorts"]} == sees


def test_a_school_never_sees_who_is_in_a_sensitive_cohort_anywhere(client_as, members) -> None:
    """Every page, export and API answer school A's user can reach about its pupils and school: youth justice
    involvement is named only in the TSM pack's cohorts table, and there with every figure suppressed."""
    c = client_as("school_a")
    # (The cohort page names it among its choices; its figures for a school are x: the test below.)
    addresses = [reverse("school", args=[A]), reverse("school_pupils_csv", args=[A])]
    for label, enrolment in members.enrolments.items():
        if label.startswith("a_"):
            addresses += [
                reverse("pupil", args=[enrolment]),
                reverse("pupil_marks_csv", args=[enrolment]),
                reverse("api_pupil", args=[enrolment]),
            ]
    for address in addresses:
        body = c.get(address).content.decode()
        assert "youth" not in body.lower(), address
    pack = c.get(reverse("tsm_latest", args=[A]), follow=True)
    soup = BeautifulSoup(pack.content, "html.parser")
    rows = [r for r in soup.find_all("tr") if YOUTH in r.get_text(" ", strip=True)]
    assert len(rows) == 1, "named once, in the cohorts table"
    cells = [td.get_text(strip=True) for td in rows[0].find_all("td")]
    assert cells[:8] == ["x"] * 8, cells  # pupils, attendance, PA, PA %, SA, the school's other pupils
    assert "only LA staff may see" in rows[0].get_text(" ", strip=True)
    for name in (members.pupils["a_severe"], "A Severe"):
        assert name not in rows[0].get_text(" ", strip=True)


def test_la_staff_see_the_sensitive_cohort_in_the_pack_too(client_as, members) -> None:
    soup = BeautifulSoup(client_as("la_admin").get(reverse("tsm_latest", args=[A]), follow=True).content, "html.parser")
    rows = [r for r in soup.find_all("tr") if YOUTH in r.get_text(" ", strip=True)]
    assert len(rows) == 1


def _rows(response) -> dict[str, list[str]]:
    soup = BeautifulSoup(response.content, "html.parser")
    table = soup.find("table")
    return {
        r.find("th").get_text(strip=True): [td.get_text(strip=True) for td in r.find_all("td")]
        for r in table.find("tbody").find_all("tr")
    }


def test_the_cohort_page_measures_a_priority_cohort(client_as, members) -> None:
    """LA staff see a cohort's figures whole; a school sees EBSA's whole but youth justice's suppressed."""
    response = client_as("la_admin").get(reverse("cohorts"), {"by": "cohort:ebsa", "period": "2024/25"})
    rows = _rows(response)
    assert set(rows) == {EBSA, "Not in cohort"}
    assert rows[EBSA][0] == "2"  # a_pa throughout, a_severe for two weeks
    school = client_as("school_a")
    youth = _rows(school.get(reverse("cohorts"), {"by": "cohort:youth_justice", "period": "2024/25"}))
    assert youth[YOUTH][0] == "x"
    assert _rows(school.get(reverse("cohorts"), {"by": "cohort:ebsa", "period": "2024/25"}))[EBSA][0] == "2"
    scrutiny = _rows(client_as("scrutiny").get(reverse("cohorts"), {"by": "cohort:ebsa", "period": "2024/25"}))
    assert scrutiny[EBSA][0] == "x"


def test_the_api_measures_a_priority_cohort_and_refuses_an_unknown_one(client_as, members) -> None:
    c = client_as("la_admin")
    body = json.loads(c.get(reverse("api_la_measures"), {"by": "cohort:youth_justice"}).content)
    assert body["suppressed"] is False
    assert {r["cohort_youth_justice"]: r["enrolments"] for r in body["rows"]}[YOUTH] == 1
    refused = c.get(reverse("api_la_measures"), {"by": "cohort:carers"})
    assert refused.status_code == 400
    assert "'carers' is not one of the LA's cohorts" in json.loads(refused.content)["error"]
    two = c.get(reverse("cohorts"), {"by": "cohort:ebsa", "then": "cohort:youth_justice"})
    assert two.status_code == 400 and "one priority cohort at a time" in two.content.decode()
    school = json.loads(
        client_as("school_a").get(reverse("api_school_measures", args=[A]), {"by": "cohort:youth_justice"}).content
    )
    assert school["suppressed"] is True
    assert {r["cohort_youth_justice"]: r["enrolments"] for r in school["rows"]}[YOUTH] == "x"


def _cohort_rows(response) -> dict[str, list[str]]:
    soup = BeautifulSoup(response.content, "html.parser")
    heading = soup.find(id="priority-cohorts")
    table = heading.find_next("table")
    return {
        r.find("th").get_text(strip=True): [td.get_text(strip=True) for td in r.find_all("td")]
        for r in table.find("tbody").find_all("tr")
    }


@pytest.mark.parametrize(
    ("role", "ebsa", "youth"),
    [("la_admin", "2", "1"), ("virtual_school", "2", "x"), ("scrutiny", "x", "x")],
)
def test_the_la_overview_shows_each_priority_cohort_against_everyone_else(client_as, members, role, ebsa, youth):
    rows = _cohort_rows(client_as(role).get(reverse("la_overview"), {"period": "2024/25"}))
    assert list(rows) == [EBSA, YOUTH]
    assert (rows[EBSA][0], rows[YOUTH][0]) == (ebsa, youth)
