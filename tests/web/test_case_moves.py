"""The case follows the pupil (a move of school moves the open case to the new school, recorded on the case), and
the retention rule (closed cases past their keeping removed, and the run recorded)."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from attendwise.casework import commands
from attendwise.casework.case import CasePupil
from attendwise.ingest import import_folder
from attendwise.measures.pupils import enrolments_of
from attendwise.store import Store
from attendwise.web.casework import store as case_store
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseEventRecord, CaseRecord, InterventionRecord, RetentionRun, case_files
from attendwise.web.casework.retention import apply_retention, due_for_removal
from tests.registers import Register
from tests.web.cases import add_letter, open_case

pytestmark = pytest.mark.django_db
A, B = 100001, 100002
START = dt.date(2024, 9, 2)


def register(moved: bool) -> Register:
    """Two schools; the pupil at A, and (``moved``) off A's roll on 13 September and on B's from the 16th."""
    reg = Register()
    reg.school(A, name="Alder Primary School")
    reg.school(B, name="Birch Primary School")
    upn = reg.pupil(A, leaving="2024-09-13" if moved else "")
    reg.pupils[-1]["forename"], reg.pupils[-1]["surname"] = "Mover", "Testchild"
    reg.sessions(upn, "//////OOOO", START, urn=A)
    if moved:
        reg.pupil(B, upn=upn, admission="2024-09-16")
        reg.pupils[-1]["forename"], reg.pupils[-1]["surname"] = "Mover", "Testchild"
        reg.sessions(upn, "//////////", dt.date(2024, 9, 16), urn=B)
    return reg


@pytest.fixture
def moving(tmp_path: Path, settings):
    from attendwise.web.services import data

    path = tmp_path / "moving.duckdb"
    reg = register(moved=False)
    with Store(path) as s:
        import_folder(s, reg.write(tmp_path / "first"))
        enrolment = enrolments_of(s, reg.pupils[0]["upn"])[0]
    settings.ATTENDWISE_STORE = path
    data.reset_access()
    yield tmp_path, enrolment
    data.reset_access()


def _upload(client, folder: Path):
    files = []
    for name in ("pupils.csv", "marks.csv"):
        f = io.BytesIO((folder / name).read_bytes())
        f.name = name
        files.append(f)
    return client.post(reverse("uploads"), {"files": files})


def test_the_case_follows_the_pupil_to_their_new_school(client_as, moving) -> None:
    """A's case for the pupil moves to B when the import says they moved: B sees it, A no longer does, and the
    case's timeline says so."""
    tmp_path, enrolment = moving
    event = commands.open_case(
        CasePupil(enrolment.enrolment_id, enrolment.upn, A),
        stage_model(),
        casework_config(),
        reason="by_hand",
        stage="early_intervention",
        who="officer",
        at=case_store.now(),
        why="Four sessions missed",
    )
    case = case_store.open_case(event, "officer").record
    admin = client_as("la_admin")
    response = _upload(admin, register(moved=True).write(tmp_path / "second"))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CaseRecord.objects.get(pk=case.pk)
    assert row.urn == B and row.enrolment_id != enrolment.enrolment_id and row.version == 2
    moved = CaseEventRecord.objects.get(case=case, seq=2)
    assert (moved.kind, moved.username, moved.why) == (
        "school_changed",
        "attendwise",
        "The pupil is now on the roll of Birch Primary School",
    )
    assert (moved.payload["previous_urn"], moved.payload["urn"]) == (A, B)
    assert case_store.rebuild(case.pk) == case_store.load(case.pk).case
    client_as.client.logout()
    b = client_as("school_b")
    page = b.get(reverse("case", args=[case.pk]))
    assert page.status_code == 200
    assert "From Alder Primary School to Birch Primary School" in page.content.decode()
    client_as.client.logout()
    assert client_as("school_a").get(reverse("case", args=[case.pk])).status_code == 404
    # Following again moves nothing.
    from attendwise.web.casework.moves import follow_pupils
    from attendwise.web.services.data import get_access

    assert follow_pupils(get_access()) == []


class TestRetention:
    def _close(self, record: CaseRecord, on: dt.date) -> None:
        loaded = case_store.load(record.pk)
        case_store.record(
            record.pk,
            loaded.record.version,
            lambda cs: commands.close_case(
                cs,
                casework_config(),
                outcome="attendance_improved",
                date=on,
                who="officer",
                at=case_store.now(),
                why="Back to 97%",
            ),
            "officer",
        )

    def test_closed_cases_past_their_keeping_are_removed_and_the_run_recorded(self, city) -> None:
        """Two closed cases and an open one: as at six years and a day after the first closed, only it goes (its
        events, interventions and letter file with it); the run is recorded; the open case is never due."""
        old, recent, still_open = open_case(city, "a_pa"), open_case(city, "a_severe"), open_case(city, "c_cin")
        add_letter(old)
        letter = InterventionRecord.objects.get(case=old).document.name
        today = case_store.now().date()
        self._close(old, today)
        self._close(recent, today)
        later = today.replace(year=today.year + 6) + dt.timedelta(days=1)
        assert due_for_removal(later).case_ids == (old.pk, recent.pk)
        assert due_for_removal(later - dt.timedelta(days=1)).case_ids == ()  # kept six years to the day
        run = apply_retention(later, by="records-officer")
        assert (run.cases, run.events, run.files, run.case_ids, run.by) == (
            2,
            5,  # the old case's opening, letter and closing, and the recent one's opening and closing
            1,
            [old.pk, recent.pk],
            "records-officer",
        )
        assert run.rule == "closed cases are kept 6 years after they close"
        assert list(CaseRecord.objects.values_list("pk", flat=True)) == [still_open.pk]
        assert not CaseEventRecord.objects.filter(case_id__in=[old.pk, recent.pk]).exists()
        assert not case_files().exists(letter)
        assert apply_retention(later, by="records-officer").cases == 0
        assert RetentionRun.objects.count() == 2

    def test_the_command_lists_what_is_due_and_applies_only_when_asked(self, tmp_path) -> None:
        script = "import sys; from attendwise.cli import main; sys.argv[0] = 'attendwise'; main()"
        store = tmp_path / "s.duckdb"
        reg = register(moved=False)
        with Store(store) as s:
            import_folder(s, reg.write(tmp_path / "in"))
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env["COLUMNS"] = "200"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom pathlib import Path\nfrom attendwise.web.commands import setup_django\n"
                "setup_django(Path(sys.argv[1]), 'attendwise.web.settings.local')\n"
                "from django.core.management import call_command\n"
                "call_command('migrate', verbosity=0)",
                str(store),
            ],
            check=True,
            env=env,
        )
        done = subprocess.run(
            [sys.executable, "-c", script, "--store", str(store), "case-retention", "--as-at", "2031-01-01"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert "0 closed cases closed before 01 January 2025 due for removal" in done.stdout
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                "--store",
                str(store),
                "case-retention",
                "--as-at",
                "2031-01-01",
                "--apply",
                "--by",
                "jo",
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0 and "Removed 0 cases" in done.stdout and "retention run 1" in done.stdout
