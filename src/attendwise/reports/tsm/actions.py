"""The meeting's agenda and action review: the pupils the school asks to discuss, and each action agreed at
the previous meeting with the pupil's attendance before it (the ``baseline_days`` school days before it was
agreed) and since (its date to the as-at date, inclusive), at this school."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd

from attendwise.core.codes import with_meaning
from attendwise.reports.tsm.inputs import PreviousAction
from attendwise.reports.tsm.pack import ActionReview, DiscussedPupil
from attendwise.reports.tsm.pupils import Summary
from attendwise.store import Store

#: School days before a previous action that give the "before" attendance rate.
BASELINE_DAYS = 30


def discussed(rows: pd.DataFrame, upns: Iterable[str], summary: Summary, year_label: str) -> tuple[DiscussedPupil, ...]:
    """The pupils the school asks to discuss (``rows``: the school's pupils counted this year), in its order."""
    out = []
    for upn in upns:
        upn = upn.strip().upper()
        found = rows[rows.upn == upn]
        if found.empty:
            out.append(DiscussedPupil(upn, None, f"not counted at this school in {year_label}"))
            continue
        r = found.sort_values("admission_date").iloc[-1]
        note = "" if r.on_roll else f"left the school on {r.leaving_date:%d %b %Y}"
        out.append(DiscussedPupil(upn, summary(int(r.enrolment_id)), note))
    return tuple(out)


def _pupils_marks(store: Store, urn: int, upns: Sequence[str], since: dt.date, until: dt.date) -> pd.DataFrame:
    """The pupils' marks at the school between two dates, with whether each is a possible session and
    attended (``upn``, ``date``, ``is_possible``, ``is_attendance``)."""
    enrolments = store.table("enrolments")
    enrolments = enrolments.filter((enrolments.urn == urn) & enrolments.upn.isin(list(upns)))
    marks = store.table("marks")
    marks = marks.filter(marks.date.between(since, until)).join(enrolments, "enrolment_id")
    return with_meaning(marks).select("upn", "date", "is_possible", "is_attendance").to_pandas()


def review_actions(
    store: Store,
    urn: int,
    rows: pd.DataFrame,
    actions: Sequence[PreviousAction],
    summary: Summary,
    *,
    as_at: dt.date,
    baseline_days: int,
) -> tuple[ActionReview, ...]:
    """Each previous action with the pupil's attendance before and since (``rows``: the school's pupils
    counted this year). ``store`` reads the pupils' marks."""
    if not actions:
        return ()
    upns = sorted({a.upn.strip().upper() for a in actions})
    earliest = min(a.agreed_on for a in actions)
    # The school's days, and its pupils' marks, from well before the earliest action to as-at.
    since = earliest - dt.timedelta(days=7 * (baseline_days // 5 + 12))
    marks = _pupils_marks(store, urn, upns, since, as_at)
    school_days = store.school_days(urn, since, as_at)
    marks["date"] = pd.to_datetime(marks.date).dt.date
    out = []
    for action in actions:
        upn = action.upn.strip().upper()
        found = rows[rows.upn == upn]
        pupil = summary(int(found.sort_values("admission_date").iloc[-1].enrolment_id)) if len(found) else None
        before_days = [d for d in school_days if d < action.agreed_on][-baseline_days:]
        mine = marks[marks.upn == upn]
        before = mine[mine.date.isin(set(before_days))]
        after = mine[mine.date >= action.agreed_on]
        out.append(
            ActionReview(
                action=action,
                pupil=pupil,
                before_start=before_days[0] if before_days else None,
                before_possible=int(before.is_possible.sum()),
                before_attended=int((before.is_possible * before.is_attendance).sum()),
                since_possible=int(after.is_possible.sum()),
                since_attended=int((after.is_possible * after.is_attendance).sum()),
            )
        )
    return tuple(out)
