"""The pack as a print-ready HTML document (print it to PDF): one self-contained file, each pupil list starting
on a new page, A4 landscape, laid out by :func:`attendwise.documents.html.document_html` from the pack's
sections, the same tables the web app's pack page shows."""

from __future__ import annotations

from attendwise.documents.html import document_html
from attendwise.reports.tsm.pack import TSMPack
from attendwise.reports.tsm.sections import pack_sections


def render_html(pack: TSMPack) -> str:
    """The pack as one self-contained, printable HTML document."""
    return document_html(
        pack.title,
        pack_sections(pack),
        heading=f"Targeting Support Meeting: {pack.school_name}",
        masthead=f"{pack.la_name} School Attendance Support Team",
        lead=f"URN {pack.urn}, {pack.phase_label}. {pack.term.label}, as at {pack.as_at:%d %B %Y}.",
        notes=pack.notes,
    )
