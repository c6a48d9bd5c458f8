"""Counts of the legal pathway for scrutiny: notices issued by this LA by status, suppressed as every other
figure scrutiny sees is (:func:`attendwise.documents.suppression.suppress_table`: the statuses add up to the
notices issued, so one status hidden alone gets company; fewer notices than the threshold hides them all).
LA staff see the same counts for their schools, unsuppressed."""

from __future__ import annotations

import pandas as pd
from django.db.models import Count

from attendwise.casework.legal.notices import NoticeStatus
from attendwise.documents.marks import SUPPRESSED, Mark
from attendwise.documents.suppression import ENROLMENTS, Layout, Relation, Unit, suppress_table
from attendwise.documents.tables import Column, Kind, Table
from attendwise.web.legal.models import NoticeRecord
from attendwise.web.rules import Scope

__all__ = ["notice_counts"]


def notice_counts(scope: Scope, *, threshold: int) -> Table:
    rows = NoticeRecord.objects.filter(imported=False)
    if scope.schools is not None:
        rows = rows.filter(urn__in=scope.schools)
    by_status = dict(rows.values_list("status").annotate(n=Count("id")))
    keys = [f"status_{i}" for i, _ in enumerate(NoticeStatus)]
    row = {"enrolments": sum(by_status.values())} | {
        k: by_status.get(s.value, 0) for k, s in zip(keys, NoticeStatus, strict=True)
    }
    hidden = dict.fromkeys(row, False)
    if scope.suppress:
        layout = Layout(
            units=(Unit(ENROLMENTS, "enrolments", ("enrolments",)), *(Unit(c, c, (c,)) for c in keys)),
            relations=(Relation("enrolments", tuple(keys)),),
        )
        table = suppress_table(pd.DataFrame([row]), threshold, (), layout)
        hidden = {c: bool(table.column_hidden(c).iloc[0]) for c in row}

    def cell(key: str) -> int | Mark:
        return SUPPRESSED if hidden[key] else int(row[key])

    return Table(
        "Penalty notices issued, by where they stand",
        [Column("status", "Status"), Column("notices", "Notices", Kind.COUNT)],
        [[s.value.capitalize(), cell(k)] for k, s in zip(keys, NoticeStatus, strict=True)]
        + [["All notices", cell("enrolments")]],
    )
