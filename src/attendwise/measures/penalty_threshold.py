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

from attendwise.core.codes import CODE_SETS, Category, with_meaning
from attendwise.core.errors import AttendwiseError
from attendwise.measures.pupils import Mark
from attendwise.store import Store

__all__ = [
    "COLUMNS",
    "LockedSession",
    "ThresholdError",
    "ThresholdRules",
    "main_reason",
    "penalty_threshold",
    "penalty_thresholds",
    "period_marks",
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
    as_at: dt.date | Iterable[dt.date],
    *,
    school: int | None = None,
    locked: Iterable[LockedSession] = (),
    rules: ThresholdRules | None = None,
) -> ir.Table:
    """Every countable session in each pupil's window as at ``as_at`` (a day, or many days in one expression),
    for the pupils who meet the threshold.

    One row per session and day: ``as_at``, ``key`` (the enrolment, or the pupil with ``combine_schools``),
    ``upn``, ``school_urn``, ``enrolment_id``, ``date``, ``session``, ``code``, ``window_start`` (the Monday of
    the window's first school week), ``school_weeks`` (in the window, fewer only when the pupil's record is
    shorter) and ``sessions`` (the window's countable sessions, at least ``rules.sessions``).

    Many days are one query, not one a day: each school's window as at each day is worked out from its school
    weeks (one row per school and week, with the week's first session), and only the countable marks (a few in
    a hundred) are joined to the windows they fall in.
    """
    r = rules or ThresholdRules()
    asked = sorted({as_at} if isinstance(as_at, dt.date) else set(as_at))
    if not asked:
        raise ThresholdError("penalty threshold: give at least one day")
    days = ibis.memtable(
        pd.DataFrame(
            {
                "as_at": asked,
                "earliest": [d - dt.timedelta(days=d.weekday()) - dt.timedelta(weeks=r.lookback_weeks) for d in asked],
            }
        ),
        schema=ibis.schema({"as_at": "date", "earliest": "date"}),
    )
    first_day, last_day = asked[0], asked[-1]
    earliest = first_day - dt.timedelta(days=first_day.weekday()) - dt.timedelta(weeks=r.lookback_weeks)
    enrolments = store.table("enrolments")
    marks = (
        store.table("marks")
        .filter((ibis._.date >= earliest) & (ibis._.date <= last_day))
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
        met = _met_in_school_windows(in_session, countable, days, r)
    else:
        met = _met_in_own_windows(in_session, countable, enrolments, days, key, r)
    if school is not None and r.combine_schools:
        # The pupils of one school: those whose latest enrolment in the window is there (with combined schools,
        # a pupil who moved is listed by the school they are at now).
        latest = ibis.row_number().over(group_by=["key", "as_at"], order_by=[ibis.desc("date"), ibis.desc("session")])
        here = met.mutate(n=latest).filter((ibis._.n == 0) & (ibis._.urn == school)).select("key", "as_at")
        met = met.semi_join(here, ["key", "as_at"])
    return met.select(
        "as_at",
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


def _weeks_as_at(weeks: ir.Table, by: str, days: ir.Table, n: int) -> ir.Table:
    """The last ``n`` weeks of each ``by`` as at each day (``by``, ``as_at``, ``week``): weeks whose first
    session is on or before the day and that start within the day's lookback."""
    seen = weeks.join(days, [weeks.first <= days.as_at, weeks.week >= days.earliest]).select(by, "as_at", "week")
    latest_first = ibis.row_number().over(group_by=[by, "as_at"], order_by=ibis.desc("week"))
    return seen.mutate(_n=latest_first).filter(ibis._._n < n).drop("_n")


def _on_roll_that_week() -> ibis.Deferred:
    """Whether the row's ``week`` overlaps its enrolment (``admission_date`` to ``leaving_date``)."""
    return (ibis._.week + ibis.interval(days=6) >= ibis._.admission_date) & (
        ibis._.leaving_date.isnull() | (ibis._.week <= ibis._.leaving_date)
    )


def _in_windows(countable: ir.Table, window: ir.Table, on: str) -> ir.Table:
    """Each countable session joined to every window (``on``, ``as_at``, ``window_start``) it falls in."""
    joined = countable.join(
        window,
        [countable[on] == window[on], countable.date >= window.window_start, countable.date <= window.as_at],
    )
    return joined


def _counted(in_window: ir.Table, r: ThresholdRules) -> ir.Table:
    """Each countable session with its window's count (``sessions``), where that count meets the threshold."""
    counted = in_window.mutate(sessions=ibis._.date.count().over(group_by=["key", "as_at"]))
    return counted.filter(counted.sessions >= r.sessions)


def _met_in_school_windows(in_session: ir.Table, countable: ir.Table, days: ir.Table, r: ThresholdRules) -> ir.Table:
    """The default: the window is the school's last school weeks up to the day (weeks in which the school had a
    session), one enrolment at a time; a pupil's school weeks are the window's weeks while they were on roll."""
    school_weeks = in_session.group_by(["urn", "week"]).aggregate(first=ibis._.date.min())
    window_weeks = _weeks_as_at(school_weeks, "urn", days, r.school_weeks)
    window = window_weeks.group_by(["urn", "as_at"]).aggregate(window_start=ibis._.week.min())
    met = _counted(_in_windows(countable, window, "urn").mutate(key=ibis._.enrolment_id), r)
    spans = met.select("key", "urn", "as_at", "admission_date", "leaving_date").distinct()
    on_roll = (
        spans.join(window_weeks, ["urn", "as_at"])
        .filter(_on_roll_that_week())
        .group_by(["key", "as_at"])
        .aggregate(school_weeks=ibis._.week.count())
    )
    return met.join(on_roll, ["key", "as_at"])


def _met_in_own_windows(
    in_session: ir.Table,
    countable: ir.Table,
    enrolments: ir.Table,
    days: ir.Table,
    key: str,
    r: ThresholdRules,
) -> ir.Table:
    """The other settings: each pupil's (or enrolment's) own school weeks, the last of them up to the day."""
    if r.weeks == "pupil":
        weeks = in_session.group_by(key=in_session[key], week=in_session.week).aggregate(first=ibis._.date.min())
    else:
        # A week of one of the pupil's schools while the pupil was on its roll (the week overlaps the enrolment).
        school_weeks = in_session.group_by(["urn", "week"]).aggregate(first=ibis._.date.min())
        joined = school_weeks.join(enrolments, "urn").filter(_on_roll_that_week())
        weeks = joined.group_by(key=joined[key], week=joined.week).aggregate(first=joined.first.min())
    window = (
        _weeks_as_at(weeks, "key", days, r.school_weeks)
        .group_by(["key", "as_at"])
        .aggregate(window_start=ibis._.week.min(), school_weeks=ibis._.week.count())
    )
    return _counted(_in_windows(countable.mutate(key=countable[key]), window, "key"), r)


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
    pupils, sessions = penalty_thresholds(store, [as_at], school=school, locked=locked, rules=rules)
    return pupils.drop(columns="as_at"), sessions.drop(columns="as_at")


def penalty_thresholds(
    store: Store,
    days: Iterable[dt.date],
    *,
    school: int | None = None,
    locked: Iterable[LockedSession] = (),
    rules: ThresholdRules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`penalty_threshold` as at each of many days, in one query (an officer's weekly run over a term).

    The same two frames, each with an ``as_at`` column first: a pupil meeting the threshold on five of the days
    has five rows, each with that day's window. Ordered by day, then school and UPN.
    """
    r = rules or ThresholdRules()
    asked = sorted(set(days))
    evidence_columns = ["as_at", "upn", "enrolment_id", "school_urn", "date", "session", "code"]
    rows = threshold_sessions(store, asked, school=school, locked=locked, rules=r).to_pandas() if asked else None
    if rows is None or rows.empty:
        return pd.DataFrame(columns=["as_at", *COLUMNS]), pd.DataFrame(columns=evidence_columns)
    rows["as_at"] = pd.to_datetime(rows["as_at"]).dt.date
    rows["date"] = pd.to_datetime(rows["date"]).dt.date
    rows["_order"] = rows["session"].map({"AM": 0, "PM": 1})
    rows = rows.sort_values(["as_at", "key", "date", "_order"], kind="stable").reset_index(drop=True)
    by_key = rows.groupby(["as_at", "key"], sort=False)
    last = by_key.tail(1).set_index(["as_at", "key"])
    tenth = rows[by_key.cumcount() == r.sessions - 1].set_index(["as_at", "key"]).reindex(last.index)
    counts = pd.crosstab([rows["as_at"], rows["key"]], rows["code"]).reindex(last.index)
    codes = sorted(counts.columns)
    g = counts["G"] if "G" in counts else pd.Series(0, index=counts.index)
    matrix = counts[codes].to_numpy()
    pupils = pd.DataFrame(
        {
            "as_at": last.index.get_level_values("as_at"),
            "upn": last["upn"].to_numpy(),
            "school_urn": last["school_urn"].astype(int).to_numpy(),
            "enrolment_id": last["enrolment_id"].astype(int).to_numpy(),
            "window_start": pd.to_datetime(last["window_start"]).dt.date.to_numpy(),
            "window_end": last.index.get_level_values("as_at"),
            "school_weeks": last["school_weeks"].astype(int).to_numpy(),
            "sessions": last["sessions"].astype(int).to_numpy(),
            "codes": [", ".join(f"{c} {n}" for c, n in zip(codes, row, strict=True) if n) for row in matrix],
            "reached_on": [f"{d:%Y-%m-%d} {s}" for d, s in zip(tenth["date"], tenth["session"], strict=True)],
            "route": ["leave of absence" if n >= r.holiday_sessions else "unauthorised absence" for n in g],
            "main_reason": [
                main_reason(c for c, n in zip(codes, row, strict=True) for _ in range(n)) for row in matrix
            ],
        }
    )
    out = pupils[["as_at", *COLUMNS]].sort_values(["as_at", "school_urn", "upn"], kind="stable")
    evidence = rows[evidence_columns].reset_index(drop=True)
    return out.reset_index(drop=True), evidence


def period_marks(store: Store, enrolment_id: int, start: dt.date, end: dt.date) -> list[Mark]:
    """Every mark of one enrolment from ``start`` to ``end``, in register order, each with its meaning: a
    prosecution's evidence period as the certificate of attendance lists it."""
    marks = store.table("marks")
    mine = marks.filter((marks.enrolment_id == enrolment_id) & marks.date.between(start, end))
    frame = with_meaning(mine).select("enrolment_id", "date", "session", "code", "meaning", "category", "reason")
    rows = frame.to_pandas()
    rows["_order"] = rows["session"].map({"AM": 0, "PM": 1})
    rows = rows.sort_values(["date", "_order"], kind="stable")
    by_name = {c.name.lower(): c for c in Category}
    return [
        Mark(
            enrolment_id=int(r.enrolment_id),
            date=pd.Timestamp(r.date).date(),
            session=str(r.session),
            code=str(r.code),
            meaning=str(r.meaning),
            category=by_name[str(r.category)],
            reason=None if pd.isna(r.reason) else str(r.reason),
        )
        for r in rows.itertuples(index=False)
    ]
