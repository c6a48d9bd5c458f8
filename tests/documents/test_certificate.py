"""The certificate of attendance read back from its PDF (pdftotext) equals the register for the evidence period:
every session, its code and its meaning, and nothing else."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from attendwise.documents.certificate import Certificate, certificate_pdf, session_line
from attendwise.documents.letters import pdf_available
from attendwise.ingest import import_folder
from attendwise.measures.penalty_threshold import period_marks
from attendwise.measures.pupils import enrolments_of
from attendwise.store import Store
from tests.registers import Register

needs_pdf = pytest.mark.skipif(
    not (pdf_available() and shutil.which("pdftotext")),
    reason="needs LibreOffice and poppler-utils (make test installs them)",
)
LINE = re.compile(r"^\s*(\w{3} \d{2} \w{3} \d{4})\s+(AM|PM)\s+(\S+)\s+(.*\S)\s*$")


@needs_pdf
def test_the_certificate_read_back_equals_the_register(tmp_path) -> None:
    reg = Register()
    reg.school(100001, name="Alder Primary School")
    upn = reg.pupil(100001, admission="2024-09-01", dob="2015-03-01")
    reg.pupils[-1]["forename"], reg.pupils[-1]["surname"] = "Robin", "Testchild"
    reg.sessions(upn, "OOGG//UUIL/\\NNOO#MGG//", dt.date(2024, 9, 2), urn=100001)
    with Store(tmp_path / "s.duckdb") as store:
        import_folder(store, reg.write(tmp_path / "in"))
        enrolment = enrolments_of(store, upn)[0]
        start, end = dt.date(2024, 9, 3), dt.date(2024, 9, 12)
        marks = period_marks(store, enrolment.enrolment_id, start, end)
    assert marks and marks[0].date >= start and marks[-1].date <= end
    pdf = certificate_pdf(
        Certificate(
            "Robin Testchild",
            dt.date(2015, 3, 1),
            upn,
            "Alder Primary School",
            100001,
            start,
            end,
            ("Pat Parent",),
            tuple(marks),
            head_teacher="A Head",
        )
    )
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    read = [m.groups() for m in map(LINE.match, text.splitlines()) if m]
    expected = [session_line(m) for m in marks]
    assert [r[:3] for r in read] == [e[:3] for e in expected]
    # a long meaning wraps in its cell: each line read starts its session's meaning
    assert all(e[3].startswith(r[3]) for r, e in zip(read, expected, strict=True))
    assert "Robin Testchild" in text and "Pat Parent" in text and "Tue 03 Sep 2024 to Thu 12 Sep 2024" in text
