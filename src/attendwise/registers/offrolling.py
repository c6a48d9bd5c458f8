"""The off-rolling watch: schools whose home-education deregistrations are more than their size would lead one
to expect, flagged as a disproportionate group is (:mod:`attendwise.analysis.disproportionality`'s method).

For each school, its deregistrations to home education in a period over its pupils on roll are set against
the same rate among the **other schools of its phase** (so a secondary school is not compared with infant
schools, whose families rarely deregister): the expected count is the school's roll at that rate; the
**risk ratio** has a 95% Katz log interval (0.5 added to every cell when one is empty), and **Fisher's exact
test** of the 2x2 table gives a p-value, with the Benjamini-Hochberg false discovery rate controlled across
every school tested, so a city of 130 schools does not flag one on chance alone. A school is flagged only
when q is below 0.05, the ratio is above 1, and it has at least ``offrolling_min_deregistrations``
deregistrations and ``offrolling_min_roll`` pupils: a small school's one or two is never flagged.

Examples:
    >>> rows = [SchoolDeregistrations(100000 + i, f"School {i}", "secondary", 1000, 2) for i in range(10)]
    >>> rows.append(SchoolDeregistrations(200000, "Planted", "secondary", 1000, 20))
    >>> [w.urn for w in offrolling_watch(rows, min_deregistrations=3, min_roll=30) if w.flagged]
    [200000]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

__all__ = ["OffRollingWatch", "SchoolDeregistrations", "offrolling_watch"]


@dataclass(frozen=True)
class SchoolDeregistrations:
    urn: int
    name: str
    phase: str
    roll: int
    deregistrations: int


@dataclass(frozen=True)
class OffRollingWatch:
    """One school's home-education deregistrations against what its size would lead one to expect."""

    urn: int
    name: str
    phase: str
    roll: int
    observed: int
    expected: float
    risk_ratio: float
    low: float
    high: float
    p_value: float
    q_value: float
    flagged: bool

    def describe(self) -> str:
        verdict = "flagged" if self.flagged else "not flagged"
        return (
            f"{self.name}: {self.observed} deregistrations to home education against {self.expected:.1f} expected "
            f"from its roll of {self.roll} (ratio {self.risk_ratio:.1f}, 95% interval {self.low:.1f} to "
            f"{self.high:.1f}); {verdict}"
        )


def _katz(a: int, n1: int, c: int, n2: int, z: float = 1.96) -> tuple[float, float, float]:
    if 0 in (a, c, n1 - a, n2 - c):
        a, c, n1, n2 = a + 0.5, c + 0.5, n1 + 1, n2 + 1  # type: ignore[assignment]
    rr = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return rr, math.exp(math.log(rr) - z * se), math.exp(math.log(rr) + z * se)


def offrolling_watch(
    rows: Sequence[SchoolDeregistrations], *, min_deregistrations: int, min_roll: int, alpha: float = 0.05
) -> list[OffRollingWatch]:
    """Every school with pupils on roll and another school of its phase to compare with, most over first."""
    by_phase: dict[str, list[SchoolDeregistrations]] = defaultdict(list)
    for r in rows:
        if r.roll > 0:
            by_phase[r.phase].append(r)
    figures = []
    for phase_rows in by_phase.values():
        total_roll = sum(r.roll for r in phase_rows)
        total_dereg = sum(r.deregistrations for r in phase_rows)
        for r in phase_rows:
            other_roll, other_dereg = total_roll - r.roll, total_dereg - r.deregistrations
            if other_roll <= 0:
                continue
            a, n1 = r.deregistrations, r.roll
            rr, low, high = _katz(a, n1, other_dereg, other_roll)
            table = [[a, n1 - a], [other_dereg, other_roll - other_dereg]]
            p = float(stats.fisher_exact(table, alternative="greater")[1])
            figures.append((r, n1 * other_dereg / other_roll, rr, low, high, p))
    if not figures:
        return []
    q = multipletests(np.array([f[5] for f in figures]), alpha=alpha, method="fdr_bh")[1]
    out = [
        OffRollingWatch(
            r.urn,
            r.name,
            r.phase,
            r.roll,
            r.deregistrations,
            expected,
            rr,
            low,
            high,
            p,
            float(qv),
            flagged=bool(qv < alpha and rr > 1 and r.deregistrations >= min_deregistrations and r.roll >= min_roll),
        )
        for (r, expected, rr, low, high, p), qv in zip(figures, q, strict=True)
    ]
    return sorted(out, key=lambda w: (not w.flagged, -w.risk_ratio, w.urn))
