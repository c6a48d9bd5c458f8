"""Browser test of casework: a real ``attendwise serve --demo`` on a small synthetic city, driven in Chromium.

Given the app is running on the demo city (with its casework history)
When an officer opens a case from a school's list of pupils to follow up, records early help, the Team Around
the Family, a home visit and a letter (and opens the letter's PDF)
Then the school's user sees the case and adds a meeting, and another school's user cannot see it at all.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

from pypdf import PdfReader

from tests.web.test_browser import SHOTS, UserSession, browser, pytestmark, server  # noqa: F401 - fixtures

#: Makes a second school's user in the served app's accounts (its database beside the store).
OTHER_SCHOOL_USER = """
import sys
from pathlib import Path
from attendwise.web.commands import setup_django
setup_django(Path(sys.argv[1]), "attendwise.web.settings.local")
from django.contrib.auth import get_user_model
from attendwise.web.models import Profile, Role, SchoolAccess
user = get_user_model().objects.create_user("school-other", password=sys.argv[3])
Profile.objects.create(user=user, role=Role.SCHOOL)
SchoolAccess.objects.create(user=user, urn=int(sys.argv[2]))
"""


def _other_school_user(store: str, urn: int) -> tuple[str, str]:
    password = "correct-horse-battery-42"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    done = subprocess.run(
        [sys.executable, "-c", OTHER_SCHOOL_USER, store, str(urn), password], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return "school-other", password


def _open_form(user: UserSession, name: str) -> None:
    """Open the case page's details block ``name`` (its form)."""
    try:
        user.page.click(f"details#{name} > summary", timeout=20_000)
    except Exception:
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / f"casework-no-{name}.html").write_text(user.page.content())
        raise


def test_an_officer_works_a_case_and_only_its_school_sees_it(server, browser) -> None:  # noqa: F811
    base, logins, folder = server
    school = UserSession(browser, base, "school", logins["school"])
    school.sign_in()
    own = int(school.page.url.rstrip("/").split("/")[-1])

    officer = UserSession(browser, base, "officer", logins["officer"])
    officer.sign_in(f"/schools/{own}/cases/")
    # From the school's pupils to follow up (early warning's, then the persistently absent), the first.
    link = officer.page.locator("#to-consider ~ table a[href*='/cases/new']").first
    pupil = officer.page.locator("#to-consider ~ table tbody tr").first.locator("th, td").first.inner_text()
    link.click()
    officer.page.wait_for_load_state("networkidle")
    assert officer.heading().startswith("Open a case for")
    officer.page.fill("#open-why", "Attendance falling since half term; the school asked for help")
    officer.page.click("button:has-text('Open the case')")
    officer.page.wait_for_load_state("networkidle")
    case_url = officer.page.url
    assert re.search(r"/cases/\d+/$", case_url), case_url

    _open_form(officer, "eha_offer")
    officer.page.fill("#eha_offer-offered_by", "Ms Patel, Early Help Assessment coordinator")
    officer.page.click("button:has-text('Record the offer')")
    _open_form(officer, "eha_answer")
    officer.page.check("#eha_answer-answer-1")  # accepted
    officer.page.click("button:has-text('Record the answer')")
    officer.page.wait_for_load_state("networkidle")
    assert "Accepted" in officer.page.inner_text("#early-help ~ table")
    for agency, person, role in (
        ("Family hub", "Sam Okafor", "Family worker"),
        ("School nursing", "Grace Bell", "Nurse"),
    ):
        _open_form(officer, "taf")
        officer.page.fill("#taf-agency", agency)
        officer.page.fill("#taf-person", person)
        officer.page.fill("#taf-role", role)
        officer.page.click("button:has-text('Add them')")
        officer.page.wait_for_load_state("networkidle")
    members = officer.page.locator("h2#taf ~ table tbody th").all_inner_texts()
    assert {"Sam Okafor", "Grace Bell"} <= set(members)
    _open_form(officer, "intervention")
    officer.page.select_option("#intervention-type", "home_visit")
    officer.page.fill("#intervention-notes", "Mum at home; agreed a morning routine")
    officer.page.click("button:has-text('Log the intervention')")
    officer.page.wait_for_load_state("networkidle")
    _open_form(officer, "letter")
    officer.page.select_option("#letter-template", "shipped:attendance-concern")
    officer.page.click("button:has-text('Write the letter')")
    officer.page.wait_for_load_state("networkidle")
    assert "#letter-" in officer.page.url, officer.page.url
    officer.screenshot("casework-officer-case")
    pdf_link = officer.page.locator("tr[id^='letter-'] a").first
    assert pdf_link.inner_text().endswith(".pdf")
    response = officer.context.request.get(base + pdf_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert pupil.split()[0] in text
    timeline = officer.page.inner_text("#timeline ~ ol")
    for heading in ("Early Help Assessment offered", "Early Help Assessment answered", "Intervention logged"):
        assert heading in timeline
    assert timeline.count("Joined the Team Around the Family") >= 2
    other_urn = next(
        int(m)
        for m in re.findall(r'href="/schools/(\d+)/"', officer.page.content() if officer.open("/schools/") else "")
        if int(m) != own
    )
    officer.close()

    assert school.open(case_url.removeprefix(base)) == 200
    assert school.heading() == pupil
    _open_form(school, "intervention")
    school.page.select_option("#intervention-type", "meeting_in_school")
    school.page.fill("#intervention-outcome", "Parent agreed to a weekly check-in")
    school.page.click("button:has-text('Log the intervention')")
    school.page.wait_for_load_state("networkidle")
    assert "Meeting in school" in school.page.inner_text("#interventions ~ table")
    school.screenshot("casework-school-case")
    school.close()

    username, password = _other_school_user(str(folder / "demo.duckdb"), other_urn)
    other = UserSession(browser, base, username, password)
    other.sign_in()
    assert other.open(case_url.removeprefix(base)) == 404
    assert pupil not in other.page.content()
    other.close()
    assert SHOTS.exists()
