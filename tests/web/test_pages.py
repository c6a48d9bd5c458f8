"""What each page shows, from the user's side: real figures from the store, suppression, uploads, safety."""

from __future__ import annotations

import io
import logging
import zipfile

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from attendwise.documents.suppression import (
    SUPPRESSED,
    band_count_column,
    every_margin,
    measure_layout,
    suppress_measures,
    suppress_table,
)
from tests.registers import Register
from tests.web.conftest import A

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


class TestLAOverview:
    def test_headlines_come_from_the_measures(self, client_as) -> None:
        """15 enrolments; 3 persistently absent (20%), 1 severely absent (6.7%)."""
        page = soup(client_as("officer").get(reverse("la_overview")))
        values = [v.get_text(strip=True) for v in page.select(".aw-headline__value")]
        assert values[1:4] == ["20.0%", "6.7%", "15"]
        assert page.select_one("h1").get_text(strip=True) == "Attendance across the local authority"
        assert "England" in page.select_one(".aw-headline__compare").get_text()

    def test_every_chart_has_its_table(self, client_as) -> None:
        page = soup(client_as("officer").get(reverse("la_overview")))
        figures = page.select("figure.aw-figure")
        assert len(figures) == 2
        for figure in figures:
            assert figure.select_one("[data-chart]") is not None
            assert figure.select_one("table.govuk-table") is not None

    def test_scrutiny_sees_suppressed_small_numbers(self, client_as) -> None:
        """Severe absence is 1 child: a scrutiny member sees x, and the note that explains it."""
        page = soup(client_as("scrutiny").get(reverse("la_overview")))
        values = [v.get_text(strip=True) for v in page.select(".aw-headline__value")]
        assert values[1:4] == ["x", "x", "15"]
        assert "suppressed" in page.select_one(".govuk-inset-text").get_text()

    def test_the_note_gives_the_threshold_in_force(self, client_as, settings) -> None:
        """With ATTENDWISE_SUPPRESSION_THRESHOLD at 10, the note says 10, and 7 enrolments are hidden."""
        settings.ATTENDWISE_SUPPRESSION_THRESHOLD = 10
        c = client_as("scrutiny")
        for url in (reverse("la_overview"), reverse("school", args=[A]), reverse("cohorts"), reverse("schools")):
            note = soup(c.get(url)).select_one(".govuk-inset-text").get_text(" ", strip=True)
            assert "fewer than 10 pupils" in note, url
        alder = soup(c.get(reverse("schools"))).find("a", string="Alder Primary School").find_parent("tr")
        assert [td.get_text(strip=True) for td in alder.select("td")][2] == SUPPRESSED  # 7 enrolments

    def test_export_for_sharing_outside_the_team_is_suppressed(self, client_as) -> None:
        c = client_as("officer")
        full = c.get(reverse("la_schools_csv")).content.decode()
        shared = c.get(reverse("la_schools_csv") + "?suppress=1").content.decode()
        assert ",x," not in full
        assert ",x," in shared  # school B has 3 enrolments
        # ... and the LA's total is published, so a second school is hidden with it (complementary
        # suppression): B's 3 cannot be worked out as the LA less A and C.
        import io

        import pandas as pd

        rows = pd.read_csv(io.StringIO(shared), dtype=str)
        assert (rows.enrolments == "x").sum() == 2

    def test_a_bad_period_is_an_error_with_the_default_shown(self, client_as) -> None:
        page = soup(client_as("officer").get(reverse("la_overview") + "?period=2024/26"))
        assert page.select_one(".govuk-error-summary__title").get_text(strip=True) == "There is a problem"
        assert page.select_one(".govuk-error-summary a")["href"] == "#period"


