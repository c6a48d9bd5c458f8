"""The family view: siblings across schools (a_pa at A and b_pupil at B share their mother), their attendance
and cases side by side, each user seeing only the siblings in their scope; and a family case linking their cases."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.web.casework.models import CaseEventRecord, CaseRecord, FamilyLink
from attendwise.web.models import Action, AuditEvent, Outcome
from tests.web.cases import open_case

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def rows(page: BeautifulSoup) -> list[list[str]]:
    return [[c.get_text(" ", strip=True) for c in r.select("th, td")] for r in page.select("#siblings tbody tr")]


class TestTheFamilyView:
    def test_an_officer_sees_every_sibling_with_attendance_and_cases(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        c = client_as("officer")
        pupil = soup(c.get(reverse("pupil", args=[city.enrolments["a_pa"]])))
        href = reverse("pupil_family", args=[city.enrolments["a_pa"]])
        assert pupil.select_one("#family-link a")["href"] == href
        assert soup(c.get(reverse("case", args=[case.pk]))).select_one(f'#family ~ p a[href="{href}"]')
        AuditEvent.objects.all().delete()
        page = soup(c.get(href))
        assert rows(page) == [
            [
                "A Pa Testchild",
                "Alder Primary School, year group 4",
                "80.0%",
                "6 of 30",
                "Amina Begum (mother); Tariq Begum (father)",
                "Stage 2: early intervention",
            ],
            [
                "B Pupil Testchild",
                "Birch Primary School, year group 4",
                "93.3%",
                "2 of 30",
                "Amina Begum (mother)",
                "No open case. Open a case",
            ],
        ]
        event = AuditEvent.objects.get()
        assert (event.action, event.outcome, event.upn, event.pupils, event.detail) == (
            Action.VIEW_CASE_LIST,
            Outcome.SHOWN,
            city.pupils["a_pa"],
            2,
            "family",
        )

    def test_a_school_sees_only_its_own_children_of_the_family(self, client_as, city) -> None:
        """School A sees a_pa, not the sister at B (nor that she exists); B's user may not ask about a_pa at all."""
        response = client_as("school_a").get(reverse("pupil_family", args=[city.enrolments["a_pa"]]))
        assert [r[0] for r in rows(soup(response))] == ["A Pa Testchild"]
        assert "B Pupil" not in response.content.decode() and "Birch" not in response.content.decode()
        client_as.client.logout()
        b = client_as("school_b")
        response = b.get(reverse("pupil_family", args=[city.enrolments["b_pupil"]]))
        assert [r[0] for r in rows(soup(response))] == ["B Pupil Testchild"]
        assert b.get(reverse("pupil_family", args=[city.enrolments["a_pa"]])).status_code == 404
        client_as.client.logout()
        assert [
            r[0]
            for r in rows(soup(client_as("officer_a").get(reverse("pupil_family", args=[city.enrolments["a_pa"]]))))
        ] == ["A Pa Testchild"]

    def test_a_pupil_with_no_recorded_parent_is_a_family_of_one(self, client_as, city) -> None:
        page = soup(client_as("officer").get(reverse("pupil_family", args=[city.enrolments["c_cin"]])))
        assert [r[0] for r in rows(page)] == ["C Cin Testchild"]
        assert "Fewer than two children of the family have an open case" in page.select_one("#cases ~ p").get_text()


class TestAFamilyCase:
    def test_the_siblings_open_cases_are_linked_in_one_family_case(self, client_as, city) -> None:
        first, second = open_case(city, "a_pa"), open_case(city, "b_pupil")
        c = client_as("officer")
        href = reverse("pupil_family", args=[city.enrolments["a_pa"]])
        form = soup(c.get(href)).select_one("#cases ~ form")
        values = [i["value"] for i in form.select("input[name=case]")]
        assert sorted(values) == sorted([f"{first.pk}:1", f"{second.pk}:1"])
        response = c.post(form["action"], {"case": values, "why": "One plan for both children"})
        assert response.status_code == 302
        links = dict(FamilyLink.objects.values_list("case_id", "family_id"))
        assert set(links) == {first.pk, second.pk} and len(set(links.values())) == 1
        event = CaseEventRecord.objects.get(case=first, seq=2)
        assert (event.kind, event.payload["family_case"], event.why) == (
            "family_linked",
            links[first.pk],
            "One plan for both children",
        )
        page = soup(c.get(href))
        assert f"linked in family case {links[first.pk]}" in page.select_one("#cases ~ p").get_text()
        case_page = soup(c.get(reverse("case", args=[first.pk])))
        assert case_page.select_one(f'#family ~ ul a[href="{reverse("case", args=[second.pk])}"]')
        assert CaseRecord.objects.get(pk=second.pk).version == 2

    def test_a_link_from_an_out_of_date_page_is_refused_and_nothing_is_linked(self, client_as, city) -> None:
        first, second = open_case(city, "a_pa"), open_case(city, "b_pupil")
        c = client_as("officer")
        c.post(reverse("case_note", args=[second.pk]), {"version": 1, "text": "Spoke to the school"})
        response = c.post(
            reverse("family_link", args=[city.enrolments["a_pa"]]), {"case": [f"{first.pk}:1", f"{second.pk}:1"]}
        )
        assert response.status_code == 409
        assert "since you opened it (note)" in soup(response).select_one("#family-error").get_text()
        assert not FamilyLink.objects.exists() and CaseRecord.objects.get(pk=first.pk).version == 1

    def test_a_school_seeing_one_of_the_cases_cannot_link_them(self, client_as, city) -> None:
        first, second = open_case(city, "a_pa"), open_case(city, "b_pupil")
        c = client_as("school_a")
        page = soup(c.get(reverse("pupil_family", args=[city.enrolments["a_pa"]])))
        assert not page.select("#cases ~ form")
        response = c.post(
            reverse("family_link", args=[city.enrolments["a_pa"]]), {"case": [f"{first.pk}:1", f"{second.pk}:1"]}
        )
        assert response.status_code == 400 and not FamilyLink.objects.exists()
