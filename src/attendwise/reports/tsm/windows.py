"""Each pupil's sessions in the windows the pack looks at, from one pass over the year's marks for every
school: the last three school weeks, the last four school weeks and the four before (the trend), each half
term (the band history), and the first possible session of the year; and each school's school days (days
on which its register holds marks), ranked back from the as-at date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import ibis
import pandas as pd

from attendwise.core.codes import ABSENCE_REASONS, with_meaning
from attendwise.reports.tsm.dates import PackDates
from attendwise.store import Store

#: School days in the "no attendance, unauthorised only" window (three school weeks).
WINDOW_SCHOOL_DAYS = 15
#: School weeks compared for each pupil's trend (the last N against the N before).
TREND_WEEKS = 4


class Records:
    """Rows of a frame by ``enrolment_id``, each read as a dict on demand (plain numpy columns: reading rows
    of a frame of pyarrow-backed columns one at a time is slow, and converting them all is wasted work)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = {c: frame[c].to_numpy(dtype=object) for c in frame.columns}
        self.position = {int(e): i for i, e in enumerate(frame.enrolment_id)}

    def get(self, enrolment_id: int) -> dict[str, Any] | None:
        i = self.position.get(int(enrolment_id))
        return None if i is None else {c: values[i] for c, values in self.columns.items()}

    def __getitem__(self, enrolment_id: int) -> dict[str, Any]:
        row = self.get(enrolment_id)
        if row is None:
            raise KeyError(enrolment_id)
        return row


def school_days(marks: ibis.Table, dates: PackDates) -> pd.DataFrame:
    """The school days: dates on which each school's register holds marks (``urn``, ``date``, ``day_rank``,
    ``week_rank``, ranked back from the as-at date, 0 being the latest; ``period``, the half term's index
    or -1)."""
    days = marks.select("urn", "date").distinct().to_pandas()
    days["date"] = pd.to_datetime(days.date)
    days["week"] = days.date - pd.to_timedelta(days.date.dt.weekday, unit="D")
    days["day_rank"] = days.groupby("urn").date.rank(method="dense", ascending=False).astype("int64") - 1
    days["week_rank"] = days.groupby("urn").week.rank(method="dense", ascending=False).astype("int64") - 1
    days["period"] = -1
    for i, (_, start, end) in enumerate(dates.half_terms):
        days.loc[days.date.between(pd.Timestamp(start), pd.Timestamp(end)), "period"] = i
    days["date"] = days.date.dt.date
    return days


def pupil_windows(store: Store, dates: PackDates, urns: Sequence[int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One pass over the year's marks: each enrolment's sessions in every window the pack needs.

    ``urns``: the schools, or None for every school in the store. Returns the per-enrolment windows and
    the school days (:func:`school_days`).
    """
    marks = store.table("marks")
    enrolments = store.table("enrolments").select("enrolment_id", "urn")
    if urns is not None:
        enrolments = enrolments.filter(enrolments.urn.isin(urns))
    m = marks.filter(marks.date.between(dates.year.start, dates.as_at)).join(enrolments, "enrolment_id")
    days = school_days(m, dates)
    day_table = ibis.memtable(days[["urn", "date", "day_rank", "week_rank", "period"]])

    m = with_meaning(m)
    m = m.join(day_table, ["urn", "date"])
    poss, att = m.is_possible, m.is_attendance
    auth, unauth = m.is_authorised, m.is_unauthorised
    window = m.day_rank < WINDOW_SCHOOL_DAYS
    recent = m.week_rank < TREND_WEEKS
    previous = (m.week_rank >= TREND_WEEKS) & (m.week_rank < 2 * TREND_WEEKS)
    unauth_reasons = [r for r in ABSENCE_REASONS if r.startswith("sess_unauth_")]
    aggs = {
        "first_possible": m.date.min(where=poss == 1),
        "w_possible": poss.sum(where=window),
        "w_attended": att.sum(where=window),
        "w_authorised": auth.sum(where=window),
        "w_unauthorised": unauth.sum(where=window),
        **{f"w_{r}": (m.reason == r).fill_null(False).cast("int64").sum(where=window) for r in unauth_reasons},
        "r_possible": poss.sum(where=recent),
        "r_attended": att.sum(where=recent),
        "p_possible": poss.sum(where=previous),
        "p_attended": att.sum(where=previous),
    }
    for i in range(len(dates.half_terms)):
        aggs[f"h{i}_possible"] = poss.sum(where=m.period == i)
        aggs[f"h{i}_overall"] = (auth + unauth).sum(where=m.period == i)
    per = store.ibis.to_pyarrow(m.group_by("enrolment_id").aggregate(**aggs)).to_pandas()
    counts = [c for c in per.columns if c not in ("enrolment_id", "first_possible")]
    per[counts] = per[counts].fillna(0).astype("int64")
    per["first_possible"] = pd.to_datetime(per.first_possible).dt.date
    return per.set_index("enrolment_id"), days


class Windows:
    """The term's windows for every enrolment (:func:`pupil_windows`), and each school's first and last school
    day of the year and its "last three school weeks" window."""

    def __init__(self, store: Store, dates: PackDates, urns: Sequence[int] | None) -> None:
        #: Per enrolment: ``w_*`` the last 15 school days, ``r_*``/``p_*`` the trend's weeks, ``h{i}_*`` half terms.
        self.by_enrolment, days = pupil_windows(store, dates, urns)
        self.records = Records(self.by_enrolment.reset_index())
        by_urn = days.groupby("urn").date
        self.first_day: dict[int, dt.date] = by_urn.min().to_dict()
        self.last_day: dict[int, dt.date] = by_urn.max().to_dict()
        window = days[days.day_rank < WINDOW_SCHOOL_DAYS].groupby("urn").date
        #: Per school: the window's first and last school day and how many school days it holds.
        self.window_days: dict[int, tuple[dt.date, dt.date, int]] = {
            int(u): (first, last, n)
            for u, first, last, n in zip(window.min().index, window.min(), window.max(), window.size(), strict=True)
        }
