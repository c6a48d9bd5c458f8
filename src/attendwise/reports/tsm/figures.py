"""The comparison figures: the school's headline measures against the LA, the other schools of its phase
and England, for the year to date and the term, and against the same point last year (the pack's overall
attendance); and its pupils in each of the LA's attendance categories. Each area's figures are built from
summed sessions, so areas add and subtract exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import pandas as pd

from attendwise.core.calendar import AcademicYear, Period
from attendwise.measures.absence import Population, absence_measures, enrolment_absence
from attendwise.measures.bands import BandScheme, band_counts
from attendwise.measures.reference import TERM_IDENTIFIERS, national_figures
from attendwise.reports.tsm.dates import PackDates, block_aligned_end, same_point_last_year
from attendwise.reports.tsm.pack import (
    AreaFigures,
    BandCount,
    CategoriesSection,
    LastYearComparison,
    OverallAttendance,
    float_or_none,
    pct,
)
from attendwise.store import Store

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


class Headlines:
    """Per-school measure sums for one period, with the LA and phase totals (sums add and subtract exactly,
    so "other schools of the phase" is the phase's sums less the school's)."""

    @classmethod
    def measure(cls, rows: ibis.Table, period: Period) -> Headlines:
        """The sums of every school in ``rows`` (enrolment rows of
        :func:`attendwise.measures.absence.enrolment_absence`)."""
        by = absence_measures(rows, ["school_urn", "school_name", "education_phase"]).to_pandas()
        return cls(period, by.set_index("school_urn"))

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


def bands_by_school(rows: ibis.Table, scheme: BandScheme) -> dict[int, tuple[BandCount, ...]]:
    """Each school's pupils in each band of the scheme (schools with no pupils are left out)."""
    frame = band_counts(rows, scheme, ["school_urn"]).to_pandas()
    colours = {b.key: b.colour for b in scheme.bands}
    out: dict[int, tuple[BandCount, ...]] = {}
    for urn, g in frame.groupby("school_urn"):
        out[int(urn)] = tuple(
            BandCount(r.band, r.band_name, colours[r.band], int(r.enrolments), float_or_none(r.percent))
            for r in g.itertuples()
        )
    return out


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """One period's figures for every school: headline sums and attendance categories."""

    headlines: Headlines
    bands: dict[int, tuple[BandCount, ...]]

    @classmethod
    def measure(cls, rows: ibis.Table, period: Period, scheme: BandScheme) -> PeriodFigures:
        return cls(Headlines.measure(rows, period), bands_by_school(rows, scheme))


def measure_term(
    store: Store, dates: PackDates, population: Population, scheme: BandScheme
) -> tuple[PeriodFigures, PeriodFigures, pd.DataFrame]:
    """The year to date's and this term's figures for every school, and the year to date's enrolment rows
    (one row per enrolment: the pupil lists and the cohorts are built from them), each period measured once."""
    # Measures read the store's weekly session blocks when a period ends at a block boundary; a pack as
    # at a Friday with nothing marked over the weekend measures exactly the same sessions to the Sunday.
    end = block_aligned_end(store, dates.as_at)
    ytd = dates.year_to_date
    with store.materialised(enrolment_absence(store, Period(ytd.label, ytd.start, end), population)) as ytd_rows:
        year_to_date = PeriodFigures.measure(ytd_rows, ytd, scheme)
        frame = store.ibis.to_pyarrow(ytd_rows).to_pandas()
    term = dates.term_to_date
    term_period = Period(term.label, term.start, min(end, dates.term.end))
    with store.materialised(enrolment_absence(store, term_period, population)) as term_rows:
        this_term = PeriodFigures.measure(term_rows, term, scheme)
    return year_to_date, this_term, frame


def last_year_headlines(store: Store, dates: PackDates, population: Population) -> tuple[Headlines, str]:
    """Last year to the same point (1 August to the same date a year earlier), by school: the comparison
    of :func:`attendwise.measures.trends.change_on_last_year`, measured once for every school."""
    then = same_point_last_year(dates.as_at)
    last = AcademicYear(dates.year.start_year - 1)
    label = f"{last.label} to {then:%d %b}"
    period = Period(label, last.start, then)
    return Headlines.measure(enrolment_absence(store, period, population), period), label


def _loaded_national_figures(store: Store, time_period: int, time_identifier: str | None, phase: str) -> pd.DataFrame:
    """The national figures loaded into the store (``attendwise reference``) for a year or term and a phase."""
    return store.reference_figures(time_period, time_identifier, geographic_level="National", education_phase=phase)


