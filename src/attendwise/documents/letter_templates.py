"""The four letter templates attendwise ships, built with python-docx so that they are made again byte for byte.

``python -m attendwise.documents.letter_templates`` writes them to ``src/attendwise/data/letters/``
(``tests/documents/test_letters.py`` checks the files there are what this module builds). An LA that wants
its own letterhead opens one in Word, changes what it likes (keeping the ``{{ ... }}`` placeholders, or using
any of the merge fields in ``docs/letters.md``) and uploads it.

The wording follows GOV.UK's style: short sentences, plain words, the child's name rather than "the pupil",
and help offered before anything else. Letters that tell parents their own child's absence in plain words
are the intervention with the best evidence behind it (``shared/domain/casework-and-registers.md`` §1.2).

* ``first-day-contact``: follows up a first-day call when a child was absent and the school had not heard why;
* ``attendance-concern``: the child's attendance so far this year, what it adds up to, and an offer to talk;
* ``meeting-invitation``: an invitation to a meeting (date, time, place and who will be there);
* ``attendance-summary``: a plain-language summary of the child's attendance, with the learning-hours table.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from attendwise.documents.letter_fields import number
from attendwise.measures.attendance import COVENTRY_LEARNING_HOURS, learning_time

__all__ = ["TEMPLATES", "build_letter_docx", "build_template", "write_templates"]

#: Where the shipped templates live in the source tree.
FOLDER = Path(__file__).resolve().parents[1] / "data" / "letters"
_FIXED_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

#: The LA's contact line, used in several letters.
_CONTACT = (
    "You can contact the {{ la.team }}{% if la.phone %} on {{ la.phone }}{% endif %}"
    "{% if la.email %} or by email at {{ la.email }}{% endif %}."
)


def _styles(doc: DocumentObject) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(8)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 16), ("Heading 2", 13)):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)


def _letterhead(doc: DocumentObject) -> None:
    """The LA's name and team in the header; its contact details in the footer."""
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    head.add_run("{{ la.name }}").bold = True
    head.add_run("\n{{ la.team }}")
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = foot.add_run(
        "{{ la.team }}{% if la.phone %}  |  {{ la.phone }}{% endif %}{% if la.email %}  |  {{ la.email }}{% endif %}"
    )
    run.font.size = Pt(9)


def _opening(doc: DocumentObject) -> None:
    """The date, the recipient's name and address, and the greeting."""
    doc.add_paragraph("{{ date }}")
    doc.add_paragraph("{{ parent.full_name }}\n{{ parent.address }}")
    doc.add_paragraph("Dear {% if parent.salutation %}{{ parent.salutation }}{% else %}parent or carer{% endif %},")


def _closing(doc: DocumentObject) -> None:
    doc.add_paragraph("Yours sincerely,")
    doc.add_paragraph("{%p if sender.name %}")
    doc.add_paragraph("\n{{ sender.name }}")
    doc.add_paragraph("{%p if sender.role %}")
    doc.add_paragraph("{{ sender.role }}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{ la.team }}, {{ la.name }}")


def _table(doc: DocumentObject, rows: list[tuple[str, ...]], *, header: bool = False, numbers: bool = True) -> None:
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for r, cells in enumerate(rows):
        row = table.add_row().cells
        for c, text in enumerate(cells):
            paragraph = row[c].paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(2)
            run = paragraph.add_run(text)
            run.bold = header and r == 0
            if c > 0 and numbers:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def _bullets(doc: DocumentObject, items: list[str]) -> None:
    for item in items:
        doc.add_paragraph(item, style="List Bullet")


