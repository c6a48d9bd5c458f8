"""Letters from templates: checked on upload (an unknown field is refused, named), merged per parent, and read
back from the .docx (python-docx) and the PDF (pypdf, and poppler's pdftotext where it is installed)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate
from pypdf import PdfReader

from attendwise.core.calendar import Period
from attendwise.documents.letter_fields import (
    FIELD_NAMES,
    MERGE_FIELDS,
    LetterContext,
    LetterError,
    Meeting,
    Sender,
    letter_contexts,
    merge_values,
)
from attendwise.documents.letter_templates import TEMPLATES, build_template
from attendwise.documents.letters import (
    TemplateError,
    docx_to_pdf,
    letters_for,
    load_template,
    render_letter,
    shipped_templates,
    template_problems,
)
from attendwise.ingest import import_folder
from attendwise.measures.attendance import PupilAttendance
from attendwise.store import Store
from attendwise.store.questions import Contact, PupilContact
from tests.registers import Register

DOCS = Path(__file__).resolve().parents[2] / "docs" / "letters.md"
PERIOD = Period("2024/25 to 14 February 2025", dt.date(2024, 8, 1), dt.date(2025, 2, 14))
SENDER = Sender(la_name="Brindlecombe", phone="01632 960000", email="attendance@example.org", name="Jo Patel",
                role="Attendance Officer")  # fmt: skip


def parent(name: str = "Begum", title: str | None = "Ms", contact_id: str = "M1") -> PupilContact:
    contact = Contact(contact_id, title, "Amina", name, "12 Mill Lane", None, "Brindlecombe", "BC1 2AB", None, None)
    return PupilContact("X", contact, "mother", True, True, 1)


def context(first_name: str = "Aisha", surname: str = "Begum", **kwargs: object) -> LetterContext:
    values = merge_values(
        on=dt.date(2025, 3, 3),
        pupil={
            "forename": first_name,
            "surname": surname,
            "date_of_birth": dt.date(2015, 5, 4),
            "sex": "F",
            "nc_year": "4",
        },
        parent=kwargs.pop("parent", parent()),  # type: ignore[arg-type]
        school_name="Millbrook Primary School",
        sender=SENDER,
        period=PERIOD,
        attendance=PupilAttendance("X", PERIOD, 204, 180, 14, 10),
        last_absent=dt.date(2025, 2, 10),
        meeting=Meeting(dt.date(2025, 3, 11), "9:30am", "the family room", "Mrs Khan"),
    )
    return LetterContext("X", "M1", values)


def docx_text(data: bytes) -> str:
    """Every paragraph of the body, its tables, headers and footers, a line each."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def a_template(*paragraphs: str | list[str]) -> bytes:
    """A .docx whose paragraphs hold the given text (a list: one run each, as Word splits a placeholder)."""
    document = docx.Document()
    for paragraph in paragraphs:
        p = document.add_paragraph()
        for run in [paragraph] if isinstance(paragraph, str) else paragraph:
            p.add_run(run)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class TestShippedTemplates:
    def test_every_shipped_template_validates(self) -> None:
        templates = shipped_templates()
        assert set(templates) == set(TEMPLATES)
        for name, template in templates.items():
            assert template.fields <= FIELD_NAMES, name
            assert {"pupil.first_name", "date", "parent.full_name"} <= template.fields, name
            assert template_problems(template.data, name) == []

    def test_the_files_are_what_the_script_builds(self) -> None:
        """src/attendwise/data/letters/ is reproducible: python -m attendwise.documents.letter_templates."""
        for name, template in shipped_templates().items():
            assert template.data == build_template(name), f"{name}.docx is stale: run the script"

    def test_fast_merge_reads_as_docxtpls_own(self) -> None:
        """The compiled merge gives the text docxtpl's own render does, for every shipped letter."""
        values = context().nested()
        for name, template in shipped_templates().items():
            ours = docx_text(render_letter(template, values))
            theirs = DocxTemplate(io.BytesIO(template.data))
            theirs.render(values, autoescape=True)
            out = io.BytesIO()
            theirs.save(out)
            assert ours == docx_text(out.getvalue()), name