def read_national(store: Store, dates: PackDates, phase_label: str, *, is_term: bool) -> tuple[AreaFigures, str]:
    """England for the school's phase: a figure loaded into the store (``attendwise reference``) for the
    term or year if there is one, else the shipped full-year figure (the nearest year shipped), with the
    basis saying which; and the note the pack gives about it."""
    year = dates.year.time_period
    identifier = next(
        (label for t, label in TERM_IDENTIFIERS.items() if dates.year.term(t) == (dates.term.start, dates.term.end)),
        None,
    )
    loaded = _loaded_national_figures(store, year, identifier if is_term else "Academic year", phase_label)
    if not loaded.empty:
        r = loaded.iloc[0]
        source = f"{r.source}, {r.time_identifier.lower()} {dates.year.label}"
    else:
        shipped = national_figures(year)
        match = shipped[shipped.education_phase == phase_label]
        if match.empty:
            match = shipped[shipped.education_phase == "Total"]
        r = match.iloc[0]
        source = str(r.source)
    overall = float_or_none(r.get("sess_overall_percent"))
    figures = AreaFigures(
        area=f"England ({r.education_phase})",
        kind="national",
        basis=source,
        enrolments=None,
        attendance_percent=None if overall is None else 100.0 - overall,
        overall_absence_percent=overall,
        authorised_absence_percent=float_or_none(r.get("sess_authorised_percent")),
        unauthorised_absence_percent=float_or_none(r.get("sess_unauthorised_percent")),
        persistent_absence_percent=float_or_none(r.get("enrolments_pa_10_exact_percent")),
        severe_absence_percent=float_or_none(r.get("enrolments_pa_50_exact_percent")),
    )
    note = (
        f"England's figures are the DfE's published figures ({source}), not the same dates as the "
        "school's; load the DfE's term files with 'attendwise reference' for a closer comparison."
        if loaded.empty
        else f"England's figures: {source}."
    )
    return figures, note


class TermFigures:
    """The comparison figures of a term's packs, for every school: builds each school's overall attendance
    and attendance categories sections."""

    def __init__(
        self,
        store: Store,
        dates: PackDates,
        year_to_date: PeriodFigures,
        this_term: PeriodFigures,
        *,
        population: Population,
        scheme: BandScheme,
        la_name: str,
    ) -> None:
        """``year_to_date`` and ``this_term`` as :func:`measure_term` gives them; last year is read here."""
        self.dates = dates
        self.population = population
        self.scheme = scheme
        self.la_name = la_name
        self.year_to_date, self.this_term = year_to_date, this_term
        self.last_year, self.last_year_label = last_year_headlines(store, dates, population)
        self._national: dict[tuple[str, bool], tuple[AreaFigures, str]] = {}

    def national(self, store: Store, phase_label: str, *, is_term: bool) -> tuple[AreaFigures, str]:
        """England for the phase (:func:`read_national`), read once per phase and period."""
        key = (phase_label, is_term)
        if key not in self._national:
            self._national[key] = read_national(store, self.dates, phase_label, is_term=is_term)
        return self._national[key]

    def categories(self, urn: int) -> CategoriesSection:
        return CategoriesSection(
            self.scheme.name,
            self._band_counts(self.year_to_date.bands, urn),
            self._band_counts(self.this_term.bands, urn),
        )

    def _band_counts(self, bands: dict[int, tuple[BandCount, ...]], urn: int) -> tuple[BandCount, ...]:
        if urn in bands:
            return bands[urn]
        return tuple(BandCount(b.key, b.name, b.colour, 0, None) for b in self.scheme.bands)

    def overall(self, store: Store, urn: int, name: str, phase_label: str) -> tuple[OverallAttendance, str]:
        """The school against the LA, its phase's other schools and England, year to date and this term, and
        against last year; with the note on England's figures. ``store`` reads England's figures."""
        who = self.population.describe()
        sections = []
        national_note = ""
        for period, is_term in ((self.year_to_date, False), (self.this_term, True)):
            headlines = period.headlines
            dates = f"{headlines.period.start:%d %b %Y} to {headlines.period.end:%d %b %Y}"
            similar, n_similar = headlines.similar(urn, phase_label)
            national, national_note = self.national(store, phase_label, is_term=is_term)
            sections.append(
                (
                    area_figures(name, "school", f"{who}, {dates}, from the registers", headlines.school(urn)),
                    area_figures(self.la_name, "la", f"all schools in the LA, {who}, {dates}", headlines.la()),
                    area_figures(
                        f"Other {phase_label.lower()} schools in {self.la_name}",
                        "similar",
                        f"the {n_similar} other schools of the same phase in the LA, pooled, {dates}",
                        similar if n_similar else None,
                    ),
                    national,
                )
            )
        against_last_year = self._against_last_year(urn, name, school_now=sections[0][0], la_now=sections[0][1])
        return OverallAttendance(sections[0], sections[1], against_last_year), national_note

    def _against_last_year(
        self, urn: int, name: str, *, school_now: AreaFigures, la_now: AreaFigures
    ) -> tuple[LastYearComparison, ...]:
        now_label = f"{self.dates.year.label} to {self.dates.as_at:%d %b}"
        label = self.last_year_label
        school_then = self.last_year.school(urn)
        la_then = self.last_year.la()
        return (
            LastYearComparison(
                name,
                now_label,
                label,
                school_now,
                None
                if school_then is None or not school_then["enrolments"]
                else area_figures(name, "school", label, school_then),
            ),
            LastYearComparison(
                self.la_name,
                now_label,
                label,
                la_now,
                None if not la_then["enrolments"] else area_figures(self.la_name, "la", label, la_then),
            ),
        )
