"""Penalty notices other LAs issued, imported from CSV so the three-year count follows the family."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from attendwise.casework.legal.decisions import LegalRuleError
from attendwise.casework.legal.notices import NoticeStatus, PenaltyNotice
from attendwise.core.identifiers import IdentifierError, parse_date
from attendwise.core.upn import is_valid_upn

__all__ = ["CSV_COLUMNS", "read_notices_csv"]

#: The columns of an imported notices file (``reference`` and ``reason`` may be empty).
CSV_COLUMNS = ("reference", "contact_id", "upn", "issued_on", "issuing_authority", "status", "reason")
_CSV_STATUS = {
    "issued": NoticeStatus.ISSUED,
    "paid": NoticeStatus.PAID_HIGHER,
    "unpaid": NoticeStatus.PROSECUTION,
    "prosecuted": NoticeStatus.PROSECUTION,
    "withdrawn": NoticeStatus.WITHDRAWN,
}


def read_notices_csv(data: bytes | str | Path, name: str = "notices.csv") -> list[PenaltyNotice]:
    """Notices other LAs issued (one a line), so the count follows the family. All or nothing: every problem is
    raised together, naming the file, line and field."""
    if isinstance(data, Path):
        name, data = data.name, data.read_bytes()
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise LegalRuleError(f"{name}: line 1: the header needs {', '.join(missing)}")
    problems, out = [], []
    for line, row in enumerate(reader, start=2):

        def bad(field: str, why: str, line: int = line) -> None:
            problems.append(f"{name}: line {line}: {field}: {why}")

        upn, contact = (row["upn"] or "").strip().upper(), (row["contact_id"] or "").strip()
        if not is_valid_upn(upn):
            bad("upn", f"{upn!r} is not a valid UPN")
        if not contact:
            bad("contact_id", "the parent's contact_id is needed")
        try:
            issued = parse_date((row["issued_on"] or "").strip())
        except IdentifierError:
            bad("issued_on", f"{row['issued_on']!r} is not a date (YYYY-MM-DD)")
            issued = None
        status = (row["status"] or "").strip().lower()
        if status not in _CSV_STATUS:
            bad("status", f"{status!r} is not one of {', '.join(_CSV_STATUS)}")
        issuer = (row["issuing_authority"] or "").strip()
        if not issuer:
            bad("issuing_authority", "say which authority issued it")
        if problems or issued is None:
            continue
        out.append(
            PenaltyNotice(
                ref=(row["reference"] or "").strip() or f"{issuer}-{line}",
                parent_id=contact,
                upn=upn,
                issued_on=issued,
                sequence=0,
                issuer=issuer,
                higher_amount=0,
                higher_by=None,
                reason=(row["reason"] or "").strip(),
                status=_CSV_STATUS[status],
                imported=True,
            )
        )
    if problems:
        raise LegalRuleError("\n".join(problems))
    return out
