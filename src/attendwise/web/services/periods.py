"""Reporting periods offered in the web app, and the months of a period for its trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendwise.core.calendar import AcademicYear, Period, PeriodError, parse_period
from attendwise.store import Store

__all__ = ["PeriodChoice", "months", "period_choices", "resolve_period"]


@dataclass(frozen=True)
class PeriodChoice:
    value: str
    label: str


def resolve_period(store: Store, text: str | None) -> Period:
    """The period asked for, or by default the latest academic year with marks.

    Raises:
        PeriodError: the text is not a period, or the store has no marks yet.
    """
    _, latest = store.mark_range()
    if latest is None:
        raise PeriodError("the store holds no marks yet: upload a register export first")
    text = (text or "").strip() or AcademicYear.containing(latest).label
    return parse_period(text, half_term_starts=store.half_term_starts(), latest_mark=latest)


def _dates(start: dt.date, end: dt.date) -> str:
    return f"{start:%-d %b %Y} to {end:%-d %b %Y}"


def period_choices(store: Store) -> list[PeriodChoice]:
    """Years, terms and half terms that have marks, newest year first, each labelled with the dates its
    figures cover (to the latest mark while it runs); with the year to date, and each earlier year to the
    same point, so this year so far can be set beside any other.
    """
    first, latest = store.mark_range()
    if first is None or latest is None:
        return []
    starts = store.half_term_starts()
    choices: list[PeriodChoice] = []
    current = year = AcademicYear.containing(latest)
    running = latest < current.end
    while year.end >= first:
        end = min(year.end, latest)
        choices.append(
            PeriodChoice(
                year.label, f"{year.label}{' so far' if latest < year.end else ''} ({_dates(year.start, end)})"
            )
        )
        if year == current and running:
            choices.append(PeriodChoice(f"{year.label}-ytd", f"{year.label} year to date ({_dates(year.start, end)})"))
        elif running:
            then = _year_earlier(latest, current.start_year - year.start_year)
            if then >= first:
                choices.append(
                    PeriodChoice(
                        f"{year.start:%Y-%m-%d}..{then:%Y-%m-%d}",
                        f"{year.label} to the same point ({_dates(year.start, then)})",
                    )
                )
        for term in ("autumn", "spring", "summer"):
            start, term_end = year.term(term)
            if start > latest:
                continue
            so_far = " so far" if latest < term_end else ""
            choices.append(
                PeriodChoice(
                    f"{year.label}-{term}", f"{year.label} {term} term{so_far} ({_dates(start, min(term_end, latest))})"
                )
            )
            for half in ("1", "2"):
                try:
                    p = parse_period(f"{year.label}-{term}-{half}", half_term_starts=starts)
                except PeriodError:
                    continue
                if p.start <= latest:
                    choices.append(
                        PeriodChoice(
                            f"{year.label}-{term}-{half}",
                            f"{year.label} {term} half term {half} ({_dates(p.start, min(p.end, latest))})",
                        )
                    )
        year = AcademicYear(year.start_year - 1)
    return choices


def _year_earlier(day: dt.date, years: int = 1) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months(period: Period, latest: dt.date) -> list[Period]:
    """The calendar months of a period up to the latest mark, as periods (for trend charts)."""
    out: list[Period] = []
    day = period.start.replace(day=1)
    last = min(period.end, latest)
    while day <= last:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        start, end = max(day, period.start), min(nxt - dt.timedelta(days=1), period.end)
        out.append(Period(f"{day:%b %Y}", start, end))
        day = nxt
    return out
