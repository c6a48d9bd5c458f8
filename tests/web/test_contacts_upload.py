"""Uploading contacts.csv: a school sends its own pupils' parents and carers, and no other school's."""

from __future__ import annotations

import io
import shutil

from bs4 import BeautifulSoup
from django.urls import reverse

from tests.web.conftest import A

HEADER = "upn,contact_id,forename,surname,relationship,parental_responsibility,phone\n"


def _post(client, name: str, content: bytes):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("uploads"), {"files": [upload]})


def test_a_school_may_not_send_another_schools_pupils_contacts(client_as, city) -> None:
    from attendwise.web.services.data import get_access

    before = get_access().version()
    theirs = city.pupils["b_pupil"]
    body = f"{HEADER}{theirs.lower()},M1,Amina,Begum,mother,Y,07700 900123\n".encode()
    response = _post(client_as("school_a"), "contacts.csv", body)
    assert response.status_code == 400
    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert f"pupil {theirs} is not on the roll of one of your schools" in text
    assert get_access().version() == before


def test_a_school_sends_its_own_pupils_contacts(client_as, city, tmp_path, settings) -> None:
    from attendwise.store import Store
    from attendwise.web.services import data

    copy = tmp_path / "copy.duckdb"
    shutil.copy(city.path, copy)
    settings.ATTENDWISE_STORE = copy
    data.reset_access()
    ours = city.pupils["a_pa"]
    body = f"{HEADER}{ours},M1,Amina,Begum,mother,Y,07700 900123\n".encode()
    c = client_as("school_a")
    response = _post(c, "contacts.csv", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = BeautifulSoup(c.get(response["Location"]).content, "html.parser")
    assert "1 new contact." in page.get_text(" ", strip=True)
    data.reset_access()
    with Store(copy, read_only=True) as store:
        assert [c.contact.contact_id for c in store.pupil_contacts([ours])[ours]] == ["M1"]
    from attendwise.web.models import Action, AuditEvent

    assert AuditEvent.objects.get(action=Action.IMPORT).school_urn == A
