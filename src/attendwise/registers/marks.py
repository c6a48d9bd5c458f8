"""What the registers read of the store: one pupil's marks, the sessions coded E or C2 for many, schools' rolls.

Ibis over the store's ``marks`` table, as the measures read it (no engine here); the checks themselves are
pure functions of the rows (:mod:`attendwise.registers.removals`, :mod:`attendwise.registers.exclusions`,
:mod:`attendwise.registers.timetables`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from attendwise.store import Store

__all__ = ["MarkRow", "coded_at", "marks_of", "marks_on", "rolls"]

MarkRow = tuple[dt.date, str, str]


def _rows(
    store: Store,
    enrolment_ids: Sequence[int],
    codes: Collection[str] | None,
    start: dt.date | None,
    end: dt.date | None,
) -> pd.DataFrame:
    marks = store.table("marks")
    wanted = marks.filter(marks.enrolment_id.isin(list(enrolment_ids) or [-1]))
    if codes is not None:
        wanted = wanted.filter(wanted.code.isin(list(codes)))
    if start is not None:
        wanted = wanted.filter(wanted.date >= start)
    if end is not None:
        wanted = wanted.filter(wanted.date <= end)
    return store.ibis.execute(wanted.select("enrolment_id", "date", "session", "code"))


def marks_of(
    store: Store, enrolment_id: int, *, start: dt.date | None = None, end: dt.date | None = None
) -> list[MarkRow]:
    """One enrolment's marks as ``(date, session, code)``, in order."""
    frame = _rows(store, [enrolment_id], None, start, end)
    rows = [(pd.Timestamp(r.date).date(), str(r.session), str(r.code)) for r in frame.itertuples(index=False)]
    return sorted(rows)


def rolls(store: Store, on: dt.date) -> dict[int, int]:
    """Pupils on each school's roll on a day (enrolments admitted by then and not left before it), by URN."""
    e = store.table("enrolments")
    on_roll = e.filter((e.admission_date <= on) & (e.leaving_date.isnull() | (e.leaving_date >= on)))
    frame = store.ibis.execute(on_roll.group_by("urn").aggregate(pupils=on_roll.count()))
    return {int(r.urn): int(r.pupils) for r in frame.itertuples(index=False)}


def marks_on(store: Store, days: Collection[tuple[int, dt.date]]) -> dict[int, list[MarkRow]]:
    """The marks of each ``(enrolment, day)`` asked about (one join, however many pupils), by enrolment."""
    import ibis

    if not days:
        return {}
    wanted = ibis.memtable(
        pd.DataFrame(sorted(days), columns=["enrolment_id", "date"]).astype({"enrolment_id": "int64"})
    )
    marks = store.table("marks")
    joined = marks.join(wanted, [marks.enrolment_id == wanted.enrolment_id, marks.date == wanted.date])
    out: dict[int, list[MarkRow]] = defaultdict(list)
    rows = store.ibis.execute(joined.select(marks.enrolment_id, marks.date, marks.session, marks.code))
    for r in rows.itertuples(index=False):
        out[int(r.enrolment_id)].append((pd.Timestamp(r.date).date(), str(r.session), str(r.code)))
    return {k: sorted(v) for k, v in out.items()}


def coded_at(store: Store, urns: Collection[int] | None, codes: Collection[str]) -> dict[int, list[MarkRow]]:
    """The sessions coded one of ``codes`` at the schools ``urns`` (``None``: every school), by enrolment: one
    join, never a list of every enrolment id."""
    marks, e = store.table("marks"), store.table("enrolments")
    if urns is not None:
        e = e.filter(e.urn.isin(list(urns) or [-1]))
    wanted = marks.filter(marks.code.isin(list(codes))).join(e.select("enrolment_id"), "enrolment_id")
    out: dict[int, list[MarkRow]] = defaultdict(list)
    for r in store.ibis.execute(wanted.select("enrolment_id", "date", "session", "code")).itertuples(index=False):
        out[int(r.enrolment_id)].append((pd.Timestamp(r.date).date(), str(r.session), str(r.code)))
    return {k: sorted(v) for k, v in out.items()}
