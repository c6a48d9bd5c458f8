"""``attendwise legal-import-notices`` and ``legal-return``: other LAs' notices into the records, and the DfE's
annual return and the record of each notice from them. Each step in its own process, as an officer runs them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.cli.test_cases import attendwise
from tests.registers import Register

#: Issues two notices (a first to each parent) through the rules, as the request page does, and pays one.
ISSUE = """
import datetime as dt, sys
from pathlib import Path
from attendwise.web.commands import setup_django
setup_django(Path(sys.argv[1]), "attendwise.web.settings.local")
from django.core.management import call_command
call_command("migrate", verbosity=0)
from attendwise.casework.legal import notices as pn
from attendwise.casework.legal.settings import LegalSettings
from attendwise.casework.legal.records import to_json
from attendwise.web.legal.models import NoticeRecord
at = dt.datetime(2024, 10, 1, 10, tzinfo=dt.UTC)
sessions = [pn.Session(dt.date(2024, 9, d), s, "G") for d in (9, 10, 11, 12, 13) for s in ("AM", "PM")]
req, _ = pn.request_notice(ref="R1", upn=sys.argv[2], school_urn=100001, sessions=sessions, who="school", at=at,
    parents=[pn.Parent("P1", "Pat", "1 Road"), pn.Parent("Q1", "Quinn", "1 Road")], leave_application="none made",
    refusal_letter_on=dt.date(2024, 9, 1), registration_certificate=True, letter_sent_on=dt.date(2024, 9, 2))
_, made, _ = pn.issue_notices(req, LegalSettings(), notices=[], issued_on=dt.date(2024, 10, 1), issuer="this LA",
    who="officer", at=at, refs=["PN1", "PN2"])
made[0], _ = pn.record_payment(made[0], paid_on=dt.date(2024, 10, 10), amount=80, who="o", at=at.replace(day=11))
for n in made:
    NoticeRecord.objects.create(contact_id=n.parent_id, upn=n.upn, urn=100001, issued_on=n.issued_on,
                                status=n.status.value, record=to_json(n))
"""


def test_import_then_the_return(tmp_path: Path, base: Register) -> None:
    store = tmp_path / "s.duckdb"
    assert attendwise(store, "import", str(base.write(tmp_path / "in"))).returncode == 0
    upn = base.pupils[0]["upn"]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    done = subprocess.run([sys.executable, "-c", ISSUE, str(store), upn], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(
        "reference,contact_id,upn,issued_on,issuing_authority,status,reason\n"
        f"X1,P1,{upn},2024-11-04,Neighbouring LA,paid,arriving late\n"
    )
    first = attendwise(store, "legal-import-notices", str(theirs))
    assert first.returncode == 0 and "1 notices added" in first.stdout, first.stderr
    assert "0 notices added" in attendwise(store, "legal-import-notices", str(theirs)).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,contact_id,upn,issued_on,issuing_authority,status,reason\nX2,P1,NOPE,2024,LA,lost,\n")
    refused = attendwise(store, "legal-import-notices", str(bad))
    assert refused.returncode == 1 and "bad.csv: line 2: upn" in refused.stderr and "line 2: status" in refused.stderr
    row = pd.read_csv(io.StringIO(attendwise(store, "legal-return", "--year", "2024/25", "--format", "csv").stdout))
    r = row.iloc[0]
    # the other LA's notice counts towards Pat's limit, never towards this LA's return
    assert (r.time_period, r.notices_issued, r.notices_holiday, r.paid_within_21_days) == (202425, 2, 2, 1)
    records = attendwise(store, "legal-return", "--year", "2024/25", "--notices", "--format", "csv").stdout
    frame = pd.read_csv(io.StringIO(records))
    assert frame.reference.tolist() == ["PN1", "PN2", "X1"]
    assert frame.status.tolist()[0] == "paid within the lower period" and frame.issuer.tolist()[2] == "Neighbouring LA"
