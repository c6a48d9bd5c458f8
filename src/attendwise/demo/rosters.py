"""The demo city's rosters, year by year: who is on roll at which school, from when to when.

The first day's roster, the move to a new year over the summer (up a year, Year 6 to secondary, Year 11
on or out, a new Reception intake, joiners), the moves, leavers and joiners during the year, and each
year's snapshot of characteristics on the enrolments.  Imports :mod:`attendwise.demo.pupils` (the city),
:mod:`attendwise.demo.schools`, :mod:`attendwise.demo.terms` and the city's data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from attendwise.demo.population import NEED_IDX
from attendwise.demo.pupils import City, age_characteristics
from attendwise.demo.schools import PRIMARY, SECONDARY, SPECIAL
from attendwise.demo.terms import YearCalendar, day_number, weekday_on_or_after
from attendwise.demo.tuning import TUNING


@dataclass
class Records:
    """The enrolments active in one academic year (one row each), with this year's state."""

    enrol: np.ndarray
    pid: np.ndarray
    school: np.ndarray
    nc: np.ndarray
    start: np.ndarray  # first day index on roll
    end: np.ndarray  # last day index on roll (inclusive)
    leaver: np.ndarray  # 0 stays, 1 leaves the city mid-year, 2 moves school mid-year

    @property
    def n(self) -> int:
        return int(self.enrol.size)


def initial_roster(city: City, cal: YearCalendar) -> tuple[np.ndarray, np.ndarray]:
    """Create the pupils on roll on the first day of the first year; return (enrolments, nc)."""
    rng, sch, year = city.rng, city.schools, cal.year
    schools, ncs = [], []
    special_age = np.array([0.3, 0.5, 0.7, 0.8, 0.9, 1.0, 1.0, 1.2, 1.2, 1.2, 1.2, 1.2, 0.9, 0.7])
    for s in range(sch.n):
        for k in range(14):
            if not sch.offers(np.array([k]))[s, 0]:
                continue
            base = sch.cohort[s]
            if sch.phase[s] == SECONDARY and k >= 12:
                base *= 0.45 if k == 12 else 0.40
            if sch.phase[s] == SPECIAL:
                base *= special_age[k] * 14 / special_age.sum()
            count = rng.poisson(base)
            schools.append(np.full(count, s))
            ncs.append(np.full(count, k))
    school = np.concatenate(schools)
    nc = np.concatenate(ncs)
    pid = city.new_pupils(school, nc, year, arrival=False, upn_mode="history")
    # some pupils already avoid school, or never come, when the first year starts
    P = city.pupils
    semh = np.isin(P["need"][pid], [NEED_IDX["SEMH"], NEED_IDX["ASD"]])
    by_year = np.array([0, 0.6, 0.7, 0.8, 0.9, 1, 1, 0.75, 0.85, 1.1, 1.25, 1.35, 1, 1])[nc]
    p_ref = np.array(TUNING.initial_refusers)[sch.phase[school]] * np.where(semh, 3.0, 1.0) * by_year
    P["refuser"][pid] = (rng.random(pid.size) < p_ref).astype(float)
    P["never"][pid] = rng.random(pid.size) < TUNING.never_attends * 0.5 * (nc >= 1)
    # admission dates: when they entered this school (a few joined part-way through)
    entry_nc = np.where(sch.phase[school] == PRIMARY, 0, np.where(sch.phase[school] == SECONDARY, 7, 0))
    sixth_new = (nc >= 12) & (rng.random(nc.size) < 0.3)
    entry_nc = np.where(sixth_new, 12, entry_nc)
    special = sch.phase[school] == SPECIAL
    entry_nc = np.where(special, (rng.random(nc.size) * (nc + 1)).astype(int), entry_nc)
    entry_year = year - (nc - entry_nc)
    starts = {y: day_number(weekday_on_or_after(dt.date(y, 9, 2))) for y in range(year - 15, year + 1)}
    admission = np.array([starts[int(y)] for y in entry_year])
    joined_later = (rng.random(nc.size) < 0.04 * np.maximum(nc - entry_nc, 0)) & (nc > entry_nc)
    later = admission + (rng.random(nc.size) * (cal.days[0] - admission)).astype(np.int64)
    later = later + np.where((later + 3) % 7 >= 5, 2, 0)
    admission = np.where(joined_later, np.minimum(later, cal.days[0] - 1), admission)
    return city.enrol_pupils(pid, school, nc, admission), nc


