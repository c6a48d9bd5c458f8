"""The demo city's schools: their phases, where they are on the map, their pupils' mix, names and numbers,
and each school's own closures (INSET days it chooses, a polling station, an early closure).

Imports the city's data (:mod:`attendwise.demo.population`, :mod:`attendwise.demo.tuning`) and calendar
(:mod:`attendwise.demo.terms`), and the :class:`~attendwise.demo.spec.CitySpec`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from attendwise.demo.population import ETH_AREA, ETH_WEIGHT, PLACE_PREFIXES, PLACE_SUFFIXES, SAINTS
from attendwise.demo.spec import CitySpec
from attendwise.demo.terms import YearCalendar, date_of, day_number, monday_on_or_after
from attendwise.demo.tuning import TUNING

#: The phases (``Schools.phase``) and their names in ``schools.csv``.
PRIMARY, SECONDARY, SPECIAL = 0, 1, 2
PHASE_NAMES = ("primary", "secondary", "special")


@dataclass
class Schools:
    """The city's schools, one row per school (struct of arrays), in the order they were made."""

    urn: np.ndarray
    estab: np.ndarray
    name: list[str]
    phase: np.ndarray
    xy: np.ndarray
    deprivation: np.ndarray
    effect: np.ndarray  # log multiplier on the risk score
    eth_weights: np.ndarray  # (n, n_eth)
    cohort: np.ndarray  # target pupils per year group
    sixth_form: np.ndarray
    induction_days: np.ndarray  # staggered Reception start

    @property
    def n(self) -> int:
        return int(self.urn.size)

    def offers(self, nc: np.ndarray) -> np.ndarray:
        """(n_schools, len(nc)) whether each school teaches each NC year."""
        nc = np.asarray(nc)
        ph = self.phase[:, None]
        return (
            ((ph == PRIMARY) & (nc[None, :] <= 6))
            | ((ph == SECONDARY) & (nc[None, :] >= 7) & ((nc[None, :] <= 11) | self.sixth_form[:, None]))
            | ((ph == SPECIAL) & (nc[None, :] <= 13))
        )


def _field(rng: np.random.Generator, xy: np.ndarray, bumps: int = 6) -> np.ndarray:
    """A smooth random field over the city map, standardised over the given points."""
    centres = rng.random((bumps, 2))
    amps = rng.normal(0, 1, bumps)
    widths = rng.uniform(0.12, 0.3, bumps)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    v = (amps[None, :] * np.exp(-d2 / (2 * widths[None, :] ** 2))).sum(axis=1)
    return (v - v.mean()) / (v.std() + 1e-9)


def _standardise_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = values.astype(float).copy()
    for g in np.unique(groups):
        m = groups == g
        v = out[m]
        out[m] = (v - v.mean()) / (v.std() if m.sum() > 1 and v.std() > 0 else 1.0)
    return out


def make_schools(rng: np.random.Generator, spec: CitySpec) -> Schools:
    """The city's schools: phases, places on the map, deprivation, ethnic mix, sizes, names and numbers."""
    n = spec.schools
    n_special = max(1, round(0.06 * n))
    n_secondary = max(1, round(0.17 * n))
    n_primary = max(1, n - n_special - n_secondary)
    phase = np.array([PRIMARY] * n_primary + [SECONDARY] * n_secondary + [SPECIAL] * n_special)
    n = phase.size
    xy = rng.random((n, 2))
    dep_field = _field(rng, xy)
    deprivation = _standardise_within(dep_field + rng.normal(0, 0.4, n), phase)
    areas = np.stack([0.5 * dep_field + _field(rng, xy) for _ in range(3)])  # (3, n)
    log_w = np.log(ETH_WEIGHT)[None, :] + (np.array([1.3, 1.0, 0.8])[:, None, None] * areas[:, :, None]
                                            * ETH_AREA[:, None, :]).sum(axis=0)  # fmt: skip
    eth_w = np.exp(log_w)
    eth_w /= eth_w.sum(axis=1, keepdims=True)
    # secondary schools draw from the area round them; special schools from the whole city
    prim = phase == PRIMARY
    for s in np.flatnonzero(~prim):
        if phase[s] == SPECIAL:
            eth_w[s] = eth_w[prim].mean(axis=0)
        else:
            d = np.sqrt(((xy[prim] - xy[s]) ** 2).sum(axis=1))
            k = np.exp(-d / 0.2)
            eth_w[s] = (k[:, None] * eth_w[prim]).sum(axis=0) / k.sum()
    effect = TUNING.school_deprivation * deprivation + rng.normal(0, TUNING.school_sd, n)
    effect = effect - np.array([effect[phase == p].mean() for p in phase])
    sixth = np.zeros(n, dtype=bool)
    sec = np.flatnonzero(phase == SECONDARY)
    sixth[rng.choice(sec, size=max(1, round(sec.size / 2)), replace=False)] = True
    # cohort sizes: ~1.8% of pupils in special schools, the rest across 7 primary and 5 secondary
    # year groups plus sixth forms
    mainstream = spec.pupils * (1 - 0.018)
    per_cohort = mainstream / (12 + 0.85 * sixth.sum() / max(1, sec.size))
    size = np.exp(rng.normal(0, 0.35, n))
    cohort = np.zeros(n)
    for p, total in ((PRIMARY, per_cohort), (SECONDARY, per_cohort)):
        m = phase == p
        cohort[m] = total * size[m] / size[m].sum()
    m = phase == SPECIAL
    cohort[m] = spec.pupils * 0.018 / 14 * size[m] / size[m].sum()
    names = _school_names(rng, phase, spec.la_name)
    urn = 100000 + rng.choice(50000, size=n, replace=False)
    estab = np.zeros(n, dtype=np.int64)
    for p, base in ((PRIMARY, 2000), (SECONDARY, 4000), (SPECIAL, 7000)):
        idx = np.flatnonzero(phase == p)
        estab[idx] = base + 1 + rng.choice(999, size=idx.size, replace=False)
    induction = np.where(phase == PRIMARY, rng.choice([0, 0, 3, 5, 5, 8, 10], size=n), 0)
    return Schools(
        urn=urn.astype(np.int64),
        estab=estab,
        name=names,
        phase=phase,
        xy=xy,
        deprivation=deprivation,
        effect=effect,
        eth_weights=eth_w,
        cohort=cohort,
        sixth_form=sixth,
        induction_days=induction,
    )


