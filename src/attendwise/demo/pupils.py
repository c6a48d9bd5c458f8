"""The demo city's pupils: who they are (date of birth, sex, ethnicity, language, FSM, SEN, social care,
names, UPNs and their latent habits of absence), how their characteristics change from year to year,
and the tables of pupils and enrolments that grow as the years are simulated.

Imports the city's data (:mod:`attendwise.demo.population`, :mod:`attendwise.demo.tuning`), its schools
(:mod:`attendwise.demo.schools`), :mod:`attendwise.demo.terms` (day numbers), the
:class:`~attendwise.demo.spec.CitySpec` and :mod:`attendwise.core.upn` (check letters).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from attendwise.core.upn import check_letter
from attendwise.demo.population import (
    ETH_ARRIVAL,
    ETH_CODES,
    ETH_EAL,
    ETH_FSM,
    ETH_HOLIDAY,
    ETH_MUSLIM,
    ETH_NAMES,
    FORENAME_IDX,
    NEED_WEIGHTS,
    NEEDS,
    OTHER_LAS,
    SURNAME_IDX,
)
from attendwise.demo.schools import PRIMARY, SECONDARY, SPECIAL, make_schools
from attendwise.demo.spec import CitySpec
from attendwise.demo.terms import day_number
from attendwise.demo.tuning import TUNING


class Table:
    """Columns of equal length that grow by appending batches."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] = {}

    @property
    def n(self) -> int:
        return 0 if not self.cols else int(next(iter(self.cols.values())).size)

    def append(self, **cols: np.ndarray) -> np.ndarray:
        """Append a batch; return the new rows' ids."""
        start = self.n
        if not self.cols:
            self.cols = {k: np.asarray(v).copy() for k, v in cols.items()}
        else:
            if set(cols) != set(self.cols):
                raise KeyError(f"columns differ: {set(cols) ^ set(self.cols)}")
            self.cols = {k: np.concatenate([self.cols[k], np.asarray(cols[k], dtype=self.cols[k].dtype)])
                         for k in self.cols}  # fmt: skip
        return np.arange(start, self.n)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.cols[key]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _solve_intercept(x: np.ndarray, target: float) -> float:
    """The intercept a with mean(sigmoid(a + x)) == target."""
    lo, hi = -15.0, 15.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _sigmoid(mid + x).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _names(rng: np.random.Generator, eth: np.ndarray, sex: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forenames and surnames (indexes into the lists) from the names of each pupil's ethnicity's group; half
    of the pupils of mixed heritage have British names."""
    n = eth.size
    group = ETH_NAMES[eth].copy()
    mixed = np.isin(eth, [ETH_CODES.index(c) for c in ("MWBC", "MWBA", "MWAS", "MOTH")])
    group[mixed & (rng.random(n) < 0.5)] = 0
    fore = np.zeros(n, dtype=np.int32)
    sur = np.zeros(n, dtype=np.int32)
    for g in np.unique(group):
        for sx in (0, 1):
            m = (group == g) & (sex == sx)
            fore[m] = rng.choice(FORENAME_IDX[g][sx], size=m.sum())
        m = group == g
        sur[m] = rng.choice(SURNAME_IDX[g], size=m.sum())
    return fore, sur


class City:
    """The evolving population: pupils, enrolments and the LA's UPN allocation."""

    def __init__(self, spec: CitySpec, rng: np.random.Generator) -> None:
        self.spec = spec
        self.rng = rng
        self.la = int(spec.la_code)
        self.schools = make_schools(rng, spec)
        self.pupils = Table()
        self.enrol = Table()
        self.upn: list[str] = []
        self.upn_rank = np.zeros(0, dtype=np.int64)
        self._serials: dict[tuple[int, int, int], int] = {}
        self.intercepts: dict[str, float] = {}
        #: Each year's pupils avoiding school and the school day it began on (:func:`attendwise.demo.absence`).
        self.avoidance: list[tuple[Any, np.ndarray, np.ndarray]] = []
        # secondary choice: primaries choose nearby secondaries, weighted by size
        sch = self.schools
        prim = np.flatnonzero(sch.phase == PRIMARY)
        sec = np.flatnonzero(sch.phase == SECONDARY)
        d = np.sqrt(((sch.xy[prim][:, None, :] - sch.xy[sec][None, :, :]) ** 2).sum(axis=2))
        w = sch.cohort[sec][None, :] * np.exp(-d / 0.18)
        self.sec_choice = np.zeros((sch.n, sec.size))
        self.sec_choice[prim] = w / w.sum(axis=1, keepdims=True)
        self.secondaries = sec

    # -- UPNs ------------------------------------------------------------------------------
    def _upns(self, school: np.ndarray, nc: np.ndarray, year: int, upn_mode: str) -> list[str]:
        """UPNs for new pupils (see :meth:`new_pupils` for ``upn_mode``): allocated by the school that first
        admitted the child, in the year they started; some joiners' come from other LAs."""
        rng, sch = self.rng, self.schools
        n = school.size
        phase = sch.phase[school]
        start_year = year - np.maximum(nc, 0)
        la = np.full(n, self.la)
        prim = np.flatnonzero(sch.phase == PRIMARY)
        estab = sch.estab[rng.choice(prim, size=n)]
        if upn_mode == "school":
            estab = sch.estab[school]
            start_year = np.full(n, year)
        elsewhere = np.zeros(n, dtype=bool)
        if upn_mode == "history":
            elsewhere = rng.random(n) < 0.12
            own = (nc == 0) & (phase == PRIMARY)
            estab[own] = sch.estab[school[own]]
        elif upn_mode == "mixed":
            elsewhere = rng.random(n) < 0.55
            here = ~elsewhere
            estab[here] = sch.estab[school[here]]
            start_year[here] = year + (rng.random(here.sum()) < 0.4)
        la[elsewhere] = rng.choice(np.array([c for c in OTHER_LAS if c != self.la]), size=elsewhere.sum())
        estab[elsewhere] = rng.integers(2001, 4999, size=elsewhere.sum())
        return self._allocate_upns(la, estab, start_year)

    def _allocate_upns(self, la: np.ndarray, estab: np.ndarray, yy: np.ndarray) -> list[str]:
        out: list[str] = []
        for a, e, y in zip(la.tolist(), estab.tolist(), yy.tolist(), strict=True):
            key = (a, e, y)
            serial = self._serials.get(key, 0)
            while serial > 999:  # the school has used its serials for the year: use a neighbour
                e = 2000 + (e + 1) % 8000
                key = (a, e, y)
                serial = self._serials.get(key, 0)
            self._serials[key] = serial + 1
            body = f"{a:03d}{e:04d}{y % 100:02d}{serial:03d}"
            out.append(check_letter(body) + body)
        return out

    # -- new pupils ------------------------------------------------------------------------
    def new_pupils(self, school: np.ndarray, nc: np.ndarray, year: int, *, arrival: bool,
                   upn_mode: str) -> np.ndarray:  # fmt: skip
        """Create pupils at ``school`` in NC year ``nc`` during academic year ``year``.

        ``upn_mode``: ``"school"`` (this school allocates the UPN now), ``"history"`` (allocated by
        some school when they started school) or ``"mixed"`` (joiners: some from elsewhere).
        """
        rng, sch = self.rng, self.schools
        n = school.size
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        phase = sch.phase[school]
        special = phase == SPECIAL
        # date of birth: age on 31 August = 4 + nc
        born_from = np.array([day_number(dt.date(year - 5 - k, 9, 1)) for k in range(14)])
        born_to = np.array([day_number(dt.date(year - 4 - k, 8, 31)) for k in range(14)])
        dob = born_from[nc] + (rng.random(n) * (born_to[nc] - born_from[nc] + 1)).astype(np.int64)
        sex = (rng.random(n) < np.where(special, 0.72, 0.51)).astype(np.int8)  # 1 = male
        w = sch.eth_weights[school] * (ETH_ARRIVAL[None, :] if arrival else 1.0)
        w = w / w.sum(axis=1, keepdims=True)
        eth = (w.cumsum(axis=1) < rng.random(n)[:, None]).sum(axis=1).clip(0, len(ETH_CODES) - 1)
        eal_p = np.minimum(ETH_EAL[eth] * (1.3 if arrival else 1.0), 0.97)
        lang = np.where(rng.random(n) < eal_p, 1, 0).astype(np.int8)
        lang[rng.random(n) < 0.004] = 2  # unclassified
        # FSM by school deprivation and ethnicity; intercepts fixed by the first (initial) batch
        x_fsm = 1.0 * sch.deprivation[school] + ETH_FSM[eth] + (0.5 if arrival else 0.0)
        fsm = np.zeros(n, dtype=bool)
        for p, target in ((PRIMARY, 0.235), (SECONDARY, 0.265), (SPECIAL, 0.45)):
            m = phase == p
            key = f"fsm{p}"
            if key not in self.intercepts and m.sum() >= 20:
                self.intercepts[key] = _solve_intercept(x_fsm[m], target)
            a = self.intercepts.get(key, math.log(target / (1 - target)))
            fsm[m] = rng.random(m.sum()) < _sigmoid(a + x_fsm[m])
        # SEN: support peaks in junior years; EHC plans grow with age
        x_sen = 0.75 * sex + 0.55 * fsm + 0.2 * sch.deprivation[school]
        x_sen = x_sen + np.where(nc <= 2, -0.35, np.where(nc <= 6, 0.1, 0.0))
        for key, target in (("k", 0.132), ("e", 0.028)):
            mm = ~special
            if key not in self.intercepts and mm.sum() >= 50:
                self.intercepts[key] = _solve_intercept(x_sen[mm] + (0.05 * nc[mm] if key == "e" else 0), target)
        pk = _sigmoid(self.intercepts.get("k", -2.2) + x_sen)
        pe = _sigmoid(self.intercepts.get("e", -3.8) + x_sen + 0.05 * nc)
        u = rng.random(n)
        sen = np.where(u < pe, 2, np.where(u < pe + pk, 1, 0)).astype(np.int8)
        sen[special] = np.where(rng.random(special.sum()) < 0.98, 2, 1)
        need = self.draw_need(sen, phase)
        # social care: CLA and CPP imply CIN
        cla = rng.random(n) < np.where(fsm, 0.016, 0.0035) * (1.3 if arrival else 1.0)
        cpp = rng.random(n) < np.where(fsm, 0.011, 0.0027)
        cin = cla | cpp | (rng.random(n) < np.where(fsm, 0.045, 0.012) + 0.02 * (sen > 0))
        boarder = special & (rng.random(n) < 0.11)
        fore, sur = _names(rng, eth, sex)
        # latent propensity and persistent habits
        z = rng.normal(0, 1, n) + (0.25 if arrival else 0.0)
        holiday = ETH_HOLIDAY[eth] * np.exp(rng.normal(0, 0.7, n))
        late = np.exp(rng.normal(0, 0.9, n))
        muslim = rng.random(n) < ETH_MUSLIM[eth]
        self.upn.extend(self._upns(school, nc, year, upn_mode))
        return self.pupils.append(
            dob=dob.astype(np.int64), sex=sex, eth=eth.astype(np.int16), lang=lang, fsm=fsm, sen=sen,
            need=need, cla=cla, cin=cin, cpp=cpp, boarder=boarder, fore=fore, sur=sur, z=z,
            holiday=holiday, late=late, muslim=muslim, refuser=np.zeros(n, dtype=np.float64),
            never=np.zeros(n, dtype=bool),
        )  # fmt: skip

    def draw_need(self, sen: np.ndarray, phase: np.ndarray) -> np.ndarray:
        n = sen.size
        which = np.where(phase == SPECIAL, 3, np.where(sen == 2, 2, np.where(phase == SECONDARY, 1, 0)))
        cum = NEED_WEIGHTS.cumsum(axis=1)[which]
        need = (cum < self.rng.random(n)[:, None]).sum(axis=1).clip(0, len(NEEDS) - 1) + 1
        return np.where(sen > 0, need, 0).astype(np.int8)

    # -- enrolments ------------------------------------------------------------------------
    def enrol_pupils(self, pid: np.ndarray, school: np.ndarray, nc: np.ndarray, admission: np.ndarray) -> np.ndarray:
        n = pid.size
        return self.enrol.append(
            pid=pid.astype(np.int64), school=school.astype(np.int64), admission=admission.astype(np.int64),
            leaving=np.full(n, -1, dtype=np.int64), nc=nc.astype(np.int8),
            fsm=np.zeros(n, bool), sen=np.zeros(n, np.int8), need=np.zeros(n, np.int8),
            cla=np.zeros(n, bool), cin=np.zeros(n, bool), cpp=np.zeros(n, bool), boarder=np.zeros(n, bool),
        )  # fmt: skip


def age_characteristics(city: City, pid: np.ndarray, phase: np.ndarray) -> None:
    rng, P = city.rng, city.pupils
    n = pid.size
    rho = TUNING.latent_rho
    P["z"][pid] = rho * P["z"][pid] + math.sqrt(1 - rho * rho) * rng.normal(0, 1, n)
    fsm = P["fsm"][pid]
    u = rng.random(n)
    P["fsm"][pid] = np.where(fsm, u > 0.07, u < 0.024)
    sen = P["sen"][pid]
    u = rng.random(n)
    new_sen = sen.copy()
    new_sen[(sen == 0) & (u < 0.02)] = 1
    new_sen[(sen == 1) & (u < 0.11)] = 0
    new_sen[(sen == 1) & (u >= 0.11) & (u < 0.14)] = 2
    new_sen[phase == SPECIAL] = np.maximum(new_sen[phase == SPECIAL], 1)
    need = P["need"][pid].copy()
    fresh = (new_sen > 0) & (sen == 0)
    need[fresh] = city.draw_need(new_sen[fresh], phase[fresh])
    need[new_sen == 0] = 0
    P["sen"][pid] = new_sen
    P["need"][pid] = need
    cla = P["cla"][pid]
    P["cla"][pid] = np.where(cla, rng.random(n) < 0.85, rng.random(n) < 0.0012 * (1 + 3 * P["fsm"][pid]))
    cpp = np.where(P["cpp"][pid], rng.random(n) < 0.35, rng.random(n) < 0.004)
    P["cpp"][pid] = cpp
    P["cin"][pid] = P["cla"][pid] | cpp | np.where(P["cin"][pid], rng.random(n) < 0.5, rng.random(n) < 0.015)
    # school refusal and never-attending persist for some
    ref = P["refuser"][pid]
    P["refuser"][pid] = np.where((ref > 0) & (rng.random(n) < 0.6), ref + 1, 0)
    P["never"][pid] = P["never"][pid] & (rng.random(n) < 0.5)
