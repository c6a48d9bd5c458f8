"""Casework in a Targeting Support Meeting: the pack shows each listed pupil's case stage and open interventions,
and an action agreed for a pupil opens a case (reason "TSM action") or is recorded on the pupil's open case."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.casework import commands
from attendwise.web.casework import store
from attendwise.web.casework.config import casework_config
from attendwise.web.casework.models import CaseEventRecord, CaseRecord
from attendwise.web.models import AgreedAction, TargetingMeeting
from tests.cities import A
from tests.web.cases import open_case

pytestmark = pytest.mark.django_db
PACK = reverse("tsm_pack", args=[A, "2024-25-autumn"])


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def agree(city, label: str, owner, description: str = "Home visit by the LA officer") -> AgreedAction:
    meeting, _ = TargetingMeeting.objects.get_or_create(urn=A, term="2024/25-autumn")
    return AgreedAction.objects.create(
        meeting=meeting,
        enrolment_id=city.enrolments[label],
        upn=city.pupils[label],
        description=description,
        owner=owner,
        owner_name="Olu Adeyemi",
        due_date=dt.date(2024, 10, 4),
    )


def test_the_pack_shows_each_listed_pupils_case_stage_and_open_interventions(client_as, city) -> None:
    case = open_case(city, "a_severe", stage="targeted_support")
    today = store.now().date()
    store.record(
        case.pk,
        1,
        lambda cs: commands.log_intervention(
            cs,
            casework_config(),
            type="part_time_timetable",
            date=today,
            who="officer",
            at=store.now(),
            end_date=today + dt.timedelta(weeks=4),
            review_date=today + dt.timedelta(weeks=2),
        ),
        "officer",
    )
    page = soup(client_as("officer").get(PACK))
    rows = {
        r.select_one("th").get_text(strip=True): [c.get_text(" ", strip=True) for c in r.select("td")]
        for r in page.select_one("#casework").find_next("table").select("tbody tr")
    }
    severe = rows["A Severe Testchild"]
    assert severe[:2] == ["Severely absent", "Stage 3: targeted support"]
    assert severe[2].startswith("Part-time timetable from") and "(review " in severe[2]
    assert rows["A Pa Testchild"][:2] == ["Persistently absent", "No open case"]
    # The first row is a pupil with a case, linked to it.
    first = page.select_one("#casework").find_next("table").select_one("tbody tr th a")
    assert first["href"] == reverse("case", args=[case.pk])


def test_an_agreed_action_opens_a_case_for_its_pupil(client_as, city, make_user) -> None:
    officer = make_user("officer")
    action = agree(city, "a_pa", officer)
    client_as.client.force_login(officer)
    c = client_as.client
    link = soup(c.get(PACK)).select_one("#action-cases a")
    assert (
        link["href"] == reverse("case_open", args=[city.enrolments["a_pa"]]) + f"?reason=tsm_action&action={action.pk}"
    )
    form = soup(c.get(link["href"]))
    assert form.select_one("#open-reason option[selected]")["value"] == "tsm_action"
    detail = form.select_one("#open-detail").get_text()
    assert (
        detail == "TSM action agreed at the 2024/25-autumn meeting: Home visit by the LA officer "
        "(Olu Adeyemi, due 4 October 2024)"
    )
    response = c.post(
        reverse("case_open", args=[city.enrolments["a_pa"]]),
        {"reason": "tsm_action", "stage": "early_intervention", "why": "Agreed at the TSM", "detail": detail},
    )
    assert response.status_code == 302
    case = CaseRecord.objects.get()
    assert (case.opening_reason, CaseEventRecord.objects.get(case=case).payload["detail"]) == ("tsm_action", detail)
    # ...and the action is then recorded on the case instead.
    form = soup(c.get(PACK)).select_one("#action-cases form")
    assert form["action"] == reverse("case_tsm_action", args=[case.pk])


def test_an_agreed_action_is_recorded_on_the_pupils_open_case(client_as, city, make_user) -> None:
    case = open_case(city, "a_pa")
    officer = make_user("officer")
    action = agree(city, "a_pa", officer, "Meeting in school with mum")
    other = agree(city, "a_severe", officer, "Someone else's action")
    client_as.client.force_login(officer)
    c = client_as.client
    response = c.post(reverse("case_tsm_action", args=[case.pk]), {"version": 1, "action": other.pk})
    assert response.status_code == 400
    assert "not one agreed for this pupil" in soup(response).select_one(".govuk-error-summary").get_text()
    response = c.post(reverse("case_tsm_action", args=[case.pk]), {"version": 1, "action": action.pk})
    assert response.status_code == 302
    event = CaseEventRecord.objects.get(case=case, seq=2)
    assert (event.kind, event.why) == (
        "note",
        "TSM action agreed at the 2024/25-autumn meeting: Meeting in school with mum (Olu Adeyemi, due 4 October 2024)",
    )
    client_as.client.logout()
    assert (
        client_as("school_b")
        .post(reverse("case_tsm_action", args=[case.pk]), {"version": 2, "action": action.pk})
        .status_code
        == 404
    )