class TestMerge:
    def test_a_letter_reads_back_from_the_docx(self) -> None:
        text = docx_text(render_letter(shipped_templates()["attendance-concern"], context()))
        assert "Dear Ms Begum," in text
        assert "Aisha has attended Millbrook Primary School 88.2% of the time." in flat(text)
        assert "Aisha has missed 12 days of school. That is about 60 hours of learning." in flat(text)
        assert "Sessions missed without permission | 10" in text
        assert "12 Mill Lane\nBrindlecombe\nBC1 2AB" in text, "the address prints a line each"
        assert "Brindlecombe\nSchool Attendance Support Team" in text  # the header
        assert "{{" not in text and "{%" not in text

    def test_values_are_text_not_markup(self) -> None:
        """A name with XML or Jinja in it prints as written and breaks nothing."""
        odd = parent(name="O'Neil & <b>{{ la.name }}</b>", title=None)
        text = docx_text(render_letter(shipped_templates()["first-day-contact"], context(parent=odd)))
        assert "Dear Amina O'Neil & <b>{{ la.name }}</b>," in text

    def test_no_parent_recorded(self) -> None:
        letter = render_letter(shipped_templates()["meeting-invitation"], context(parent=None))
        assert "Dear parent or carer," in docx_text(letter)

    def test_a_placeholder_word_split_across_runs(self) -> None:
        template = load_template(a_template(["Hello {{ pupil.", "first_", "name }}!"]), "split.docx")
        assert template.fields == {"pupil.first_name"}
        assert "Hello Aisha!" in docx_text(render_letter(template, context()))


class TestRefused:
    @pytest.mark.parametrize(
        ("text", "field", "says"),
        [
            ("Dear {{ parent.nickname }}", "parent.nickname", "is not a merge field attendwise has"),
            ("{{ pupil.first_nme }}", "pupil.first_nme", "did you mean pupil.first_name?"),
            ("{{ pupil['upn'] }}", "pupil.upn", "is not a merge field"),
            ("{{ child.name }}", "child.name", "no group of fields is called child"),
            ("{{ pupil }}", "pupil", "names a group of fields"),
            ("{{ pupil.__class__ }}", "pupil.__class__", "is not a merge field"),
            ("{% if attendance.percentage %}x{% endif %}", "attendance.percentage", "did you mean attendance.percent?"),
        ],
    )
    def test_an_unknown_field_is_named(self, text: str, field: str, says: str) -> None:
        with pytest.raises(TemplateError) as info:
            load_template(a_template("{{ pupil.first_name }}", text), "ours.docx")
        assert [p.field for p in info.value.problems] == [field]
        assert says in str(info.value) and str(info.value).startswith("ours.docx: ")

    def test_every_unknown_field_once(self) -> None:
        data = a_template(
            "{{ a.b }} {{ a.b }}", "{{ pupil.age }}", "{% for x in parent.kids %}{{ x.name }}{% endfor %}"
        )
        assert [p.field for p in template_problems(data)] == ["a.b", "pupil.age", "parent.kids"]

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("{{ pupil.first_name ", "cannot be read"),
            ("{% if pupil.first_name %}no end", "cannot be read"),
            ("{{ pupil.first_name | shout }}", "cannot be used: No filter named 'shout'"),
            ("{{ range(100000) }}", "may not call functions"),
            ("{{ pupil.first_name.upper() }}", "may not call functions"),
            ("{% include 'other.docx' %}", "may not include"),
        ],
    )
    def test_a_placeholder_that_cannot_be_used(self, text: str, says: str) -> None:
        problems = template_problems(a_template("Hello", text))
        assert problems and says in problems[0].message, problems

    def test_a_syntax_error_says_where(self) -> None:
        problems = template_problems(a_template("Dear parent,", "We saw {{ pupil.first_name } today"))
        assert len(problems) == 1 and "near “We saw {{ pupil.first_name } today”" in problems[0].message

    def test_not_a_docx(self) -> None:
        assert "is not a Word .docx file" in template_problems(b"hello", "letter.txt")[0].message
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
        assert "save it as a Word .docx" in template_problems(ole, "old.doc")[0].message

    def test_nothing_fetched_from_outside_and_no_macros(self) -> None:
        """A picture linked from an address would be fetched by the server as it made the PDF; macros never run."""
        data = a_template("Hello {{ pupil.first_name }}")
        linked = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(linked, "w") as dst:
            for info in src.infolist():
                raw = src.read(info)
                if info.filename == "word/_rels/document.xml.rels":
                    raw = raw.replace(
                        b"</Relationships>",
                        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        b'relationships/image" Target="http://169.254.169.254/latest" TargetMode="External"/>'
                        b'<Relationship Id="rId98" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        b'relationships/hyperlink" Target="https://www.gov.uk/" TargetMode="External"/>'
                        b"</Relationships>",
                    )
                dst.writestr(info, raw)
            dst.writestr("word/vbaProject.bin", b"macro")
        messages = [p.message for p in template_problems(linked.getvalue())]
        assert messages == [
            "holds macros: save it as a Word .docx, without macros",
            "links to something outside the document (http://169.254.169.254/latest): put pictures and other "
            "content in the document itself",
        ]

    def test_filters_and_loop_variables_are_fine(self) -> None:
        data = a_template("{{ pupil.first_name | upper }}", "{% set n = pupil.surname %}{{ n }}")
        assert template_problems(data) == []


