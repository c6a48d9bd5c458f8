"""The pack's dates: the term and its as-at date, the year and the term to that date, the half terms of the
year so far, the same point last year, and the end of the store's session blocks that measures over the year
may read to."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from attendwise.core.calendar import AcademicYear, Period, PeriodError, parse_period
from attendwise.reports.tsm.inputs import TSMError
from attendwise.store import Store, is_block_boundary

#: A half term (or a whole term, where the LA has not loaded its halves): its label, first and last day.
HalfTerm = tuple[str, dt.date, dt.date]


@dataclass(frozen=True, slots=True)
class PackDates:
    """The dates every school's pack for a term shares (one date for every school, so a school and the LA
    are measured over the same sessions)."""

    term: Period
    as_at: dt.date
    #: 1 August to the as-at date.
    year_to_date: Period
    #: The census term's first day to the as-at date.
    term_to_date: Period
    #: The half terms of the year up to the as-at date, the last one cut there.
    half_terms: tuple[HalfTerm, ...]

    @classmethod
    def of(cls, store: Store, term: str | Period, as_at: dt.date | None) -> PackDates:
        """The dates of a term's packs (:func:`pack_dates`; raises :class:`TSMError` as it does)."""
        period, as_at = pack_dates(store, term, as_at)
        year = period.academic_year
        return cls(
            term=period,
            as_at=as_at,
            year_to_date=Period(f"{year.label} year to {as_at:%d %b %Y}", year.start, as_at),
            term_to_date=Period(f"{period.label} to {as_at:%d %b %Y}", period.start, min(period.end, as_at)),
            half_terms=tuple(half_terms(store, year, as_at)),
        )

    @property
    def year(self) -> AcademicYear:
        return self.term.academic_year


def pack_dates(store: Store, term: str | Period, as_at: dt.date | None = None) -> tuple[Period, dt.date]:
    """The pack's term and its as-at date: the last mark in the store within the term, or ``as_at``.

    Raises:
        TSMError: if the term is not a term, has no marks, or ``as_at`` falls outside it.
    """
    if isinstance(term, Period):
        period = term
    else:
        try:
            period = parse_period(term, half_term_starts=store.half_term_starts(), latest_mark=store.latest_mark())
        except PeriodError as exc:
            raise TSMError(str(exc)) from None
        if not period.census or (period.start == period.academic_year.start and period.end == period.academic_year.end):
            raise TSMError(f"{term!r} is not a term: give e.g. 2024/25-autumn, 2024/25-spring or 2024/25-summer")
    last = store.latest_mark(period.start, period.end)
    if as_at is None:
        if last is None:
            raise TSMError(f"the store holds no marks in {period.describe()}")
        return period, last
    if not period.start <= as_at <= period.end:
        raise TSMError(f"{as_at:%d %b %Y} is not in {period.describe()}")
    return period, as_at


def half_terms(store: Store, year: AcademicYear, as_at: dt.date) -> list[HalfTerm]:
    """The half terms of the year up to ``as_at`` (a term whose halves the LA has not loaded is whole)."""
    starts = store.half_term_starts()
    out = []
    for term in ("autumn", "spring", "summer"):
        halves = []
        for half in ("1", "2"):
            with contextlib.suppress(PeriodError):
                p = parse_period(f"{year.label}-{term}-{half}", half_term_starts=starts)
                halves.append((f"{term.capitalize()} {half}", p.start, p.end))
        if len(halves) != 2:
            start, end = year.term(term)
            halves = [(term.capitalize(), start, end)]
        out += [(label, s, min(e, as_at)) for label, s, e in halves if s <= as_at]
    return out


def same_point_last_year(day: dt.date) -> dt.date:
    """The same date a year earlier (28 February for 29 February), as :mod:`attendwise.measures.trends` compares."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def block_aligned_end(store: Store, as_at: dt.date) -> dt.date:
    """The last day before the next session-block boundary after ``as_at`` if nothing is marked in between
    (so measures to it count exactly the sessions to ``as_at``); otherwise ``as_at`` itself."""
    day = as_at + dt.timedelta(days=1)
    while not is_block_boundary(day):
        day += dt.timedelta(days=1)
    end = day - dt.timedelta(days=1)
    if end == as_at or store.has_marks(as_at + dt.timedelta(days=1), end):
        return as_at
    return end
