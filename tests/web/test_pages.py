"""What each page shows, from the user's side: real figures from the store, suppression, uploads, safety."""

from __future__ import annotations

import io
import logging
import zipfile
from typing import ClassVar

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.suppression import (
    band_count_column,
    every_margin,
    measure_layout,
    suppress_measures,
    suppress_table,
)
from tests.cities import A
from tests.registers import Register, make_upn
from tests.strategies import other_spellings

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
        assert len(figures) >= 4  # the trend, bands, schools ranked and reasons (and the groups' forest plot)
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

    @pytest.mark.parametrize("urn", [*other_spellings(100002), "1.00002e5"])
    def test_no_spelling_of_another_schools_urn_is_imported(self, client_as, city, urn) -> None:
        """'+100002' passed the upload's own check, which read the text, and was imported as school 100002.
        Every other spelling (fullwidth and Arabic-Indic digits among them) is refused on its line and field."""
        from attendwise.web.models import Action, AuditEvent, Outcome
        from attendwise.web.services.data import get_access

        before = get_access().version()
        quoted = '"' + urn.replace('"', '""') + '"'
        marks = f"upn,urn,date,session,code\n{city.pupils['b_pupil']},{quoted},2024-09-02,AM,N\n".encode()
        response = self._post(client_as("school_a"), {"marks.csv": marks})
        assert response.status_code == 400
        problem = soup(response).select_one("#problems + table tbody tr").get_text(" ", strip=True)
        assert problem.startswith("marks.csv 2 urn"), problem
        assert get_access().version() == before
        event = AuditEvent.objects.get(action=Action.IMPORT)
        assert (event.username, event.outcome, event.school_urn) == ("school_a", Outcome.REFUSED, A)
        assert "marks.csv" in event.detail and "1 problem" in event.detail

    @pytest.mark.parametrize(
        "urn", ["+100002", "0100002", "100002.0", "１０００００２", "١٠٠٠٠٢", "\t100002", "100002"]
    )
    @pytest.mark.parametrize("file", ["pupils.csv", "closures.csv", "schools.csv"])
    def test_no_spelling_of_another_school_in_the_small_files_is_imported(self, client_as, city, file, urn) -> None:
        """Another school's URN, spelled any way, in a new enrolment, a closure or a school's row: refused on
        line 2, field urn, and nothing stored."""
        from attendwise.web.services.data import get_access

        before = get_access().version()
        quoted = '"' + urn.replace('"', '""') + '"'
        rows = {
            "pupils.csv": "upn,urn,date_of_birth,sex,ethnicity,fsm,sen,nc_year,admission_date\n"
            f"{make_upn(99)},{quoted},2015-03-01,F,WBRI,N,N,4,2024-09-01\n",
            "closures.csv": f"urn,start_date,end_date,session,reason\n{quoted},2024-12-02,,,Snow\n",
            "schools.csv": f"urn,name,phase,la_code\n{quoted},Birch Primary School,primary,999\n",
        }
        response = self._post(client_as("school_a"), {file: rows[file].encode()})
        assert response.status_code == 400
        problem = soup(response).select_one("#problems + table tbody tr").get_text(" ", strip=True)
        assert problem.startswith(f"{file} 2 urn"), problem
        assert get_access().version() == before

    def test_a_school_cannot_rename_the_la_or_its_school(self, client_as, city) -> None:
        schools = b"urn,name,phase,la_code,la_name\n100001,Alder Primary School,special,999,Hackshire\n"
        response = self._post(client_as("school_a"), {"schools.csv": schools})
        assert response.status_code == 400
        text = soup(response).select_one("#problems + table").get_text(" ", strip=True)
        assert "only LA staff may change a school's phase" in text
        assert "only LA staff may change the LA's name" in text

    def test_uploads_never_show_the_servers_folder(self, client_as) -> None:
        response = self._post(client_as("officer"), {"registers.zip": b"PK\x03\x04 not really a zip"})
        assert "attendwise-upload" not in response.content.decode()
        assert "/tmp" not in response.content.decode()

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
        assert "0 marks added, 1 corrected, 0 unchanged (1 read)." in page.select_one(
            ".govuk-notification-banner"
        ).get_text(" ", strip=True)
        history = page.select_one("table").get_text(" ", strip=True)
        assert "Your schools' imports" in history and "school_a" in history and "upload" in history
        assert get_access().version() == 2
        from attendwise.web.models import Action, AuditEvent, Outcome

        event = AuditEvent.objects.get(action=Action.IMPORT)
        assert (event.outcome, event.school_urn) == (Outcome.IMPORTED, A)
        assert event.detail.startswith("import 2 of marks.csv: 0 marks added, 1 corrected")
        # The LA administrator's audit log shows the upload, and the store's log of every import.
        audit = soup(client_as("la_admin").get(reverse("audit"))).get_text(" ", strip=True)
        assert "Uploaded registers" in audit and "Imported" in audit
        assert "school_a" in audit and "command line" in audit
        data.reset_access()
        with Store(copy, read_only=True) as store:
            assert store.duckdb_connection().execute("SELECT count(*) FROM mark_history").fetchall()[0][0] == 1

    def test_problems_never_show_a_server_path(self, client_as, monkeypatch) -> None:
        """Whatever an import reports (the importer once named the upload's temporary folder by its absolute path,
        and DuckDB names the file it read), the page and the audit log name the upload's files, never a server path."""
        import tempfile
        from pathlib import Path

        from attendwise.ingest import Problem
        from attendwise.web.models import Action, AuditEvent
        from attendwise.web.services.uploads import UploadOutcome
        from attendwise.web.views import pages

        folder = Path(tempfile.gettempdir()) / "attendwise-upload-k2x9"
        reported = [
            Problem(str(folder), None, None, "holds neither marks.csv nor pupils.csv"),
            Problem(str(folder / "marks.csv"), 3, None, f'not a well-formed CSV: cannot read "{folder}/marks.csv"'),
        ]
        monkeypatch.setattr(pages, "import_upload", lambda *a, **k: UploadOutcome(None, reported, 2))
        response = self._post(client_as("officer"), {"marks.csv": b"upn,urn,date,session,code\n"})
        assert response.status_code == 400
        page = soup(response)
        rows = [[td.get_text(strip=True) for td in r.select("td")] for r in page.select("#problems + table tbody tr")]
        assert rows == [
            ["the upload", "", "", "holds neither marks.csv nor pupils.csv"],
            ["marks.csv", "3", "", 'not a well-formed CSV: cannot read "marks.csv"'],
        ]
        text = response.content.decode()
        assert "attendwise-upload-" not in text and tempfile.gettempdir() + "/" not in text
        detail = AuditEvent.objects.get(action=Action.IMPORT).detail
        assert "attendwise-upload-" not in detail and "the upload: holds neither" in detail

    def test_problems_never_repeat_a_long_value_in_full(self, client_as) -> None:
        marks = b"upn,urn,date,session,code\nA999100024001," + b"9" * 5000 + b",2024-09-02,AM,/\n"
        response = self._post(client_as("officer"), {"marks.csv": marks})
        assert response.status_code == 400
        assert "9" * 400 not in response.content.decode()
        assert soup(response).select("#problems + table tbody tr")

    def test_what_the_page_repeats_of_a_problem(self) -> None:
        from attendwise.ingest import Problem
        from attendwise.web.upload_problems import shown

        problems = [
            Problem("/tmp/attendwise-upload-x1/marks.csv", 3, None, "Can't read '/tmp/attendwise-upload-x1/marks.csv'"),
            Problem("C:\\Temp\\attendwise-upload-x2", None, None, r"C:\Temp\attendwise-upload-x2 holds no marks"),
            Problem("marks.csv", 2, "code", "'/' is not a code in 2024/25 (see https://www.gov.uk/x)"),
            Problem("m" * 500 + ".csv", None, None, "x" * 5000),
        ]
        assert [(p.file, p.message) for p in shown(problems)[:3]] == [
            ("marks.csv", "Can't read 'marks.csv'"),
            ("the upload", "the upload holds no marks"),
            ("marks.csv", "'/' is not a code in 2024/25 (see https://www.gov.uk/x)"),
        ]
        long = shown(problems)[3]
        assert len(long.file) < 100 and len(long.message) < 400 and "5,000 characters" in long.message

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


