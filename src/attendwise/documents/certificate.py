"""The certificate of attendance (EA1996 s566): every session of a prosecution's evidence period, from the
register, for the head teacher to verify and sign.

It lists the pupil (name, date of birth, UPN), the school, the evidence period, the holders of parental
responsibility, then every session of the period in register order with its code and the code's meaning (read
against the code set in force on the session's date), the period's totals (possible sessions, attended,
authorised and unauthorised absence), and the head's declaration that the particulars are taken from the
register, with a line for the signature and date. It is written as a Word document (python-docx) and made a
PDF by LibreOffice (:func:`attendwise.documents.letters.docx_to_pdf`), like the letters.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.shared import Pt

from attendwise.core.codes import Category
from attendwise.documents.letters import docx_to_pdf
from attendwise.measures.pupils import Mark

__all__ = ["Certificate", "certificate_docx", "certificate_pdf", "session_line"]


@dataclass(frozen=True)
class Certificate:
    pupil_name: str
    date_of_birth: dt.date | None
    upn: str
    school_name: str
    urn: int
    start: dt.date
    end: dt.date
    parents: tuple[str, ...]
    marks: tuple[Mark, ...]
    head_teacher: str = ""


def session_line(mark: Mark) -> tuple[str, str, str, str]:
    """A session as the certificate writes it: ``("Mon 02 Sep 2024", "AM", "O", "Unauthorised ...")``."""
    return (f"{mark.date:%a %d %b %Y}", mark.session, mark.code, mark.meaning)


def _totals(marks: Sequence[Mark]) -> list[tuple[str, str]]:
    possible = sum(m.category.counts_as_possible for m in marks)
    attended = sum(m.category.counts_as_attendance for m in marks)
    authorised = sum(m.category == Category.AUTHORISED for m in marks)
    unauthorised = sum(m.category == Category.UNAUTHORISED for m in marks)
    return [
        ("Possible sessions", str(possible)),
        ("Sessions attended", str(attended)),
        ("Sessions of authorised absence", str(authorised)),
        ("Sessions of unauthorised absence", str(unauthorised)),
    ]


def certificate_docx(c: Certificate) -> bytes:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(10)
    doc.add_heading("Certificate of attendance", level=1)
    doc.add_paragraph("Education Act 1996, section 566(1)(c)")
    facts = doc.add_table(rows=0, cols=2)
    for label, value in (
        ("Pupil", c.pupil_name),
        ("Date of birth", f"{c.date_of_birth:%d %B %Y}" if c.date_of_birth else "not recorded"),
        ("UPN", c.upn),
        ("School", f"{c.school_name} (URN {c.urn})"),
        ("Evidence period", f"{c.start:%a %d %b %Y} to {c.end:%a %d %b %Y}"),
        ("Holders of parental responsibility", "; ".join(c.parents) or "none recorded"),
    ):
        row = facts.add_row().cells
        row[0].text, row[1].text = label, value
    doc.add_heading("Every session of the period, as the register records it", level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Date", "Session", "Code", "Meaning"), strict=True):
        cell.text = text
    for mark in c.marks:
        cells = table.add_row().cells
        for cell, text in zip(cells, session_line(mark), strict=True):
            cell.text = text
    doc.add_heading("Totals", level=2)
    totals = doc.add_table(rows=0, cols=2)
    for label, value in _totals(c.marks):
        row = totals.add_row().cells
        row[0].text, row[1].text = label, value
    doc.add_paragraph(
        "I certify that the particulars above are taken from the attendance register kept by the school under the"
        " School Attendance (Pupil Registration) (England) Regulations."
    )
    doc.add_paragraph(f"Head teacher: {c.head_teacher or '....................................'}")
    doc.add_paragraph("Signed: ....................................   Date: ....................")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def certificate_pdf(c: Certificate) -> bytes:
    """The certificate as a PDF (LibreOffice; raises ``PdfError`` saying what to install if it is missing)."""
    return docx_to_pdf([certificate_docx(c)], join=False)[0]