def first_day_contact(doc: DocumentObject) -> None:
    doc.add_heading("{{ pupil.first_name }} was not at school on {{ absence.last_date }}", level=1)
    doc.add_paragraph(
        "When a child is not at school and we have not heard why, we try to contact their family on the first "
        "day. We did this for {{ pupil.first_name }}, who was absent from {{ school.name }} on "
        "{{ absence.last_date }}. This letter follows up that contact."
    )
    doc.add_paragraph("We want to make sure {{ pupil.first_name }} is safe and well.")
    doc.add_heading("What we would like you to do", level=2)
    _bullets(
        doc,
        [
            "tell {{ school.name }} why {{ pupil.first_name }} was absent, if you have not already",
            "contact the school on the first morning of any day {{ pupil.first_name }} cannot come in",
            "talk to us if something is making it hard for {{ pupil.first_name }} to come to school",
        ],
    )
    doc.add_paragraph(
        "If {{ pupil.first_name }} was ill, the school can record the absence as illness once it hears from you."
    )
    doc.add_heading("Getting help", level=2)
    doc.add_paragraph(
        "Worries about school, health or things at home can all make it harder to come to school. If anything "
        "like this is affecting {{ pupil.first_name }}, please tell us. We can help, and it is easier to help early."
    )
    doc.add_paragraph(_CONTACT)


def attendance_concern(doc: DocumentObject) -> None:
    doc.add_heading("We are concerned about {{ pupil.first_name }}'s attendance", level=1)
    doc.add_paragraph(
        "This school year, up to {{ attendance.up_to }}, {{ pupil.first_name }} has attended {{ school.name }} "
        "{{ attendance.percent }} of the time."
    )
    doc.add_paragraph(
        "That means {{ pupil.first_name }} has missed {{ attendance.days_missed }} days of school. That is about "
        "{{ attendance.hours_missed }} hours of learning."
    )
    _table(
        doc,
        [
            ("Sessions (half days) {{ pupil.first_name }} could have attended", "{{ attendance.sessions_possible }}"),
            ("Sessions attended", "{{ attendance.sessions_attended }}"),
            ("Sessions missed with permission, for example for illness", "{{ attendance.sessions_authorised }}"),
            ("Sessions missed without permission", "{{ attendance.sessions_unauthorised }}"),
        ],
    )
    doc.add_heading("Why this matters", level=2)
    doc.add_paragraph(
        "Children who come to school regularly learn more, keep up with their friends and do better. If "
        "{{ pupil.first_name }}'s attendance stays at {{ attendance.percent }} for a whole school year, "
        "{{ pupil.first_name }} will miss about {{ attendance.days_a_year }} days, or {{ attendance.hours_a_year }} "
        "hours of learning. Over all the years from Reception to Year 11, that would be "
        "{{ attendance.hours_school_life }} hours."
    )
    doc.add_heading("What happens next", level=2)
    doc.add_paragraph(
        "We would like to work with you to help {{ pupil.first_name }} come to school more often. We will contact "
        "you to arrange a time to talk, or you can contact us first."
    )
    doc.add_paragraph(
        "You are not in trouble. We want to understand what is getting in the way and find support that helps."
    )
    doc.add_paragraph(_CONTACT)


def meeting_invitation(doc: DocumentObject) -> None:
    doc.add_heading("An invitation to talk about {{ pupil.first_name }}'s attendance", level=1)
    doc.add_paragraph(
        "We would like to meet you to talk about how we can help {{ pupil.first_name }} come to school more often."
    )
    _table(
        doc,
        [
            ("Date", "{{ meeting.date }}"),
            ("Time", "{{ meeting.time }}"),
            ("Place", "{{ meeting.place }}"),
            ("You will meet", "{% if meeting.with %}{{ meeting.with }}{% else %}{{ sender.name }}{% endif %}"),
        ],
        numbers=False,
    )
    doc.add_heading("About the meeting", level=2)
    doc.add_paragraph(
        "So far this school year, {{ pupil.first_name }}'s attendance is {{ attendance.percent }}. At the meeting "
        "we will look at {{ pupil.their }} attendance together, listen to what you think is getting in the way, "
        "and agree what will help."
    )
    doc.add_paragraph("You are welcome to bring someone with you, such as a friend or relative.")
    doc.add_paragraph(
        "If you cannot come at this time, please contact us{% if la.phone %} on {{ la.phone }}{% endif %} and we "
        "will find another time."
    )


