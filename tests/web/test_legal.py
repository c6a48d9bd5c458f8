"""The legal pathway's pages: a school's request with the window's marks, the LA's checks, issuing to two parents,
a third notice refused with its reason, who sees what, and the audit of every view and change."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from attendwise.web.legal.models import DecisionRecord, NoticeRecord, RequestRecord
from attendwise.web.models import AuditEvent
from tests.web.legal import PAT, QUINN, earlier_notice, make_request

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def test_a_school_requests_a_notice_seeing_the_windows_marks(client_as, city) -> None:
    c = client_as("school_a")
    address = reverse("legal_request_new", args=[city.enrolments["a_severe"]])
    page = c.get(address)
    assert page.status_code == 200
    text = _text(page)
    assert "20 sessions of unauthorised absence" in text and "the threshold of 10 is met" in text
    assert len(BeautifulSoup(page.content, "html.parser").select("#window-marks tbody tr")) == 20
    refused = c.post(address, {"support_offered": "Mentor"})
    assert refused.status_code == 400 and "Error: " in _text(refused)
    assert "Choose at least one parent, or enter another parent" in _text(refused)
    done = c.post(address, {"others": "Pat Parent, 1 High Street\nQuinn Parent, 1 High Street", "letter_sent_on": ""})
    assert done.status_code == 302
    row = RequestRecord.objects.get()
    assert (row.urn, row.status, row.requested_by) == (city_urn(city, "a_severe"), "requested", "school_a")
    assert [p["name"] for p in row.record["parents"]] == ["Pat Parent", "Quinn Parent"]
    assert AuditEvent.objects.filter(username="school_a", detail__startswith="requested penalty notice").exists()


def city_urn(city, label: str) -> int:
    from tests.web.cases import SCHOOL

    return SCHOOL[label[0]]


def test_the_officer_finds_a_failed_check_records_support_and_issues_to_two_parents(client_as, city) -> None:
    row = make_request(city, "a_severe")
    c = client_as("officer")
    page = c.get(reverse("legal_request", args=[row.pk]))
    soup = BeautifulSoup(page.content, "html.parser")
    assert "Failed" in soup.select_one("#check-support").get_text()
    assert "Passed" in soup.select_one("#check-letter").get_text()
    issue = reverse("legal_issue", args=[row.pk])
    today = timezone.localdate().isoformat()
    form = {"version": 1, "parents": [PAT.contact_id, QUINN.contact_id], "posted_on": today, "method": "post"}
    refused = c.post(issue, form)
    assert refused.status_code == 400 and "Support" in _text(refused)
    assert DecisionRecord.objects.filter(request_id=row.pk, allowed=False).count() == 1
    assert NoticeRecord.objects.count() == 0
    assert (
        c.post(reverse("legal_support", args=[row.pk]), {"version": 1, "offered": "Attendance mentor"}).status_code
        == 302
    )
    assert c.post(issue, {**form, "version": 2}).status_code == 302
    notices = list(NoticeRecord.objects.order_by("contact_id"))
    assert [n.contact_id for n in notices] == [PAT.contact_id, QUINN.contact_id]
    assert all(n.record["sequence"] == 1 and n.record["lower_amount"] == 80 for n in notices)
    text = _text(c.get(reverse("legal_request", args=[row.pk])))
    assert "Issued" in text and "first notice to Pat Parent" in text


def test_a_third_notice_is_refused_with_its_reason(client_as, city) -> None:
    earlier_notice(city, "a_severe", PAT, dt.date(2024, 9, 30), "PN-A")
    earlier_notice(city, "a_severe", PAT, timezone.localdate() - dt.timedelta(days=200), "PN-B")
    row = make_request(city, "a_severe", support="Mentor weekly")
    c = client_as("officer")
    form = {"version": 1, "parents": [PAT.contact_id], "posted_on": timezone.localdate().isoformat(), "method": "post"}
    refused = c.post(reverse("legal_issue", args=[row.pk]), form)
    assert refused.status_code == 400
    text = _text(refused)
    assert (
        "third notice to Pat Parent" in text and "alternative action" in text and "education supervision order" in text
    )
    row.refresh_from_db()
    assert row.status == "refused" and NoticeRecord.objects.count() == 2


def test_a_child_in_need_needs_the_social_workers_agreement(client_as, city) -> None:
    row = make_request(city, "c_cin", support="Family hub", who="officer")
    c = client_as("officer")
    soup = BeautifulSoup(c.get(reverse("legal_request", args=[row.pk])).content, "html.parser")
    assert "Failed" in soup.select_one("#check-social_worker").get_text()
    form = {"version": 1, "name": "Sam Social", "agreed_on": timezone.localdate().isoformat()}
    assert c.post(reverse("legal_social_worker", args=[row.pk]), form).status_code == 302
    soup = BeautifulSoup(c.get(reverse("legal_request", args=[row.pk])).content, "html.parser")
    assert "Passed" in soup.select_one("#check-social_worker").get_text()


def test_a_change_from_a_stale_page_is_refused(client_as, city) -> None:
    row = make_request(city, "a_severe")
    c = client_as("officer")
    assert c.post(reverse("legal_support", args=[row.pk]), {"version": 1, "offered": "Mentor"}).status_code == 302
    stale = c.post(reverse("legal_support", args=[row.pk]), {"version": 1, "offered": "Other"})
    assert stale.status_code == 409 and "changed by officer" in _text(stale)


def test_the_queue_shows_each_schools_own_and_counts_are_suppressed(client_as, city) -> None:
    make_request(city, "a_severe")
    make_request(city, "c_cin", who="officer")
    assert "Testchild" not in _text(client_as("school_b").get(reverse("legal_queue")))
    school = _text(client_as("school_a").get(reverse("legal_queue")))
    assert "A Severe" in school and "C Cin" not in school
    counts = client_as("scrutiny")
    earlier_notice(city, "a_severe", PAT, dt.date(2024, 9, 30), "PN-A")
    table = BeautifulSoup(counts.get(reverse("legal_counts")).content, "html.parser").select("table tbody tr")
    assert table[-1].get_text(" ", strip=True).endswith("x")


def _issued(client, city) -> NoticeRecord:
    row = make_request(city, "a_severe", support="Mentor")
    form = {"version": 1, "parents": [PAT.contact_id], "posted_on": timezone.localdate().isoformat(), "method": "hand"}
    assert client.post(reverse("legal_issue", args=[row.pk]), form).status_code == 302
    return NoticeRecord.objects.get()


def test_a_payment_at_the_amount_due_and_a_wrong_one_refused(client_as, city) -> None:
    c = client_as("officer")
    notice = _issued(c, city)
    page = c.get(reverse("legal_notice", args=[notice.pk]))
    assert page.status_code == 200 and "£80" in BeautifulSoup(page.content, "html.parser").select_one("#due").text
    today = timezone.localdate().isoformat()
    wrong = c.post(reverse("legal_notice_payment", args=[notice.pk]), {"paid_on": today, "amount": 160})
    assert wrong.status_code == 400 and "£80 was due" in _text(wrong) and _text(wrong).startswith("Error: ")
    assert (
        c.post(reverse("legal_notice_payment", args=[notice.pk]), {"paid_on": today, "amount": 80}).status_code == 302
    )
    notice.refresh_from_db()
    assert notice.status == "paid within the lower period"
    assert DecisionRecord.objects.filter(notice=notice, allowed=False).count() == 1


def test_an_unpaid_notice_forces_a_decision(client_as, city) -> None:
    c = client_as("officer")
    notice = _issued(c, city)
    early = c.post(reverse("legal_notice_unpaid", args=[notice.pk]), {"action": "prosecute", "why": "No reply"})
    assert early.status_code == 400 and "not unpaid past its higher period" in _text(early)
    record = dict(notice.record)
    record["higher_by"] = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    record["lower_by"] = (timezone.localdate() - dt.timedelta(days=8)).isoformat()
    NoticeRecord.objects.filter(pk=notice.pk).update(record=record)
    page = _text(c.get(reverse("legal_notice", args=[notice.pk])))
    assert "Unpaid: prosecute or withdraw" in page and "nothing can be paid" in page
    done = c.post(
        reverse("legal_notice_unpaid", args=[notice.pk]), {"action": "withdraw", "why": "School will not prosecute"}
    )
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "withdrawn"
    assert client_as("school_a").post(reverse("legal_notice_withdraw", args=[notice.pk]), {}).status_code == 403


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="needs LibreOffice, poppler")
def test_the_certificate_for_the_requests_evidence_period(client_as, city, tmp_path) -> None:
    row = make_request(city, "a_severe")
    response = client_as("school_a").get(reverse("legal_certificate", args=[row.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "c.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # the request's ten O sessions, 2 to 6 September 2024, every one in the register's words
    lines = [line for line in text.splitlines() if re.match(r"^\s*\w{3} \d{2} Sep 2024\s+(AM|PM)\s+O\s", line)]
    assert len(lines) == 10 and "A Severe Testchild" in text
    assert AuditEvent.objects.filter(username="school_a", detail__startswith="certificate of attendance").exists()
