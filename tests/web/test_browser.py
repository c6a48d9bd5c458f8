"""Browser tests: a real ``attendwise serve`` on a small synthetic city, driven in Debian's Chromium.

Given the app is running on the demo city with one account per role
When each kind of user signs in and does their work
Then they see their pages, and only theirs; screenshots are kept in tests/web/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    # `make test` installs chromium; on CI a missing browser is a failure, never a silent skip.
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"), reason="needs Debian's chromium (apt-get install chromium)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """A small synthetic city, imported, served by ``attendwise serve --demo`` in its own process."""
    from attendwise.demo import CitySpec, generate_city
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    folder = tmp_path_factory.mktemp("browser")
    generate_city(folder / "city", CitySpec(pupils=1500, schools=8, years=2, first_year=2023))
    store = folder / "demo.duckdb"
    with Store(store) as s:
        import_folder(s, folder / "city")
    port = _free_port()
    code = (
        "from attendwise.web.commands import serve;"
        f"serve.main(args=['--demo', '--port', '{port}', '--threads', '4'], obj={{'store': r'{store}'}})"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "ATTENDWISE_STORE": str(store)}
    log = (folder / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        while time.monotonic() - started < 600:  # the warm-up trains the early-warning model first
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                assert proc.poll() is None, (folder / "serve.log").read_text()
                time.sleep(0.5)
        text = (folder / "serve.log").read_text()
        logins = dict(re.findall(r"^\s+([a-z-]+)\s+([a-z]+-[a-z]+-[a-z]+-\d+)\s", text, re.MULTILINE))
        assert "officer" in logins, text
        yield base, logins, folder
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


class UserSession:
    """A page object: one user in one browser context, with steps named as sentences."""

    def __init__(self, browser: object, base: str, username: str, password: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        # The first view after an upload computes the new data version's figures: slow on a busy CI machine.
        self.page.set_default_timeout(120_000)
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.username, self.password = username, password

    def sign_in(self, then: str = "/") -> None:
        """Sign in, landing on ``then`` (a page the test needs, rather than the home page's figures)."""
        self.page.goto(self.base + "/accounts/login/?next=" + then)
        self.page.fill("#id_username", self.username)
        self.page.fill("#id_password", self.password)
        self.page.click("button:has-text('Sign in')")
        self.page.wait_for_load_state("networkidle")

    def open(self, path: str) -> int:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response.status if response else 0

    def fill_date(self, field: str, iso: str) -> None:
        """Type a date into a GOV.UK date input (``#FIELD`` is its day box)."""
        year, month, day = iso.split("-")
        self.page.fill(f"#{field}", str(int(day)))
        self.page.fill(f"#{field}-month", str(int(month)))
        self.page.fill(f"#{field}-year", year)

    def heading(self) -> str:
        return self.page.inner_text("h1").strip()

    def screenshot(self, name: str) -> None:
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def test_officer_works_through_the_la(server, browser) -> None:
    """An officer sees the LA overview with drawn charts, a school, a pupil, and cohorts."""
    base, logins, _ = server
    user = UserSession(browser, base, "officer", logins["officer"])
    user.sign_in()
    assert user.heading() == "Attendance across the local authority"
    user.page.wait_for_selector(".aw-chart canvas")
    # Two years of 1,500 pupils: enough behind some groups for the tests to be clear.
    assert user.page.locator("figure:has(#groups-forest-title) table tbody tr").count() >= 1
    assert user.page.locator("figure:has(#groups-forest-title) .aw-chart canvas").count() == 1
    user.screenshot("officer-la-overview")
    user.page.click("table.govuk-table a.govuk-link >> nth=0")
    user.page.wait_for_load_state("networkidle")
    user.screenshot("officer-school")
    # The learned model (trained on the first year) ranks this year's pupils, with reasons.
    assert "trained on earlier years" in user.page.inner_text("#at-risk + p")
    pupil = user.page.locator("#pupils ~ div table a").first
    assert pupil.count()
    pupil.click()
    user.page.wait_for_load_state("networkidle")
    assert user.page.locator("table.aw-calendar td").count() > 100
    assert "Chance of ending the year persistently absent" in user.page.inner_text("#risk + div")
    user.screenshot("officer-pupil")
    assert user.open("/cohorts/?by=fsm&then=sen") == 200
    user.screenshot("officer-cohorts")
    assert not [e for e in user.errors if "Content Security Policy" in e], user.errors
    user.close()


def test_officer_records_a_tsm_and_next_terms_pack_shows_its_actions(server, browser) -> None:
    """An officer opens a school's autumn pack, records the meeting and two actions for pupils in it, and
    the spring pack reviews both, with attendance before and since; the school sees its own pack only."""
    base, logins, _ = server
    user = UserSession(browser, base, "officer", logins["officer"])
    user.sign_in()
    user.page.click("a:has-text('Meetings')")
    user.page.wait_for_load_state("networkidle")
    assert user.heading() == "Targeting Support Meetings"
    user.page.select_option("#term", "2024/25-autumn")
    user.page.click("button:has-text('Show')")
    user.page.wait_for_load_state("networkidle")
    user.screenshot("officer-tsm-term")
    # the school of the first severely absent pupil, so its lists are not empty
    user.page.locator("#severe ~ div.aw-table-scroll").first.locator("tbody tr td a").first.click()
    user.page.wait_for_load_state("networkidle")
    assert user.heading().startswith("Targeting Support Meeting: ")
    school_url = user.page.url
    user.page.click("summary:has-text('Schedule or record the meeting')")
    user.fill_date("meeting-scheduled_for", "2024-12-10")
    user.fill_date("meeting-held_on", "2024-12-10")
    user.page.fill("#meeting-attendees", "Head teacher\nAttendance officer")
    user.page.click("button:has-text('Save the meeting')")
    user.page.wait_for_load_state("networkidle")
    assert "Held 10 December 2024" in user.page.inner_text("#meeting + dl")
    # two pupils from the pack's own absence lists
    upns = [
        user.page.locator(f"#{section} ~ div.aw-table-scroll").first.locator("tbody tr th").first.inner_text()
        for section in ("severe", "persistent")
    ]
    for upn, what in zip(upns, ("Home visit and early help referral", "Attendance contract meeting"), strict=True):
        user.page.click("summary:has-text('Record an action you will take')")
        user.page.select_option("#action-upn", upn)
        user.page.fill("#action-description", what)
        user.fill_date("action-due_date", "2025-01-17")
        user.page.click("button:has-text('Record the action')")
        user.page.wait_for_load_state("networkidle")
    assert user.page.locator("#agreed ~ div.aw-table-scroll").first.locator("tbody tr").count() == 2
    user.screenshot("officer-tsm-autumn-pack")
    user.page.goto(school_url.replace("2024-25-autumn", "2024-25-spring"))
    user.page.wait_for_load_state("networkidle")
    reviewed = user.page.locator("#actions ~ div.aw-table-scroll").first.inner_text()
    for upn in upns:
        assert upn in reviewed
    assert "since 10 Dec 2024" in reviewed
    user.screenshot("officer-tsm-spring-pack")
    # The printable pack, printed to PDF by the browser as an officer would, renders page by page.
    user.page.goto(school_url.replace("2024-25-autumn", "2024-25-spring") + "pack.html")
    pdf = SHOTS / "tsm-pack.pdf"
    for stale in SHOTS.glob("tsm-pack-page-*.png"):
        stale.unlink()
    user.page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(SHOTS / "tsm-pack-page")], check=True)
    pages = sorted(SHOTS.glob("tsm-pack-page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 2_000 for p in pages)  # a blank page is under 1 KB
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Targeting Support Meeting" in text and "Severely absent" in text
    assert "Actions from the previous meeting" in text and all(upn in text for upn in upns)
    user.close()

    school = UserSession(browser, base, "school", logins["school"])
    school.sign_in()
    own = int(school.page.url.rstrip("/").split("/")[-1])
    assert school.open(f"/schools/{own}/tsm/2024-25-spring/") == 200
    assert school.open(f"/schools/{own + 1}/tsm/2024-25-spring/") == 404
    assert school.open("/tsm/") == 403
    school.close()


def test_officer_finds_a_pupil_by_name_from_the_la_page(server, browser) -> None:
    """Given an officer on the LA overview, when they type part of a pupil's name into the header's search,
    then the pupil is listed (with their UPN) and one click opens their page, which shows the UPN too."""
    base, logins, _ = server
    user = UserSession(browser, base, "officer", logins["officer"])
    user.sign_in()
    assert user.heading() == "Attendance across the local authority"
    # a pupil's name as an officer would know it, read from the school page's list
    user.page.click("table.govuk-table a.govuk-link >> nth=0")
    user.page.wait_for_load_state("networkidle")
    name = user.page.locator("#pupils ~ div table tbody th a").first.inner_text()
    user.open("/la/")
    user.page.fill("#aw-find-pupil", name.split()[-1][:5] + " " + name.split()[0])
    user.page.click("header button:has-text('Search')")
    user.page.wait_for_load_state("networkidle")
    assert user.heading() == "Pupils found"
    found = user.page.locator("#main-content table tbody tr", has_text=name).first
    upn = found.locator("td").first.inner_text()
    assert len(upn) == 13
    user.screenshot("officer-finds-a-pupil")
    found.locator("th a").click()
    user.page.wait_for_load_state("networkidle")
    assert user.heading() == name and upn in user.page.inner_text("#upn")
    user.open("/pupils/?list=heading")
    assert user.page.locator("#main-content table tbody tr").count() >= 1
    user.page.select_option("#id_sort", "name")
    user.page.click("button:has-text('Show pupils')")
    user.page.wait_for_load_state("networkidle")
    user.screenshot("officer-heading-into-pa")
    user.close()


def test_school_adds_a_pupil_to_its_agenda_by_picking_from_the_pack(server, browser) -> None:
    """Given a school user on its TSM pack, when they pick a pupil the pack lists and say why, then the
    pupil is on the meeting's agenda, named (no UPN typed)."""
    base, logins, _ = server
    user = UserSession(browser, base, "school", logins["school"])
    user.sign_in()
    own = int(user.page.url.rstrip("/").split("/")[-1])
    assert user.open(f"/schools/{own}/tsm/2024-25-spring/") == 200
    user.page.click("summary:has-text('Ask to discuss a pupil')")
    options = user.page.locator("#discuss-upn option")
    assert options.count() > 2
    choice = options.nth(1)
    upn, label = choice.get_attribute("value"), choice.inner_text()
    user.page.select_option("#discuss-upn", upn)
    user.page.fill("#discuss-reason", "Attendance has fallen since half term")
    user.page.click("button:has-text('Add to the agenda')")
    user.page.wait_for_load_state("networkidle")
    agenda = user.page.locator("table", has_text="On the agenda").inner_text()
    assert upn in agenda and label.split(",")[0] in agenda and "The school" in agenda
    user.screenshot("school-tsm-agenda")
    user.close()


def test_school_user_sees_only_their_school(server, browser) -> None:
    """A school user lands on their school; another school's page and pupils are not found."""
    base, logins, _ = server
    user = UserSession(browser, base, "school", logins["school"])
    user.sign_in()
    assert "/schools/" in user.page.url
    own = int(user.page.url.rstrip("/").split("/")[-1])
    user.screenshot("school-user-home")
    assert user.open("/la/") == 403
    assert user.open(f"/schools/{own + 1}/") == 404  # a neighbouring URN: not theirs, or no school at all
    user.screenshot("school-user-not-found")
    user.close()


def test_scrutiny_member_sees_suppressed_aggregates(server, browser) -> None:
    base, logins, _ = server
    user = UserSession(browser, base, "scrutiny", logins["scrutiny"])
    user.sign_in()
    assert "suppressed" in user.page.inner_text(".govuk-inset-text")
    user.screenshot("scrutiny-la-overview")
    user.close()


def test_virtual_school_sees_its_children(server, browser) -> None:
    """Given the Virtual School signed in, when it opens its list of children, then each school's children are
    listed with attendance, band and latest absence, and a child's page opens from the list; the LA page's
    links lead nowhere it may not go."""
    base, logins, _ = server
    user = UserSession(browser, base, "virtual-school", logins["virtual-school"])
    user.sign_in()
    assert not user.page.locator("a:has-text('See every school')").count()
    user.page.click("header a:has-text('Children')")
    user.page.wait_for_load_state("networkidle")
    assert user.heading() == "Children looked after and with a social worker"
    table = user.page.locator("#main-content table").first
    assert "Latest absence" in table.inner_text()
    user.screenshot("virtual-school-children")
    child = table.locator("tbody th a").first
    name = child.inner_text()
    child.click()
    user.page.wait_for_load_state("networkidle")
    assert user.heading() == name
    care = user.page.inner_text("#main-content")
    assert any(what in care for what in ("Looked after.", "Child in need.", "Child protection plan."))
    user.screenshot("virtual-school-child")
    assert user.open("/cohorts/?by=cla") == 200
    user.screenshot("virtual-school-cohorts")
    user.close()


def test_admin_uploads_a_bad_then_a_good_file_and_reads_the_audit_log(server, browser, tmp_path) -> None:
    """A bad file is refused with line numbers and nothing stored; a good one is imported; the log shows views."""
    base, logins, folder = server
    user = UserSession(browser, base, "la-admin", logins["la-admin"])
    user.sign_in()
    user.open("/uploads/")
    bad = tmp_path / "marks.csv"
    bad.write_text("upn,urn,date,session,code\nA999100024001,100001,2024-09-02,AM,ZZ\n")
    user.page.set_input_files("#id_files", str(bad))
    user.page.click("button:has-text('Upload and check')")
    user.page.wait_for_load_state("networkidle")
    assert "Nothing was stored" in user.page.inner_text(".govuk-error-summary")
    user.screenshot("admin-upload-refused")
    good_dir = tmp_path / "good"
    good_dir.mkdir()
    marks = (folder / "city" / "marks.csv").read_text().splitlines()[:50]
    (good_dir / "marks.csv").write_text("\n".join(marks) + "\n")
    user.page.set_input_files("#id_files", str(good_dir / "marks.csv"))
    user.page.click("button:has-text('Upload and check')")
    user.page.wait_for_load_state("networkidle")
    assert "Registers imported" in user.page.inner_text(".govuk-notification-banner")
    user.screenshot("admin-upload-imported")
    assert user.open("/audit/") == 200
    user.screenshot("admin-audit-log")
    user.close()


def test_a_school_cannot_upload_another_schools_marks_or_rename_the_la(server, browser, tmp_path) -> None:
    """A hostile school user writes another school's URN as +URN and renames the LA: both uploads are refused
    with a clear message naming file, line and field, and the LA administrator sees both in the audit log."""
    base, logins, folder = server
    user = UserSession(browser, base, "school", logins["school"])
    user.sign_in(then="/uploads/")
    own = int((user.page.get_attribute("a:has-text('Your school')", "href") or "").rstrip("/").split("/")[-1])
    city = folder / "city"
    other_row = next(
        line for line in (city / "marks.csv").read_text().splitlines()[1:] if line.split(",")[1] != str(own)
    )
    upn, other, *rest = other_row.split(",")
    attempt = tmp_path / "attempt1"
    attempt.mkdir()
    (attempt / "marks.csv").write_text("upn,urn,date,session,code\n" + ",".join([upn, f"+{other}", *rest]) + "\n")
    user.open("/uploads/")
    user.page.set_input_files("#id_files", str(attempt / "marks.csv"))
    user.page.click("button:has-text('Upload and check')")
    user.page.wait_for_load_state("networkidle")
    assert "Nothing was stored" in user.page.inner_text(".govuk-error-summary")
    problem = user.page.inner_text("#problems + table tbody tr")
    assert "marks.csv" in problem and "urn" in problem and f"'+{other}' is not a URN" in problem
    user.screenshot("school-upload-other-school-refused")

    header, *schools = (city / "schools.csv").read_text().splitlines()
    columns = header.split(",")
    row = dict(zip(columns, next(r for r in schools if r.startswith(f"{own},")).split(","), strict=True))
    row["la_name"] = "Hackshire"
    attempt2 = tmp_path / "attempt2"
    attempt2.mkdir()
    (attempt2 / "schools.csv").write_text(",".join(columns) + "\n" + ",".join(row[c] for c in columns) + "\n")
    user.page.set_input_files("#id_files", str(attempt2 / "schools.csv"))
    user.page.click("button:has-text('Upload and check')")
    user.page.wait_for_load_state("networkidle")
    assert "only LA staff may change the LA's name" in user.page.inner_text("#problems + table")
    user.screenshot("school-upload-rename-refused")
    user.close()

    admin = UserSession(browser, base, "la-admin", logins["la-admin"])
    admin.sign_in(then="/audit/")
    assert admin.open("/audit/?action=import&outcome=refused") == 200
    rows = admin.page.locator("table.govuk-table >> nth=0").locator("tbody tr")
    text = [rows.nth(i).inner_text() for i in range(rows.count())]
    refused = [t for t in text if t.split("\t")[1] == "school" and "Uploaded registers" in t]  # the user column
    assert len(refused) == 2, text
    assert any("marks.csv" in t and "is not a URN" in t for t in refused), refused
    assert any("schools.csv" in t and "LA's name" in t for t in refused), refused
    admin.screenshot("admin-audit-refused-uploads")
    assert admin.open("/la/") == 200
    assert "Hackshire" not in admin.page.inner_text(".govuk-generic-header")
    admin.close()


#: Addresses a crawl from the home page does not reach by a link: forms answered with their errors, refusals.
AXE_EXTRA = {
    "la-admin": [
        "/la/?period=not-a-period",
        "/audit/?date_from=31%2F02%2F2025",
        "/schools/1/",
        "/cohorts/?by=fsm&then=sen",
    ],
    "officer": ["/cohorts/?by=nc_year"],
    "school": ["/la/"],
    "virtual-school": ["/cohorts/?by=cla"],
}
#: Never crawled: not pages of ours (Django's admin), downloads, signing out.
AXE_SKIP = re.compile(r"^/(admin/|static/|accounts/logout/)|\.(csv|xlsx|pdf|docx)$|/document$")


def _kind_of_page(path: str) -> str:
    """An address with its identifiers blanked: one page of each kind is checked."""
    return re.sub(r"\d+", "N", path)


def _links(page: object, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")  # type: ignore[attr-defined]
    out = []
    for href in hrefs:
        if href.startswith(base):
            href = href[len(base) :]
        if href.startswith("/") and not href.startswith("//"):
            out.append(href.split("#")[0])
    return out


@pytest.mark.parametrize("role", [None, "la-admin", "officer", "officer-north", "school", "virtual-school", "scrutiny"])
def test_axe_finds_no_serious_violation_on_any_page(server, browser, role) -> None:
    """Given each role (and nobody signed in), when every kind of page it can reach is opened, then axe-core
    finds no serious or critical violation on any of them (nor content outside a landmark, nor a scrolling
    region a keyboard cannot reach)."""
    from tests.web import axe

    base, logins, _ = server
    for stale in SHOTS.glob(f"axe-{role or 'anonymous'}-*.png"):
        stale.unlink()
    user = UserSession(browser, base, role or "anonymous", logins.get(role or "", ""))
    if role:
        user.sign_in()
        queue = [user.page.url[len(base) :], *AXE_EXTRA.get(role, [])]
    else:
        queue = ["/accounts/login/", "/accessibility/", "/privacy/", "/contact/", "/no-such-page/"]
    seen: set[str] = set()
    found: dict[str, list] = {}
    while queue and len(seen) < 40:
        path = queue.pop(0)
        kind = _kind_of_page(path.split("?")[0]) if "?" not in path or path in AXE_EXTRA.get(role or "", []) else ""
        if not kind or kind in seen or AXE_SKIP.search(path.split("?")[0]):
            continue
        seen.add(kind if "?" not in path else path)
        user.open(path)
        if v := axe.violations(user.page):
            found[path] = v
            user.screenshot(f"axe-{role or 'anonymous'}-{len(found)}")
        queue += _links(user.page, base)
    user.close()
    assert len(seen) >= (4 if role else 3), seen
    assert not found, axe.describe(found)


def teardown_module() -> None:
    shutil.rmtree(SHOTS / "tmp", ignore_errors=True)