def attendance_summary(doc: DocumentObject) -> None:
    doc.add_heading("{{ pupil.first_name }}'s attendance this school year", level=1)
    doc.add_paragraph("{%p if attendance.sessions_possible %}")
    doc.add_paragraph(
        "Up to {{ attendance.up_to }}, {{ pupil.first_name }} attended {{ attendance.percent }} of "
        "{{ pupil.their }} school sessions at {{ school.name }}."
    )
    doc.add_paragraph(
        "A school day has 2 sessions: the morning and the afternoon. {{ pupil.first_name }} could have attended "
        "{{ attendance.sessions_possible }} sessions and attended {{ attendance.sessions_attended }} of them."
    )
    doc.add_paragraph(
        "So far {{ pupil.first_name }} has missed {{ attendance.days_missed }} days, about "
        "{{ attendance.hours_missed }} hours of learning."
    )
    doc.add_heading("What this means over time", level=2)
    doc.add_paragraph(
        "If this carries on for a whole school year, {{ pupil.first_name }} would miss about "
        "{{ attendance.days_a_year }} days of school. From Reception to Year 11, that adds up to about "
        "{{ attendance.hours_school_life }} hours of learning."
    )
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("We do not have any attendance figures for {{ pupil.first_name }} yet this school year.")
    doc.add_paragraph("{%p endif %}")
    doc.add_heading("Every day counts", level=2)
    settings = COVENTRY_LEARNING_HOURS
    rows = [
        (
            "Attendance over a school year",
            "Days missed",
            "Hours of learning missed",
            "Hours missed, Reception to Year 11",
        )
    ]
    for rate in (97, 95, 90, 80, 50):
        t = learning_time(Fraction(rate, 100), settings)
        rows.append((f"{rate}%", number(t.days_a_year), number(t.hours_a_year), number(t.hours_school_life, 0)))
    _table(doc, rows, header=True)
    doc.add_paragraph(
        f"These figures count a school year as {settings.days_a_year} days with {settings.hours_a_day} hours of "
        "learning a day."
    )
    doc.add_paragraph(
        "If you have any questions, or anything is making it hard for {{ pupil.first_name }} to come to school, "
        "please talk to us. " + _CONTACT
    )


#: The templates, by file name, and the function that writes each one's body.
TEMPLATES: dict[str, tuple[str, Callable[[DocumentObject], None]]] = {
    "first-day-contact": ("First day of absence: following up our contact", first_day_contact),
    "attendance-concern": ("We are concerned about attendance", attendance_concern),
    "meeting-invitation": ("An invitation to a meeting about attendance", meeting_invitation),
    "attendance-summary": ("Attendance this school year: a summary for parents", attendance_summary),
}


def build_template(name: str) -> bytes:
    """One shipped template as .docx bytes, the same bytes every time."""
    title, body = TEMPLATES[name]
    return build_letter_docx(title, body, "A letter template for attendwise: see docs/letters.md for the merge fields.")


def build_letter_docx(title: str, body: Callable[[DocumentObject], None], comments: str) -> bytes:
    """A letter template with the shipped letterhead, opening and closing around ``body``, as .docx bytes that
    are the same every time (so a shipped file can be checked against its builder)."""
    doc = Document()
    _styles(doc)
    _letterhead(doc)
    _opening(doc)
    body(doc)
    _closing(doc)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "attendwise", "attendwise"
    props.created = props.modified = props.last_printed = _FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    props.comments = comments
    raw = io.BytesIO()
    doc.save(raw)
    # python-docx stamps each zip entry with the time of saving: write them again with a fixed one.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def write_templates(folder: Path = FOLDER) -> list[Path]:
    """Write every shipped template to ``folder``; return the paths written."""
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
