"""The demo city's marks: a year of AM and PM sessions for every enrolment on roll, simulated as reasons
(:mod:`attendwise.demo.codes`).

Each pupil's propensities (from their characteristics, their latent and their school) set their rates of
illness and unauthorised absence; on top sit the recognisable shapes of real registers (see
:mod:`attendwise.demo`).  Imports the city (:mod:`attendwise.demo.pupils`, :mod:`attendwise.demo.rosters`,
:mod:`attendwise.demo.schools`), its calendar (:mod:`attendwise.demo.terms`) and its data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from attendwise.demo.codes import (
    AUTH_HOLIDAY,
    AUTH_OTHER,
    DUAL,
    EXCLUDED,
    HOLIDAY,
    ILL,
    INTERVIEW,
    LA_ACCESS,
    LA_PROVISION,
    LATE,
    LATE_AFTER,
    MEDICAL,
    NO_REASON,
    NONE,
    NOT_REQUIRED,
    OFFSITE,
    PART_TIME,
    PERFORMANCE,
    PRESENT,
    RELIGIOUS,
    SITE_CLOSED,
    SPORT,
    STUDY,
    TRANSPORT,
    TRAVELLER,
    TRIP,
    UNAUTH,
    WORK,
)
from attendwise.demo.population import ETH_ABSENCE, ETH_GRT, NEED_IDX, NEED_ILL, NEED_RISK
from attendwise.demo.pupils import City, Table
from attendwise.demo.rosters import Records
from attendwise.demo.schools import PRIMARY, SECONDARY, SPECIAL, Schools
from attendwise.demo.terms import YearCalendar, date_of, day_number, eid_days
from attendwise.demo.tuning import TUNING as T  # the marks read dozens of the knobs


def _runs(
    rows: np.ndarray, cols: np.ndarray, lengths: np.ndarray, nd: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand runs (row, first column, length) into cells, clipped to the year.

    Returns the cells' rows, columns and the index of the run each came from.
    """
    lengths = np.maximum(np.asarray(lengths, dtype=np.int64), 0)
    rep = np.repeat(np.arange(rows.size), lengths)
    offs = np.arange(rep.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    c = np.asarray(cols, dtype=np.int64)[rep] + offs
    keep = (c >= 0) & (c < nd)
    return rows[rep][keep], c[keep], rep[keep]


def _pick(rng: np.random.Generator, values: list[int], weights: list[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(np.asarray(values), size=size, p=p / p.sum())


@dataclass
class _Year:
    """What every step of a year's marks reads: the records on roll, their pupils, the school days and their
    shapes, and the two (n_records, n_days) matrices of reasons the steps fill in turn."""

    rng: np.random.Generator
    sch: Schools
    P: Table  # the city's pupils
    cal: YearCalendar
    rec: Records
    n: int
    nd: int
    # each record's pupil, school, NC year and characteristics
    pid: np.ndarray
    school: np.ndarray
    nc: np.ndarray
    phase: np.ndarray
    secondary: np.ndarray
    rows_all: np.ndarray
    fsm: np.ndarray
    sen: np.ndarray
    need: np.ndarray
    cla: np.ndarray
    cin: np.ndarray
    cpp: np.ndarray
    eth: np.ndarray
    semh: np.ndarray
    # each school day's month, weekday, half term and place in the year and in its half term
    days: np.ndarray
    month: np.ndarray
    dow: np.ndarray
    half: np.ndarray
    frac: np.ndarray
    first_of_half: np.ndarray
    last_of_half: np.ndarray
    last_of_term: np.ndarray
    firsts: np.ndarray
    lasts: np.ndarray
    f_ill: np.ndarray  # the day's relative rate of illness
    f_un: np.ndarray  # the day's relative rate of unauthorised absence
    am: np.ndarray
    pm: np.ndarray

    @classmethod
    def of(cls, city: City, cal: YearCalendar, rec: Records) -> _Year:
        """The year of ``rec`` in ``cal``, every session present until a step marks it otherwise."""
        sch, P = city.schools, city.pupils
        n, nd = rec.n, cal.n_days
        pid, school = rec.pid, rec.school
        phase = sch.phase[school]
        days = cal.days
        dates = [date_of(int(d)) for d in days]
        month = np.array([d.month for d in dates])
        dow = (days.astype(np.int64) + 3) % 7  # 0 = Monday
        half = cal.half_term_of_days()
        first_of_half = np.r_[True, half[1:] != half[:-1]]
        last_of_half = np.r_[half[1:] != half[:-1], True]
        last_of_term = last_of_half & np.isin(half, [1, 3, 5])
        f_ill, f_un = _day_shapes(month, dow, half, first_of_half, last_of_half, last_of_term)
        need = P["need"][pid]
        return cls(
            rng=city.rng,
            sch=sch,
            P=P,
            cal=cal,
            rec=rec,
            n=n,
            nd=nd,
            pid=pid,
            school=school,
            nc=rec.nc.astype(np.int64),
            phase=phase,
            secondary=phase == SECONDARY,
            rows_all=np.arange(n),
            fsm=P["fsm"][pid],
            sen=P["sen"][pid],
            need=need,
            cla=P["cla"][pid],
            cin=P["cin"][pid],
            cpp=P["cpp"][pid],
            eth=P["eth"][pid],
            semh=np.isin(need, [NEED_IDX["SEMH"], NEED_IDX["ASD"]]),
            days=days,
            month=month,
            dow=dow,
            half=half,
            frac=np.arange(nd) / max(nd - 1, 1),
            first_of_half=first_of_half,
            last_of_half=last_of_half,
            last_of_term=last_of_term,
            firsts=np.flatnonzero(first_of_half),
            lasts=np.flatnonzero(last_of_half),
            f_ill=f_ill,
            f_un=f_un,
            am=np.full((n, nd), PRESENT, dtype=np.uint8),
            pm=np.full((n, nd), PRESENT, dtype=np.uint8),
        )


def _day_shapes(
    month: np.ndarray,
    dow: np.ndarray,
    half: np.ndarray,
    first_of_half: np.ndarray,
    last_of_half: np.ndarray,
    last_of_term: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each day's relative rates of illness (winter, Mondays, the end of term) and of unauthorised absence
    (Mondays and Fridays, the edges of half terms, the end of the year), each with mean 1."""
    nd = half.size
    season = {9: 0.7, 10: 0.95, 11: 1.05, 12: 1.35, 1: 1.25, 2: 1.15, 3: 1.0, 4: 0.85, 5: 0.8, 6: 0.8, 7: 0.85}
    f_ill = np.array([season[m] for m in month]) * np.array([1.08, 0.98, 0.95, 0.96, 1.03, 1, 1])[dow]
    f_ill *= np.where(last_of_term, 1.3, 1.0)
    f_ill /= f_ill.mean()
    term_trend = np.array([0.95, 1.0, 1.0, 1.0, 1.05, 1.1])[half]
    f_un = term_trend * np.array([1.12, 0.92, 0.9, 0.93, 1.23, 1, 1])[dow]
    f_un *= np.where(last_of_half, 1.4, 1.0) * np.where(last_of_term, 1.5, 1.0) * np.where(first_of_half, 1.15, 1)
    f_un *= np.where((half == 5) & (np.arange(nd) >= nd - 5), 1.5, 1.0)
    f_un /= f_un.mean()
    return f_ill, f_un


@dataclass
class _Propensities:
    """Each record's propensities for the year: its risk score (log scale), that score centred, its rates of
    illness and of unauthorised absence per day, and how it drifts through the year."""

    risk: np.ndarray
    centred: np.ndarray
    lam_ill: np.ndarray
    lam_un: np.ndarray
    drift: np.ndarray


def _propensities(y: _Year) -> _Propensities:
    """The records' propensities, from their characteristics, their latent and their school."""
    rng, sch, P, rec, n, pid, school, nc, phase = y.rng, y.sch, y.P, y.rec, y.n, y.pid, y.school, y.nc, y.phase
    fsm, sen, need, cla, cin, cpp, eth = y.fsm, y.sen, y.need, y.cla, y.cin, y.cpp, y.eth
    mainstream_sen = np.where(phase == SPECIAL, 0.0, np.where(sen == 2, T.ehc, np.where(sen == 1, T.sen_support, 0)))
    cov = (
        T.fsm * fsm + mainstream_sen + T.cla * cla + T.cin * cin + T.cpp * cpp + NEED_RISK[need]
        + ETH_ABSENCE[eth] + sch.effect[school] + 0.15 * (rec.start > 0)
    )  # fmt: skip
    z = P["z"][pid]
    risk = cov + T.sigma_latent * z
    # a smoothed step: pupils whose latent (shifted by their characteristics) passes it form the
    # persistently absent group (see the module docstring)
    high = np.clip((z + T.step_cov * (cov - cov.mean()) - np.array(T.step_at)[phase]) / T.step_width, 0, 1)
    ill_base = np.where(
        phase == PRIMARY, np.array(T.ill_primary)[np.minimum(nc, 6)],
        np.where(phase == SECONDARY, np.array(T.ill_secondary)[np.clip(nc - 7, 0, 6)], T.ill_special),
    )  # fmt: skip
    un_base = np.where(
        phase == PRIMARY, np.array(T.unauth_primary)[np.minimum(nc, 6)],
        np.where(phase == SECONDARY, np.array(T.unauth_secondary)[np.clip(nc - 7, 0, 6)], T.unauth_special),
    )  # fmt: skip
    m_ill = np.exp(T.ill_elasticity * risk + T.ill_step * high + NEED_ILL[need] + T.ill_noise * rng.normal(0, 1, n))
    m_un = np.exp(T.unauth_elasticity * risk + T.unauth_step * high + T.unauth_noise * rng.normal(0, 1, n))
    for p in (PRIMARY, SECONDARY, SPECIAL):  # keep each phase's mean on its target
        m = phase == p
        if m.any():
            m_ill[m] /= m_ill[m].mean()
            m_un[m] /= m_un[m].mean()
    lam_ill = ill_base * m_ill
    lam_un = np.minimum(un_base * m_un, 0.85)
    # drift through the year: some pupils deteriorate, a few improve
    u = rng.random(n)
    drift = np.where(u < 0.12, rng.uniform(0.8, 2.2, n), np.where(u < 0.18, -rng.uniform(0.5, 1.5, n),
                                                                   rng.normal(0, 0.2, n)))  # fmt: skip
    return _Propensities(risk=risk, centred=risk - risk.mean(), lam_ill=lam_ill, lam_un=lam_un, drift=drift)


def simulate_marks(city: City, cal: YearCalendar, rec: Records) -> tuple[np.ndarray, np.ndarray]:
    """The year's morning and afternoon reasons: two (n_records, n_days) uint8 matrices (0 = no mark).

    Each step marks some sessions over what the steps before it marked, drawing from ``city.rng``; the
    steps run, and draw, in a fixed order, so the same city gives the same marks.
    """
    y = _Year.of(city, cal, rec)
    prop = _propensities(y)
    _lates(y, prop)
    _sport(y)
    _medical(y, prop)
    _authorised_other(y, prop)
    _illness(y, prop)
    _unauthorised(y, prop)
    _holidays(y)
    _eid(y)
    _travelling(y)
    _interviews_performances_study(y)
    _suspensions(y)
    _long_illness_part_time_and_provision(y)
    pids, onsets = _school_avoidance(y, prop)
    city.avoidance.append((cal, pids, onsets))  # the EBSA cohort's dates follow them (attendwise.demo.cohorts)
    _never_attending(y, prop)
    _leavers_stop_coming(y)
    _educational_activities(y)
    _not_required_and_closed(y)
    # only while on roll and the school meets
    col = np.arange(y.nd)
    on_roll = (col[None, :] >= rec.start[:, None]) & (col[None, :] <= rec.end[:, None])
    y.am[~(on_roll & cal.meets_am[y.school])] = NONE
    y.pm[~(on_roll & cal.meets_pm[y.school])] = NONE
    return y.am, y.pm


def _lates(y: _Year, prop: _Propensities) -> None:
    """Lates in the morning (``L``), and a few after the register closed (``U``); more in secondary."""
    rng, P, n, nd, pid, secondary, am = y.rng, y.P, y.n, y.nd, y.pid, y.secondary, y.am
    risk = prop.risk
    p_late = T.late_per_am * P["late"][pid] * np.exp(0.6 * risk) / np.exp(0.6 * risk).mean()
    p_late = np.minimum(p_late * np.where(secondary, 1.3, 1.0), 0.6)
    u = rng.random((n, nd), dtype=np.float32)
    am[u < p_late[:, None]] = LATE
    am[u < (p_late * T.late_after_share * np.where(secondary, 2.5, 1.0))[:, None]] = LATE_AFTER


def _sport(y: _Year) -> None:
    """Sport in the afternoons (``P``), most on Fridays."""
    rng, n, nd, secondary, dow, pm = y.rng, y.n, y.nd, y.secondary, y.dow, y.pm
    u = rng.random((n, nd), dtype=np.float32)
    pm[u < np.where(secondary, 0.002, 0.0006)[:, None] * np.where(dow == 4, 3.0, 0.5)[None, :]] = SPORT


def _medical(y: _Year, prop: _Propensities) -> None:
    """Medical appointments, usually one session (``M``)."""
    rng, n, nd, phase, need, am, pm = y.rng, y.n, y.nd, y.phase, y.need, y.am, y.pm
    risk = prop.risk
    p_med = T.medical_per_day * np.exp(0.3 * risk + NEED_ILL[need]) * np.where(phase == SPECIAL, 2.5, 1.0)
    p_med = p_med / np.exp(0.3 * risk).mean()
    u = rng.random((n, nd), dtype=np.float32)
    r, c = np.nonzero(u < p_med[:, None])
    v = rng.random(r.size)
    am[r[v < 0.5], c[v < 0.5]] = MEDICAL
    pm[r[v >= 0.4], c[v >= 0.4]] = MEDICAL


def _authorised_other(y: _Year, prop: _Propensities) -> None:
    """Authorised absence for exceptional circumstances (``C``)."""
    rng, n, nd, am, pm = y.rng, y.n, y.nd, y.am, y.pm
    risk = prop.risk
    u = rng.random((n, nd), dtype=np.float32)
    r, c = np.nonzero(u < (T.auth_other_per_day * np.exp(0.3 * risk) / np.exp(0.3 * risk).mean())[:, None])
    am[r, c] = AUTH_OTHER
    pm[r, c] = AUTH_OTHER


def _illness(y: _Year, prop: _Propensities) -> None:
    """Illness episodes (``I``) of one session to two weeks, shaped by the season and the pupil's drift."""
    rng, n, nd, frac, f_ill, am, pm = y.rng, y.n, y.nd, y.frac, y.f_ill, y.am, y.pm
    lam_ill, drift = prop.lam_ill, prop.drift
    ill_len_values = [1, 2, 3, 4, 5, 6, 8, 10]
    ill_len_p = [0.50, 0.24, 0.12, 0.06, 0.04, 0.02, 0.015, 0.005]
    mean_len = float(np.dot(ill_len_values, ill_len_p))
    h = (lam_ill / mean_len)[:, None] * f_ill[None, :] * np.exp(0.5 * drift[:, None] * (frac[None, :] - 0.5))
    r, c = np.nonzero(rng.random((n, nd), dtype=np.float32) < h)
    lengths = _pick(rng, ill_len_values, ill_len_p, r.size)
    half_day = (lengths == 1) & (rng.random(r.size) < 0.2)
    rr, cc, _ = _runs(r[~half_day], c[~half_day], lengths[~half_day], nd)
    am[rr, cc] = ILL
    pm[rr, cc] = ILL
    hd_pm = rng.random(half_day.sum()) < 0.7
    pm[r[half_day][hd_pm], c[half_day][hd_pm]] = ILL
    am[r[half_day][~hd_pm], c[half_day][~hd_pm]] = ILL


def _unauthorised(y: _Year, prop: _Propensities) -> None:
    """Runs of unauthorised absence (``O``, some ``N``), shaped by the day and the pupil's drift."""
    rng, n, nd, frac, f_un, am, pm = y.rng, y.n, y.nd, y.frac, y.f_un, y.am, y.pm
    lam_un, drift = prop.lam_un, prop.drift
    extra = np.clip(6.0 * lam_un, 0.15, 4.0)
    h = (lam_un / (1 + extra))[:, None] * f_un[None, :] * np.exp(drift[:, None] * (frac[None, :] - 0.5))
    r, c = np.nonzero(rng.random((n, nd), dtype=np.float32) < h)
    lengths = rng.geometric(1 / (1 + extra[r]))
    code = np.where(rng.random(r.size) < T.no_reason_share, NO_REASON, UNAUTH).astype(np.uint8)
    half_day = (lengths == 1) & (rng.random(r.size) < 0.12)
    keep = ~half_day
    rr, cc, k = _runs(r[keep], c[keep], lengths[keep], nd)
    am[rr, cc] = code[keep][k]
    pm[rr, cc] = code[keep][k]
    pm[r[half_day], c[half_day]] = code[half_day]


def _holidays(y: _Year) -> None:
    """Term-time holidays, mostly next to the breaks (``G``; a few authorised, ``H``/``C``)."""
    rng, P, cal, n, nd, pid, nc, phase, secondary = y.rng, y.P, y.cal, y.n, y.nd, y.pid, y.nc, y.phase, y.secondary
    fsm, firsts, lasts, am, pm = y.fsm, y.firsts, y.lasts, y.am, y.pm
    p_hol = T.holiday_takers * P["holiday"][pid] * np.where(phase == PRIMARY, 1.4, np.where(secondary, 1.1, 0.6))
    p_hol *= np.where(nc >= 10, 0.5, 1.0) * np.where(fsm, 0.9, 1.0)
    p_hol = np.minimum(p_hol / P["holiday"][pid].mean(), 0.9)
    takers = np.flatnonzero(rng.random(n) < p_hol)
    takers = np.concatenate([takers, takers[rng.random(takers.size) < 0.1]])
    lengths = _pick(rng, [2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20],
                    [0.05, 0.1, 0.12, 0.25, 0.1, 0.08, 0.07, 0.06, 0.12, 0.03, 0.02], takers.size)  # fmt: skip
    # where: (0..5 = before the end of half term h, 6..11 = after the start of half term h-6, 12 = anywhere)
    where = _pick(rng, list(range(13)), [0.07, 0.10, 0.06, 0.10, 0.06, 0.22, 0.06, 0.04, 0.06, 0.03, 0.06,
                                         0.04, 0.10], takers.size)  # fmt: skip
    start = np.where(
        where < 6, lasts[np.minimum(where, 5)] - lengths + 1,
        np.where(where < 12, firsts[np.clip(where - 6, 0, 5)], rng.integers(0, nd, takers.size)),
    )  # fmt: skip
    rr, cc, k = _runs(takers, start, lengths, nd)
    hol_auth = rng.random(takers.size) < (0.08 if cal.code_set == 0 else 0.04)
    hol_code = np.where(hol_auth, AUTH_HOLIDAY, HOLIDAY).astype(np.uint8)
    am[rr, cc] = hol_code[k]
    pm[rr, cc] = hol_code[k]


def _eid(y: _Year) -> None:
    """Eid (``R``) for most pupils of Muslim heritage, some taking the day after too."""
    rng, P, cal, n, nd, pid, days, am, pm = y.rng, y.P, y.cal, y.n, y.nd, y.pid, y.days, y.am, y.pm
    year_start, year_end = date_of(int(days[0])), date_of(int(days[-1]))
    muslim = P["muslim"][pid]
    for eid in eid_days(year_start, year_end):
        j = cal.index_of(eid)
        if j < nd and days[j] == day_number(eid):
            take = muslim & (rng.random(n) < 0.7)
            am[take, j] = pm[take, j] = RELIGIOUS
            if j + 1 < nd and days[j + 1] == days[j] + 1:
                take2 = take & (rng.random(n) < 0.2)
                am[take2, j + 1] = pm[take2, j + 1] = RELIGIOUS


def _travelling(y: _Year) -> None:
    """Gypsy, Roma and Traveller families travelling in the summer term (``T``)."""
    rng, n, nd, eth, firsts, am, pm = y.rng, y.n, y.nd, y.eth, y.firsts, y.am, y.pm
    grt = np.flatnonzero(ETH_GRT[eth] & (rng.random(n) < 0.3))
    if grt.size:
        s_lo = firsts[4]
        start = rng.integers(s_lo, nd, size=grt.size)
        rr, cc, _ = _runs(grt, start, rng.integers(10, 26, size=grt.size), nd)
        am[rr, cc] = pm[rr, cc] = TRAVELLER


def _interviews_performances_study(y: _Year) -> None:
    """Interviews (``J``/``J1``), performances (``C``/``C1``) and study leave (``S``)."""
    rng, sch, n, nd, school, nc, secondary, half = y.rng, y.sch, y.n, y.nd, y.school, y.nc, y.secondary, y.half
    am, pm = y.am, y.pm
    spring = np.flatnonzero((half == 2) | (half == 3))
    who = np.flatnonzero(np.isin(nc, [11, 13]) & (rng.random(n) < 0.2))
    pm[who, rng.choice(spring, size=who.size)] = INTERVIEW
    who = np.flatnonzero(rng.random(n) < 0.001)
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(1, 4, who.size), nd)
    am[rr, cc] = pm[rr, cc] = PERFORMANCE
    study_school = rng.random(sch.n) < 0.5
    who = np.flatnonzero(np.isin(nc, [11, 13]) & secondary & study_school[school])
    summer2 = np.flatnonzero(half == 5)[:15]
    if who.size and summer2.size:
        k = rng.integers(2, 9, size=who.size)
        r = np.repeat(who, k)
        pm[r, rng.choice(summer2, size=r.size)] = STUDY


def _suspensions(y: _Year) -> None:
    """Suspensions (``E``), by phase, sex, FSM, SEMH, SEN, care and the latent."""
    rng, P, nd, pid, phase, rows_all, fsm, sen = y.rng, y.P, y.nd, y.pid, y.phase, y.rows_all, y.fsm, y.sen
    need, cla, am, pm = y.need, y.cla, y.am, y.pm
    rate = np.array(T.suspension_rate)[phase] * np.exp(
        0.5 * P["sex"][pid] + 0.7 * fsm + 1.0 * (need == NEED_IDX["SEMH"]) + 0.4 * (sen > 0)
        + 0.6 * cla + 0.5 * P["z"][pid] - 1.0
    )  # fmt: skip
    k = rng.poisson(np.minimum(rate, 5))
    who = np.repeat(rows_all, k)
    lengths = _pick(rng, [1, 2, 3, 4, 5], [0.42, 0.25, 0.18, 0.05, 0.10], who.size)
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), lengths, nd)
    am[rr, cc] = pm[rr, cc] = EXCLUDED


def _long_illness_part_time_and_provision(y: _Year) -> None:
    """Long illness (``I``), part-time timetables (``C``/``C2``), dual registration (``D``) and LA provision
    (``B``/``K``)."""
    rng, P, n, nd, pid, phase, secondary, sen = y.rng, y.P, y.n, y.nd, y.pid, y.phase, y.secondary, y.sen
    need, semh, dow, am, pm = y.need, y.semh, y.dow, y.am, y.pm
    who = np.flatnonzero(rng.random(n) < T.long_illness * np.exp(NEED_ILL[need]))
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(10, 50, who.size), nd)
    am[rr, cc] = pm[rr, cc] = ILL
    p_pt = T.part_time * np.where(semh, 8.0, np.where(sen > 0, 1.5, 0.15)) * np.where(phase == PRIMARY, 0.6, 1.4)
    who = np.flatnonzero(rng.random(n) < p_pt)
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(20, 80, who.size), nd)
    pm[rr, cc] = PART_TIME
    p_dual = T.dual_registered * secondary * np.where(semh, 6.0, 1.0) * np.exp(0.5 * P["z"][pid])
    who = np.flatnonzero(rng.random(n) < p_dual)
    if who.size:
        rr, cc, k = _runs(who, rng.integers(0, nd, who.size), rng.integers(30, 120, who.size), nd)
        ap_days = rng.integers(0, 5, size=(who.size, 2))
        on_ap = (dow[cc] == ap_days[k, 0]) | (dow[cc] == ap_days[k, 1])
        am[rr[on_ap], cc[on_ap]] = pm[rr[on_ap], cc[on_ap]] = DUAL
    who = np.flatnonzero(rng.random(n) < 0.0006 * (1 + 5 * (sen > 0)))
    rr, cc, _ = _runs(who, rng.integers(0, nd, who.size), rng.integers(10, 40, who.size), nd)
    am[rr, cc] = pm[rr, cc] = LA_PROVISION