class TestFormsReadIdentifiers:
    """Identifiers and dates typed into forms are read by attendwise.core.identifiers, as in addresses."""

    @pytest.mark.parametrize("school", [*other_spellings(100001), "100002", "9" * 400])
    def test_a_school_spelled_otherwise_is_an_error_not_other_figures(self, client_as, school: str) -> None:
        """School A's user asking for a school not on their list is told so (400), never shown every school's
        figures under the form, and the value is not repeated back."""
        c = client_as("school_a")
        for name in ("cohorts", "cohorts_csv"):
            response = c.get(reverse(name), {"by": "sex", "school": school})
            assert response.status_code == 400, name
            page = soup(response)
            assert page.select_one(".govuk-error-summary a").get_text(strip=True) == "Choose a school from the list"
            assert not page.select("#cohort-results table"), name
            assert "9" * 50 not in response.content.decode()
        assert c.get(reverse("cohorts"), {"by": "sex", "school": "100001"}).status_code == 200
        assert c.get(reverse("cohorts"), {"period": "2024/25"}).status_code == 200  # FSM, the first characteristic

    def test_a_date_is_written_yyyy_mm_dd(self, client_as) -> None:
        c = client_as("officer")
        address = reverse("tsm_action", args=[A, "2024-25-autumn"])
        for due in (
            "1/12/24",
            "01/12/2024",
            "2024-12-01 ",
            "٢٠٢٤-١٢-٠١",
            "２０２４-１２-０１",
            "+2024-12-01",
            "2024-12-1",
        ):
            response = c.post(address, {"upn": "", "description": "Call home", "due_date": due})
            assert response.status_code == 400, due
            assert (
                "Enter the due date as a real date, for example 27 3 2025"
                in soup(response).select_one(".govuk-error-summary").get_text()
            )
        assert c.post(address, {"upn": "", "description": "Call home", "due_date": "2024-12-01"}).status_code == 302

    def test_a_date_is_given_as_day_month_and_year(self, client_as) -> None:
        """The GOV.UK date input: three boxes, ASCII digits, a real date; the boxes keep what was typed."""
        c = client_as("officer")
        address = reverse("tsm_action", args=[A, "2024-25-autumn"])
        for day, month, year in (("31", "2", "2025"), ("1", "12", "24"), ("١", "12", "2024"), ("1", "", "2024")):
            fields = {"due_date-day": day, "due_date-month": month, "due_date-year": year}
            response = c.post(address, {"upn": "", "description": "Call home", **fields})
            assert response.status_code == 400, (day, month, year)
            page = soup(response)
            assert page.title.get_text().startswith("Error: ")
            assert page.select_one("#action-due_date-year")["value"] == year
            assert page.select_one(".govuk-error-summary a")["href"] == "#action-due_date"
        fields = {"due_date-day": "1", "due_date-month": "12", "due_date-year": "2024"}
        assert c.post(address, {"upn": "", "description": "Call home", **fields}).status_code == 302
        form = soup(c.get(reverse("tsm_pack", args=[A, "2024-25-autumn"])))
        assert form.select_one("fieldset .govuk-date-input #action-due_date-month")

    def test_the_audit_log_is_searched_by_yyyy_mm_dd(self, client_as) -> None:
        c = client_as("la_admin")
        for day in ("1/12/24", "２０２４-１２-０１", "٢٠٢٤-١٢-٠١"):
            page = soup(c.get(reverse("audit"), {"date_from": day}))
            assert (
                "Enter the first date as a real date, for example 27 3 2025"
                in page.select_one(".govuk-error-summary").get_text()
            ), day

    def test_a_pupil_is_named_by_their_upn_as_the_store_holds_it(self, client_as, city) -> None:
        """A UPN with fullwidth or Arabic-Indic digits, or another school's pupil's, names nobody on the roll:
        nothing is added to the meeting's agenda. (Letters are read in capitals, as the importer stores them.)"""
        from attendwise.web.models import DiscussedPupil

        c = client_as("school_a")
        address = reverse("tsm_discuss", args=[A, "2024-25-autumn"])
        upn = city.pupils["a_pa"]
        fullwidth = upn.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        arabic = upn.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        for spelled in (fullwidth, arabic, city.pupils["b_pupil"], upn[:-1], f"{upn}0", "9" * 400):
            response = c.post(address, {"upn": spelled, "reason": "x"})
            assert response.status_code == 400, spelled
        assert not DiscussedPupil.objects.exists()
        assert c.post(address, {"upn": f" {upn.lower()} ", "reason": "x"}).status_code == 302
        assert DiscussedPupil.objects.get().upn == upn

    def test_the_officer_is_chosen_by_their_id(self, client_as, make_user) -> None:
        c = client_as("officer")
        officer = c.session["_auth_user_id"]
        address = reverse("tsm_meeting", args=[A, "2024-25-autumn"])
        for spelled in [*other_spellings(int(officer)), "9" * 400]:
            response = c.post(address, {"officer": spelled, "scheduled_for": "2024-10-01"})
            assert response.status_code == 400, spelled
            assert "Choose the officer" in soup(response).select_one(".govuk-error-summary").get_text()
            assert "9" * 50 not in response.content.decode()
        assert c.post(address, {"officer": officer, "scheduled_for": "2024-10-01"}).status_code == 302


