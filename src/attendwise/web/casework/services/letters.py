"""Letters on cases: the templates an officer may choose, the parents a letter may go to, and writing letters.

A letter is merged by :mod:`attendwise.documents.letters` (one to each parent chosen, from the pupil's
contacts with parental responsibility), written as ``.docx`` and, where LibreOffice is installed, as PDF;
both files are kept in the case files (``cases/<case>/letters/``) and each letter is logged on the case as a
``letter`` intervention whose document is the PDF (its Word file beside it), so it opens through the case's
own address, under the case's rules and audit.

The templates offered are the four attendwise ships and the latest version of each letter type the LA has
uploaded (:class:`attendwise.web.casework.models.LetterTemplateRecord`); every earlier version is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.core.files.base import ContentFile
from django.db import transaction

from attendwise.casework import commands
from attendwise.casework.case import Case, CaseRuleError, Document
from attendwise.casework.events import CaseEvent
from attendwise.documents.letter_fields import Meeting, Sender
from attendwise.documents.letters import (
    Letter,
    LetterTemplate,
    TemplateProblem,
    letters_for,
    load_template,
    pdf_available,
    shipped_templates,
    template_problems,
)
from attendwise.store.questions import PupilContact
from attendwise.web.casework import store as case_store
from attendwise.web.casework.config import casework_config
from attendwise.web.casework.models import LetterTemplateRecord, case_files
from attendwise.web.services.data import StoreAccess

__all__ = [
    "SHIPPED_TITLES",
    "TEMPLATE_NAME",
    "TemplateChoice",
    "Written",
    "parents",
    "resolve_template",
    "template_choices",
    "template_for",
    "upload_template",
    "write_case_letters",
]

#: What each shipped letter is for, as an officer chooses it.
SHIPPED_TITLES = {
    "attendance-concern": "Attendance concern",
    "attendance-summary": "Plain-language attendance summary for parents",
    "first-day-contact": "First-day contact follow-up",
    "meeting-invitation": "Invitation to a meeting",
}
#: A letter type's name: lower-case letters and digits in words joined by hyphens.
TEMPLATE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){0,7}", re.ASCII)
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class TemplateChoice:
    """A template an officer may write a letter from: ``shipped:NAME`` or ``la:NAME`` (its latest version)."""

    key: str
    name: str
    title: str
    source: str
    fields: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.title} ({self.source})"


def _latest_uploads() -> list[LetterTemplateRecord]:
    latest: dict[str, LetterTemplateRecord] = {}
    for row in LetterTemplateRecord.objects.order_by("name", "-version"):
        latest.setdefault(row.name, row)
    return list(latest.values())


def template_choices() -> list[TemplateChoice]:
    """The LA's own templates (the latest version of each), then the four attendwise ships."""
    out = [
        TemplateChoice(f"la:{r.name}", r.name, r.title, f"the LA's, version {r.version}", frozenset(r.fields))
        for r in _latest_uploads()
    ]
    for name, template in shipped_templates().items():
        out.append(TemplateChoice(f"shipped:{name}", name, SHIPPED_TITLES.get(name, name), "shipped", template.fields))
    return out


@lru_cache(maxsize=64)
def _uploaded(storage_name: str, file_name: str) -> LetterTemplate:
    """A stored upload, read and compiled once (a version's file never changes)."""
    with case_files().open(storage_name, "rb") as fh:
        return load_template(fh.read(), file_name)


def template_for(key: str) -> tuple[TemplateChoice, LetterTemplate]:
    """The template a choice's key names.

    Raises:
        LookupError: there is no such template.
    """
    source, _, name = key.partition(":")
    if source == "shipped" and name in shipped_templates():
        template = shipped_templates()[name]
        return TemplateChoice(key, name, SHIPPED_TITLES.get(name, name), "shipped", template.fields), template
    if source == "la":
        row = LetterTemplateRecord.objects.filter(name=name).order_by("-version").first()
        if row is not None:
            choice = TemplateChoice(key, name, row.title, f"the LA's, version {row.version}", frozenset(row.fields))
            return choice, _uploaded(row.storage_name, row.file_name)
    raise LookupError(f"there is no letter template {key!r}")


def resolve_template(text: str) -> tuple[TemplateChoice, LetterTemplate]:
    """A template as the command line names it: a key (``shipped:attendance-concern``, ``la:our-letter``), or a
    letter type's name, the LA's latest version if it has uploaded one, else the shipped one.

    Raises:
        LookupError: naming the templates there are.
    """
    keys = [text] if ":" in text else [f"la:{text}", f"shipped:{text}"]
    for key in keys:
        try:
            return template_for(key)
        except LookupError:
            continue
    there = ", ".join(sorted({c.name for c in template_choices()}))
    raise LookupError(f"there is no letter template {text!r} (there are {there})")