def _school_avoidance(y: _Year, prop: _Propensities) -> tuple[np.ndarray, np.ndarray]:
    """Emotionally based school avoidance: runs of ``O``/``N``/``I`` that grow through the year and often persist.

    Returns the avoiding pupils and the school day (of the year) each began on (0 for those carried over).
    """
    rng, P, n, nd, pid, nc, phase, fsm, semh = y.rng, y.P, y.n, y.nd, y.pid, y.nc, y.phase, y.fsm, y.semh
    am, pm = y.am, y.pm
    centred = prop.centred
    ref_prev = P["refuser"][pid] > 0
    by_year = np.array([0, 0.6, 0.7, 0.8, 0.9, 1, 1, 0.75, 0.85, 1.1, 1.25, 1.35, 1, 1])[nc]
    p_ref = np.array(T.refuser_rate)[phase] * by_year * np.exp(0.6 * semh + 0.6 * fsm + 0.6 * centred - 0.6)
    new_ref = ~ref_prev & (rng.random(n) < p_ref) & (nc >= 1)
    refusers = np.flatnonzero((ref_prev & (P["refuser"][pid] > 0)) | new_ref)
    if refusers.size:
        onset = np.where(new_ref[refusers], rng.integers(0, int(nd * 0.75), refusers.size), 0)
        p0 = np.where(new_ref[refusers], rng.uniform(0.15, 0.4, refusers.size), rng.uniform(0.35, 0.7, refusers.size))
        slope = rng.uniform(0.3, 1.3, refusers.size)
        absent_prev = np.zeros(refusers.size, dtype=bool)
        kappa = 0.6
        for d in range(nd):
            p = np.clip(p0 + slope * (d - onset) / nd, 0, 0.95) * (d >= onset)
            p_stay = p + (1 - p) * kappa
            p_start = p * (1 - kappa)
            absent = rng.random(refusers.size) < np.where(absent_prev, p_stay, p_start)
            rows = refusers[absent]
            uu = rng.random(rows.size)
            codes = np.where(uu < 0.5, UNAUTH, np.where(uu < 0.58, NO_REASON, ILL)).astype(np.uint8)
            am[rows, d] = codes
            pm[rows, d] = codes
            absent_prev = absent
        P["refuser"][pid[refusers]] = np.maximum(P["refuser"][pid[refusers]], 1)
        return pid[refusers], onset
    return pid[refusers], np.zeros(0, dtype=np.int64)


