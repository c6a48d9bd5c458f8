"""Attendance bands and intervention stages, as configuration rather than code.

A band scheme is a TOML file listing bands on the **attendance rate** (100 minus the overall
absence rate), each with explicit ends: ``at_least`` / ``above`` for the lower end and
``at_most`` / ``below`` for the upper end (a missing end means 0 or 100).  A scheme must cover
0-100 exactly, every rate in exactly one band, so a pupil can never fall between two bands or
into two.  Two presets ship with attendwise (``attendwise bands --list``); an LA writes its own in
the same form and passes its path.

Bands are assigned in exact integer arithmetic on sessions: a pupil with 342 of 380 possible
sessions attended (90%) is at most 90% and so agrees with the DfE persistent absence test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from attendwise.core.config import read_preset_or_file
from attendwise.core.errors import AttendwiseError

__all__ = [
    "PRESETS",
    "Band",
    "BandScheme",
    "SchemeError",
    "band_counts",
    "bands_of_counts",
    "load_scheme",
    "parse_scheme",
    "read_preset_or_file",
    "several_band_counts",
]

PRESETS = {"five-categories": "five_categories.toml", "three-stages": "three_stages.toml"}


class SchemeError(AttendwiseError):
    """A band scheme that is malformed or does not cover 0-100% exactly once."""


@dataclass(frozen=True)
class Band:
    key: str
    name: str
    lower: Fraction
    lower_inclusive: bool
    upper: Fraction
    upper_inclusive: bool
    colour: str = "grey"

    def contains(self, attendance_percent: Fraction) -> bool:
        above = attendance_percent >= self.lower if self.lower_inclusive else attendance_percent > self.lower
        below = attendance_percent <= self.upper if self.upper_inclusive else attendance_percent < self.upper
        return above and below

    def describe(self) -> str:
        lo = f"{'at least' if self.lower_inclusive else 'over'} {_fmt(self.lower)}%"
        hi = f"{'at most' if self.upper_inclusive else 'under'} {_fmt(self.upper)}%"
        return f"{self.name}: attendance {lo} and {hi}"


def _fmt(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{float(x):g}"


@dataclass(frozen=True)
class BandScheme:
    name: str
    description: str
    bands: tuple[Band, ...]

    def band_for(self, attended: int, possible: int) -> Band:
        """The band of a pupil who attended ``attended`` of ``possible`` sessions."""
        rate = Fraction(100 * attended, possible)
        return next(b for b in self.bands if b.contains(rate))

    def describe(self) -> str:
        return "\n".join([f"{self.name}: {self.description}", *[f"  {b.describe()}" for b in self.bands]])

    def expression(self, attended: ir.IntegerValue, possible: ir.IntegerValue) -> ir.StringValue:
        """An Ibis expression giving each row's band key, in exact integer arithmetic."""
        cases = []
        for band in self.bands:
            cond = _compare(attended, possible, band.lower, ">=" if band.lower_inclusive else ">")
            cond &= _compare(attended, possible, band.upper, "<=" if band.upper_inclusive else "<")
            cases.append((cond, band.key))
        return ibis.cases(*cases, else_=None)


def _compare(attended: ir.IntegerValue, possible: ir.IntegerValue, bound: Fraction, op: str) -> ir.BooleanValue:
    """``100 * attended / possible <op> bound`` without division: 100*q*attended <op> p*possible."""
    left = attended.cast("int64") * (100 * bound.denominator)
    right = possible.cast("int64") * bound.numerator
    return {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right}[op]


def _bound(
    entry: dict[str, object], inclusive_key: str, exclusive_key: str, default: int, where: str
) -> tuple[Fraction, bool]:
    if inclusive_key in entry and exclusive_key in entry:
        raise SchemeError(f"{where}: give {inclusive_key} or {exclusive_key}, not both")
    for key, inclusive in ((inclusive_key, True), (exclusive_key, False)):
        if key in entry:
            value = entry[key]
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100:
                raise SchemeError(f"{where}: {key} must be a number from 0 to 100 (got {value!r})")
            return Fraction(str(value)), inclusive
    return Fraction(default), True


def parse_scheme(data: dict[str, object], source: str, *, noun: str = "band") -> BandScheme:
    """Build and check a scheme from parsed TOML.

    ``noun`` names the entries (``[[band]]``; a stage model's are ``[[stage]]``, see
    :mod:`attendwise.casework.stages`), in the TOML and in every error message.
    """
    entries = data.get(noun)
    if not isinstance(entries, list) or not entries:
        raise SchemeError(f"{source}: a scheme needs [[{noun}]] entries")
    bands = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or "key" not in entry or "name" not in entry:
            raise SchemeError(f"{source}: {noun} {i} needs a key and a name")
        where = f"{source}: {noun} {entry['key']!r}"
        lower, lower_inc = _bound(entry, "at_least", "above", 0, where)
        upper, upper_inc = _bound(entry, "at_most", "below", 100, where)
        if lower > upper or (lower == upper and not (lower_inc and upper_inc)):
            raise SchemeError(f"{where}: no attendance rate falls in it")
        bands.append(
            Band(
                str(entry["key"]),
                str(entry["name"]),
                lower,
                lower_inc,
                upper,
                upper_inc,
                str(entry.get("colour", "grey")),
            )
        )
    _check_partition(bands, source, noun)
    bands.sort(key=lambda b: (b.upper, b.upper_inclusive), reverse=True)
    return BandScheme(str(data.get("name", source)), str(data.get("description", "")), tuple(bands))


