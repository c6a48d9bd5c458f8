"""The National Framework's penalty notice threshold, computed from the session marks.

A penalty notice must be *considered* when a pupil has 10 sessions of unauthorised absence (codes G, N,
O and U, in any combination; never L or an authorised code) within a rolling period of 10 school weeks,
where "a school week means any week in which there is at least one school session". The window crosses
half terms, holidays, terms and academic years: a week with no session is not a school week, so it
neither counts nor breaks the window.

As at a day D, the window is the last 10 school weeks of the pupil's school up to and including D's week (the
pupil's school weeks are those of them while on its roll), and only marks on or before D count; a pupil *meets
the threshold as at D* when that window holds 10 or more countable sessions that no earlier notice relied on
(``locked``: the legal pathway locks the sessions each notice used, so they cannot count again). Running it
for each school day (an officer's weekly run) finds every window that reaches it. The result is a
"consideration due" list with its evidence (each session and its code), never an automatic notice.

What the reference leaves open is a setting of :class:`ThresholdRules`, with the default it documents:

* ``weeks``: whose weeks are school weeks: ``"school"`` (default: a week in which the pupil's school had
  a session, while the pupil was on its roll) or ``"pupil"`` (a week in which the pupil had a session);
* ``closure_weeks``: whether a week whose only sessions are closure days (``#``) is a school week
  (default: no);
* ``combine_schools``: whether sessions at two schools combine after a move (default: no, one enrolment
  at a time);
* the counts (10 sessions, 10 school weeks), the codes that count, the leave-of-absence route's count of
  G sessions (10: such a window goes straight to a notice), and how far back a window may reach.

One Ibis expression over the store's ``marks`` and ``enrolments``, so it runs on any backend.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from attendwise.core.codes import CODE_SETS
from attendwise.core.errors import AttendwiseError
from attendwise.store import Store

__all__ = [
    "COLUMNS",
    "LockedSession",
    "ThresholdError",
    "ThresholdRules",
    "main_reason",
    "penalty_threshold",
    "threshold_sessions",
]


class ThresholdError(AttendwiseError):
    """Threshold rules that cannot be used as given."""


#: The main reasons of the DfE's parental responsibility measures return, by the code that suggests each.
REASONS = {"G": "unauthorised family holiday", "U": "arriving late", "N": "other unauthorised circumstances"}
REASONS["O"] = REASONS["N"]


@dataclass(frozen=True)
class ThresholdRules:
    """The threshold's rules; each default is the National Framework's, or the reference's where it is open.

    Args:
        sessions: countable sessions that meet the threshold (10).
        school_weeks: school weeks in the rolling window (10).
        codes: the codes that count (G, N, O, U).
        weeks: ``"school"``: a school week is a week in which the pupil's school had at least one session; the
            window is the school's last ``school_weeks`` of them, and the pupil's school weeks are those of the
            window while on the school's roll (UNCONFIRMED; the default); ``"pupil"``: a week in which the pupil
            had at least one session, the window being the pupil's own last ``school_weeks`` of them.
        closure_weeks: a week whose only sessions are closure days (``#``) is a school week (UNCONFIRMED;
            default no).
        combine_schools: sessions at every school a pupil was on roll at count together, in the weeks of
            all of them (UNCONFIRMED; default no: each enrolment on its own).
        holiday_sessions: G sessions in the window that make it the leave-of-absence route, which goes
            straight to a notice with its evidence (10).
        lookback_weeks: the furthest back, in calendar weeks before the day asked about, that a window may
            reach (52; ten school weeks of an English school span at most about 20 calendar weeks).
    """

    sessions: int = 10
    school_weeks: int = 10
    codes: tuple[str, ...] = ("G", "N", "O", "U")
    weeks: Literal["school", "pupil"] = "school"
    closure_weeks: bool = False
    combine_schools: bool = False
    holiday_sessions: int = 10
    lookback_weeks: int = 52

    def __post_init__(self) -> None:
        for name in ("sessions", "school_weeks", "holiday_sessions", "lookback_weeks"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ThresholdError(f"penalty threshold: {name} must be a whole number of at least 1, not {value!r}")
        if self.weeks not in ("school", "pupil"):
            raise ThresholdError(f"penalty threshold: weeks must be 'school' or 'pupil', not {self.weeks!r}")
        known = {code for codes in CODE_SETS.values() for code in codes}
        unknown = [c for c in self.codes if c not in known]
        if unknown or not self.codes:
            raise ThresholdError(f"penalty threshold: {unknown[0] if unknown else 'no code'} is not an attendance code")
        if self.lookback_weeks < self.school_weeks:
            raise ThresholdError("penalty threshold: lookback_weeks must be at least school_weeks")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ThresholdRules:
        """Rules from a settings table (the ``[penalty_threshold]`` table of an LA's settings file)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ThresholdError(
                f"penalty threshold: unknown setting {unknown[0]!r} (settings: {', '.join(sorted(names))})"
            )
        given = dict(values)
        if "codes" in given:
            if not isinstance(given["codes"], list | tuple):
                raise ThresholdError("penalty threshold: codes must be a list, such as ['G', 'N', 'O', 'U']")
            given["codes"] = tuple(str(c).upper() for c in given["codes"])
        return cls(**given)

    @classmethod
    def from_file(cls, path: Path | str) -> ThresholdRules:
        """Rules from the ``[penalty_threshold]`` table of a TOML settings file (the defaults if it has none)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ThresholdError(f"{path.name}: cannot be read as TOML settings ({exc})") from None
        table = data.get("penalty_threshold", {})
        if not isinstance(table, dict):
            raise ThresholdError(f"{path.name}: penalty_threshold must be a table of settings")
        return cls.from_mapping(table)


@dataclass(frozen=True)
class LockedSession:
    """A session an earlier notice (or a prosecution's evidence period) relied on: it cannot count again."""

    upn: str
    date: dt.date
    session: str


#: The columns of :func:`penalty_threshold`, one row per pupil (or enrolment) that meets the threshold.
COLUMNS = [
    "upn",
    "school_urn",
    "enrolment_id",
    "window_start",
    "window_end",
    "school_weeks",
    "sessions",
    "codes",
    "reached_on",
    "route",
    "main_reason",
]

_LOCKED_SCHEMA = ibis.schema({"upn": "string", "date": "date", "session": "string"})


def threshold_sessions(
    store: Store,
    as_at: dt.date,
    *,
    school: int | None = None,
    locked: Iterable[LockedSession] = (),
    rules: ThresholdRules | None = None,
) -> ir.Table:
    """Every countable session in each pupil's window as at ``as_at``, for the pupils who meet the threshold.

    One row per session: ``key`` (the enrolment, or the pupil with ``combine_schools``), ``upn``,
    ``school_urn``, ``enrolment_id``, ``date``, ``session``, ``code``, ``window_start`` (the Monday of the
    window's first school week), ``school_weeks`` (in the window, fewer only when the pupil's record is
    shorter) and ``sessions`` (the window's countable sessions, at least ``rules.sessions``).
    """
    r = rules or ThresholdRules()
    monday = as_at - dt.timedelta(days=as_at.weekday())
    earliest = monday - dt.timedelta(weeks=r.lookback_weeks)
    enrolments = store.table("enrolments")
    marks = (
        store.table("marks")
        .filter((ibis._.date >= earliest) & (ibis._.date <= as_at))
        .join(enrolments, "enrolment_id")
        .select("enrolment_id", "upn", "urn", "date", "session", "code", "admission_date", "leaving_date")
        .mutate(week=ibis._.date.truncate("W"))
    )
    key = "upn" if r.combine_schools else "enrolment_id"
    if school is not None and not r.combine_schools:
        # One enrolment at a time: a school's pupils' windows are made of that school's weeks and marks alone.
        marks = marks.filter(marks.urn == school)
        enrolments = enrolments.filter(enrolments.urn == school)
    in_session = marks if r.closure_weeks else marks.filter(marks.code != "#")
    countable = marks.filter(marks.code.isin(list(r.codes)))
    locked_rows = [{"upn": s.upn, "date": s.date, "session": s.session} for s in locked]
    if locked_rows:
        lock = ibis.memtable(pd.DataFrame(locked_rows), schema=_LOCKED_SCHEMA)
        countable = countable.anti_join(lock, ["upn", "date", "session"])
    if r.weeks == "school" and not r.combine_schools:
        met = _met_in_school_windows(in_session, countable, r)
    else:
        met = _met_in_own_windows(in_session, countable, enrolments, key, earliest, as_at, r)
    if school is not None and r.combine_schools:
        # The pupils of one school: those whose latest enrolment in the window is there (with combined schools,
        # a pupil who moved is listed by the school they are at now).
        latest = ibis.row_number().over(group_by="key", order_by=[ibis.desc("date"), ibis.desc("session")])
        here = met.mutate(n=latest).filter((ibis._.n == 0) & (ibis._.urn == school)).select("key")
        met = met.semi_join(here, "key")
    return met.select(
        "key",
        "upn",
        school_urn=met.urn,
        enrolment_id=met.enrolment_id,
        date=met.date,
        session=met.session,
        code=met.code,
        window_start=met.window_start,
        school_weeks=met.school_weeks,
        sessions=met.sessions,
    )


def _latest_weeks(weeks: ir.Table, by: str, n: int) -> ir.Table:
    """The last ``n`` weeks of each ``by`` (``by``, ``week``)."""
    latest_first = ibis.row_number().over(group_by=by, order_by=ibis.desc("week"))
    return weeks.mutate(_n=latest_first).filter(ibis._._n < n).drop("_n")


def _on_roll_that_week() -> ibis.Deferred:
    """Whether the row's ``week`` overlaps its enrolment (``admission_date`` to ``leaving_date``)."""
    return (ibis._.week + ibis.interval(days=6) >= ibis._.admission_date) & (
        ibis._.leaving_date.isnull() | (ibis._.week <= ibis._.leaving_date)
    )


def _counted(countable: ir.Table, r: ThresholdRules) -> ir.Table:
    """Each countable session with its window's count (``sessions``), where that count meets the threshold."""
    counted = countable.mutate(sessions=ibis._.date.count().over(group_by="key"))
    return counted.filter(counted.sessions >= r.sessions)


def _met_in_school_windows(in_session: ir.Table, countable: ir.Table, r: ThresholdRules) -> ir.Table:
    """The default: the window is the school's last school weeks up to the day (weeks in which the school had a
    session), one enrolment at a time; a pupil's school weeks are the window's weeks while they were on roll."""
    window_weeks = _latest_weeks(in_session.select("urn", "week").distinct(), "urn", r.school_weeks)
    window = window_weeks.group_by("urn").aggregate(window_start=ibis._.week.min())
    in_window = countable.join(window, "urn").filter(ibis._.date >= ibis._.window_start).mutate(key=ibis._.enrolment_id)
    met = _counted(in_window, r)
    spans = met.select("key", "urn", "admission_date", "leaving_date").distinct()
    on_roll = (
        spans.join(window_weeks, "urn")
        .filter(_on_roll_that_week())
        .group_by("key")
        .aggregate(school_weeks=ibis._.week.count())
    )
    return met.join(on_roll, "key")


def _met_in_own_windows(
    in_session: ir.Table,
    countable: ir.Table,
    enrolments: ir.Table,
    key: str,
    earliest: dt.date,
    as_at: dt.date,
    r: ThresholdRules,
) -> ir.Table:
    """The other settings: each pupil's (or enrolment's) own school weeks, the last of them up to the day."""
    if r.weeks == "pupil":
        weeks = in_session.select(key=in_session[key], week=in_session.week).distinct()
    else:
        # A week of one of the pupil's schools while the pupil was on its roll (the week overlaps the enrolment).
        school_weeks = in_session.select("urn", "week").distinct()
        on_roll = enrolments.filter(
            (enrolments.leaving_date.isnull() | (enrolments.leaving_date >= earliest))
            & (enrolments.admission_date <= as_at)
        )
        joined = school_weeks.join(on_roll, "urn").filter(_on_roll_that_week())
        weeks = joined.select(key=joined[key], week=joined.week).distinct()
    window = (
        _latest_weeks(weeks, "key", r.school_weeks)
        .group_by("key")
        .aggregate(window_start=ibis._.week.min(), school_weeks=ibis._.week.count())
    )
    in_window = countable.mutate(key=countable[key]).join(window, "key").filter(ibis._.date >= ibis._.window_start)
    return _counted(in_window, r)


def main_reason(codes: Iterable[str]) -> str:
    """The main reason the DfE's return records, suggested by the majority of the sessions' codes (G: holiday,
    U: late, N or O: other); on a tie, ``""``: the officer chooses (the reference leaves the rule open)."""
    counts: dict[str, int] = {}
    for code in codes:
        reason = REASONS.get(code)
        if reason:
            counts[reason] = counts.get(reason, 0) + 1
    if not counts:
        return ""
    ranked = sorted(counts.values(), reverse=True)
    if len(ranked) > 1 and ranked[0] == ranked[1]:
        return ""
    return max(counts, key=lambda k: counts[k])


def penalty_threshold(
    store: Store,
    as_at: dt.date,
    *,
    school: int | None = None,
    locked: Iterable[LockedSession] = (),
    rules: ThresholdRules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every pupil who meets the threshold as at ``as_at``, and the sessions each window holds.

    Returns ``(pupils, sessions)``: ``pupils`` has :data:`COLUMNS`, one row per pupil (per enrolment unless
    ``combine_schools``), ordered by school then UPN; ``reached_on`` is the session that made the window's
    count reach the threshold (``2026-01-23 PM``), ``route`` is ``"leave of absence"`` when the window holds
    ``rules.holiday_sessions`` or more G sessions (straight to a notice) and ``"unauthorised absence"``
    otherwise, and ``codes`` counts each code (``G 4, U 6``). ``sessions`` lists each countable session
    (``upn``, ``enrolment_id``, ``school_urn``, ``date``, ``session``, ``code``), in order: the evidence.
    """
    r = rules or ThresholdRules()
    rows = threshold_sessions(store, as_at, school=school, locked=locked, rules=r).to_pandas()
    if rows.empty:
        return pd.DataFrame(columns=COLUMNS), pd.DataFrame(
            columns=["upn", "enrolment_id", "school_urn", "date", "session", "code"]
        )
    rows["date"] = pd.to_datetime(rows["date"]).dt.date
    rows["_order"] = rows["session"].map({"AM": 0, "PM": 1})
    rows = rows.sort_values(["key", "date", "_order"], kind="stable").reset_index(drop=True)
    by_key = rows.groupby("key", sort=False)
    last = by_key.tail(1).set_index("key")
    tenth = rows[by_key.cumcount() == r.sessions - 1].set_index("key")
    counts = pd.crosstab(rows["key"], rows["code"]).reindex(last.index)
    codes = sorted(counts.columns)
    g = counts["G"] if "G" in counts else pd.Series(0, index=counts.index)
    pupils = pd.DataFrame(
        {
            "upn": last["upn"],
            "school_urn": last["school_urn"].astype(int),
            "enrolment_id": last["enrolment_id"].astype(int),
            "window_start": pd.to_datetime(last["window_start"]).dt.date,
            "window_end": as_at,
            "school_weeks": last["school_weeks"].astype(int),
            "sessions": last["sessions"].astype(int),
            "codes": [
                ", ".join(f"{c} {n}" for c, n in zip(codes, row, strict=True) if n) for row in counts[codes].to_numpy()
            ],
            "reached_on": [f"{d:%Y-%m-%d} {s}" for d, s in zip(tenth["date"], tenth["session"], strict=True)],
            "route": ["leave of absence" if n >= r.holiday_sessions else "unauthorised absence" for n in g],
            "main_reason": [
                main_reason(c for c, n in zip(codes, row, strict=True) for _ in range(n))
                for row in counts[codes].to_numpy()
            ],
        },
        index=last.index,
    )
    out = pupils[COLUMNS].sort_values(["school_urn", "upn"], kind="stable")
    evidence = rows[["upn", "enrolment_id", "school_urn", "date", "session", "code"]].reset_index(drop=True)
    return out.reset_index(drop=True), evidence