ERROR_PAGES = {
    "400.html": "Sorry, the service cannot answer this request",
    "403.html": "You cannot see this page",
    "403_csrf.html": "Sorry, the form could not be sent",
    "404.html": "Page not found",
    "500.html": "Sorry, there is a problem with the service",
}


class TestErrorPages:
    """Every error is a GOV.UK page that says what to do next; the 500 page needs no request, context or database."""

    PAGES = ERROR_PAGES

    @staticmethod
    def _is_a_govuk_page(html: str, heading: str) -> None:
        page = BeautifulSoup(html, "html.parser")
        assert page.select_one("link[rel=stylesheet]")["href"].endswith("attendwise/attendwise.css")
        assert page.select_one("html.govuk-template body.govuk-template__body")
        assert page.select_one("main h1.govuk-heading-l").get_text(strip=True) == heading
        assert len(page.select("main p.govuk-body")) >= 2  # what happened, and what to do next
        assert page.select_one("main a.govuk-link")["href"] == "/"

    @pytest.mark.parametrize("name", sorted(ERROR_PAGES))
    def test_renders_with_no_request_and_no_database(self, name: str, monkeypatch) -> None:
        """Not a django_db test: touching the database here fails; so does touching the store."""
        from django.template.loader import render_to_string

        from attendwise.web.services import data

        monkeypatch.setattr(data, "get_access", lambda: pytest.fail("an error page read the store"))
        self._is_a_govuk_page(render_to_string(name), self.PAGES[name])

    def test_a_failure_is_the_styled_500_page(self, client_as, monkeypatch) -> None:
        from attendwise.web.views import pages

        c = client_as("officer")
        c.raise_request_exception = False
        monkeypatch.setattr(pages, "access", lambda: (_ for _ in ()).throw(RuntimeError("the store is unreadable")))
        response = c.get(reverse("la_overview"))
        assert response.status_code == 500
        self._is_a_govuk_page(response.content.decode(), self.PAGES["500.html"])
        assert "unreadable" not in response.content.decode()

    def test_a_host_not_served_is_the_styled_400_page(self, client) -> None:
        response = client.get(reverse("login"), HTTP_HOST="attendance.example.com")
        assert response.status_code == 400
        self._is_a_govuk_page(response.content.decode(), self.PAGES["400.html"])

    def test_a_stale_form_is_the_styled_csrf_page(self, make_user) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user("officer"))
        response = client.post(reverse("uploads"), {})
        assert response.status_code == 403
        self._is_a_govuk_page(response.content.decode(), self.PAGES["403_csrf.html"])

    def test_not_found_and_forbidden_are_styled(self, client_as) -> None:
        c = client_as("scrutiny")
        self._is_a_govuk_page(c.get("/no-such-page/").content.decode(), self.PAGES["404.html"])
        self._is_a_govuk_page(c.get(reverse("uploads")).content.decode(), self.PAGES["403.html"])


