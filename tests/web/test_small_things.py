"""The small things users hit: each fixed as a user would expect."""

from __future__ import annotations

import csv
import io

from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.web.models import Action, AuditEvent, Outcome
from tests.cities import A, B, C


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_the_school_pages_other_characteristic_link_opens_the_cohorts(client_as) -> None:
    for role in ("officer", "school_a", "scrutiny"):
        c = client_as(role)
        page = soup(c.get(reverse("school", args=[A]), {"period": "2024/25-autumn"}))
        link = page.find("a", string="Look at any other characteristic of this school's pupils")["href"]
        response = c.get(link)
        assert response.status_code == 200, (role, link)
        assert soup(response).select_one("#period option[selected]")["value"] == "2024/25-autumn"
        c.logout()


def test_an_officer_with_assigned_schools_sees_only_theirs_ranked(client_as) -> None:
    ranked = soup(client_as("officer_a").get(reverse("la_overview")))
    table = next(t for t in ranked.select("table") if "highest severe absence" in t.caption.get_text())
    assert table.caption.get_text().startswith("Your schools") and "(1 of 1)" in table.caption.get_text()
    assert [a.get_text() for a in table.select("tbody a")] == ["Alder Primary School"]
    client_as.client.logout()
    every = soup(client_as("officer").get(reverse("la_overview")))
    table = next(t for t in every.select("table") if "highest severe absence" in t.caption.get_text())
    assert len(table.select("tbody tr")) == 3


def test_a_school_with_no_other_of_its_phase_says_so(client_as) -> None:
    page = soup(client_as("officer").get(reverse("school", args=[C])))  # the test LA's only secondary
    captions = [c.get_text() for c in page.select("caption")]
    assert "Cedar Academy: no other state-funded secondary school in the LA to compare it with" in captions, captions[
        -3:
    ]
    assert not any("the 0 " in c for c in captions)


def test_terms_are_named_as_people_say_them(client_as) -> None:
    page = soup(client_as("officer").get(reverse("tsm_term"), {"term": "2024/25-autumn"}))
    options = [o.get_text() for o in page.select("select#term option")]
    assert "Autumn term 2024/25" in options and "2024/25-autumn" not in options


def test_the_audit_log_downloads_as_csv_for_an_la_administrator_and_the_download_is_audited(client_as) -> None:
    AuditEvent.objects.create(username="vs", role="virtual_school", action=Action.VIEW_PUPIL, outcome=Outcome.SHOWN)
    AuditEvent.objects.create(username="sb", role="school", action=Action.IMPORT, outcome=Outcome.REFUSED, detail="x")
    c = client_as("la_admin")
    response = c.get(reverse("audit_csv"), {"outcome": "refused"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["username"], r["role"], r["action"]) for r in rows] == [("sb", "School user", "Uploaded registers")]
    export = AuditEvent.objects.get(action=Action.EXPORT_AUDIT)
    assert export.username == "la_admin" and export.outcome == Outcome.SHOWN and "1 events" in export.detail
    everything = list(csv.DictReader(io.StringIO(c.get(reverse("audit_csv")).content.decode())))
    assert {"vs", "sb", "la_admin"} <= {r["username"] for r in everything}
    assert soup(c.get(reverse("audit"))).find("a", href=reverse("audit_csv") + "?")
    c.logout()
    assert client_as("officer").get(reverse("audit_csv")).status_code == 403
    assert AuditEvent.objects.filter(action=Action.EXPORT_AUDIT, outcome=Outcome.FORBIDDEN).count() == 1


def test_no_school_b_link_for_school_a(client_as) -> None:
    page = soup(client_as("school_a").get(reverse("school", args=[A])))
    assert not page.find("a", href=reverse("school", args=[B]))
