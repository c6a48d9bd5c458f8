"""The demo city as a whole: the simulation driven year by year, and :func:`generate_city`, which writes
each year's marks as it is simulated and then the other files.

Ties the package together: imports the spec, the calendar, the schools, the pupils and their rosters, the
marks simulation (:mod:`attendwise.demo.absence`) and the writers (:mod:`attendwise.demo.files`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from attendwise.demo.absence import simulate_marks
from attendwise.demo.cohorts import cohort_rows
from attendwise.demo.families import contact_rows
from attendwise.demo.files import (
    marks_file,
    ranks,
    write_closures,
    write_cohorts,
    write_contacts,
    write_marks_year,
    write_pupils,
    write_schools,
    write_terms,
)
from attendwise.demo.pupils import City
from attendwise.demo.rosters import Records, initial_roster, midyear_moves, new_year_roster, snapshot
from attendwise.demo.schools import school_closures
from attendwise.demo.spec import CitySpec, CitySummary, Progress
from attendwise.demo.terms import YearCalendar, academic_calendar


@dataclass
class YearResult:
    """One simulated year: its calendar, the enrolments on roll and their morning and afternoon reasons."""

    cal: YearCalendar
    rec: Records
    am: np.ndarray
    pm: np.ndarray


def simulate(spec: CitySpec) -> tuple[City, list[YearCalendar], Iterator[YearResult]]:
    """Build the city and its first-day roster; return it with an iterator over the simulated years.

    Each year is simulated when the iterator reaches it (and pupils' state moves on), so a caller
    can write one year's marks and let them go before the next.  Years starting after
    ``spec.until`` are not simulated: no year's draws depend on a later year, so the years before
    are the same either way.
    """
    seq = np.random.SeedSequence(spec.seed)
    city = City(spec, np.random.default_rng(seq.spawn(1)[0]))
    cals = []
    for t in range(spec.years_written):
        cal = academic_calendar(spec.first_year + t)
        school_closures(np.random.default_rng([spec.seed, 7, t]), cal, city.schools)
        cals.append(cal)

    first_roster = initial_roster(city, cals[0])

    def years() -> Iterator[YearResult]:
        roster_e, roster_nc = first_roster
        end_e, end_nc = roster_e, roster_nc
        for t, cal in enumerate(cals):
            if t > 0:
                roster_e, roster_nc = new_year_roster(city, cals[t - 1], cal, end_e, end_nc)
            rec = midyear_moves(city, cal, roster_e, roster_nc)
            snapshot(city, rec)
            am, pm = simulate_marks(city, cal, rec)
            still = rec.end == cal.n_days - 1
            end_e, end_nc = rec.enrol[still], rec.nc[still].astype(np.int64)
            yield YearResult(cal, rec, am, pm)

    return city, cals, years()


def generate_city(
    folder: Path,
    spec: CitySpec = CitySpec(),  # noqa: B008  (a frozen dataclass: the default is never changed)
    *,
    progress: Progress | None = None,
) -> CitySummary:
    """Generate the demo city's registers into ``folder`` (created if missing).

    Args:
        folder: where to write ``schools.csv``, ``pupils.csv``, ``marks.csv``, ``terms.csv``,
            ``closures.csv``, ``contacts.csv`` and ``cohorts.csv`` (existing files of those names are replaced).
        spec: the city; the same spec always gives byte-identical files.
        progress: optional ``progress(stage, done, total)`` callback, called a few times per stage
            (stages ``"population"``, ``"marks"`` and ``"writing"``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if progress:
        progress("population", 0, 1)
    city, cals, years = simulate(spec)
    if progress:
        progress("population", 1, 1)
    names = ("schools", "pupils", "marks", "terms", "closures", "contacts", "cohorts")
    paths = {name: folder / f"{name}.csv" for name in names}
    total_marks = 0
    labels = []
    with marks_file(paths["marks"]) as sink:
        steps = 10 * spec.years_written
        if progress:
            progress("marks", 0, steps)
        for t, res in enumerate(years):
            if progress:
                progress("marks", 10 * t + 3, steps)
            # UPNs of every pupil created so far (the dictionary grows year by year)
            city.upn_rank = ranks(city.upn)
            upn_dict = pa.array(city.upn)

            def on_chunk(frac: float, t: int = t) -> None:
                if progress:
                    progress("marks", 10 * t + 3 + round(7 * frac), steps)

            total_marks += write_marks_year(
                sink, city, upn_dict, res.cal, res.rec, res.am, res.pm, on_chunk=on_chunk, until=spec.until
            )
            labels.append(res.cal.label)
            res.am = res.pm = np.zeros((0, 0), np.uint8)
    if progress:
        progress("writing", 0, 4)
    city.upn_rank = ranks(city.upn)
    enrolments, pupils = write_pupils(paths["pupils"], city, spec.until)
    if progress:
        progress("writing", 1, 4)
    write_schools(paths["schools"], city.schools, spec)
    write_terms(paths["terms"], cals)
    write_closures(paths["closures"], cals, spec.until)
    if progress:
        progress("writing", 3, 4)
    write_contacts(paths["contacts"], contact_rows(city, spec, spec.until))
    write_cohorts(paths["cohorts"], cohort_rows(city, spec, cals, spec.until))
    if progress:
        progress("writing", 4, 4)
    return CitySummary(
        folder=folder,
        schools=city.schools.n,
        pupils=pupils,
        enrolments=enrolments,
        marks=total_marks,
        years=len(cals),
        academic_years=tuple(labels),
        paths=paths,
    )
