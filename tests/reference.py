"""A slow, obvious reference implementation of the DfE measures, to check the Ibis one against.

It reads the register CSVs with the csv module and counts marks in plain Python.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

from attendwise.core.codes import Category, lookup


def enrolment_sessions(
    folder: Path, start: dt.date, end: dt.date, min_age: int | None = 5, max_age: int | None = 15
) -> dict[tuple[str, int], dict[str, int]]:
    """Possible, authorised and unauthorised sessions per (upn, urn), DfE inclusion rules (no summer rules)."""
    with (folder / "pupils.csv").open(encoding="utf-8") as fh:
        pupils = list(csv.DictReader(fh))
    year_start = start.year if start.month >= 8 else start.year - 1
    age_date = dt.date(year_start, 8, 31)
    counted = set()
    for p in pupils:
        dob = dt.date.fromisoformat(p["date_of_birth"])
        age = age_date.year - dob.year - ((age_date.month, age_date.day) < (dob.month, dob.day))
        if (min_age is not None and age < min_age) or (max_age is not None and age > max_age):
            continue
        if p.get("boarder", "N") == "Y":
            continue
        counted.add((p["upn"], int(p["urn"])))
    out: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: {"possible": 0, "auth": 0, "unauth": 0})
    with (folder / "marks.csv").open(encoding="utf-8") as fh:
        for m in csv.DictReader(fh):
            day = dt.date.fromisoformat(m["date"])
            key = (m["upn"], int(m["urn"]))
            if not start <= day <= end or key not in counted:
                continue
            category = lookup(m["code"], day).category
            s = out[key]
            s["possible"] += category.counts_as_possible
            s["auth"] += category is Category.AUTHORISED
            s["unauth"] += category is Category.UNAUTHORISED
    return {k: v for k, v in out.items() if v["possible"] > 0}


def headline(folder: Path, start: dt.date, end: dt.date) -> dict[str, float]:
    rows = enrolment_sessions(folder, start, end)
    possible = sum(r["possible"] for r in rows.values())
    overall = sum(r["auth"] + r["unauth"] for r in rows.values())
    pa = sum(1 for r in rows.values() if Fraction(r["auth"] + r["unauth"], r["possible"]) >= Fraction(1, 10))
    sa = sum(1 for r in rows.values() if Fraction(r["auth"] + r["unauth"], r["possible"]) >= Fraction(1, 2))
    return {
        "enrolments": len(rows),
        "sess_possible": possible,
        "sess_overall": overall,
        "sess_authorised": sum(r["auth"] for r in rows.values()),
        "sess_unauthorised": sum(r["unauth"] for r in rows.values()),
        "enrolments_pa_10_exact": pa,
        "enrolments_pa_50_exact": sa,
    }


def penalty_threshold(
    folder: Path,
    as_at: dt.date,
    *,
    sessions: int = 10,
    school_weeks: int = 10,
    codes: tuple[str, ...] = ("G", "N", "O", "U"),
    locked: frozenset[tuple[str, dt.date, str]] = frozenset(),
) -> dict[tuple[str, int], tuple[dt.date, int, int]]:
    """The National Framework threshold as at ``as_at``, the obvious way: the last ``school_weeks`` weeks in
    which each school had a session (not a closure) up to ``as_at``, and for each enrolment (pupil, school) the
    countable sessions in them up to ``as_at`` and the weeks of them while the pupil was on roll. Returns
    ``{(upn, urn): (window Monday, school weeks, sessions)}`` for the enrolments that meet it."""
    with (folder / "pupils.csv").open(encoding="utf-8") as fh:
        spans = {
            (p["upn"], int(p["urn"])): (
                dt.date.fromisoformat(p["admission_date"]),
                dt.date.fromisoformat(p["leaving_date"]) if p.get("leaving_date") else dt.date.max,
            )
            for p in csv.DictReader(fh)
        }
    with (folder / "marks.csv").open(encoding="utf-8") as fh:
        marks = [m for m in csv.DictReader(fh) if dt.date.fromisoformat(m["date"]) <= as_at]
    school_week_days: dict[int, set[dt.date]] = defaultdict(set)
    for m in marks:
        if m["code"] != "#":
            day = dt.date.fromisoformat(m["date"])
            school_week_days[int(m["urn"])].add(day - dt.timedelta(days=day.weekday()))
    out = {}
    for (upn, urn), (admitted, left) in spans.items():
        window = sorted(school_week_days[urn])[-school_weeks:]
        on_roll = [w for w in window if w + dt.timedelta(days=6) >= admitted and w <= left]
        if not on_roll:
            continue
        counted = [
            m
            for m in marks
            if (m["upn"], int(m["urn"])) == (upn, urn)
            and m["code"] in codes
            and dt.date.fromisoformat(m["date"]) >= window[0]
            and (upn, dt.date.fromisoformat(m["date"]), m["session"]) not in locked
        ]
        if len(counted) >= sessions:
            out[(upn, urn)] = (window[0], len(on_roll), len(counted))
    return out


def cohort_headline(
    folder: Path, start: dt.date, end: dt.date, cohort: str, label: str, outside: str
) -> dict[str, dict[str, float]]:
    """:func:`headline` by membership of ``cohort``, the obvious way: each enrolment's sessions inside one of
    its pupil's periods in the cohort (``cohorts.csv``) count for ``label``, every other for ``outside``; each
    part of an enrolment is tested for persistent and severe absence on its own sessions."""
    spans: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    if (folder / "cohorts.csv").exists():
        with (folder / "cohorts.csv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r["cohort"] == cohort:
                    to = dt.date.fromisoformat(r["end_date"]) if r["end_date"] else dt.date.max
                    spans[r["upn"]].append((dt.date.fromisoformat(r["start_date"]), to))
    counted = set(enrolment_sessions(folder, start, end))
    parts: dict[tuple[str, int, bool], dict[str, int]] = defaultdict(lambda: {"possible": 0, "auth": 0, "unauth": 0})
    with (folder / "marks.csv").open(encoding="utf-8") as fh:
        for m in csv.DictReader(fh):
            day = dt.date.fromisoformat(m["date"])
            key = (m["upn"], int(m["urn"]))
            if not start <= day <= end or key not in counted:
                continue
            inside = any(a <= day <= b for a, b in spans[m["upn"]])
            category = lookup(m["code"], day).category
            s = parts[(*key, inside)]
            s["possible"] += category.counts_as_possible
            s["auth"] += category is Category.AUTHORISED
            s["unauth"] += category is Category.UNAUTHORISED
    out = {}
    for inside, group in ((True, label), (False, outside)):
        rows = [v for (_, _, i), v in parts.items() if i == inside and v["possible"] > 0]
        if rows:
            out[group] = _totals(rows)
    return out


def _totals(rows: list[dict[str, int]]) -> dict[str, float]:
    def share(r: dict[str, int]) -> Fraction:
        return Fraction(r["auth"] + r["unauth"], r["possible"])

    return {
        "enrolments": len(rows),
        "sess_possible": sum(r["possible"] for r in rows),
        "sess_overall": sum(r["auth"] + r["unauth"] for r in rows),
        "sess_authorised": sum(r["auth"] for r in rows),
        "sess_unauthorised": sum(r["unauth"] for r in rows),
        "enrolments_pa_10_exact": sum(1 for r in rows if share(r) >= Fraction(1, 10)),
        "enrolments_pa_50_exact": sum(1 for r in rows if share(r) >= Fraction(1, 2)),
    }
