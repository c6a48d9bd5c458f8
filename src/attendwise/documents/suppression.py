"""Small-number suppression for aggregates shown to scrutiny members or shared outside the team.

Following the DfE's statistical conventions (symbol ``x``, "suppressed"): a count of pupils from 1
up to the threshold less one (default 5: counts 1 to 4) is not shown, and nor is any rate built on
it.  Where a group has fewer enrolments than the threshold, every figure of that group is
suppressed, sessions included, since they describe fewer than five children.  Zero is shown.

Where a table's rows are the parts of a total shown elsewhere (the LA's schools, a school's pupils by
FSM), a count hidden alone among the parts could be worked out by taking the others from the total;
so the smallest other part is hidden too (complementary, or secondary, suppression).

This module has no Django imports: it works on the measure frames of :mod:`attendwise.measures.absence`
and :func:`attendwise.measures.bands.band_counts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from attendwise.measures.absence import MEASURE_COLUMNS

__all__ = ["SUPPRESSED", "every_margin", "is_suppressed", "suppress_band_counts", "suppress_measures"]

#: The DfE's symbol for a suppressed figure.
SUPPRESSED = "x"

#: For each count column of the measures, the rates built on it.
_COUNT_RATES: Mapping[str, tuple[str, ...]] = {
    "enrolments_pa_10_exact": ("enrolments_pa_10_exact_percent",),
    "enrolments_pa_50_exact": ("enrolments_pa_50_exact_percent",),
}
_ENROL_COUNTS = tuple(c for c in MEASURE_COLUMNS if c.startswith("enrol_"))


def is_suppressed(value: object) -> bool:
    return isinstance(value, str) and value == SUPPRESSED


def _small(value: object, threshold: int) -> bool:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return False
    try:
        n = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
    return 0 < n < threshold


def suppress_measures(
    frame: pd.DataFrame,
    threshold: int,
    keys: Iterable[str] = (),
    *,
    parts_of: Sequence[Sequence[str]] | None = None,
) -> pd.DataFrame:
    """A copy of a measures frame with small counts, and the rates built on them, replaced by ``x``.

    Args:
        frame: rows from :func:`attendwise.measures.absence_measures` (any subset of its columns).
        threshold: counts below this (and above 0) are suppressed.
        keys: grouping columns, never suppressed.
        parts_of: when the rows are the parts of totals shown elsewhere, each way they add up, as the
            columns naming each total: ``[[]]`` for one total over all rows (the LA's schools add up
            to the LA), :func:`every_margin` for a cross-tabulation (by school and FSM: within each
            school, and within each FSM group). Then a count hidden alone among a total's parts gets
            company (complementary suppression): the smallest other part's count is hidden too, so
            the first cannot be worked out by taking the rest from the total.

    Examples:
        >>> f = pd.DataFrame({"enrolments": [3, 40], "sess_overall_percent": [9.5, 7.1],
        ...                   "enrolments_pa_10_exact": [1, 2], "enrolments_pa_10_exact_percent": [33.3, 5.0]})
        >>> suppress_measures(f, 5).values.tolist()
        [['x', 'x', 'x', 'x'], [40, 7.1, 'x', 'x']]
    """
    keys = set(keys)
    out = frame.astype(object).copy()
    measure_cols = [c for c in out.columns if c not in keys]
    counts = [c for c in ("enrolments", *_COUNT_RATES, *_ENROL_COUNTS) if c in out.columns]
    for i in out.index:
        for count in counts:
            if _small(out.at[i, count], threshold):
                _hide(out, i, count, measure_cols)
    if parts_of is not None:
        _complement(out, frame, [list(p) for p in parts_of], counts, measure_cols)
    return out


def _hide(out: pd.DataFrame, i: object, count: str, measure_cols: list[str]) -> None:
    """Hide ``count`` in row ``i``, with what would give it away: the rates built on it, and for a
    group's enrolments every figure of the group (a count and its rate give the enrolments back)."""
    if count == "enrolments":
        for col in measure_cols:
            out.at[i, col] = SUPPRESSED
        return
    out.at[i, count] = SUPPRESSED
    for rate in _COUNT_RATES.get(count, ()):
        if rate in out.columns:
            out.at[i, rate] = SUPPRESSED


def every_margin(cols: Sequence[str]) -> list[list[str]]:
    """Each way the rows of a grouping by ``cols`` add up: for each column, its groups within each
    value of the others (``["school", "fsm"]``: the FSM groups of each school, the schools of each FSM
    group; one column: its groups add up to the whole)."""
    return [[c for c in cols if c != col] for col in cols] or [[]]


def _parts(frame: pd.DataFrame, by: list[str]) -> list[pd.Index]:
    """The rows of ``frame`` making up each total named by ``by`` (all rows for ``[]``)."""
    return list(frame.groupby(by, sort=False).groups.values()) if by else [frame.index]


def _company(out: pd.DataFrame, frame: pd.DataFrame, rows: pd.Index, count: str) -> object | None:
    """The row whose ``count`` must be hidden too, if exactly one of ``rows`` has it hidden: the
    smallest other part; a zero only when no other part is above zero (an x that may be a zero still
    keeps the first one's value from being the total less the rest)."""
    if sum(is_suppressed(out.at[i, count]) for i in rows) != 1:
        return None
    shown = [(frame.at[i, count], i) for i in rows if not is_suppressed(out.at[i, count])]
    candidates = [c for c in shown if c[0] > 0] or shown
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _complement(
    out: pd.DataFrame, frame: pd.DataFrame, parts_of: list[list[str]], counts: list[str], measure_cols: list[str]
) -> None:
    """Complementary suppression (see :func:`suppress_measures`), until no total has a count hidden alone."""
    totals = [rows for by in parts_of for rows in _parts(frame, by)]
    changed = True
    while changed:
        changed = False
        for rows in totals:
            for count in counts:
                if (i := _company(out, frame, rows, count)) is not None:
                    _hide(out, i, count, measure_cols)
                    changed = True


def suppress_band_counts(frame: pd.DataFrame, threshold: int, keys: Iterable[str] = ()) -> pd.DataFrame:
    """A copy of a band-count frame (``enrolments``, ``percent`` per band) with small counts as ``x``.

    A band's percentage is suppressed with its count, and every band of a group with fewer
    enrolments in all than the threshold is suppressed. A group's bands add up to its enrolments, so
    a band hidden alone gets company: the group's smallest other band is hidden too.
    """
    keys = list(keys)
    out = frame.astype(object).copy()
    totals = frame.groupby(keys)["enrolments"].transform("sum") if keys else frame["enrolments"].sum()

    def hide(i: object) -> None:
        out.at[i, "enrolments"] = SUPPRESSED
        if "percent" in out.columns:
            out.at[i, "percent"] = SUPPRESSED

    for i in out.index:
        total = totals[i] if keys else totals
        if _small(total, threshold) or _small(out.at[i, "enrolments"], threshold):
            hide(i)
    for rows in _parts(frame, keys):
        if (i := _company(out, frame, rows, "enrolments")) is not None:
            hide(i)
    return out
