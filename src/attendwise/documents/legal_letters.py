"""The legal pathway's letter templates, built as the casework letters are (the letterhead, opening, closing
and tables of :mod:`attendwise.documents.letter_templates`), from the same merge-field catalogue, so they are
checked, merged and made PDF the same way.

``python -m attendwise.documents.legal_letters`` writes them to ``src/attendwise/data/legal_letters/`` (a test
checks the files there are what this module builds):

* ``formal-warning``: the formal warning that a penalty notice or prosecution may follow, with the child's
  attendance this year, the parent's duty and an invitation to a meeting about an attendance contract;
* ``contract-meeting-invitation``: an invitation to the meeting that agrees an attendance contract;
* ``interview-under-caution-invitation``: the advisory letter inviting the parent to an interview under caution.

The wording that depends on an LA's code of conduct (what it offers, how it prosecutes) is the LA's to change
in Word, keeping the placeholders. The Notice to Improve and the penalty notice itself need their own figures
(the improvement period and target, the amounts and dates) in the merge-field catalogue first.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from docx.document import Document as DocumentObject

from attendwise.documents.letter_templates import _table, build_letter_docx
from attendwise.documents.letters import LetterTemplate, load_template

__all__ = ["TEMPLATES", "build_template", "legal_templates", "write_templates"]

FOLDER = Path(__file__).resolve().parents[1] / "data" / "legal_letters"

_ATTENDANCE = (
    "So far this school year {{ pupil.first_name }} has attended {{ attendance.sessions_attended }} of "
    "{{ attendance.sessions_possible }} sessions ({{ attendance.percent }}). {{ attendance.sessions_unauthorised }} "
    "sessions were missed without permission."
)
_MEETING = [
    ("Date", "{{ meeting.date }}"),
    ("Time", "{{ meeting.time }}"),
    ("Place", "{{ meeting.place }}"),
    ("You will meet", "{% if meeting.with %}{{ meeting.with }}{% else %}{{ sender.name }}{% endif %}"),
]


def formal_warning(doc: DocumentObject) -> None:
    doc.add_heading("Formal warning: {{ pupil.full_name }}'s attendance at {{ school.name }}", level=1)
    doc.add_paragraph(_ATTENDANCE)
    doc.add_paragraph(
        "As {{ pupil.first_name }}'s parent you have a legal duty to make sure {{ pupil.their }} attends school "
        "regularly (Education Act 1996, section 7). If {{ pupil.their }} attendance does not improve, the local "
        "authority may issue a penalty notice or take you to court (section 444)."
    )
    doc.add_paragraph(
        "We want to help first. We would like to meet you to agree an attendance contract: what you will do, and "
        "the support the school and the local authority will give."
    )
    _table(doc, _MEETING, numbers=False)
    doc.add_paragraph("If you cannot come at this time, please contact us so that we can find another time.")


def contract_meeting_invitation(doc: DocumentObject) -> None:
    doc.add_heading("An invitation to agree an attendance contract for {{ pupil.first_name }}", level=1)
    doc.add_paragraph(
        "An attendance contract is a written agreement between you and the school or local authority: what you "
        "will do to help {{ pupil.first_name }} attend, and the support we will give, for a set time with a review "
        "at the end. It is not legally binding, but if attendance does not improve it may be used as evidence."
    )
    doc.add_paragraph(_ATTENDANCE)
    _table(doc, _MEETING, numbers=False)
    doc.add_paragraph(
        "Everyone working with your family is invited. If you do not come and do not ask to rearrange, the meeting "
        "will go ahead and the contract will be sent to you."
    )


def interview_under_caution_invitation(doc: DocumentObject) -> None:
    doc.add_heading("An invitation to an interview under caution", level=1)
    doc.add_paragraph(_ATTENDANCE)
    doc.add_paragraph(
        "Despite the support offered, {{ pupil.first_name }}'s attendance has not improved. The local authority is "
        "considering prosecuting you for failing to secure {{ pupil.their }} regular attendance at school "
        "(Education Act 1996, section 444)."
    )
    doc.add_paragraph(
        "Before it decides, we invite you to an interview under caution, recorded under the Police and Criminal "
        "Evidence Act 1984 (PACE), so that you can tell us anything you want us to take into account. You may bring "
        "a solicitor or someone to support you. The interview is voluntary."
    )
    _table(doc, _MEETING, numbers=False)


TEMPLATES: dict[str, tuple[str, Callable[[DocumentObject], None]]] = {
    "formal-warning": ("Formal warning about attendance", formal_warning),
    "contract-meeting-invitation": ("An invitation to agree an attendance contract", contract_meeting_invitation),
    "interview-under-caution-invitation": (
        "An invitation to an interview under caution",
        interview_under_caution_invitation,
    ),
}


def build_template(name: str) -> bytes:
    """One of the legal pathway's templates as .docx bytes, the same bytes every time."""
    title, body = TEMPLATES[name]
    comments = "A letter template for attendwise's legal pathway: see docs/letters.md for the merge fields."
    return build_letter_docx(title, body, comments)


def legal_templates() -> dict[str, LetterTemplate]:
    """The legal pathway's shipped templates (``attendwise/data/legal_letters/``), by name."""
    folder = resources.files("attendwise.data") / "legal_letters"
    return {
        entry.name.removesuffix(".docx"): load_template(entry.read_bytes(), entry.name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".docx")
    }


def write_templates(folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TEMPLATES:
        path = folder / f"{name}.docx"
        path.write_bytes(build_template(name))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER):
        print(written)  # noqa: T201