@pytest.fixture(scope="module")
def pdfs() -> tuple[list[LetterContext], list[bytes], list[bytes]]:
    """Three letters from one template (joined into one conversion) and one from another, in one batch."""
    concern = shipped_templates()["attendance-concern"]
    contexts = [context("Aisha"), context("Bilal", parent=parent(contact_id="F1")), context("Chloe", "Evans")]
    documents = [render_letter(concern, c) for c in contexts]
    documents.append(render_letter(shipped_templates()["attendance-summary"], context("Dara")))
    return contexts, documents, docx_to_pdf(documents)


class TestPdf:
    def test_each_letter_reads_back_from_its_pdf(self, pdfs) -> None:
        _, documents, made = pdfs
        assert len(made) == len(documents) == 4
        for name, pdf in zip(["Aisha", "Bilal", "Chloe", "Dara"], made, strict=True):
            text = flat(pdf_text(pdf))
            assert f"{name} has" in text or f"{name} attended" in text, text[:300]
            others = {"Aisha", "Bilal", "Chloe", "Dara"} - {name}
            assert not any(f"{o}'s" in text or f"{o} has" in text for o in others), "one letter per PDF"
        concern = flat(pdf_text(made[0]))
        assert "Dear Ms Begum," in concern
        assert "Aisha has attended Millbrook Primary School 88.2% of the time." in concern
        summary = flat(pdf_text(made[3]))
        assert "95% 10 50 600" in summary, "the learning-hours table"

    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
    def test_pdftotext_reads_it_too(self, pdfs) -> None:
        _, _, made = pdfs
        text = subprocess.run(["pdftotext", "-", "-"], input=made[1], capture_output=True, check=True).stdout
        assert "Bilal has missed 12 days of school" in flat(text.decode())

    def test_joined_letters_are_the_same_pages_as_single_ones(self, pdfs) -> None:
        _, documents, made = pdfs
        single = docx_to_pdf(documents[:2], join=False)
        for joined, alone in zip(made[:2], single, strict=True):
            assert len(PdfReader(io.BytesIO(joined)).pages) == len(PdfReader(io.BytesIO(alone)).pages)
            assert flat(pdf_text(joined)) == flat(pdf_text(alone))

    def test_letters_joined_a_section_each(self) -> None:
        """Letters whose pages are numbered join as a section each (numbers restarting), and split back."""
        template = load_template(a_template("Dear {{ parent.salutation }},", "About {{ pupil.first_name }}: PAGE 1"))
        made = docx_to_pdf([render_letter(template, context(name)) for name in ("Aisha", "Bilal", "Chloe")])
        assert [flat(pdf_text(p)).strip() for p in made] == [
            f"Dear Ms Begum, About {name}: PAGE 1" for name in ("Aisha", "Bilal", "Chloe")
        ]

    def test_a_joined_batch_that_does_not_split_is_converted_letter_by_letter(self, pdfs, monkeypatch) -> None:
        from attendwise.documents import letters

        _, documents, made = pdfs
        monkeypatch.setattr(letters, "_split", lambda pdf, count: None)
        again = docx_to_pdf(documents[:2])
        assert [flat(pdf_text(p)) for p in again] == [flat(pdf_text(p)) for p in made[:2]]


