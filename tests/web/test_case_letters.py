"""Letters on cases: written from the case page to the parents chosen, kept as .docx and PDF, logged as letters,
opened only by those who may see the case; and the LA's own templates, uploaded and checked."""

from __future__ import annotations

import io

import docx
import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from attendwise.documents.letters import pdf_available, shipped_templates
from attendwise.web.casework.models import CaseRecord, InterventionRecord, LetterTemplateRecord
from attendwise.web.models import Action, AuditEvent, Outcome
from tests.web.cases import open_case

pytestmark = pytest.mark.django_db
needs_pdf = pytest.mark.skipif(not pdf_available(), reason="LibreOffice is not installed (make libreoffice)")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


class TestWritingALetter:
    @needs_pdf
    def test_a_letter_to_each_parent_chosen_kept_as_docx_and_pdf(self, client_as, city) -> None:
        """a_pa's parents with parental responsibility are offered (the grandmother, who has none, is not); a
        letter to each is merged, kept twice and logged as a letter intervention holding it."""
        case = open_case(city, "a_pa")
        c = client_as("officer")
        page = soup(c.get(reverse("case", args=[case.pk])))
        offered = [label.get_text(strip=True) for label in page.select("#letter-contacts label")]
        assert offered == ["Amina Begum (mother)", "Tariq Begum (father, does not live with the pupil)"]
        assert all(box.has_attr("checked") for box in page.select("#letter-contacts input"))
        templates = [o["value"] for o in page.select("#letter-template option")][1:]
        assert templates == [f"shipped:{name}" for name in shipped_templates()]
        response = c.post(
            reverse("case_letter", args=[case.pk]),
            {"version": 1, "template": "shipped:attendance-concern", "contacts": ["P1", "P2"]},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        letters = list(InterventionRecord.objects.filter(case=case).order_by("ref"))
        assert [(i.type, i.document_template, i.document_content_type) for i in letters] == [
            ("letter", "attendance-concern", "application/pdf"),
            ("letter", "attendance-concern", "application/pdf"),
        ]
        assert response["Location"] == reverse("case", args=[case.pk]) + f"#letter-{letters[0].ref}"
        assert CaseRecord.objects.get(pk=case.pk).version == 3
        AuditEvent.objects.all().delete()
        pdf = c.get(reverse("case_document", args=[case.pk, letters[0].ref]))
        assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("inline")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(body(pdf))).pages)
        assert "Ms Begum" in text and "A Pa" in text
        word = c.get(reverse("case_document", args=[case.pk, letters[1].ref]) + "?format=docx")
        assert word["Content-Disposition"].startswith("attachment") and word["Content-Disposition"].endswith('.docx"')
        assert "Tariq Begum" in docx_text(body(word))
        assert list(AuditEvent.objects.values_list("action", "outcome")) == [
            (Action.CASE_DOCUMENT, Outcome.SHOWN),
            (Action.CASE_DOCUMENT, Outcome.SHOWN),
        ]
        timeline = soup(c.get(reverse("case", args=[case.pk]))).select_one("#timeline ~ ol").get_text(" ")
        assert "Attendance concern, to Amina Begum (mother)" in timeline
        client_as.client.logout()
        assert client_as("school_b").get(reverse("case_document", args=[case.pk, letters[0].ref])).status_code == 404

    def test_the_form_says_what_is_wrong(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        c = client_as("school_a")
        response = c.post(reverse("case_letter", args=[case.pk]), {"version": 1, "template": "", "contacts": []})
        assert response.status_code == 400
        errors = [a.get_text() for a in soup(response).select(".govuk-error-summary a")]
        assert errors == ["Choose the letter", "Choose who the letter is to"]
        # The grandmother has no parental responsibility: not someone a letter goes to.
        response = c.post(
            reverse("case_letter", args=[case.pk]),
            {"version": 1, "template": "shipped:attendance-concern", "contacts": ["G1"]},
        )
        assert response.status_code == 400
        assert [a.get_text() for a in soup(response).select(".govuk-error-summary a")] == [
            "Choose parents from the list"
        ]
        assert not InterventionRecord.objects.exists()

    def test_a_letter_from_an_out_of_date_page_is_refused(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        c = client_as("officer")
        c.post(reverse("case_note", args=[case.pk]), {"version": 1, "text": "Called mum"})
        response = c.post(
            reverse("case_letter", args=[case.pk]),
            {"version": 1, "template": "shipped:attendance-summary", "contacts": ["P1"]},
        )
        assert response.status_code == 409
        assert "since you opened it (note)" in soup(response).select_one("#stale").get_text()
        assert not InterventionRecord.objects.exists()


def a_template(*paragraphs: str) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(c, data: bytes, *, name: str = "attendance-concern", title: str = "Our concern letter"):
    return c.post(
        reverse("letter_templates"),
        {"name": name, "title": title, "file": SimpleUploadedFile("our-letter.docx", data)},
    )


class TestTheLasTemplates:
    def test_a_template_naming_a_field_attendwise_does_not_have_is_refused(self, client_as) -> None:
        c = client_as("la_admin")
        response = upload(c, a_template("Dear {{ parent.salutation }},", "About {{ pupil.nickname }}."))
        assert response.status_code == 400
        page = soup(response)
        assert page.title.get_text().startswith("Error: ")
        errors = [a.get_text() for a in page.select(".govuk-error-summary a")]
        assert len(errors) == 1 and errors[0].startswith("{{ pupil.nickname }} is not a merge field attendwise has")
        assert page.select_one(".govuk-error-summary a")["href"] == "#template-file"
        assert not LetterTemplateRecord.objects.exists()
        response = c.post(reverse("letter_templates"), {"name": "Not A Name", "title": ""})
        assert [a.get_text() for a in soup(response).select(".govuk-error-summary a")] == [
            "Enter the letter type as lower-case words joined by hyphens, such as attendance-concern",
            "Enter what the letter is for",
            "Choose the template file",
        ]

    def test_uploads_are_versions_and_the_latest_is_offered_beside_the_shipped(self, client_as, city) -> None:
        c = client_as("la_admin")
        first = a_template("Dear {{ parent.salutation }},", "{{ pupil.first_name }} has missed school.")
        response = upload(c, first)
        assert response.status_code == 302
        assert "is stored as version 1" in soup(c.get(response["Location"])).select_one("#stored").get_text()
        second = a_template("Dear {{ parent.salutation }},", "Version two for {{ pupil.full_name }}.")
        response = upload(c, second)
        assert response.status_code == 302
        assert "is stored as version 2" in soup(c.get(response["Location"])).select_one("#stored").get_text()
        assert list(LetterTemplateRecord.objects.values_list("name", "version")) == [
            ("attendance-concern", 2),
            ("attendance-concern", 1),
        ]
        case = open_case(city, "a_pa")
        page = soup(c.get(reverse("case", args=[case.pk])))
        offered = [(o["value"], o.get_text()) for o in page.select("#letter-template option")][1:]
        assert offered[0] == ("la:attendance-concern", "Our concern letter (the LA's, version 2)")
        assert [k for k, _ in offered[1:]] == [f"shipped:{name}" for name in shipped_templates()]
        response = c.post(
            reverse("case_letter", args=[case.pk]),
            {"version": 1, "template": "la:attendance-concern", "contacts": ["P1"]},
        )
        assert response.status_code == 302
        letter = InterventionRecord.objects.get(case=case)
        word = c.get(reverse("case_document", args=[case.pk, letter.ref]) + ("?format=docx" if pdf_available() else ""))
        assert "Version two for A Pa Testchild." in docx_text(body(word))

    def test_only_la_administrators_manage_templates(self, client_as) -> None:
        for role in ("officer", "school_a", "virtual_school", "scrutiny"):
            client_as.client.logout()
            c = client_as(role)
            assert c.get(reverse("letter_templates")).status_code == 403
            assert upload(c, a_template("{{ pupil.first_name }}")).status_code == 403
        assert not LetterTemplateRecord.objects.exists()
