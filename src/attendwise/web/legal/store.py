"""Keeping the pathway's records: each request and notice saved as the rules' record, every decision appended.

A change to a request is made from the version the page was opened at: if someone changed the request since,
the change is refused (:class:`StaleRequest`) with who changed it and when.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction

from attendwise.casework.legal.decisions import Decision
from attendwise.casework.legal.notices import NoticeRequest, PenaltyNotice
from attendwise.casework.legal.records import from_json, to_json
from attendwise.casework.legal.settings import LegalSettings, load_legal_settings
from attendwise.web.legal.models import DecisionRecord, NoticeRecord, RequestRecord

__all__ = [
    "Loaded",
    "StaleRequest",
    "create",
    "legal_settings",
    "load",
    "notice_changed",
    "notice_refused",
    "notices_for",
    "record",
    "refused",
]


@cache
def _settings(path: str) -> LegalSettings:
    return load_legal_settings(path or None)


def legal_settings() -> LegalSettings:
    """The LA's legal pathway settings (``ATTENDWISE_LEGAL_CONFIG``: the ``[legal]`` table of its TOML file)."""
    return _settings(str(getattr(settings, "ATTENDWISE_LEGAL_CONFIG", "") or ""))


class StaleRequest(Exception):
    """The request changed after the page was opened."""


@dataclass(frozen=True)
class Loaded:
    row: RequestRecord
    request: NoticeRequest


def _decisions(
    decisions: Iterable[Decision], *, request: RequestRecord | None = None, notice: NoticeRecord | None = None
) -> None:
    DecisionRecord.objects.bulk_create(
        DecisionRecord(
            request=request,
            notice=notice,
            who=d.who,
            at=d.at,
            action=d.action[:200],
            allowed=d.allowed,
            rule=d.rule,
            reason=d.reason,
            record=d.to_record(),
        )
        for d in decisions
    )


def create(made: NoticeRequest, enrolment_id: int) -> RequestRecord:
    with transaction.atomic():
        row = RequestRecord.objects.create(
            enrolment_id=enrolment_id,
            upn=made.upn,
            urn=made.school_urn,
            status=made.status,
            requested_at=made.requested_at,
            requested_by=made.requested_by,
            record=to_json(made),
        )
        row.record = to_json(made)
        _decisions(made.decisions, request=row)
    return row


def load(pk: int) -> Loaded | None:
    row = RequestRecord.objects.filter(pk=pk).first()
    return None if row is None else Loaded(row, from_json(NoticeRequest, row.record))


def notices_for(upn: str) -> list[tuple[NoticeRecord, PenaltyNotice]]:
    """Every notice for this child (issued here or imported), in issue order."""
    return [(n, from_json(PenaltyNotice, n.record)) for n in NoticeRecord.objects.filter(upn=upn)]


def record(
    loaded: Loaded,
    version: int,
    changed: NoticeRequest,
    decisions: Sequence[Decision],
    notices: Sequence[PenaltyNotice] = (),
) -> RequestRecord:
    """Save the request as changed, with its new decisions and any notices issued, if nobody changed it since
    ``version``."""
    with transaction.atomic():
        row = RequestRecord.objects.select_for_update().get(pk=loaded.row.pk)
        if row.version != version:
            last = DecisionRecord.objects.filter(request=row).order_by("-at", "-id").first()
            who = f"{last.who} at {last.at:%H:%M on %d %B %Y}" if last else "someone"
            raise StaleRequest(f"The request was changed by {who} after you opened it: check it and try again")
        row.status, row.version, row.record = changed.status, row.version + 1, to_json(changed)
        row.save(update_fields=["status", "version", "record"])
        _decisions(decisions, request=row)
        for n in notices:
            made = NoticeRecord.objects.create(
                request=row,
                contact_id=n.parent_id,
                upn=n.upn,
                urn=n.school_urn,
                issued_on=n.issued_on,
                status=n.status.value,
                record=to_json(n),
            )
            _decisions(n.decisions, notice=made)
    return row


def refused(loaded: Loaded, decision: Decision) -> None:
    """Keep a refusal beside the request (the request itself does not change)."""
    _decisions([decision], request=loaded.row)


def notice_changed(row: NoticeRecord, notice: PenaltyNotice, decision: Decision) -> None:
    """Save a notice as a decision changed it (a payment, a withdrawal, a decision after non-payment)."""
    with transaction.atomic():
        fresh = NoticeRecord.objects.select_for_update().get(pk=row.pk)
        if fresh.record != row.record:
            raise StaleRequest("The notice was changed by someone else after you opened it: check it and try again")
        fresh.status, fresh.record = notice.status.value, to_json(notice)
        fresh.save(update_fields=["status", "record"])
        _decisions([decision], notice=fresh)


def notice_refused(row: NoticeRecord, decision: Decision) -> None:
    _decisions([decision], notice=row)
