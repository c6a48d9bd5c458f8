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


def period_choices(store: Store) -> list[PeriodChoice]:
    """Years, terms and half terms that have marks, newest year first."""
    first, latest = store.mark_range()
    if first is None or latest is None:
        return []
    starts = store.half_term_starts()
    choices: list[PeriodChoice] = []
    year = AcademicYear.containing(latest)
    while year.end >= first:
        choices.append(PeriodChoice(year.label, f"{year.label} (whole year{' so far' if latest < year.end else ''})"))
        for term in ("autumn", "spring", "summer"):
            start, _ = year.term(term)
            if start > latest:
                continue
            choices.append(PeriodChoice(f"{year.label}-{term}", f"{year.label} {term} term"))
            for half in ("1", "2"):
                try:
                    p = parse_period(f"{year.label}-{term}-{half}", half_term_starts=starts)
                except PeriodError:
                    continue
                if p.start <= latest:
                    choices.append(PeriodChoice(f"{year.label}-{term}-{half}", f"{year.label} {term} half term {half}"))
        year = AcademicYear(year.start_year - 1)
    return choices


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
