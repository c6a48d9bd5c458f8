"""Uploading cohorts.csv: LA staff send the LA's priority cohorts; a school's upload of it is refused."""

from __future__ import annotations

import io
import shutil

from bs4 import BeautifulSoup
from django.urls import reverse

HEADER = "upn,cohort,start_date,end_date,source\n"


def _post(client, content: bytes):
    upload = io.BytesIO(content)
    upload.name = "cohorts.csv"
    return client.post(reverse("uploads"), {"files": [upload]})


def test_a_school_may_not_send_the_las_cohorts_even_for_its_own_pupil(client_as, city) -> None:
    from attendwise.web.services.data import get_access

    before = get_access().version()
    body = f"{HEADER}{city.pupils['a_pa']},ebsa,2024-09-01,,\n".encode()
    response = _post(client_as("school_a"), body)
    assert response.status_code == 400
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "only LA staff may send the LA's priority cohorts (cohorts.csv)" in text
    assert get_access().version() == before


def test_la_staff_send_the_cohorts(client_as, city, tmp_path, settings) -> None:
    from attendwise.store import Store
    from attendwise.web.services import data

    copy = tmp_path / "copy.duckdb"
    shutil.copy(city.path, copy)
    settings.ATTENDWISE_STORE = copy
    data.reset_access()
    ours = city.pupils["a_pa"]
    c = client_as("la_admin")
    response = _post(c, f"{HEADER}{ours},youth_justice,2024-09-09,,YJS referral\n".encode())
    assert response.status_code == 302, response.content.decode()[:2000]
    page = BeautifulSoup(c.get(response["Location"]).content, "html.parser")
    assert "Cohort memberships (youth_justice): 1 added." in page.get_text(" ", strip=True)
    data.reset_access()
    with Store(copy, read_only=True) as store:
        rows = store.duckdb_connection().execute("SELECT upn, cohort, source FROM cohort_members").fetchall()
    assert rows == [(ours, "youth_justice", "YJS referral")]
