"""The demo city's two priority cohorts (:mod:`attendwise.core.cohorts`' shipped ``default``), as ``cohorts.csv``.

* **Emotionally based school avoidance** (``ebsa``), the planted pattern: the pupils the marks simulate as
  avoiding school (:func:`attendwise.demo.absence._school_avoidance`, whose runs of absence grow from the day
  it began) are identified by the LA's EBSA panel 10 to 30 school days after it began (three in four of them;
  the rest are never referred), and stay in the cohort to the end of that school year, or with no end date in
  the last year written. A few pupils with a social, emotional and mental health need who attend as usual are
  referred too (one in twelve of those not avoiding school, from a day in the year). So the cohort's sessions
  inside its dates are far more often missed than anyone else's: severe absence several times the rest's, which
  disproportionality flags.
* **Youth justice involvement** (``youth_justice``, seen by LA staff only): about 0.5% of pupils in Years 8 to
  11 a year, more often boys, FSM eligible or looked after, from a day in the year for 60 to 240 days. No
  pattern is planted in their marks.

Drawn from a generator of their own (seed, 16), after the marks: the other files do not change with them. With
``until``, a membership starting later is left out and one ending later has no end date yet, as the LA would
hold the list that day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from attendwise.demo.families import _written_pupils
from attendwise.demo.population import NEED_IDX
from attendwise.demo.pupils import City
from attendwise.demo.spec import CitySpec
from attendwise.demo.terms import YearCalendar, date_of

__all__ = ["COHORT_COLUMNS", "cohort_rows"]

COHORT_COLUMNS = ["upn", "cohort", "start_date", "end_date", "source"]
#: Of the pupils avoiding school, those the EBSA panel is told about; and of other pupils with an SEMH need.
EBSA_REFERRED, EBSA_SEMH = 0.75, 1 / 12
#: Pupils in Years 8 to 11 known to the youth justice service in a year (before the weights below).
YOUTH_JUSTICE_RATE = 0.006

Period = tuple[int, dt.date, dt.date | None, str]  # pupil, start, end (None: still in it), source


def cohort_rows(city: City, spec: CitySpec, cals: list[YearCalendar], until: dt.date | None = None) -> list[list[str]]:
    """The rows of ``cohorts.csv`` for the pupils ``pupils.csv`` holds, by UPN, cohort and start date."""
    rng = np.random.default_rng([spec.seed, 16])
    written = set(_written_pupils(city, until)[0].tolist())
    last_year = cals[-1].year if until is None else max(c.year for c in cals if date_of(int(c.days[0])) <= until)
    rows = []
    for cohort, periods in (
        ("ebsa", _ebsa(rng, city, last_year)),
        ("youth_justice", _youth_justice(rng, city, cals)),
    ):
        for pid, start, end, source in periods:
            if pid not in written or (until is not None and start > until):
                continue
            if until is not None and end is not None and end > until:
                end = None
            rows.append([city.upn[pid], cohort, start.isoformat(), end.isoformat() if end else "", source])
    return sorted(rows)


def _ebsa(rng: np.random.Generator, city: City, last_year: int) -> list[Period]:
    out: list[Period] = []
    for cal, pids, onsets in city.avoidance:
        if cal.year > last_year:
            continue
        nd = cal.n_days
        referred = rng.random(pids.size) < EBSA_REFERRED
        start = onsets + rng.integers(10, 31, pids.size)
        final = cal.year == last_year
        end = None if final else date_of(int(cal.days[-1]))
        for pid, day in zip(
            pids[referred & (start < nd)].tolist(), start[referred & (start < nd)].tolist(), strict=True
        ):
            out.append((pid, date_of(int(cal.days[day])), end, "EBSA panel"))
        semh = _on_roll(city, cal)
        semh = semh[(city.pupils["need"][semh] == NEED_IDX["SEMH"]) & ~np.isin(semh, pids)]
        chosen = semh[rng.random(semh.size) < EBSA_SEMH]
        days = rng.integers(0, nd, chosen.size)
        for pid, day in zip(chosen.tolist(), days.tolist(), strict=True):
            out.append((pid, date_of(int(cal.days[day])), end, "EBSA panel"))
    return _without_overlaps(out)


def _on_roll(city: City, cal: YearCalendar) -> np.ndarray:
    """The pupils with an enrolment covering some of the year, in order."""
    E = city.enrol
    first, last = int(cal.days[0]), int(cal.days[-1])
    return np.unique(E["pid"][(E["admission"] <= last) & ((E["leaving"] < 0) | (E["leaving"] >= first))])


def _youth_justice(rng: np.random.Generator, city: City, cals: list[YearCalendar]) -> list[Period]:
    P = city.pupils
    out: list[Period] = []
    for cal in cals:
        age = (int(cal.days[0]) - P["dob"]) / 365.25
        pids = _on_roll(city, cal)
        pids = pids[(age[pids] >= 12) & (age[pids] < 16)]
        weight = np.exp(0.9 * (P["sex"][pids] == 1) + 0.7 * P["fsm"][pids] + 1.2 * P["cla"][pids])
        chosen = pids[rng.random(pids.size) < YOUTH_JUSTICE_RATE * weight]
        starts = rng.integers(0, cal.n_days, chosen.size)
        lengths = rng.integers(60, 241, chosen.size)
        for pid, day, n in zip(chosen.tolist(), starts.tolist(), lengths.tolist(), strict=True):
            start = date_of(int(cal.days[day]))
            out.append((pid, start, start + dt.timedelta(days=n), "YJS referral"))
    return _without_overlaps(out)


def _without_overlaps(periods: list[Period]) -> list[Period]:
    """A pupil's periods in one cohort, any overlapping an earlier one left out (cohorts.csv refuses overlaps)."""
    kept: list[Period] = []
    last_end: dict[int, dt.date | None] = {}
    for period in sorted(periods, key=lambda p: (p[0], p[1])):
        pid, start = period[0], period[1]
        if pid in last_end and (last_end[pid] is None or last_end[pid] >= start):
            continue
        kept.append(period)
        last_end[pid] = period[2]
    return kept
