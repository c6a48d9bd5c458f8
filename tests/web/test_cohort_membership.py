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
    addresses = [reverse("school", args=[A]), reverse("school_pupils_csv", args=[A]), reverse("cohorts")]
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