def parents(access: StoreAccess, upn: str) -> list[PupilContact]:
    """The pupil's contacts with parental responsibility, in their priority order: who a letter may go to."""
    return [c for c in access.store().pupil_contacts([upn]).get(upn, []) if c.parental_responsibility]


def upload_template(
    data: bytes, file_name: str, *, name: str, title: str, who: str, at: dt.datetime
) -> tuple[LetterTemplateRecord | None, list[TemplateProblem]]:
    """Store a new version of the letter type ``name`` if the file has no problem; else the problems, nothing stored."""
    problems = template_problems(data, file_name)
    if problems:
        return None, problems
    template = load_template(data, file_name)
    with transaction.atomic():
        last = LetterTemplateRecord.objects.select_for_update().filter(name=name).order_by("-version").first()
        version = (last.version if last else 0) + 1
        stored = case_files().save(f"templates/{name}-v{version}.docx", ContentFile(data))
        row = LetterTemplateRecord.objects.create(
            name=name,
            version=version,
            title=title,
            storage_name=stored,
            file_name=file_name[-200:],
            fields=sorted(template.fields),
            uploaded_by=who,
            uploaded_at=at,
        )
    return row, []


@dataclass(frozen=True)
class Written:
    """What writing letters left: the case as it now is, the interventions logged, and whether PDFs were made."""

    loaded: case_store.Loaded
    refs: tuple[int, ...]
    pdf: bool


def _document(letter: Letter, case_id: int, template: str, pdf: bool) -> Document:
    """Keep the letter's files in the case files: the PDF (the document) and the Word file beside it."""
    storage = case_files()
    folder = f"cases/{case_id}/letters"
    docx = storage.save(f"{folder}/{letter.stem}.docx", ContentFile(letter.docx))
    contact = letter.context.contact_id or ""
    if pdf and letter.pdf is not None:
        stored = storage.save(f"{folder}/{letter.stem}.pdf", ContentFile(letter.pdf))
        return Document(f"{letter.stem}.pdf", stored, "application/pdf", template, docx, contact)
    return Document(f"{letter.stem}.docx", docx, _DOCX, template, "", contact)


def write_case_letters(
    access: StoreAccess,
    loaded: case_store.Loaded,
    *,
    expected_version: int,
    key: str,
    contact_ids: Sequence[str] | None,
    sender: Sender,
    meeting: Meeting | None,
    who: str,
    user_name: str,
    on: dt.date,
) -> Written:
    """Merge the letter ``key`` to each parent chosen (``None``: the pupil has none recorded), keep both files
    and log each as a letter intervention, all or nothing.

    Raises:
        LookupError: no such template.
        LetterError: a contact who is not the pupil's.
        PdfError: LibreOffice failed (it is installed, but made no PDF).
        StaleCase: the case changed since the page was opened (nothing is kept).
        CaseRuleError: the case cannot take a letter (it is closed).
    """
    choice, template = template_for(key)
    if not loaded.case.is_open:
        raise CaseRuleError("The case is closed: nothing more can be recorded on it")
    pdf = pdf_available()
    letters = letters_for(
        access.store(),
        template,
        loaded.case.pupil.upn,
        pdf=pdf,
        on=on,
        sender=sender,
        meeting=meeting,
        contact_ids=list(contact_ids) if contact_ids else None,
    )
    names = {c.contact.contact_id: (c.contact.name, c.relationship) for c in parents(access, loaded.case.pupil.upn)}
    saved: list[Document] = []
    try:
        for letter in letters:
            saved.append(_document(letter, loaded.record.pk, choice.name, pdf))
        documents = list(saved)
        version = expected_version
        current = loaded
        with transaction.atomic():
            for letter, document in zip(letters, documents, strict=True):
                to = names.get(letter.context.contact_id or "")
                notes = f"{choice.title}, to {to[0]} ({to[1]})" if to else f"{choice.title}, to the parent or carer"

                def build(case: Case, document: Document = document, notes: str = notes) -> CaseEvent:
                    return commands.log_intervention(
                        case,
                        casework_config(),
                        type="letter",
                        date=on,
                        who=who,
                        at=case_store.now(),
                        by=user_name,
                        notes=notes,
                        document=document,
                    )

                current = case_store.record(loaded.record.pk, version, build, user_name)
                version = current.record.version
    except Exception:
        storage = case_files()
        for d in saved:
            for name in (d.storage_name, d.docx_storage_name):
                if name and storage.exists(name):
                    storage.delete(name)
        raise
    # The ref of each letter is the intervention whose document it is (interventions are sorted by date).
    by_name = {i.document.storage_name: i.ref for i in current.case.interventions if i.document}
    return Written(current, tuple(by_name[d.storage_name] for d in documents), pdf)