def _never_attending(y: _Year, prop: _Propensities) -> None:
    """Pupils on roll who never attend (``O``, some ``N``), some from the year before."""
    rng, P, n, nd, pid, fsm, am, pm = y.rng, y.P, y.n, y.nd, y.pid, y.fsm, y.am, y.pm
    centred = prop.centred
    new_never = rng.random(n) < T.never_attends * np.exp(0.6 * centred + 0.6 * fsm - 0.6)
    never = new_never | P["never"][pid]
    P["never"][pid[never]] = True
    if never.any():
        codes = np.where(rng.random((never.sum(), nd)) < 0.93, UNAUTH, NO_REASON).astype(np.uint8)
        am[never] = codes
        pm[never] = codes


def _leavers_stop_coming(y: _Year) -> None:
    """Leavers often stop coming before the school takes them off roll."""
    rng, rec, n, nd, am, pm = y.rng, y.rec, y.n, y.nd, y.am, y.pm
    who = np.flatnonzero((rec.leaver == 1) & (rng.random(n) < 0.35))
    k = rng.integers(3, 16, size=who.size)
    rr, cc, _ = _runs(who, rec.end[who] - k + 1, k, nd)
    v = np.where(rng.random(rr.size) < 0.7, UNAUTH, NO_REASON).astype(np.uint8)
    am[rr, cc] = v
    pm[rr, cc] = v


