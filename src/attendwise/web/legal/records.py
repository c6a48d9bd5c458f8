"""The legal pathway's records read for the command line and the return: every notice, and other LAs' notices
imported so a parent's count follows the family."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from attendwise.casework.legal.notices import PenaltyNotice
from attendwise.casework.legal.other_authorities import read_notices_csv
from attendwise.casework.legal.records import from_json, to_json
from attendwise.web.legal.models import NoticeRecord

__all__ = ["all_notices", "import_notices"]


def all_notices() -> list[PenaltyNotice]:
    return [from_json(PenaltyNotice, n.record) for n in NoticeRecord.objects.all()]


def import_notices(path: Path) -> int:
    """Add the notices of an other-LA notices file (all or nothing: a file with any bad line adds none, and a
    notice already imported, by its issuer and reference, is not added twice). Returns how many were added."""
    notices = read_notices_csv(path)
    seen = {
        (n.issuer, n.ref)
        for n in (from_json(PenaltyNotice, r.record) for r in NoticeRecord.objects.filter(imported=True))
    }
    added = [n for n in notices if (n.issuer, n.ref) not in seen]
    with transaction.atomic():
        NoticeRecord.objects.bulk_create(
            NoticeRecord(
                contact_id=n.parent_id,
                upn=n.upn,
                urn=None,
                issued_on=n.issued_on,
                status=n.status.value,
                imported=True,
                record=to_json(n),
            )
            for n in added
        )
    return len(added)
