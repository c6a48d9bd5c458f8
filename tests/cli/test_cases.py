"""``attendwise cases``: the case store's cases from the command line, read as ``attendwise serve`` reads them.

Django is set up once per process, so each step runs in its own process, as a data officer would run them.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.registers import Register

#: Opens two cases in the case store beside the store: the first pupil's at stage 2, the second's at stage 1.
OPEN_TWO_CASES = """
import sys
from pathlib import Path
from attendwise.web.commands import setup_django
setup_django(Path(sys.argv[1]), "attendwise.web.settings.local")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from attendwise.casework import commands
from attendwise.casework.case import CasePupil
from attendwise.measures.pupils import find_enrolment
from attendwise.store import Store
from attendwise.web.casework import store
from attendwise.web.casework.config import casework_config, stage_model
with Store(Path(sys.argv[1]), read_only=True) as s:
    pupils = [find_enrolment(s, i) for i in (1, 2)]
for e, stage in zip(pupils, ("early_intervention", "prevention")):
    event = commands.open_case(
        CasePupil(e.enrolment_id, e.upn, e.urn), stage_model(), casework_config(), reason="by_hand",
        stage=stage, who="officer", at=store.now(), why="Attendance at 80%", la_officer="officer",
    )
    store.open_case(event, "Olu Adeyemi")
"""


def attendwise(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["COLUMNS"] = "200"  # a data officer's terminal, not a pipe's 80 columns
    return subprocess.run(
        [sys.executable, "-m", "attendwise.cli", "--store", str(store), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.fixture
def with_cases(tmp_path: Path, base: Register) -> Path:
    store = tmp_path / "s.duckdb"
    assert attendwise(store, "import", str(base.write(tmp_path / "in"))).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    done = subprocess.run([sys.executable, "-c", OPEN_TWO_CASES, str(store)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return store


def test_cases_by_stage_as_csv_and_json(with_cases: Path) -> None:
    """Given two open cases at one school, when I ask for stage 2 as CSV, then I get the one case at stage 2,
    with its school, stage, LA officer and review date; JSON gives both; ``--stage`` takes a key too, and a
    stage the model does not have is refused in words."""
    done = attendwise(with_cases, "cases", "--school", "100001", "--stage", "2", "--format", "csv")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.StringIO(done.stdout))
    assert list(frame.columns[:8]) == ["case_id", "upn", "pupil", "urn", "school", "nc_year", "stage_number", "stage"]
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row.urn, row.stage_number, row.stage, row.la_officer, row.opening_reason) == (
        100001,
        2,
        "Stage 2: early intervention",
        "officer",
        "by_hand",
    )
    assert row.interventions == 0 and isinstance(row.review_date, str)
    as_json = json.loads(attendwise(with_cases, "cases", "--format", "json").stdout)
    assert sorted(r["stage_number"] for r in as_json) == [1, 2]
    table = attendwise(with_cases, "cases", "--stage", "prevention", "--format", "table")
    assert table.returncode == 0 and "Stage 1: prevention" in table.stdout and "early" not in table.stdout
    bad = attendwise(with_cases, "cases", "--stage", "5")
    assert bad.returncode == 1 and "Three stages has no stage 5 (its stages are 1 to 3)" in bad.stderr


def test_letters_for_a_case_one_to_each_parent(tmp_path: Path, base: Register) -> None:
    """Given a case for a pupil with a mother and a father with parental responsibility and a grandmother
    without, ``attendwise letters`` writes one letter to each parent (not the grandmother), as .docx and PDF; a
    template there is none of is refused naming those there are."""
    from attendwise.documents.letters import pdf_available

    first = base.pupils[1]["upn"]  # case 1 is opened for enrolment 1, the second pupil by UPN
    base.contact(first, "M1", forename="Amina", surname="Begum", title="Ms", relationship="mother", priority="1")
    base.contact(first, "F1", forename="Tariq", surname="Begum", relationship="father", priority="2")
    base.contact(first, "G1", forename="Rahima", surname="Khan", relationship="grandparent", pr="N")
    store = tmp_path / "s.duckdb"
    assert attendwise(store, "import", str(base.write(tmp_path / "in"))).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    done = subprocess.run([sys.executable, "-c", OPEN_TWO_CASES, str(store)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "letters"
    args = ["letters", "--case", "1", "--template", "attendance-concern", "--out", str(out), "--date", "2024-09-20"]
    done = attendwise(store, *args, *([] if pdf_available() else ["--no-pdf"]))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.glob("*.docx")) == [
        f"attendance-concern-{first}-F1.docx",
        f"attendance-concern-{first}-M1.docx",
    ]
    assert len(list(out.glob("*.pdf"))) == (2 if pdf_available() else 0)
    refused = attendwise(store, "letters", "--case", "1", "--template", "nickname", "--out", str(out))
    assert refused.returncode != 0 and "there is no letter template 'nickname' (there are attendance-concern" in (
        refused.stderr
    )
    missing = attendwise(store, "letters", "--case", "9", "--template", "attendance-concern", "--out", str(out))
    assert "there is no case 9" in missing.stderr