class TestSchoolPage:
    def test_pupils_listed_lowest_attendance_first(self, client_as) -> None:
        page = soup(client_as("school_a").get(reverse("school", args=[A])))
        table = page.find(id="pupils").find_next("table")
        names = [a.get_text(strip=True) for a in table.select("tbody a")]
        assert names == ["A Severe Testchild", "A Pa Testchild"]
        tags = [t.get_text(strip=True) for t in table.select(".govuk-tag")]
        assert tags[0].startswith("Severe absence")

    def test_similar_schools_are_suppressed_for_a_school_user(self, client_as) -> None:
        """Birch (3 pupils) is another school: a school user sees its figures suppressed."""
        page = soup(client_as("school_a").get(reverse("school", args=[A])))
        similar = page.find(id="similar-title").find_parent("figure")
        birch = next(r for r in similar.select("tbody tr") if "Birch" in r.get_text())
        assert SUPPRESSED in [c.get_text(strip=True) for c in birch.select("td")]


class TestPupilPage:
    def test_calendar_reasons_and_band(self, client_as, city) -> None:
        """a_pa: 4 illness and 2 unagreed holiday sessions of 30: 80% attendance, persistent absence."""
        page = soup(client_as("officer").get(reverse("pupil", args=[city.enrolments["a_pa"]])))
        assert page.select_one("h1").get_text(strip=True) == "A Pa Testchild"
        cells = page.select("table.aw-calendar td.aw-cat--authorised")
        assert len(cells) == 4 and cells[0].get_text(strip=True).startswith("I")
        assert len(page.select("table.aw-calendar td.aw-cat--unauthorised")) == 2
        assert page.select_one(".aw-headline__value").get_text(strip=True) == "80.0%"
        assert "Persistent absence" in page.select_one(".aw-headline .govuk-tag").get_text()
        assert "Illness" in page.get_text()

    def test_urls_hold_only_opaque_ids(self, client_as, city) -> None:
        page = client_as("officer").get(reverse("school", args=[A])).content.decode()
        for href in [a["href"] for a in BeautifulSoup(page, "html.parser").select("a[href]")]:
            assert city.pupils["a_pa"] not in href and "Testchild" not in href


class TestUploads:
    def _files(self, reg: Register, tmp_path) -> dict:
        folder = reg.write(tmp_path / "upload")
        return {"files": [io.BytesIO((folder / n).read_bytes()) for n in ("pupils.csv", "marks.csv")]}

    def _post(self, client, files: dict[str, bytes]):
        uploads = []
        for name, content in files.items():
            f = io.BytesIO(content)
            f.name = name
            uploads.append(f)
        return client.post(reverse("uploads"), {"files": uploads})

    def test_bad_file_lists_problems_by_line_and_stores_nothing(self, client_as, city) -> None:
        from attendwise.web.services.data import get_access

        before = get_access().version()
        marks = b"upn,urn,date,session,code\nA999100024001,100001,2024-09-02,AM,ZZ\n"
        response = self._post(client_as("officer"), {"marks.csv": marks})
        assert response.status_code == 400
        page = soup(response)
        assert "Nothing was stored" in page.select_one(".govuk-error-summary").get_text()
        lines = [r.select("td")[1].get_text(strip=True) for r in page.select("#problems + table tbody tr")]
        assert "2" in lines
        assert get_access().version() == before

    def test_school_user_cannot_upload_another_schools_register(self, client_as) -> None:
        marks = b"upn,urn,date,session,code\nA999100024001,100002,2024-09-02,AM,/\n"
        page = soup(self._post(client_as("school_a"), {"marks.csv": marks}))
        assert "school 100002 is not one of your schools" in page.get_text()

    def test_zip_with_a_stray_file_is_refused(self, client_as) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("../../etc/passwd", "nope")
        page = soup(self._post(client_as("officer"), {"registers.zip": buffer.getvalue()}))
        assert "is not a register file" in page.get_text()

    def test_good_file_is_imported(self, client_as, city, tmp_path) -> None:
        """A correction (an I for a /) is imported and the figures change at once."""
        # Import into a copy of the city so other tests keep theirs.
        import shutil

        from attendwise.store import Store
        from attendwise.web.services.data import get_access

        copy = tmp_path / "copy.duckdb"
        shutil.copy(city.path, copy)
        from django.conf import settings

        from attendwise.web.services import data

        settings.ATTENDWISE_STORE = copy
        data.reset_access()
        upn = city.pupils["a_good0"]
        marks = f"upn,urn,date,session,code\n{upn},{A},2024-09-02,AM,I\n".encode()
        c = client_as("school_a")
        response = self._post(c, {"marks.csv": marks})
        assert response.status_code == 302
        page = soup(c.get(response["Location"]))
        assert "1 corrected" in page.select_one(".govuk-notification-banner").get_text()
        assert get_access().version() == 2
        data.reset_access()
        with Store(copy, read_only=True) as store:
            assert store.con.execute("SELECT count(*) FROM mark_history").fetchall()[0][0] == 1

    def test_upload_over_the_size_limit_is_refused(self, client_as, settings) -> None:
        settings.ATTENDWISE_UPLOAD_MAX_BYTES = 100
        response = self._post(client_as("officer"), {"marks.csv": b"upn,urn,date,session,code\n" + b"x" * 500})
        assert "larger than the limit" in response.content.decode()