class TestApiErrors:
    """Every error under /api/ answers JSON, {"error": ..., "status": ...}, with the right status."""

    @staticmethod
    def _json_error(response, status: int) -> dict:
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert body["status"] == status and body["error"]
        return body

    def test_refusals_and_addresses_of_nothing(self, client_as, city) -> None:
        c = client_as("school_b")
        self._json_error(c.get("/api/v1/nothing"), 404)
        self._json_error(c.get("/api/v1/pupils/not-an-id"), 404)
        self._json_error(c.get(reverse("api_pupil", args=[city.enrolments["a_pa"]])), 404)
        self._json_error(c.get(reverse("api_la_measures")), 403)

    def test_a_method_not_allowed(self, client_as) -> None:
        response = client_as("officer").post(reverse("api_la_measures"))
        self._json_error(response, 405)
        assert response["Allow"] == "GET"

    def test_a_form_post_without_its_csrf_token(self, make_user) -> None:
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(make_user("officer"))
        self._json_error(client.post(reverse("api_la_measures")), 403)

    def test_a_host_not_served(self, client) -> None:
        self._json_error(client.get(reverse("api_la_measures"), HTTP_HOST="attendance.example.com"), 400)

    def test_a_grouping_it_cannot_read(self, client_as) -> None:
        body = self._json_error(client_as("officer").get(reverse("api_la_measures"), {"by": "postcode"}), 400)
        assert "cannot group by 'postcode'" in body["error"]

    def test_a_failure(self, client_as, monkeypatch) -> None:
        from attendwise.web.views import api

        c = client_as("officer")
        c.raise_request_exception = False
        monkeypatch.setattr(api, "access", lambda: (_ for _ in ()).throw(RuntimeError("the store is unreadable")))
        body = self._json_error(c.get(reverse("api_la_measures")), 500)
        assert "unreadable" not in body["error"]


