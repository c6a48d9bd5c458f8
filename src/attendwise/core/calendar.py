"""The academic calendar: academic years, census terms, half terms and reporting periods.

Academic years and terms follow the DfE school census, so that figures sit beside published
statistics without adjustment:

* the academic year runs from 1 August to 31 July;
* the **autumn** term is 1 August to 31 December;
* the **spring** term is 1 January to Easter Sunday;
* the **summer** term is Easter Monday to 31 July, in two halves split at the spring bank holiday
  (the last Monday in May).

Autumn and spring half terms come from the LA's own term dates (``terms.csv``): the second half
starts on the first day of the LA's second half term and each half runs until the next begins,
so the six half terms partition the year exactly and sessions sum from halves to terms to years.

A :class:`Period` is parsed from text a data officer would type::

    2024/25                       the academic year
    2024/25-autumn                a census term
    2024/25-summer-2              a half term
    2024/25-ytd                   the year to date (to the latest mark in the store)
    2024-09-01..2024-10-31        any date range (inclusive)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from attendwise.core.errors import AttendwiseError
from attendwise.core.identifiers import show

__all__ = [
    "TERMS",
    "AcademicYear",
    "Period",
    "PeriodError",
    "age_on",
    "easter_sunday",
    "parse_period",
    "spring_bank_holiday",
]

TERMS = ("autumn", "spring", "summer")


class PeriodError(AttendwiseError, ValueError):
    """A period that cannot be parsed or has no calendar behind it."""


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).

    >>> easter_sunday(2024), easter_sunday(2025)
    (datetime.date(2024, 3, 31), datetime.date(2025, 4, 20))
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def spring_bank_holiday(year: int) -> dt.date:
    """The spring bank holiday: the last Monday in May.

    >>> spring_bank_holiday(2025)
    datetime.date(2025, 5, 26)
    """
    last = dt.date(year, 5, 31)
    return last - dt.timedelta(days=last.weekday())


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


@dataclass(frozen=True, slots=True)
class AcademicYear:
    """An academic year, named by the calendar year it starts in (2024 is 2024/25)."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        """Parse ``2024/25``, ``2024-25`` or the DfE's ``202425``."""
        m = re.fullmatch(r"(\d{4})[/-]?(\d{2})", text.strip(), re.ASCII)
        if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
            msg = f"{show(text)} is not an academic year (expected e.g. 2024/25)"
            raise PeriodError(msg)
        return cls(int(m.group(1)))

    @classmethod
    def containing(cls, day: dt.date) -> AcademicYear:
        return cls(day.year if day.month >= 8 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def time_period(self) -> int:
        """The DfE ``time_period`` code, e.g. 202425."""
        return self.start_year * 100 + (self.start_year + 1) % 100

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, 8, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.start_year + 1, 7, 31)

    @property
    def age_date(self) -> dt.date:
        """31 August before the year: the date age is taken on for compulsory school age."""
        return dt.date(self.start_year, 8, 31)

    @property
    def summer_second_half_start(self) -> dt.date:
        return spring_bank_holiday(self.start_year + 1)

    def term(self, name: str) -> tuple[dt.date, dt.date]:
        """First and last day of a census term."""
        easter = easter_sunday(self.start_year + 1)
        bounds = {
            "autumn": (self.start, dt.date(self.start_year, 12, 31)),
            "spring": (dt.date(self.start_year + 1, 1, 1), easter),
            "summer": (easter + dt.timedelta(days=1), self.end),
        }
        if name not in bounds:
            msg = f"{show(name)} is not a term (expected one of {', '.join(TERMS)})"
            raise PeriodError(msg)
        return bounds[name]


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: inclusive first and last day, within one academic year or not."""

    label: str
    start: dt.date
    end: dt.date
    #: True for whole census periods (a year or a term), where the DfE's summer rules apply.
    census: bool = False

    @property
    def academic_year(self) -> AcademicYear:
        return AcademicYear.containing(self.start)

    @property
    def single_year(self) -> bool:
        return AcademicYear.containing(self.end) == self.academic_year

    def describe(self) -> str:
        return f"{self.label} ({self.start:%d %b %Y} to {self.end:%d %b %Y})"


_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})", re.ASCII)


def parse_period(
    text: str,
    *,
    half_term_starts: Mapping[tuple[int, str], dt.date] | None = None,
    latest_mark: dt.date | None = None,
) -> Period:
    """Parse a period as a data officer would write it (see the module docstring).

    Args:
        text: the period.
        half_term_starts: the first day of the second half of each LA term, by
            ``(academic year start, term)``; needed for autumn and spring half terms.
        latest_mark: the latest session date in the store; needed for year-to-date periods.
    """
    text = text.strip()
    if m := _RANGE.fullmatch(text):
        try:
            start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError as exc:
            raise PeriodError(f"{show(text)}: {exc}") from None
        if end < start:
            raise PeriodError(f"{show(text)}: the range ends before it starts")
        return Period(text, start, end)
    # "2024-25-autumn" is "2024/25-autumn": the year's own hyphen is not a separator.
    parts = re.sub(r"^(\d{4})-(\d{2})(?=$|-)", r"\1/\2", text.lower(), flags=re.ASCII).split("-")
    year = AcademicYear.parse(parts[0])
    if len(parts) == 1:
        return Period(year.label, year.start, year.end, census=True)
    if parts[1] == "ytd" and len(parts) == 2:
        if latest_mark is None or latest_mark < year.start:
            raise PeriodError(f"{show(text)}: there are no marks in {year.label} yet")
        return Period(f"{year.label} year to date", year.start, min(latest_mark, year.end))
    term = parts[1]
    start, end = year.term(term)
    if len(parts) == 2:
        return Period(f"{year.label} {term} term", start, end, census=True)
    if len(parts) == 3 and parts[2] in {"1", "2"}:
        if term == "summer":
            split = year.summer_second_half_start
        else:
            split = (half_term_starts or {}).get((year.start_year, term))
            if split is None:
                msg = (
                    f"{show(text)}: no {term} half-term dates for {year.label} in the store; "
                    "import the LA's terms.csv first"
                )
                raise PeriodError(msg)
        if parts[2] == "1":
            return Period(f"{year.label} {term} half term 1", start, split - dt.timedelta(days=1))
        return Period(f"{year.label} {term} half term 2", split, end)
    msg = f"{show(text)} is not a period (expected e.g. 2024/25, 2024/25-autumn, 2024/25-summer-2, 2024/25-ytd)"
    raise PeriodError(msg)