def test_letters_with_page_totals_are_never_joined() -> None:
    """A NUMPAGES field would count the pages of every letter joined: such letters are converted one by one."""
    from attendwise.documents.letters import _group_key, _share

    plain = load_template(a_template("{{ date }}"))
    totals = load_template(a_template("{{ date }}", "Page 1 of NUMPAGES"))
    assert _group_key(render_letter(plain, context())) == _group_key(render_letter(plain, context("Bo")))
    assert _group_key(render_letter(totals, context())) is None
    # letters join into one section, a page break before each, unless their pages are numbered
    from attendwise.documents.letters import _join

    def sections(template) -> int:
        joined = _join([render_letter(template, context()), render_letter(template, context("Bo"))])
        with zipfile.ZipFile(io.BytesIO(joined)) as z:
            return z.read("word/document.xml").count(b"<w:sectPr")

    assert sections(plain) == 1
    assert sections(load_template(a_template("{{ date }}", "Page PAGE"))) == 2
    # files shared among LibreOffice workers by how many letters each holds
    a, b, c = Path("a"), Path("b"), Path("c")
    assert _share([(a, 250), (b, 10), (c, 240)], 2) == [[a], [c, b]]


class TestFromTheStore:
    @pytest.fixture
    def family(self, store: Store, write) -> str:
        reg = Register()
        reg.school(100001, name="Millbrook Primary School")
        upn = reg.pupil(100001, nc_year="4")
        reg.pupils[-1]["forename"], reg.pupils[-1]["surname"] = "Aisha", "Begum"
        reg.sessions(upn, "////NN//II", dt.date(2024, 9, 2))
        reg.contact(upn, "M1", forename="Amina", surname="Begum", title="Ms", relationship="mother", priority="1")
        reg.contact(upn, "F1", forename="Tariq", surname="Begum", relationship="father", priority="2")
        reg.contact(upn, "G1", forename="Rahima", surname="Khan", relationship="grandparent", pr="N", lives_with="N")
        import_folder(store, write(reg))
        return upn

    def test_one_context_per_parent(self, store: Store, family: str) -> None:
        contexts = letter_contexts(store, family, on=dt.date(2024, 9, 9), sender=SENDER)
        assert [c.contact_id for c in contexts] == ["M1", "F1"], "the grandmother is not a parent"
        v = contexts[0].values
        assert (v["parent.salutation"], contexts[1].values["parent.salutation"]) == ("Ms Begum", "Tariq Begum")
        assert (v["attendance.sessions_possible"], v["attendance.sessions_missed"], v["attendance.percent"]) == (
            "10", "4", "60%"
        )  # fmt: skip
        assert (v["attendance.days_missed"], v["attendance.hours_missed"]) == ("2", "10")
        assert v["absence.last_date"] == "Friday 6 September 2024"
        assert (v["school.name"], v["la.name"], v["pupil.year_group"]) == ("Millbrook Primary School", "Brindlecombe",
                                                                            "Year 4")  # fmt: skip
        assert v["attendance.up_to"] == "6 September 2024" and v["date"] == "9 September 2024"
        assert set(v) == FIELD_NAMES

    def test_to_a_chosen_contact(self, store: Store, family: str) -> None:
        contexts = letter_contexts(store, family, contact_ids=["G1"], on=dt.date(2024, 9, 9))
        assert [c.contact_id for c in contexts] == ["G1"]
        assert contexts[0].values["la.name"] == "Testshire", "the LA's name from the store"
        with pytest.raises(LetterError, match="X9 is not a contact of"):
            letter_contexts(store, family, contact_ids=["X9"])
        with pytest.raises(LetterError, match="no pupil"):
            letter_contexts(store, "A999100024999")

    def test_letters_for_a_pupil(self, store: Store, family: str) -> None:
        letters = letters_for(store, shipped_templates()["attendance-summary"], family, on=dt.date(2024, 9, 9))
        assert [letter.stem for letter in letters] == [
            f"attendance-summary-{family}-M1",
            f"attendance-summary-{family}-F1",
        ]
        assert "Dear Tariq Begum," in docx_text(letters[1].docx)
        assert letters[1].pdf is not None and "Dear Tariq Begum," in pdf_text(letters[1].pdf)
        assert "Aisha attended 60% of her school sessions" in flat(pdf_text(letters[0].pdf or b""))


def test_the_merge_fields_are_documented() -> None:
    """docs/letters.md lists every merge field (and no other), as `name`."""
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", DOCS.read_text(), re.MULTILINE))
    assert documented == {f.name for f in MERGE_FIELDS}