class TestPeriodsAskedFor:
    """A page asked for a period it cannot read says so (400) and shows no figures: never the default period's."""

    PAGES: ClassVar = [
        ("la_overview", [], "Attendance across the local authority"),
        ("la_schools_csv", [], "Every school's measures"),
        ("schools", [], "Schools"),
        ("school", [A], "Alder Primary School"),
        ("school_pupils_csv", [A], "Alder Primary School: persistently and severely absent pupils"),
        ("cohorts", [], "Cohorts"),
        ("cohorts_csv", [], "Cohorts"),
    ]

    @pytest.mark.parametrize(("name", "args", "title"), PAGES)
    @pytest.mark.parametrize("period", ["2024/26", "2024/25-winter", "2024-09-30..2024-09-01", "9" * 5000])
    def test_pages(self, client_as, name: str, args: list, title: str, period: str) -> None:
        response = client_as("officer").get(reverse(name, args=args), {"period": period, "by": "sex"})
        assert response.status_code == 400
        page = soup(response)
        assert page.title.get_text().startswith(f"Error: {title} - ")
        assert page.select_one("h1").get_text(strip=True) == title
        error = page.select_one(".govuk-error-summary a")
        assert error["href"] == "#period" and error.get_text(strip=True)
        assert page.select_one("form select#period option[value='2024/25']")
        assert page.select_one(".govuk-form-group--error #period-error")
        if name.startswith("cohorts"):  # the cohort asked for is kept for when the period is chosen again
            assert page.select_one("form input[type=hidden][name=by]")["value"] == "sex"
        assert not page.select("table") and not page.select(".aw-headline__value")
        assert "Testchild" not in page.get_text() and "9" * 50 not in page.get_text()

    def test_the_api(self, client_as) -> None:
        c = client_as("officer")
        for address in (reverse("api_la_measures"), reverse("api_school_measures", args=[A])):
            response = c.get(address, {"period": "2024/26"})
            assert response.status_code == 400
            assert response.json() == {"error": response.json()["error"], "status": 400}
            assert "2024/26" in response.json()["error"]
            huge = c.get(address, {"period": "9" * 5000, "by": "9" * 5000})
            assert huge.status_code == 400 and len(huge.content) < 400

    def test_a_tsm_term_it_has_no_marks_for(self, client_as) -> None:
        c = client_as("officer")
        for term in ("2024/26-autumn", "2031/32-autumn", "9" * 5000):
            response = c.get(reverse("tsm_term"), {"term": term})
            assert response.status_code == 400
            page = soup(response)
            assert page.select_one(".govuk-error-summary a")["href"] == "#term"
            assert page.select_one("select#term option[value='2024/25-autumn']")
            assert not page.select("table") and "9" * 50 not in page.get_text()
        assert c.get(reverse("tsm_term"), {"term": "2024/25-autumn"}).status_code == 200

    def test_a_good_period_is_shown(self, client_as) -> None:
        page = soup(client_as("officer").get(reverse("la_overview"), {"period": "2024/25-autumn"}))
        assert "autumn" in page.select_one("select#period option[selected]")["value"]
        assert not page.select(".govuk-error-summary")