def _educational_activities(y: _Year) -> None:
    """Approved educational activities on days the pupil would have been in: trips and residentials (``V``), work
    experience (``W``) and a day a week off site (``B``)."""
    rng, sch, n, nd, school, nc, secondary, dow = y.rng, y.sch, y.n, y.nd, y.school, y.nc, y.secondary, y.dow
    half, am, pm = y.half, y.am, y.pm
    present_am = (am == PRESENT) | (am == LATE)
    present_pm = pm == PRESENT
    trips = _class_days(rng, sch, nc, school, half, nd)
    for rows, cols, reason, share in trips:
        go = rng.random(rows.size) < share
        rows, cols = rows[go], cols[go]
        ok_am = present_am[rows, cols]
        ok_pm = present_pm[rows, cols]
        am[rows[ok_am], cols[ok_am]] = reason
        pm[rows[ok_pm], cols[ok_pm]] = reason
    who = np.flatnonzero(np.isin(nc, [10, 11]) & secondary & (rng.random(n) < 0.006))
    if who.size:
        weekday = rng.integers(0, 5, who.size)
        start = rng.integers(0, max(1, nd - 60), who.size)
        rr, cc, k = _runs(who, start, np.full(who.size, 60), nd)
        ok = dow[cc] == weekday[k]
        rr, cc = rr[ok], cc[ok]
        ok_am = present_am[rr, cc]
        am[rr[ok_am], cc[ok_am]] = OFFSITE
        ok_pm = present_pm[rr, cc]
        pm[rr[ok_pm], cc[ok_pm]] = OFFSITE