def _check_partition(bands: list[Band], source: str, noun: str = "band") -> None:
    """Every rate from 0 to 100 must fall in exactly one band."""
    keys = [b.key for b in bands]
    if len(set(keys)) != len(keys):
        raise SchemeError(f"{source}: {noun} keys must be unique")
    ordered = sorted(bands, key=lambda b: (b.lower, not b.lower_inclusive))
    first, last = ordered[0], ordered[-1]
    if first.lower != 0 or not first.lower_inclusive:
        raise SchemeError(f"{source}: no {noun} includes 0% attendance")
    for prev, nxt in pairwise(ordered):
        if prev.upper != nxt.lower or prev.upper_inclusive == nxt.lower_inclusive:
            kind = (
                "overlap"
                if prev.upper > nxt.lower or (prev.upper == nxt.lower and prev.upper_inclusive and nxt.lower_inclusive)
                else "leave a gap"
            )
            raise SchemeError(
                f"{source}: {noun}s {prev.key!r} and {nxt.key!r} {kind} at {_fmt(prev.upper)}%-{_fmt(nxt.lower)}%"
                " (one must include the boundary and the other exclude it)"
            )
    if last.upper != 100 or not last.upper_inclusive:
        raise SchemeError(f"{source}: no {noun} includes 100% attendance")


def load_scheme(name_or_path: str | Path) -> BandScheme:
    """Load a shipped preset by name (``five-categories``, ``three-stages``) or an LA's TOML file."""
    data, source = read_preset_or_file(
        name_or_path, PRESETS, "attendwise.measures.schemes", SchemeError, ("preset", "scheme file")
    )
    return parse_scheme(data, source)


def assign_bands(enrolments: ir.Table, scheme: BandScheme) -> ir.Table:
    """Add a ``band`` column (the band key) to rows from :func:`attendwise.measures.absence.enrolment_absence`."""
    attended = enrolments.sess_possible - enrolments.sess_overall
    return enrolments.mutate(band=scheme.expression(attended, enrolments.sess_possible))


def band_counts(enrolments: ir.Table, scheme: BandScheme, by: list[str] | tuple[str, ...] = ()) -> ir.Table:
    """Enrolments in each band (and their percentage of the group), per group, every band listed."""
    banded = assign_bands(enrolments, scheme)
    keys = list(by)
    counts = banded.group_by([*keys, "band"]).aggregate(enrolments=banded.count())
    order = ibis.memtable(
        {
            "band": [b.key for b in scheme.bands],
            "band_order": list(range(len(scheme.bands))),
            "band_name": [b.name for b in scheme.bands],
        }
    )
    groups = banded.select(*keys).distinct() if keys else None
    grid = groups.cross_join(order) if groups is not None else order
    full = grid.left_join(counts, [*keys, "band"]).select(
        *keys, "band", "band_name", "band_order", enrolments=ibis._.enrolments.fill_null(0)
    )
    total = full.enrolments.sum().over(ibis.window(group_by=keys) if keys else ibis.window())
    full = full.mutate(
        percent=ibis.ifelse(total == 0, ibis.null(), full.enrolments.cast("float64") * 100.0 / total.cast("float64"))
    )
    return full.order_by([*keys, "band_order"]).drop("band_order")


def several_band_counts(enrolments: ir.Table, groupings: Sequence[Sequence[str]]) -> ir.Table:
    """Enrolments by band (rows with their ``band``, from :func:`assign_bands`) for several groupings
    at once, as one expression, stacked as :func:`attendwise.measures.absence.several_absence_measures` stacks
    them: ``grouping``, ``key_0``, ``key_1``, ... (text), ``band``, ``enrolments``. Only the bands a group
    has are listed; :func:`bands_of_counts` lays a grouping out as :func:`band_counts` does."""
    width = max((len(cols) for cols in groupings), default=0)
    keys = [f"key_{j}" for j in range(width)]
    finest = list(dict.fromkeys(c for cols in groupings for c in cols))
    t = enrolments.group_by([*finest, "band"]).aggregate(enrolments=enrolments.count())
    parts = []
    for i, cols in enumerate(groupings):
        by: dict[str, ir.Value] = {"grouping": ibis.literal(i, "int16")}
        by |= {key: t[c].cast("string") for key, c in zip(keys, cols, strict=False)}
        by |= {key: ibis.null("string") for key in keys[len(cols) :]}
        parts.append(t.group_by(**by, band=t.band).aggregate(enrolments=t.enrolments.sum()))
    return ibis.union(*parts)


def bands_of_counts(counts: pd.DataFrame, scheme: BandScheme, by: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """:func:`band_counts`' table from enrolments already counted by ``by`` and ``band`` (an
    ``enrolments`` column, as :func:`attendwise.measures.absence.absence_measures` by ``[*by, "band"]`` gives):
    every band of every group, in the scheme's order, with its percentage of the group."""
    keys = list(by)
    order = pd.DataFrame(
        {
            "band": [b.key for b in scheme.bands],
            "band_name": [b.name for b in scheme.bands],
            "band_order": range(len(scheme.bands)),
        }
    )
    groups = counts[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
    grid = groups.merge(order, how="cross")
    full = grid.merge(counts[[*keys, "band", "enrolments"]], on=[*keys, "band"], how="left")
    full["enrolments"] = full["enrolments"].fillna(0).astype("int64")
    if keys:
        total = full.groupby(keys, dropna=False)["enrolments"].transform("sum")
    else:
        total = pd.Series(full["enrolments"].sum(), index=full.index)
    full["percent"] = (100.0 * full["enrolments"] / total).where(total != 0)
    full = full.sort_values([*keys, "band_order"], kind="stable").drop(columns="band_order")
    return full[[*keys, "band", "band_name", "enrolments", "percent"]].reset_index(drop=True)
