"""Targeting Support Meetings in the web app: the pack page, recording the meeting, and who may change what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook

from attendwise.web.models import ActionStatus, AgreedAction, AuditEvent, DiscussedPupil, TargetingMeeting
from attendwise.web.services.tsm import inputs_for, previous_term, term_label, term_slug
from tests.cities import A, B

pytestmark = pytest.mark.django_db
TERM = "2024/25-autumn"
SLUG = "2024-25-autumn"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def url(name: str, urn: int = A, *extra: object) -> str:
    return reverse(name, args=[urn, SLUG, *extra])


def test_term_labels_and_the_term_before() -> None:
    assert term_slug(TERM) == SLUG and term_label(SLUG) == TERM
    assert term_label("2024-26-autumn") is None and term_label("2024-25-winter") is None
    assert previous_term("2024/25-spring") == "2024/25-autumn"
    assert previous_term("2024/25-summer") == "2024/25-spring"
    assert previous_term("2024/25-autumn") == "2023/24-summer"


def test_the_pack_page_lists_the_schools_absent_pupils(client_as, city) -> None:
    """School A's pack names its severely absent child looked after and its persistently absent pupil."""
    page = soup(client_as("officer").get(url("tsm_pack")))
    assert page.select_one("h1").get_text(strip=True) == "Targeting Support Meeting: Alder Primary School"
    severe = page.select_one("#severe").find_next("table").get_text(" ", strip=True)
    assert city.pupils["a_severe"] in severe and "A Severe Testchild" in severe
    persistent = page.select_one("#persistent").find_next("table").get_text(" ", strip=True)
    assert city.pupils["a_pa"] in persistent
    assert "A Severe" not in persistent  # each absent pupil in one list only
    event = AuditEvent.objects.get()
    assert (event.school_urn, event.detail) == (A, f"TSM pack {TERM}")