class TestSuppression:
    def test_counts_under_the_threshold_and_their_rates(self) -> None:
        import pandas as pd

        frame = pd.DataFrame(
            {
                "group": ["a", "b", "c"],
                "enrolments": [4, 40, 0],
                "sess_overall_percent": [5.0, 6.0, None],
                "enrolments_pa_10_exact": [1, 3, 0],
                "enrolments_pa_10_exact_percent": [25.0, 7.5, None],
                "enrolments_pa_50_exact": [0, 5, 0],
                "enrolments_pa_50_exact_percent": [0.0, 12.5, None],
            }
        )
        out = suppress_measures(frame, 5, keys=["group"])
        assert out.iloc[0].tolist()[1:] == [SUPPRESSED] * 6
        assert out.iloc[1].tolist() == ["b", 40, 6.0, SUPPRESSED, SUPPRESSED, 5, 12.5]
        assert out.iloc[2].enrolments == 0

    def test_a_count_hidden_alone_among_parts_gets_company(self) -> None:
        """Schools a to d add up to the LA. a has 3 pupils: hidden, and so the smallest other school
        (c, 30) is hidden whole. b's 2 persistent absentees are hidden, among a's and c's: d's 7 may show.
        Without c's company, d's 7 would have been hidden for b's sake."""
        import pandas as pd

        frame = pd.DataFrame(
            {
                "school": ["a", "b", "c", "d"],
                "enrolments": [3, 40, 30, 100],
                "enrolments_pa_10_exact": [1, 2, 10, 7],
                "enrolments_pa_10_exact_percent": [33.3, 5.0, 33.3, 7.0],
            }
        )
        alone = suppress_measures(frame, 5, keys=["school"])
        assert alone.enrolments.tolist() == [SUPPRESSED, 40, 30, 100]  # without parts_of: c's 30 gives a away
        out = suppress_measures(frame, 5, keys=["school"], parts_of=[[]])
        assert out.enrolments.tolist() == [SUPPRESSED, 40, SUPPRESSED, 100]
        assert out.enrolments_pa_10_exact.tolist() == [SUPPRESSED, SUPPRESSED, SUPPRESSED, 7]
        # Nobody hidden whole, and b's 2 alone: the smallest other count, a's 6, is hidden with its rate.
        big = frame.assign(enrolments=[30, 40, 50, 100], enrolments_pa_10_exact=[6, 2, 10, 7])
        out = suppress_measures(big, 5, keys=["school"], parts_of=[[]])
        assert out.enrolments_pa_10_exact.tolist() == [SUPPRESSED, SUPPRESSED, 10, 7]
        assert out.enrolments_pa_10_exact_percent.tolist() == [SUPPRESSED, SUPPRESSED, 33.3, 7.0]

    def test_parts_within_each_total(self) -> None:
        """By school and FSM, the FSM groups add up within each school: only school 1 needs company."""
        import pandas as pd

        frame = pd.DataFrame(
            {"school": [1, 1, 1, 2, 2], "fsm": ["Y", "N", "U", "Y", "N"], "enrolments": [2, 50, 9, 20, 30]}
        )
        out = suppress_measures(frame, 5, keys=["school", "fsm"], parts_of=[["school"]])
        assert out.enrolments.tolist() == [SUPPRESSED, 50, SUPPRESSED, 20, 30]
        # Each way: school 1's U group is the only U group, so its 9 is the U total shown elsewhere and
        # can keep nothing company: its 50 goes instead. The FSM-eligible 2 is also alone among the
        # FSM-eligible, so school 2's 20 goes, which leaves school 2's 30 alone in its school.
        out = suppress_measures(frame, 5, keys=["school", "fsm"], parts_of=every_margin(["school", "fsm"]))
        assert out.enrolments.tolist() == [SUPPRESSED, SUPPRESSED, 9, SUPPRESSED, SUPPRESSED]

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=12))
    def test_no_hidden_count_is_the_total_less_the_rest(self, rows: list[tuple[int, int]]) -> None:
        """Property: every small count is hidden, and in each column no count is hidden alone (counting
        the total, hidden where it is shown if it is small; unless it is the only row), so none can be
        worked out from the total."""
        import pandas as pd

        enrolments = [max(e, p) for e, p in rows]
        frame = pd.DataFrame(
            {"g": range(len(rows)), "enrolments": enrolments, "enrolments_pa_10_exact": [p for _, p in rows]}
        )
        out = suppress_measures(frame, 5, keys=["g"], parts_of=[[]])
        for col in ("enrolments", "enrolments_pa_10_exact"):
            hidden = [v == SUPPRESSED for v in out[col]]
            assert sum(hidden) + (0 < frame[col].sum() < 5) != 1 or len(rows) == 1
            assert all(h for v, h in zip(frame[col], hidden, strict=True) if 0 < v < 5)

    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=6, max_size=6),
        st.sampled_from([3, 5]),
    )
    def test_a_lattice_of_tables_is_protected_every_way(self, cells: list[tuple[int, int]], threshold: int) -> None:
        """Property: tables by nothing, by a, by b and by a and b, each suppressed against the coarser
        ones: every small count is hidden, and among any total and its parts (within a table and between
        tables) no figure above zero is hidden alone, unless the table says it could not help it (the
        coarser tables alone can give a cell away: when every pupil of one group is in one group of the
        other characteristic, their two shown totals give the rest of that group)."""
        import pandas as pd

        from attendwise.documents.suppression import Parent

        grid = pd.DataFrame(
            [(a, b, max(e, p), p) for (a, b), (e, p) in zip([(a, b) for a in "xyz" for b in "mn"], cells, strict=True)],
            columns=["a", "b", "enrolments", "enrolments_pa_10_exact"],
        )
        counts = ["enrolments", "enrolments_pa_10_exact"]
        layout = measure_layout()

        def table(by: list[str], parents: list[tuple[list[str], object]]):
            frame = grid.groupby(by)[counts].sum().reset_index() if by else grid[counts].sum().to_frame().T
            return suppress_table(frame, threshold, by, layout, [Parent(tuple(k), t) for k, t in parents])

        whole = table([], [])
        by_a, by_b = table(["a"], [([], whole)]), table(["b"], [([], whole)])
        both = table(["a", "b"], [(["b"], by_b), (["a"], by_a)])
        tables = {(): whole, ("a",): by_a, ("b",): by_b, ("a", "b"): both}
        for t in tables.values():
            for unit, count in (("enrolments", "enrolments"), ("pa_10", "enrolments_pa_10_exact")):
                small = (t.values[count] > 0) & (t.values[count] < threshold)
                assert t.hidden[unit][small].all()

        def unknown(t, unit: str, count: str) -> pd.Series:
            """Hidden figures above zero an attacker cannot tell (not a shown figure's pupils)."""
            given_away = t.given_away[unit] | t.given_away["enrolments"]
            return (t.hidden[unit] | t.hidden["enrolments"]) & ~given_away & (t.values[count] > 0)

        for coarse, fine in ((("a",), ("a", "b")), (("b",), ("a", "b")), ((), ("a",)), ((), ("b",))):
            parent, child = tables[coarse], tables[fine]
            for unit, count in (("enrolments", "enrolments"), ("pa_10", "enrolments_pa_10_exact")):
                kids = child.values.assign(h=unknown(child, unit, count).to_numpy())
                groups = kids.groupby(list(coarse)).h.sum() if coarse else pd.Series([kids.h.sum()])
                alone = (groups.to_numpy() + unknown(parent, unit, count).to_numpy()) == 1
                assert not alone.any() or child.conflicts > 0, (coarse, fine, unit)

    def test_a_band_is_protected_down_its_column(self) -> None:
        """The looked-after children's one severely absent pupil is hidden; the LA's severe band is
        shown, so the band of everyone else is hidden too (else it is the LA's less the rest)."""
        import pandas as pd

        from attendwise.documents.suppression import Parent

        bands = ["expected", "severe"]
        layout = measure_layout(bands, severe=["severe"], persistent=["severe"])
        cols = {
            "enrolments": "enrolments",
            "expected": band_count_column("expected"),
            "severe": band_count_column("severe"),
        }
        rows = pd.DataFrame(
            {"cla": ["Looked after", "Not looked after"], "enrolments": [6, 94], "expected": [5, 80], "severe": [1, 14]}
        )
        frame = rows.rename(columns=cols).assign(enrolments_pa_10_exact=rows.severe, enrolments_pa_50_exact=rows.severe)
        la = frame.drop(columns="cla").sum().to_frame().T
        whole = suppress_table(la, 5, [], layout)
        assert whole.shown().values.tolist() == [[100, 85, 15, 15, 15]]
        out = suppress_table(frame, 5, ["cla"], layout, [Parent((), whole)]).shown()
        assert out[band_count_column("severe")].tolist() == [SUPPRESSED, SUPPRESSED]
        assert out.enrolments_pa_50_exact.tolist() == [SUPPRESSED, SUPPRESSED]

    def test_band_counts(self) -> None:
        """A group's bands add up to its enrolments: a band hidden alone gets the smallest other band
        above zero (a zero only when there is none)."""
        import pandas as pd

        a, b, c = (band_count_column(k) for k in "abc")
        frame = pd.DataFrame({"g": ["one", "two"], "enrolments": [32, 40], a: [2, 2], b: [30, 30], c: [0, 8]})
        out = suppress_table(frame, 5, ["g"], measure_layout(["a", "b", "c"])).shown()
        assert out[[a, b, c]].values.tolist() == [[SUPPRESSED, SUPPRESSED, 0], [SUPPRESSED, 30, SUPPRESSED]]


