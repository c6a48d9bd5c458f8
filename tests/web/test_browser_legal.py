"""Browser test of the legal pathway, on a real ``attendwise serve`` (the fixtures of ``test_browser``).

Given a school with pupils absent without authority
When the school requests a penalty notice and the officer checks it, records the support offered and issues it
Then both parents named get a notice; and a request for a parent who already has two notices for the child
within three years is refused with its reason and the alternatives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import attendwise
from tests.web.served import served_city
from tests.web.test_browser import UserSession, browser, pytestmark  # noqa: F401 - the module's fixtures

#: Two notices other LAs issued to Pat Parent for the child of the latest request (so a third is refused).
EARLIER = """
import datetime as dt, sys
from pathlib import Path
from attendwise.web.commands import setup_django
setup_django(Path(sys.argv[1]), "attendwise.web.settings.local")
from attendwise.web.legal.models import RequestRecord
from attendwise.web.legal.records import import_notices
upn = RequestRecord.objects.order_by("-id").first().upn
today = dt.date.today()
rows = [f"X{i},named:pat parent,{upn},{today - dt.timedelta(days=100 * i)},Neighbouring LA,paid," for i in (1, 2)]
path = Path(sys.argv[1]).parent / "theirs.csv"
path.write_text("reference,contact_id,upn,issued_on,issuing_authority,status,reason\\n" + "\\n".join(rows) + "\\n")
print(import_notices(path))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """A small synthetic city served by ``attendwise serve --demo``, running this checkout's code."""
    from attendwise.demo import CitySpec

    spec = CitySpec(pupils=600, schools=4, years=1, first_year=2024)
    with served_city(tmp_path_factory.mktemp("browser-legal"), spec) as served:
        yield served


def _request_for_a_pupil(user: UserSession, skip: int = 0) -> str:
    """From the school's page, the first pupil (after ``skip``) whose window has unauthorised absence (not the
    leave-of-absence route): request
    a notice naming two parents, without recording support. Returns the request's address."""
    links = [a.get_attribute("href") for a in user.page.query_selector_all("a[href*='/pupils/']")]
    pupils = sorted({h.split("/pupils/")[1].split("/")[0] for h in links if h and "/pupils/" in h})
    found = 0
    for pupil in pupils:
        assert user.open(f"/pupils/{pupil}/legal/request") == 200
        if not user.page.query_selector("#window-marks"):
            continue
        codes = [c.inner_text().strip() for c in user.page.query_selector_all("#window-marks tbody td:nth-child(3)")]
        if codes.count("G") >= 10:  # the leave-of-absence route, which needs no support: not this test's
            continue
        if found < skip:
            found += 1
            continue
        user.page.fill("#request-others", "Pat Parent, 1 High Street\nQuinn Parent, 1 High Street")
        # the GOV.UK date pattern: day, month and year boxes
        for box, value in (("", "6"), ("-month", "1"), ("-year", "2025")):
            user.page.fill(f"#request-letter_sent_on{box}", value)
        user.page.click("button:has-text('Send the request to the LA')")
        user.page.wait_for_load_state("networkidle")
        assert "/legal/requests/" in user.page.url, user.page.inner_text("main")
        return user.page.url
    raise AssertionError("no pupil at the school has unauthorised absence in their window")


def test_a_request_checked_supported_issued_to_two_parents_and_a_third_refused(server, browser) -> None:  # noqa: F811
    base, logins, folder = server
    school = UserSession(browser, base, "school", logins["school"])
    school.sign_in()
    home = school.page.url
    first = _request_for_a_pupil(school)
    school.screenshot("legal-school-request")

    officer = UserSession(browser, base, "officer", logins["officer"])
    officer.sign_in("/legal/requests/")
    officer.page.goto(first)
    assert "Failed" in officer.page.inner_text("#check-support")
    officer.page.click("#support summary")
    officer.page.fill("#support-offered", "Weekly attendance mentor; early help assessment offered")
    officer.page.click("#support button")
    officer.page.wait_for_load_state("networkidle")
    assert "Passed" in officer.page.inner_text("#check-support")
    officer.page.click("#issue summary")
    officer.page.click("#issue button")
    officer.page.wait_for_load_state("networkidle")
    assert officer.page.inner_text("#status") == "Issued"
    decisions = officer.page.inner_text("#decisions")
    assert "first notice to Pat Parent" in decisions and "first notice to Quinn Parent" in decisions
    officer.screenshot("legal-officer-issued")

    school.page.goto(home)
    second = _request_for_a_pupil(school, skip=1)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["PYTHONPATH"] = str(Path(attendwise.__file__).resolve().parents[1])
    store = Path(folder) / "demo.duckdb"
    done = subprocess.run([sys.executable, "-c", EARLIER, str(store)], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and done.stdout.strip() == "2", done.stderr
    officer.page.goto(second)
    officer.page.click("#support summary")
    officer.page.fill("#support-offered", "Family hub referral")
    officer.page.click("#support button")
    officer.page.wait_for_load_state("networkidle")
    officer.page.click("#issue summary")
    officer.page.uncheck("#issue input[value='named:quinn parent']")
    officer.page.click("#issue button")
    officer.page.wait_for_load_state("networkidle")
    assert officer.page.title().startswith("Error: ")
    problem = officer.page.inner_text("#problem")
    assert "third notice to Pat Parent" in problem and "alternative action should be taken" in problem
    assert officer.page.inner_text("#status") == "Refused"
    assert "education supervision order" in officer.page.inner_text("#decisions")
    officer.screenshot("legal-third-refused")
    school.close()
    officer.close()