def new_year_roster(
    city: City, prev_cal: YearCalendar, cal: YearCalendar, enrol_end: np.ndarray, nc_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """From the enrolments on roll at the end of last year, the roster on the first day of this one.

    Pupils move up a year; Year 6 moves to secondary; Year 11 leaves or stays for the sixth form;
    a new Reception intake arrives; some pupils leave the city or change school over the summer.
    """
    rng, sch, E = city.rng, city.schools, city.enrol
    last_day = day_number(prev_cal.half_terms[-1].end)
    first_day = day_number(cal.half_terms[0].start)
    school = E["school"][enrol_end]
    pid = E["pid"][enrol_end]
    phase = sch.phase[school]
    nc = nc_end + 1
    n = enrol_end.size
    u = rng.random(n)
    leave_city = u < 0.02
    move = (u >= 0.02) & (u < 0.032) & (phase != SPECIAL)
    to_secondary = (phase == PRIMARY) & (nc == 7)
    y6_leave = to_secondary & (rng.random(n) < 0.05)
    y11 = (phase == SECONDARY) & (nc == 12)
    stay6 = y11 & sch.sixth_form[school] & (rng.random(n) < 0.5)
    other6 = y11 & ~stay6 & (rng.random(n) < 0.12)
    y13 = (phase == SECONDARY) & (nc == 13) & (rng.random(n) < 0.1)
    aged_out = ((phase == SECONDARY) & (nc >= 14)) | ((phase == SPECIAL) & (nc >= 14))
    leaving = leave_city | y6_leave | (y11 & ~stay6 & ~other6) | y13 | aged_out
    changes = (move | to_secondary | other6) & ~leaving
    # enrolments that end at the end of last year
    ended = leaving | changes
    E["leaving"][enrol_end[ended]] = last_day
    keep = ~ended
    roster_e = [enrol_end[keep]]
    roster_nc = [nc[keep]]
    # new enrolments for pupils changing school
    new_school = np.full(n, -1)
    idx = np.flatnonzero(changes & to_secondary)
    if idx.size:
        probs = city.sec_choice[school[idx]]
        pick = (probs.cumsum(axis=1) < rng.random(idx.size)[:, None]).sum(axis=1).clip(0, probs.shape[1] - 1)
        new_school[idx] = city.secondaries[pick]
    idx = np.flatnonzero(changes & ~to_secondary)
    for i in idx:
        ok = np.flatnonzero(sch.offers(np.array([nc[i]]))[:, 0] & (sch.phase != SPECIAL))
        ok = ok[ok != school[i]]
        new_school[i] = rng.choice(ok) if ok.size else school[i]
    idx = np.flatnonzero(changes)
    roster_e.append(city.enrol_pupils(pid[idx], new_school[idx], nc[idx], np.full(idx.size, first_day)))
    roster_nc.append(nc[idx])
    # new Reception intake, joiners from outside the city and special school places
    intake_s, intake_nc, join_s, join_nc = [], [], [], []
    for s in range(sch.n):
        if sch.phase[s] == PRIMARY:
            c = rng.poisson(sch.cohort[s] * rng.uniform(0.93, 1.03))
            intake_s.append(np.full(c, s))
            intake_nc.append(np.zeros(c, dtype=int))
        if sch.phase[s] == SECONDARY:
            c = rng.poisson(sch.cohort[s] * 0.06)
            join_s.append(np.full(c, s))
            join_nc.append(np.full(c, 7))
        if sch.phase[s] == SPECIAL:
            c = rng.poisson(sch.cohort[s] * 1.0)
            join_s.append(np.full(c, s))
            join_nc.append(rng.choice([0, 1, 2, 3, 5, 7, 8, 9], size=c))
    # joiners over the summer into every school's year groups (about 1.5% of roll)
    roll = np.bincount(np.concatenate([school[keep], new_school[idx]]), minlength=sch.n)
    for s in range(sch.n):
        if sch.phase[s] == SPECIAL:
            continue
        c = rng.poisson(roll[s] * 0.015)
        years = np.arange(14)[sch.offers(np.arange(14))[s]]
        years = years[(years != 0) & (years < 12)]
        join_s.append(np.full(c, s))
        join_nc.append(rng.choice(years, size=c))
    for ss, kk, mode, arrival in ((intake_s, intake_nc, "school", False), (join_s, join_nc, "mixed", True)):
        s_arr = np.concatenate(ss) if ss else np.zeros(0, int)
        k_arr = np.concatenate(kk) if kk else np.zeros(0, int)
        new_pid = city.new_pupils(s_arr, k_arr, cal.year, arrival=arrival, upn_mode=mode)
        roster_e.append(city.enrol_pupils(new_pid, s_arr, k_arr, np.full(new_pid.size, first_day)))
        roster_nc.append(k_arr)
    # pupils' characteristics change a little from year to year
    age_characteristics(city, pid[~leaving], sch.phase[np.where(new_school >= 0, new_school, school)][~leaving])
    return np.concatenate(roster_e), np.concatenate(roster_nc)


def midyear_moves(city: City, cal: YearCalendar, roster_e: np.ndarray, roster_nc: np.ndarray) -> Records:
    """Mid-year leavers, school moves within the city and joiners from outside; the year's records."""
    rng, sch, E = city.rng, city.schools, city.enrol
    nd = cal.n_days
    n = roster_e.size
    school = E["school"][roster_e]
    pid = E["pid"][roster_e]
    P = city.pupils
    risk = 1 + 1.5 * P["fsm"][pid] + 2 * P["cla"][pid] + 1.0 * (P["z"][pid] > 1.5)
    leave = rng.random(n) < 0.028 * risk * np.where(sch.phase[school] == SPECIAL, 0.3, 1.0)
    leave_day = rng.integers(8, nd - 5, size=n)
    move = leave & (rng.random(n) < 0.6)
    leaver = np.where(move, 2, np.where(leave, 1, 0))
    end = np.where(leave, leave_day, nd - 1)
    E["leaving"][roster_e[leave]] = cal.days[leave_day[leave]]
    start = np.searchsorted(cal.days, E["admission"][roster_e])
    rec_e, rec_nc, rec_start, rec_end, rec_leaver = [roster_e], [roster_nc], [start], [end], [leaver]
    # movers: a new enrolment at another school after a gap
    idx = np.flatnonzero(move)
    gap = 1 + rng.geometric(0.2, size=idx.size)
    ok = leave_day[idx] + gap < nd - 1
    idx, gap = idx[ok], gap[ok]
    new_school = np.empty(idx.size, dtype=np.int64)
    offers = sch.offers(np.arange(14))
    for j, i in enumerate(idx):
        cand = np.flatnonzero(offers[:, roster_nc[i]] & (sch.phase != SPECIAL))
        if P["sen"][pid[i]] == 2 and rng.random() < 0.08:
            cand = np.flatnonzero(offers[:, roster_nc[i]] & (sch.phase == SPECIAL))
        cand = cand[cand != school[i]]
        new_school[j] = rng.choice(cand) if cand.size else school[i]
    s_day = leave_day[idx] + gap
    rec_e.append(city.enrol_pupils(pid[idx], new_school, roster_nc[idx], cal.days[s_day]))
    rec_nc.append(roster_nc[idx])
    rec_start.append(s_day)
    rec_end.append(np.full(idx.size, nd - 1))
    rec_leaver.append(np.zeros(idx.size, dtype=int))
    # joiners from outside the city
    roll = np.bincount(school, minlength=sch.n)
    js, jk = [], []
    for s in range(sch.n):
        c = rng.poisson(roll[s] * (0.026 if sch.phase[s] != SPECIAL else 0.01))
        years = np.arange(14)[offers[s]]
        years = years[years < 12] if sch.phase[s] != SPECIAL else years
        js.append(np.full(c, s))
        jk.append(rng.choice(years, size=c))
    j_school = np.concatenate(js)
    j_nc = np.concatenate(jk)
    j_day = rng.integers(1, nd - 3, size=j_school.size)
    new_pid = city.new_pupils(j_school, j_nc, cal.year, arrival=True, upn_mode="mixed")
    rec_e.append(city.enrol_pupils(new_pid, j_school, j_nc, cal.days[j_day]))
    rec_nc.append(j_nc)
    rec_start.append(j_day)
    rec_end.append(np.full(j_school.size, nd - 1))
    rec_leaver.append(np.zeros(j_school.size, dtype=int))
    enrol = np.concatenate(rec_e)
    return Records(
        enrol=enrol,
        pid=E["pid"][enrol],
        school=E["school"][enrol],
        nc=np.concatenate(rec_nc).astype(np.int8),
        start=np.concatenate(rec_start).astype(np.int64),
        end=np.concatenate(rec_end).astype(np.int64),
        leaver=np.concatenate(rec_leaver).astype(np.int8),
    )


def snapshot(city: City, rec: Records) -> None:
    """Record this year's NC year and characteristics on each active enrolment (latest wins)."""
    E, P = city.enrol, city.pupils
    E["nc"][rec.enrol] = rec.nc
    for col in ("fsm", "sen", "need", "cla", "cin", "cpp", "boarder"):
        E[col][rec.enrol] = P[col][rec.pid]
