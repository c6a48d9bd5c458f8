"""``attendwise registers``: the LA's registers of children absent from education from the command line, and
the DfE's termly return with its rounding, read as ``attendwise serve`` reads them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.test_cases import attendwise
from tests.registers import Register

#: Notifies three removals from the first school: two to home education, one moved away with no destination.
NOTIFY = """
import datetime as dt, sys
from pathlib import Path
from attendwise.web.commands import setup_django
setup_django(Path(sys.argv[1]), "attendwise.web.settings.local")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from attendwise.store import Store
from attendwise.web.registers import notifications
from attendwise.web.registers.config import registers_config
config = registers_config()
with Store(Path(sys.argv[1]), read_only=True) as s:
    upns = sorted(s.ibis.execute(s.table("pupils").select("upn"))["upn"])
    checked = []
    for upn, ground, reason in zip(upns, ("home_education", "home_education", "moved_away"),
                                   ("religious", "lifestyle", "")):
        values = {"upn": upn, "removal_date": dt.date(2024, 9, 9), "ground": ground, "ehe_reason": reason,
                  "destination_urn": None, "destination_la": ""}
        checked.append(notifications.check(s, 100001, values, config))
notifications.store_removal(checked, user=None, username="school", config=config, sources=["form"] * 3)
"""


@pytest.fixture
def with_removals(tmp_path: Path, base: Register) -> Path:
    base.pupil(sex="M")
    base.sessions(base.pupils[-1]["upn"], "//////////")
    store = tmp_path / "s.duckdb"
    assert attendwise(store, "import", str(base.write(tmp_path / "in"))).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    done = subprocess.run([sys.executable, "-c", NOTIFY, str(store)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return store


def test_registers_as_csv_json_and_table(with_removals: Path) -> None:
    """Given three removals (two to home education, one moved away with no destination), the EHE register lists
    two children, the CME register one, and the removals list says what each opened."""
    ehe = attendwise(with_removals, "registers", "ehe", "--format", "csv")
    assert ehe.returncode == 0, ehe.stderr
    register = pd.read_csv(io.StringIO(ehe.stdout.split("\n\n")[0]))
    assert sorted(register["Reason"]) == ["Lifestyle", "Religious"]
    cme = json.loads(attendwise(with_removals, "registers", "cme", "--format", "json").stdout)
    assert [r["reason"] for r in cme] == ["Removed from roll without a known destination"]
    removals = attendwise(with_removals, "registers", "removals", "--format", "table")
    assert removals.returncode == 0 and "home-education entry" in removals.stdout and "CME referral" in removals.stdout


def test_the_termly_return_rounds_each_figure(with_removals: Path) -> None:
    """Two children at home educated at the census: each row shows low, the total (2) low too; the CME return
    has one child."""
    done = attendwise(with_removals, "registers", "returns", "--census", "2024-10-03", "--format", "csv")
    assert done.returncode == 0, done.stderr
    tables = [pd.read_csv(io.StringIO(t)) for t in done.stdout.strip().split("\n\n")]
    assert len(tables) == 6
    assert list(tables[3]["Number"]) == ["low", "low", "low"]  # EHE by sex: female, male, total
    bad = attendwise(with_removals, "registers", "returns", "--census", "3 Oct")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