def _not_required_and_closed(y: _Year) -> None:
    """Not required to attend (``X``: a staggered Reception start, some Reception afternoons in autumn),
    unable to attend (no LA transport yet ``Y``/``Q``, transport failing ``Y``/``Y1``) and one unexpected
    closure (``Y``/``Y4``)."""
    rng, sch, rec, n, nd, school, nc, phase = y.rng, y.sch, y.rec, y.n, y.nd, y.school, y.nc, y.phase
    month, half, am, pm = y.month, y.half, y.am, y.pm
    rec_r = nc == 0
    induction = sch.induction_days[school]
    for d in range(int(induction.max(initial=0))):
        sel = rec_r & (induction > d) & (rec.start <= d)
        pm[sel, d] = NOT_REQUIRED
        stagger = sel & (rng.random(n) < max(0.0, 0.5 - 0.17 * d))
        am[stagger, d] = NOT_REQUIRED
    part = np.flatnonzero(rec_r & (rng.random(n) < 0.02))
    autumn = np.flatnonzero(half <= 1)
    if part.size and autumn.size:
        pm[np.ix_(part, autumn)] = NOT_REQUIRED
    who = np.flatnonzero((phase == SPECIAL) & (rng.random(n) < 0.04))
    rr, cc, _ = _runs(who, rec.start[who], rng.integers(2, 6, who.size), nd)
    am[rr, cc] = pm[rr, cc] = LA_ACCESS
    who = np.flatnonzero(rng.random(n) < 0.002)
    cc = rng.integers(0, nd, who.size)
    am[who, cc] = pm[who, cc] = TRANSPORT
    # one school closed unexpectedly for a day (snow, heating) in January or February
    winter = np.flatnonzero((month == 1) | (month == 2))
    if winter.size:
        s = int(rng.integers(sch.n))
        j = int(rng.choice(winter))
        am[school == s, j] = SITE_CLOSED
        pm[school == s, j] = SITE_CLOSED


