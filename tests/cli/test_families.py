"""attendwise contacts and attendwise family: a pupil's parents and carers, and their family across schools."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from tests.cli.test_cli import run
from tests.registers import Register, make_upn


def test_contacts_and_family(tmp_path: Path) -> None:
    """Given siblings at a primary and a secondary school who share their mother, when I ask for the younger
    one's contacts and family, then I see both parents and both children with their attendance."""
    reg = Register()
    reg.school(100001)
    reg.school(100002, phase="secondary")
    younger = reg.pupil(100001)
    older = reg.pupil(100002, nc_year="8", dob="2012-01-05")
    reg.sessions(younger, "//////////", dt.date(2024, 9, 2), urn=100001)
    reg.sessions(older, "////NNNN//", dt.date(2024, 9, 2), urn=100002)
    reg.contact(younger, "M1", forename="Amina", surname="Begum", title="Ms", relationship="mother", priority="1")
    reg.contact(older, "M1", forename="Amina", surname="Begum", title="Ms", relationship="mother", priority="1")
    reg.contact(younger, "F1", forename="Tariq", surname="Begum", relationship="father", lives_with="N", priority="2")
    store = tmp_path / "s.duckdb"
    code, out = run(store, "import", str(reg.write(tmp_path / "in")))
    assert code == 0, out

    code, out = run(store, "contacts", "--upn", younger.lower(), "--format", "csv")
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.contact_id) == ["M1", "F1"] and list(frame.name) == ["Ms Amina Begum", "Tariq Begum"]
    assert list(frame.lives_with) == ["Y", "N"]

    code, out = run(store, "family", "--upn", younger, "--format", "csv")
    assert code == 0, out
    family = pd.read_csv(io.StringIO(out)).set_index("upn")
    assert set(family.index) == {younger, older}
    assert family.loc[older, "sessions_missed"] == 4 and family.loc[older, "persistently_absent"] == "Y"
    assert family.loc[younger, "attendance_percent"] == 100.0
    assert family.loc[older, "schools"] == "School 100002"

    code, out = run(store, "family", "--upn", younger)
    assert code == 0 and "Family of" in out and "2 children" in out, out
    code, out = run(store, "family", "--upn", make_upn(99))
    assert code != 0 and "no pupil" in out
    code, out = run(store, "contacts", "--upn", "not-a-upn")
    assert code != 0 and "is not a UPN" in out
