"""Each pupil's attendance week by week, for the sparklines of pupil lists and the TSM pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ibis
import pandas as pd

from attendwise.core.codes import with_meaning
from attendwise.documents.tables import Sparkline
from attendwise.store import Store

__all__ = ["WEEKS", "weekly_sparklines"]

#: School weeks a sparkline shows (the last of them up to the end asked for).
WEEKS = 12


def weekly_sparklines(
    store: Store, enrolment_ids: Iterable[int], end: dt.date, *, weeks: int = WEEKS
) -> dict[int, Sparkline]:
    """Each enrolment's attendance in each of its last ``weeks`` school weeks to ``end`` (a week with possible
    sessions; attended over possible, as every measure counts them), as a sparkline.

    An enrolment with no possible session in those weeks has an empty sparkline.
    """
    wanted = sorted({int(e) for e in enrolment_ids})
    if not wanted:
        return {}
    start = end - dt.timedelta(weeks=weeks + 6)  # holidays: look further back, keep the last ``weeks``
    marks = store.table("marks")
    marks = marks.filter(marks.date.between(start, end)).semi_join(
        ibis.memtable(pd.DataFrame({"enrolment_id": wanted})), "enrolment_id"
    )
    meant = with_meaning(marks)
    meant = meant.mutate(week=meant.date.truncate("W"))
    by_week = meant.group_by(["enrolment_id", "week"]).aggregate(
        possible=meant.is_possible.sum(), attended=meant.is_attendance.sum()
    )
    frame = store.ibis.to_pyarrow(by_week.filter(by_week.possible > 0)).to_pandas()
    out = {e: Sparkline(()) for e in wanted}
    for enrolment_id, rows in frame.sort_values("week").groupby("enrolment_id"):
        rows = rows.tail(weeks)
        out[int(enrolment_id)] = Sparkline(tuple(float(v) for v in 100.0 * rows.attended / rows.possible))
    return out