def _class_days(
    rng: np.random.Generator, sch: Schools, nc: np.ndarray, school: np.ndarray, half: np.ndarray, nd: int
) -> Iterator[tuple[np.ndarray, np.ndarray, int, float]]:
    """Trips, residentials and work experience: (rows, day columns, reason, participation)."""
    key = school * 16 + nc
    order = np.argsort(key, kind="stable")
    keys, first, counts = np.unique(key[order], return_index=True, return_counts=True)
    summer = np.flatnonzero(half >= 4)
    for kv, f, cnt in zip(keys.tolist(), first.tolist(), counts.tolist(), strict=True):
        s, k = divmod(kv, 16)
        rows = order[f : f + cnt]
        phase = sch.phase[s]
        n_trips = 2 if phase == PRIMARY else 1
        for _ in range(n_trips):
            day = int(rng.choice(summer)) if rng.random() < 0.5 else int(rng.integers(0, nd))
            yield rows, np.full(rows.size, day), TRIP, (0.92 if phase == PRIMARY else 0.5)
        if phase == PRIMARY and k == 6 and summer.size > 5:
            d0 = int(rng.choice(summer[:-3]))
            for d in range(d0, min(d0 + 3, nd)):
                yield rows, np.full(rows.size, d), TRIP, 0.8
        if phase == SECONDARY and k == 10 and rng.random() < 0.6 and summer.size > 10:
            d0 = int(rng.choice(summer[5:-5]))
            for d in range(d0, min(d0 + 5, nd)):
                yield rows, np.full(rows.size, d), WORK, 0.85