class TestGovukConformance:
    """The GOV.UK Design System's patterns every page follows."""

    def test_header_phase_banner_and_back_link_are_inside_landmarks(self, client_as, city) -> None:
        page = soup(client_as("officer").get(reverse("pupil", args=[city.enrolments["a_pa"]])))
        assert page.select_one("header .govuk-generic-header") and page.select_one("header .govuk-phase-banner")
        assert page.select_one("nav[aria-label=Back] .govuk-back-link")
        assert page.select_one("header form button.aw-link-button").get_text() == "Sign out"

    def test_the_footer_links_the_accessibility_statement_privacy_notice_and_contact(
        self, db, client, settings
    ) -> None:
        settings.ATTENDWISE_CONTACT_EMAIL = "attendance@hackshire.gov.uk"
        settings.ATTENDWISE_CONTACT_ADDRESS = "County Hall; Hackshire; HK1 1AA"
        page = soup(client.get(reverse("login")))
        links = {a.get_text(): a["href"] for a in page.select("footer a.govuk-footer__link")}
        assert links == {
            "Accessibility statement": "/accessibility/",
            "Privacy notice": "/privacy/",
            "Contact": "/contact/",
        }
        for name, says in (
            ("accessibility", "WCAG"),
            ("privacy", "data controller"),
            ("contact", "County Hall, Hackshire"),
        ):
            response = client.get(reverse(name))  # signed out too: nothing in them is confidential
            assert response.status_code == 200
            text = soup(response).select_one("main").get_text(" ")
            assert says in text and "attendance@hackshire.gov.uk" in text, name

    def test_a_form_with_errors_says_error_in_the_title(self, client_as) -> None:
        c = client_as("la_admin")
        assert soup(c.get(reverse("audit"), {"upn": "A1"})).title.get_text().startswith("Error: Audit log")
        assert soup(c.get(reverse("audit"))).title.get_text().startswith("Audit log")

    def test_labels_are_words_people_use(self, client_as) -> None:
        from attendwise.web.models import Action, AuditEvent, Outcome

        AuditEvent.objects.create(username="vs", role="virtual_school", action=Action.VIEW_PUPIL, outcome=Outcome.SHOWN)
        page = soup(client_as("la_admin").get(reverse("audit")))
        assert "Virtual School" in page.select_one("table").get_text() and "virtual_school" not in page.get_text()
        school = soup(client_as("officer").get(reverse("school", args=[A])))
        tabs = [t.get_text() for t in school.select(".govuk-tabs__tab")]
        assert "Free school meals" in tabs and "Fsm" not in tabs
