"""The comparison figures: the school's headline measures against the LA, the other schools of its phase
and England, for the year to date and the term, each area's figures built from summed sessions."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from attendwise.calendar import Period
from attendwise.reports.tsm.pack import AreaFigures, pct

FIGURE_SUMS = [
    "enrolments",
    "sess_possible",
    "sess_overall",
    "sess_authorised",
    "sess_unauthorised",
    "enrolments_pa_10_exact",
    "enrolments_pa_50_exact",
    "sess_present",
    "sess_aea",
]


def area_figures(area: str, kind: str, basis: str, sums: Mapping[str, float] | pd.Series | None) -> AreaFigures:
    """Area figures from summed sessions and counts (so areas can be added and subtracted exactly)."""
    if sums is None or not sums["enrolments"]:
        return AreaFigures(area, kind, basis, 0 if sums is not None else None, None, None, None, None, None, None)
    possible = sums["sess_possible"]
    return AreaFigures(
        area=area,
        kind=kind,
        basis=basis,
        enrolments=int(sums["enrolments"]),
        attendance_percent=pct(sums["sess_present"] + sums["sess_aea"], possible),
        overall_absence_percent=pct(sums["sess_overall"], possible),
        authorised_absence_percent=pct(sums["sess_authorised"], possible),
        unauthorised_absence_percent=pct(sums["sess_unauthorised"], possible),
        persistent_absence_percent=pct(sums["enrolments_pa_10_exact"], sums["enrolments"]),
        severe_absence_percent=pct(sums["enrolments_pa_50_exact"], sums["enrolments"]),
        persistently_absent=int(sums["enrolments_pa_10_exact"]),
        severely_absent=int(sums["enrolments_pa_50_exact"]),
    )


def float_or_none(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value) else float(value)


class Headlines:
    """Per-school measure sums for one period, with the LA and phase totals (sums add and subtract exactly,
    so "other schools of the phase" is the phase's sums less the school's)."""

    def __init__(self, period: Period, by_school: pd.DataFrame) -> None:
        self.period = period
        sums = by_school[FIGURE_SUMS].astype("int64")
        self.schools = {int(u): dict(zip(FIGURE_SUMS, map(int, row), strict=True)) for u, row in sums.iterrows()}
        self.phase_of = {int(u): str(p) for u, p in by_school.education_phase.items()}
        self.total = {c: int(sums[c].sum()) for c in FIGURE_SUMS}
        self.phases: dict[str, dict[str, int]] = {}
        self.phase_schools: dict[str, int] = {}
        for urn, row in self.schools.items():
            phase = self.phases.setdefault(self.phase_of[urn], dict.fromkeys(FIGURE_SUMS, 0))
            for c in FIGURE_SUMS:
                phase[c] += row[c]
            self.phase_schools[self.phase_of[urn]] = self.phase_schools.get(self.phase_of[urn], 0) + 1

    def school(self, urn: int) -> dict[str, int] | None:
        return self.schools.get(int(urn))

    def la(self) -> dict[str, int]:
        return self.total

    def similar(self, urn: int, phase_label: str) -> tuple[dict[str, int], int]:
        phase = self.phases.get(phase_label, dict.fromkeys(FIGURE_SUMS, 0))
        own = self.schools.get(int(urn), dict.fromkeys(FIGURE_SUMS, 0))
        others = self.phase_schools.get(phase_label, 0) - (1 if int(urn) in self.schools else 0)
        return {c: phase[c] - own[c] for c in FIGURE_SUMS}, others