class TestSafety:
    def test_headers(self, client_as) -> None:
        response = client_as("officer").get(reverse("la_overview"))
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cache-Control"] == "no-store"
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_csrf_is_enforced(self, make_user) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user("officer"))
        assert client.post(reverse("uploads"), {}).status_code == 403

    def test_sign_in_is_throttled(self, client, make_user, settings) -> None:
        make_user("officer")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("login"), {"username": "officer", "password": "wrong"})
        locked = client.post(reverse("login"), {"username": "officer", "password": "correct-horse-battery-9"})
        assert locked.status_code == 429
        assert "locked" in locked.content.decode()

    def test_sign_in_with_a_good_password(self, client, make_user) -> None:
        make_user("officer")
        response = client.post(reverse("login"), {"username": "officer", "password": "correct-horse-battery-9"})
        assert response.status_code == 302

    def test_logs_never_hold_a_upn(self, client_as, city, caplog) -> None:
        """An error while showing a pupil is logged with the UPN masked."""
        from attendwise.web.logs import RedactPupilData

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", (city.pupils["a_pa"],), None)
        RedactPupilData().filter(record)
        assert city.pupils["a_pa"] not in record.getMessage()
        assert "[UPN]" in record.getMessage()


def test_settings_are_documented() -> None:
    """Every setting in attendwise.web.config is a heading in docs/web.md."""
    from pathlib import Path

    from attendwise.web.config import SETTINGS

    docs = (Path(__file__).parents[2] / "docs" / "web.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in docs, setting.name


def test_no_pending_migrations() -> None:
    from django.core.management import call_command

    call_command("makemigrations", "web", "--check", "--dry-run", verbosity=0)
