"""The pack as files: each school's file name, and the workbook or printable pack its extension names."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from attendwise.core.errors import AttendwiseError
from attendwise.reports.tsm.pack import TSMPack
from attendwise.reports.tsm.printable import render_html
from attendwise.reports.tsm.workbook import write_xlsx

FORMATS = ("xlsx", "html")


class ExportError(AttendwiseError):
    """A pack that cannot be written as asked (an unknown format, say)."""


def pack_filename(pack: TSMPack, fmt: str) -> str:
    """A file name for a pack: ``tsm-2024-25-autumn-100001-oakfield-primary.xlsx``."""
    slug = "".join(c if c.isalnum() else "-" for c in pack.school_name.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    year = pack.term.academic_year.label.replace("/", "-")
    term = next((t for t in ("autumn", "spring", "summer") if t in pack.term.label), "term")
    return f"tsm-{year}-{term}-{pack.urn}-{slug}.{fmt}"


def write_pack(pack: TSMPack, path: Path | str) -> Path:
    """Write the pack in the format its extension names (``.xlsx`` or ``.html``)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "xlsx":
        write_xlsx(pack, path)
    elif fmt in ("html", "htm"):
        path.write_text(render_html(pack), encoding="utf-8")
    else:
        raise ExportError(
            f"{path.name}: cannot write a pack as {path.suffix or 'a file with no extension'} "
            f"(use {' or '.join('.' + f for f in FORMATS)})"
        )
    return path


def write_packs(packs: Sequence[TSMPack], folder: Path | str, fmt: str = "xlsx") -> list[Path]:
    """Write every pack into ``folder`` (created if missing), named by :func:`pack_filename`."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_pack(p, folder / pack_filename(p, fmt)) for p in packs]