def _school_names(rng: np.random.Generator, phase: np.ndarray, la_name: str) -> list[str]:
    """Each school's name, from a place name (or a saint) by phase, made unique."""
    n = phase.size
    places = [p + s for p in PLACE_PREFIXES for s in PLACE_SUFFIXES]
    order = rng.permutation(len(places))
    names = []
    for i in range(n):
        place = places[order[i % len(places)]]
        r = rng.random()
        saint = SAINTS[int(rng.integers(len(SAINTS)))]
        if phase[i] == PRIMARY:
            if r < 0.14:
                names.append(f"St {saint}'s CofE Primary School")
            elif r < 0.24:
                names.append(f"St {saint}'s Catholic Primary School")
            elif r < 0.45:
                names.append(f"{place} Primary Academy")
            elif r < 0.55:
                names.append(f"{place} Community Primary School")
            else:
                names.append(f"{place} Primary School")
        elif phase[i] == SECONDARY:
            if r < 0.12:
                names.append(f"St {saint}'s Catholic High School")
            elif r < 0.55:
                names.append(f"{place} Academy")
            elif r < 0.8:
                names.append(f"{place} High School")
            else:
                names.append(f"{la_name} {place} School")
        else:
            names.append(f"{place} School" if r < 0.5 else f"{place} Special School")
    seen: dict[str, int] = {}
    for i, nm in enumerate(names):  # make names unique
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            names[i] = nm.replace(" School", f" School ({seen[nm]})").replace(" Academy", f" Academy ({seen[nm]})")
    return names


def school_closures(rng: np.random.Generator, cal: YearCalendar, schools: Schools) -> None:
    """Choose each school's own INSET days and planned closures; fill the meeting-day matrices."""
    n, nd = schools.n, cal.n_days
    meets_am = np.ones((n, nd), dtype=bool)
    meets_pm = np.ones((n, nd), dtype=bool)
    closures: list[tuple[int | None, dt.date, str, str]] = []
    for d in cal.la_inset:
        closures.append((None, d, "", "INSET"))
    for d in cal.bank_holidays:
        closures.append((None, d, "", "Bank holiday"))
    cands = cal.inset_candidates
    n_own = 5 - len(cal.la_inset)
    polling = monday_on_or_after(dt.date(cal.year + 1, 5, 1)) + dt.timedelta(days=3)
    for s in range(n):
        own = sorted(rng.choice(len(cands), size=min(n_own, len(cands)), replace=False))
        for i in own:
            closures.append((int(schools.urn[s]), cands[i], "", "INSET"))
            j = cal.index_of(cands[i])
            meets_am[s, j] = meets_pm[s, j] = False
        if schools.phase[s] == PRIMARY and rng.random() < 0.05 and day_number(polling) in cal.days:
            j = cal.index_of(polling)
            if meets_am[s, j]:
                closures.append((int(schools.urn[s]), polling, "", "Polling station"))
                meets_am[s, j] = meets_pm[s, j] = False
        if rng.random() < 0.06:
            j = cal.index_of(cal.half_terms[1].end, side="right") - 1  # last day before Christmas
            if meets_pm[s, j]:
                closures.append((int(schools.urn[s]), date_of(int(cal.days[j])), "PM", "Early closure"))
                meets_pm[s, j] = False
    cal.closures = closures
    cal.meets_am = meets_am
    cal.meets_pm = meets_pm
