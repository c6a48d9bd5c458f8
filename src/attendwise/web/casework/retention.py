"""Applying the retention rule to the case store: closed cases past their keeping removed, and the run recorded.

The rule is :mod:`attendwise.casework.retention`'s (``closed_case_retention_years``). A case due for removal
goes whole: its events (the only time any is deleted: the table's trigger refuses an ``UPDATE``, never a
``DELETE``, and the model and its manager refuse both, so this goes round them on purpose), its lists, its
family links and its letters in the case files (the LA's letter templates are not a case's, and stay).
Each run, even one that removes nothing, leaves a
:class:`~attendwise.web.casework.models.RetentionRun`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from attendwise.casework.retention import retention_cutoff, rule_in_words
from attendwise.web.casework import store as case_store
from attendwise.web.casework.config import casework_config
from attendwise.web.casework.models import (
    CaseEventRecord,
    CaseRecord,
    FamilyCase,
    InterventionRecord,
    RetentionRun,
    case_files,
)

__all__ = ["Due", "apply_retention", "due_for_removal"]


@dataclass(frozen=True)
class Due:
    """What the rule would remove, as at a day."""

    as_at: dt.date
    cutoff: dt.date
    rule: str
    case_ids: tuple[int, ...]


def due_for_removal(as_at: dt.date) -> Due:
    settings = casework_config().settings
    cutoff = retention_cutoff(as_at, settings)
    ids = tuple(
        CaseRecord.objects.filter(closed_on__isnull=False, closed_on__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Due(as_at, cutoff, rule_in_words(settings), ids)


def _files(case_ids: list[int]) -> list[str]:
    """The case files the cases' interventions hold (each letter's PDF and Word file)."""
    out = []
    for document, docx in InterventionRecord.objects.filter(case_id__in=case_ids).values_list(
        "document", "document_docx"
    ):
        out += [name for name in (document, docx) if name]
    return out


def apply_retention(as_at: dt.date, *, by: str) -> RetentionRun:
    """Remove every closed case past its keeping as at ``as_at`` and record the run."""
    due = due_for_removal(as_at)
    ids = list(due.case_ids)
    files = _files(ids)
    with transaction.atomic():
        events = CaseEventRecord.objects.filter(case_id__in=ids).count()
        if ids:
            table = CaseEventRecord._meta.db_table
            with connection.cursor() as cursor:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {table} WHERE case_id IN ({marks})", ids)
            CaseRecord.objects.filter(pk__in=ids).delete()  # its lists and family links go with it
            FamilyCase.objects.filter(links__isnull=True).delete()
        run = RetentionRun.objects.create(
            at=case_store.now(),
            by=by,
            rule=due.rule,
            as_at=as_at,
            cutoff=due.cutoff,
            cases=len(ids),
            events=events,
            files=len(files),
            case_ids=ids,
        )
    storage = case_files()
    for name in files:  # after the database has let the cases go: a file is never left without its case's record
        if storage.exists(name):
            storage.delete(name)
    return run