def test_an_officer_records_the_meeting_and_two_actions(client_as, city) -> None:
    c = client_as("officer")
    officer = c.get(url("tsm_pack")).wsgi_request.user
    page = soup(c.get(url("tsm_pack")))
    named = [o.get_text() for o in page.select("#meeting-officer option")]
    assert named == ["Choose the officer", "officer"]  # the LA staff who may hold this school's meeting
    response = c.post(url("tsm_meeting"), {"scheduled_for": "2024-09-20"})
    assert response.status_code == 400 and "Choose the officer" in response.content.decode()
    response = c.post(
        url("tsm_meeting"),
        {
            "officer": officer.pk,
            "scheduled_for": "2024-09-20",
            "held_on": "2024-09-20",
            "attendees": "Head teacher\nEWO",
            "notes": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#meeting")
    for label, what in (("a_severe", "Home visit this week"), ("a_pa", "Attendance contract meeting")):
        response = c.post(url("tsm_action"), {"upn": city.pupils[label], "description": what, "due_date": "2024-10-01"})
        assert response.status_code == 302
    meeting = TargetingMeeting.objects.get(urn=A, term=TERM)
    assert meeting.held_on == dt.date(2024, 9, 20) and meeting.officer.username == "officer"
    assert [a.description for a in meeting.actions.order_by("id")] == [
        "Home visit this week",
        "Attendance contract meeting",
    ]
    page = soup(c.get(url("tsm_pack")))
    actions = page.select_one("#agreed").find_next("table").get_text(" ", strip=True)
    assert "Home visit this week" in actions and "officer" in actions
    assert f"A Severe Testchild ({city.pupils['a_severe']})" in actions  # named where the pack lists the pupil
    # next term's pack is given these as the previous meeting's actions, dated the day it was held
    previous = inputs_for(A, "2024/25-spring").previous_actions
    assert {(p.upn, p.agreed_on, p.action) for p in previous} == {
        (city.pupils["a_severe"], dt.date(2024, 9, 20), "Home visit this week"),
        (city.pupils["a_pa"], dt.date(2024, 9, 20), "Attendance contract meeting"),
    }


def test_mistakes_are_shown_with_the_field_and_nothing_is_saved(client_as) -> None:
    c = client_as("officer")
    response = c.post(url("tsm_action"), {"upn": "A999", "description": "", "due_date": "next week"})
    assert response.status_code == 400
    summary = soup(response).select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert "A UPN is 13 characters" in summary
    assert "Enter what will be done" in summary
    assert "Enter the due date as a real date, for example 27 3 2025" in summary
    response = c.post(url("tsm_action"), {"upn": "A999100024001", "description": "x", "due_date": "2024-10-01"})
    assert "no pupil with this UPN on the school" in response.content.decode()
    assert not AgreedAction.objects.exists()


def test_a_school_asks_to_discuss_its_pupil_and_records_its_own_action(client_as, city) -> None:
    c = client_as("school_a")
    upn = city.pupils["a_pa"]
    assert c.post(url("tsm_discuss"), {"upn": upn, "reason": "Anxiety about school"}).status_code == 302
    asked = DiscussedPupil.objects.get()
    assert asked.requested_by_school and asked.upn == upn
    page = soup(c.get(url("tsm_pack")))
    assert upn in page.select_one("#discuss").find_next("table").get_text(" ", strip=True)
    agenda = page.find("caption", string="On the agenda").find_parent("table").get_text(" ", strip=True)
    assert "The school (school_a)" in agenda and "Anxiety about school" in agenda and "Not yet named" in agenda
    # the officer later names the lead practitioner; the school's request and reason stay
    client_as.client.logout()
    client_as("officer").post(url("tsm_discuss"), {"upn": upn, "lead_practitioner": "Sam Okafor (EWO)"})
    asked.refresh_from_db()
    assert (asked.requested_by_school, asked.reason, asked.lead_practitioner) == (
        True,
        "Anxiety about school",
        "Sam Okafor (EWO)",
    )
    client_as.client.logout()
    c = client_as.client
    c.force_login(asked.added_by)
    # the school records and closes its own action, but may not record the meeting itself
    c.post(url("tsm_action"), {"upn": "", "description": "Review first-day calling", "due_date": "2024-10-01"})
    action = AgreedAction.objects.get()
    assert action.owner_name == "school_a" and action.upn == ""
    assert c.post(url("tsm_action_done", A, action.pk)).status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert c.post(url("tsm_meeting"), {"scheduled_for": "2024-09-20"}).status_code == 403


def test_nobody_changes_another_schools_meeting(client_as, city) -> None:
    assert client_as("school_b").post(url("tsm_discuss"), {"upn": city.pupils["a_pa"]}).status_code == 404
    client_as.client.logout()
    assert client_as("officer_a").post(url("tsm_meeting", B), {"scheduled_for": "2024-09-20"}).status_code == 404
    client_as.client.logout()
    assert client_as("scrutiny").post(url("tsm_action"), {"description": "x"}).status_code == 403
    assert not TargetingMeeting.objects.exists()


def test_only_its_owner_or_the_la_closes_an_action(client_as, make_user, city) -> None:
    officer = make_user("officer")
    meeting = TargetingMeeting.objects.create(urn=A, term=TERM)
    action = AgreedAction.objects.create(
        meeting=meeting,
        description="Refer to early help",
        owner=officer,
        owner_name="officer",
        due_date=dt.date.today(),
    )
    assert client_as("school_a").post(url("tsm_action_done", A, action.pk)).status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_workbook_and_the_printable_pack(client_as, city) -> None:
    c = client_as("officer")
    response = c.get(url("tsm_pack_xlsx"))
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    severe = book["Severely absent"]
    assert city.pupils["a_severe"] in [cell.value for row in severe.iter_rows() for cell in row]
    printable = c.get(url("tsm_pack_html"))
    assert "Targeting Support Meeting: Alder Primary School" in printable.content.decode()
    assert "'sha256-" in printable["Content-Security-Policy"]  # its own stylesheet, and nothing else inline
    assert "unsafe-inline" not in printable["Content-Security-Policy"]
    assert TargetingMeeting.objects.get(urn=A, term=TERM).pack_generated_at is not None


def test_the_la_term_view_shows_every_school_and_every_severely_absent_pupil(client_as, city) -> None:
    c = client_as("officer")
    meeting = TargetingMeeting.objects.create(urn=A, term=TERM, held_on=dt.date(2024, 9, 20))
    AgreedAction.objects.create(
        meeting=meeting,
        upn=city.pupils["a_severe"],
        description="Home visit",
        owner_name="officer",
        due_date=dt.date(2024, 9, 27),
    )
    page = soup(c.get(reverse("tsm_term")))
    schools = page.select_one("#schools").find_next("table").get_text(" ", strip=True)
    assert "Alder Primary School" in schools and "Birch Primary School" in schools and "Cedar Academy" in schools
    severe = page.select_one("#severe").find_next("table").get_text(" ", strip=True)
    assert "A Severe Testchild" in severe and "Home visit" in severe
    values = [v.get_text(strip=True) for v in page.select(".aw-headline__value")]
    assert values[:2] == ["1 of 3", "1"]  # one meeting held; the home visit is overdue
    assert client_as("officer_a").get(reverse("tsm_term")).status_code == 200
