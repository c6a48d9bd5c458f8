"""What demo city to generate (:class:`CitySpec`), what was written (:class:`CitySummary`), and the
progress callback :func:`attendwise.demo.generate_city` takes.

Imports :mod:`attendwise.demo.terms` only (to check that ``until`` falls within the generated years).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from attendwise.demo.terms import academic_calendar, date_of

#: ``progress(stage, done, total)``
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CitySpec:
    """What city to generate.

    Attributes:
        pupils: approximate pupils on roll at the start of the first year.
        schools: approximate number of schools (~77% primary, ~17% secondary, ~6% special).
        first_year: the academic year of the first marks, by the calendar year it starts in
            (2024 is 2024/25).
        years: consecutive academic years of marks.
        seed: the random seed; the same spec gives byte-identical files.
        la_code: the 3-digit LA number used in URNs' ``la_code`` column and in UPNs.
        la_name: the city's name (used in school names).
        until: if set, write the registers as an LA would hold them at the end of that day: no
            marks after it, no enrolments admitted after it, leaving dates after it left blank
            (not yet known) and no closures after it.  Term dates stay whole for every year written
            (LAs publish them in advance); academic years starting after ``until`` are not
            generated.  The simulation itself is unchanged, so everything up to ``until`` is
            exactly what the same spec without ``until`` writes.  It must fall between the first
            school day of the first year and 31 August at the end of the last.
    """

    pupils: int = 60_000
    schools: int = 130
    first_year: int = 2024
    years: int = 1
    seed: int = 20240901
    la_code: str = "999"
    la_name: str = "Brindlecombe"
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.pupils < 200:
            raise ValueError("a city needs at least 200 pupils")
        if self.schools < 3:
            raise ValueError("a city needs at least 3 schools (one of each phase)")
        if self.years < 1:
            raise ValueError("years must be at least 1")
        if not (len(self.la_code) == 3 and self.la_code.isdigit()):
            raise ValueError("la_code must be 3 digits")
        if self.seed < 0:
            raise ValueError("seed must not be negative")
        if not 1990 <= self.first_year <= 2090:
            raise ValueError("first_year must be a calendar year between 1990 and 2090")
        if self.until is not None:
            if not isinstance(self.until, dt.date) or isinstance(self.until, dt.datetime):
                raise ValueError(f"until must be a date, not {self.until!r}")
            first = date_of(int(academic_calendar(self.first_year).days[0]))
            last = dt.date(self.first_year + self.years, 8, 31)
            if not first <= self.until <= last:
                raise ValueError(
                    f"until ({self.until.isoformat()}) must fall within the generated years: "
                    f"from {first.isoformat()} (the first school day) to {last.isoformat()}"
                )

    @property
    def years_written(self) -> int:
        """Academic years with marks: all of them, or those starting on or before ``until``."""
        if self.until is None:
            return self.years
        start_year = self.until.year if self.until.month >= 9 else self.until.year - 1
        return min(self.years, start_year - self.first_year + 1)


@dataclass(frozen=True)
class CitySummary:
    """What :func:`generate_city` wrote.

    ``pupils`` counts distinct pupils, ``enrolments`` the rows of ``pupils.csv``, ``marks`` the
    rows of ``marks.csv``; ``paths`` maps ``"schools"``, ``"pupils"``, ``"marks"``, ``"terms"``,
    ``"closures"`` and ``"contacts"`` to the files written.
    """

    folder: Path
    schools: int
    pupils: int
    enrolments: int
    marks: int
    years: int
    academic_years: tuple[str, ...]
    paths: dict[str, Path] = field(default_factory=dict)
