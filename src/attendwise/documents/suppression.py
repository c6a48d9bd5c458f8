"""Small-number suppression for aggregates shown to scrutiny members or shared outside the team.

Following the DfE's statistical conventions (symbol ``x``, "suppressed"): a count of pupils from 1
up to the threshold less one (default 5: counts 1 to 4) is not shown, and nor is anything built on
it: its rate; for persistent absentees, their sessions; for a reason for absence, its sessions. Where
a group has fewer enrolments than the threshold, every figure of the group is suppressed, sessions
included, since they describe fewer than five children. Zero is shown.

A hidden count must not be recoverable by adding up and taking away figures that are shown, so
complementary (secondary) suppression covers every way a table adds up:

* **down**: a table's rows are the parts of the rows of coarser tables (the FSM groups of a school add
  up to the school; the schools of a phase to the phase; the looked-after children of each phase to
  the looked-after children). :func:`suppress_table` takes those coarser tables, already suppressed,
  as its *parents*: their figures are fixed, and among a parent's figure and its parts none or at
  least two are hidden, for every count;
* **across**: within a row, the attendance bands add up to the enrolments; persistent and severe
  absence are sums of bands when the band scheme agrees with the DfE's definitions (the five
  categories do); the reasons add up to the authorised and unauthorised sessions (:class:`Layout`).

A count hidden alone gets company: the smallest other part above zero. Zeros are taken to be known
(a zero can be told from too many shown figures: a zero above it, the groups a table lists, a group's
bands), so a hidden zero is never company, and a part whose other parts are all zeros is its parent's
figure: hiding it protects nothing, so it is never chosen as company while the parent is shown.

Tables are suppressed coarsest first, each against its parents, so every figure is the same wherever
it appears and no table needs to know which pages show it.

This module has no Django imports: it works on the measure frames of :mod:`attendwise.measures.absence`, with
the counts of :func:`attendwise.measures.bands.band_counts` as columns (:func:`band_count_column`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from attendwise.documents.marks import SUPPRESSED
from attendwise.measures.absence import REASONS

__all__ = [
    "ENROLMENTS",
    "Layout",
    "Parent",
    "Relation",
    "Suppressed",
    "Unit",
    "band_count_column",
    "band_percent_column",
    "every_margin",
    "layout_for",
    "measure_layout",
    "suppress_measures",
    "suppress_table",
]

log = logging.getLogger(__name__)

#: The unit of a whole row: a group's enrolments, hidden with every figure of the group.
ENROLMENTS = "enrolments"


def band_count_column(band: str) -> str:
    """The column of a band's pupils when the bands of :func:`~attendwise.measures.bands.band_counts` are columns."""
    return f"band_{band}"


def band_percent_column(band: str) -> str:
    return f"band_{band}_percent"


@dataclass(frozen=True)
class Unit:
    """Figures of a row hidden together: a count of pupils and what is built on it."""

    name: str
    #: The count of pupils: small counts are hidden, and company is chosen by it.
    count: str
    #: Every column hidden with it (the count first).
    columns: tuple[str, ...]
    #: For relations of sessions (the reasons), the column company is chosen by there.
    amount: str | None = None


@dataclass(frozen=True)
class Relation:
    """Within each row, the figure of ``total`` is the sum of those of ``parts``."""

    total: str
    parts: tuple[str, ...]
    #: Compare parts by their ``amount`` (sessions), not their count of pupils.
    by_amount: bool = False
    #: With ``by_amount``, the column of the total's amount (a zero there is a zero total).
    amount: str | None = None


@dataclass(frozen=True)
class Layout:
    """The units of a measures frame and how they add up within a row."""

    units: tuple[Unit, ...]
    relations: tuple[Relation, ...] = ()

    def unit(self, name: str) -> Unit:
        return next(u for u in self.units if u.name == name)

    def present(self, columns: Iterable[str]) -> Layout:
        """The units whose count is among ``columns``, and the relations between them.

        Raises:
            ValueError: a figure built on a count is present without the count (suppress the frame with
                its counts, then choose the columns to show), or any figure is present without the
                enrolments.
        """
        cols = set(columns)
        for u in self.units:
            if u.count not in cols and cols & set(u.columns):
                raise ValueError(
                    f"{sorted(cols & set(u.columns))[0]} cannot be suppressed without {u.count}: "
                    "suppress the frame with its counts, then choose the columns to show"
                )
        units = tuple(u for u in self.units if u.count in cols)
        if ENROLMENTS not in {u.name for u in units}:
            raise ValueError("a measures frame is suppressed with its enrolments")
        names = {u.name for u in units}
        relations = []
        for rel in self.relations:
            parts = tuple(p for p in rel.parts if p in names)
            if rel.total in names and parts and len(parts) == len(rel.parts):
                relations.append(replace(rel, parts=parts))
        return Layout(units, tuple(relations))


def measure_layout(
    bands: Sequence[str] = (),
    *,
    persistent: Sequence[str] | None = None,
    severe: Sequence[str] | None = None,
) -> Layout:
    """The units of :func:`attendwise.measures.absence.absence_measures` (and band columns), and their relations.

    Args:
        bands: the band keys, in order, when the frame has their counts as columns.
        persistent: the bands whose pupils are exactly the persistently absent ones (None when the
            scheme's bands do not line up with persistent absence); likewise ``severe``.
    """
    units = [
        Unit(ENROLMENTS, "enrolments", ("enrolments",)),
        Unit(
            "pa_10",
            "enrolments_pa_10_exact",
            (
                "enrolments_pa_10_exact",
                "enrolments_pa_10_exact_percent",
                "sess_possible_pa_10_exact",
                "sess_overall_pa_10_exact",
                "sess_authorised_pa_10_exact",
                "sess_unauthorised_pa_10_exact",
                "sess_overall_percent_pa_10_exact",
            ),
        ),
        Unit(
            "pa_50",
            "enrolments_pa_50_exact",
            ("enrolments_pa_50_exact", "enrolments_pa_50_exact_percent"),
        ),
        Unit("enrol_overall", "enrol_overall", ("enrol_overall",)),
        Unit("enrol_authorised", "enrol_authorised", ("enrol_authorised",)),
        Unit("enrol_unauthorised", "enrol_unauthorised", ("enrol_unauthorised",)),
    ]
    for reason in REASONS:
        pupils = f"enrol_{reason.removeprefix('sess_')}"
        units.append(
            Unit(f"reason:{reason}", pupils, (pupils, reason, f"{reason}_rate", f"{reason}_distribution"), reason)
        )
    pa = set(persistent or ())
    sa = set(severe or ()) if severe is not None else None
    if sa is not None and persistent is not None and not sa <= pa:
        sa = None
    parent = {}
    for b in bands:
        parent[b] = "pa_50" if sa is not None and b in sa else "pa_10" if persistent is not None and b in pa else None
        units.append(Unit(f"band:{b}", band_count_column(b), (band_count_column(b), band_percent_column(b))))
    relations = [
        Relation(
            ENROLMENTS,
            tuple(f"reason:{r}" for r in REASONS if r.startswith("sess_auth_")),
            by_amount=True,
            amount="sess_authorised",
        ),
        Relation(
            ENROLMENTS,
            tuple(f"reason:{r}" for r in REASONS if r.startswith("sess_unauth_")),
            by_amount=True,
            amount="sess_unauthorised",
        ),
    ]
    if bands:
        # The bands as a tree: the enrolments are the bands outside persistent absence and the
        # persistently absent; those are the bands outside severe absence and the severely absent.
        top = [f"band:{b}" for b in bands if parent[b] is None]
        if persistent is not None:
            top.append("pa_10")
            mid = [f"band:{b}" for b in bands if parent[b] == "pa_10"]
            if sa is not None:
                mid.append("pa_50")
            relations.append(Relation("pa_10", tuple(mid)))
        elif sa is not None:
            top.append("pa_50")
        if sa is not None:
            relations.append(Relation("pa_50", tuple(f"band:{b}" for b in bands if parent[b] == "pa_50")))
        relations.append(Relation(ENROLMENTS, tuple(top)))
    return Layout(tuple(units), tuple(relations))


def layout_for(rows: pd.DataFrame, bands: Sequence[str]) -> Layout:
    """:func:`measure_layout` for enrolment rows with their ``band``: which bands make up persistent
    and severe absence is read from the rows, so it holds for every group of them."""

    def union(flag: str) -> list[str] | None:
        if rows.empty or flag not in rows or "band" not in rows:
            return None
        by_band = rows.groupby("band")[flag].agg(["min", "max"])
        if (by_band["min"] != by_band["max"]).any():
            return None
        return [b for b in bands if b in by_band.index and by_band.at[b, "max"] == 1]

    return measure_layout(bands, persistent=union("pa_10"), severe=union("pa_50"))


@dataclass(frozen=True)
class Suppressed:
    """A measures table with each figure's suppression: the numbers, and which units are hidden."""

    keys: tuple[str, ...]
    #: The figures, as numbers (a RangeIndex, one row per group).
    values: pd.DataFrame
    #: One boolean column per unit of ``layout``: hidden.
    hidden: pd.DataFrame
    layout: Layout
    #: Hidden figures an attacker may still tell (zeros; the same pupils as a shown figure): they
    #: protect nothing.
    given_away: pd.DataFrame | None = None
    #: Relations left with a figure hidden alone that nothing could keep company (0 in any table seen so far).
    conflicts: int = 0
    _unit_of: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        owners = {c: u.name for u in self.layout.units for c in u.columns}
        self._unit_of.update({c: owners.get(c, ENROLMENTS) for c in self.values.columns if c not in self.keys})

    def column_hidden(self, column: str) -> pd.Series:
        """Whether ``column`` is suppressed in each row."""
        if column in self.keys or column not in self._unit_of:
            return pd.Series(False, index=self.values.index)
        return self.hidden[self._unit_of[column]] | self.hidden[ENROLMENTS]

    @property
    def published(self) -> pd.Series:
        """The rows a table shows: groups with enrolments, and empty groups whose emptiness is hidden
        (an empty group shown as 0 says nothing a missing row does not)."""
        return (self.values["enrolments"] > 0) | self.hidden[ENROLMENTS]

    def take(self, mask: pd.Series | np.ndarray) -> Suppressed:
        """The rows where ``mask`` holds."""
        mask = np.asarray(mask, dtype=bool)
        return replace(
            self,
            values=self.values[mask].reset_index(drop=True),
            hidden=self.hidden[mask].reset_index(drop=True),
            given_away=None if self.given_away is None else self.given_away[mask].reset_index(drop=True),
            _unit_of={},
        )

    def shown(self, columns: Sequence[str] | None = None, *, every_row: bool = False) -> pd.DataFrame:
        """The figures as published: the mark :data:`~attendwise.documents.marks.SUPPRESSED` (``x``) where
        suppressed (object columns), keys first.

        Args:
            columns: the figures to show (all by default).
            every_row: keep empty groups shown as 0 too (by default only :attr:`published` rows).
        """
        table = self if every_row else self.take(self.published)
        cols = [c for c in (columns if columns is not None else table.values.columns) if c not in table.keys]
        hidden = table.hidden.to_numpy()
        whole = table.hidden[ENROLMENTS].to_numpy()
        position = {name: j for j, name in enumerate(table.hidden.columns)}
        figures = table.values[cols].to_numpy(dtype=object, copy=True)
        for j, col in enumerate(cols):
            unit = table._unit_of.get(col)
            if unit is not None:
                figures[hidden[:, position[unit]] | whole, j] = SUPPRESSED
        out = table.values[list(table.keys)].astype(object)
        return pd.concat([out, pd.DataFrame(figures, columns=cols, index=out.index)], axis=1)

    def value(self, column: str, row: int = 0) -> object:
        """One figure as published: the number, or the mark ``x``."""
        if bool(self.column_hidden(column).iloc[row]):
            return SUPPRESSED
        return self.values[column].iloc[row]


@dataclass(frozen=True)
class Parent:
    """A coarser table whose rows the table's rows are the parts of: ``keys`` are its group columns."""

    keys: tuple[str, ...]
    table: Suppressed


def every_margin(cols: Sequence[str]) -> list[list[str]]:
    """Each way the rows of a grouping by ``cols`` add up: for each column, its groups within each
    value of the others (``["school", "fsm"]``: the FSM groups of each school, the schools of each FSM
    group; one column: its groups add up to the whole)."""
    return [[c for c in cols if c != col] for col in cols] or [[]]


@dataclass
class _Link:
    """How a table's rows map to one parent's rows."""

    group: np.ndarray  # (n,) parent row of each row
    hidden: np.ndarray  # (m, k) the parent's units hidden (fixed)
    values: np.ndarray  # (m, k) the parent's counts
    related: np.ndarray  # (k,) units the parent has


def _counts(frame: pd.DataFrame, units: Sequence[Unit], attr: str = "count") -> np.ndarray:
    cols = []
    for u in units:
        name = getattr(u, attr) or u.count
        cols.append(pd.to_numeric(frame[name], errors="coerce").fillna(0).to_numpy(dtype=float))
    return np.column_stack(cols) if cols else np.zeros((len(frame), 0))


def _link(values: pd.DataFrame, parent: Parent, units: Sequence[Unit]) -> _Link:
    table = parent.table
    keys = list(parent.keys)
    k = len(units)
    names = set(table.hidden.columns)
    related = np.array([u.name in names for u in units])
    m = len(table.values)
    ph = np.zeros((m, k), dtype=bool)
    pv = np.zeros((m, k))
    for j, u in enumerate(units):
        if related[j]:
            ph[:, j] = table.hidden[u.name].to_numpy() | table.hidden[ENROLMENTS].to_numpy()
            if table.given_away is not None:
                ph[:, j] &= ~table.given_away[u.name].to_numpy()
            pv[:, j] = pd.to_numeric(table.values[u.count], errors="coerce").fillna(0).to_numpy(dtype=float)
    if not keys:
        if m != 1:
            raise ValueError("a parent with no keys is one total row")
        return _Link(np.zeros(len(values), dtype=np.int64), ph, pv, related)
    position = table.values[keys].assign(_parent=np.arange(m))
    mapped = values[keys].merge(position, on=keys, how="left", sort=False)
    if mapped["_parent"].isna().any():
        raise ValueError(f"rows with no parent row by {keys}")
    return _Link(mapped["_parent"].to_numpy(dtype=np.int64), ph, pv, related)


class _Solver:
    """Complementary suppression of one table against its layout and parents.

    Only a hidden figure above zero protects another: a zero can be told from too many shown figures
    (a zero above it, the groups a table lists, a group's bands) to be counted on, and a figure whose
    other parts are all zeros is its total's figure. So among a total and its parts, no figure above
    zero is hidden alone. A group too small to show has its zeros hidden too (secret zeros), and they
    are protected as well: where they are the only hidden parts of a shown total (the total less the
    rest would say they are zero), figures above zero are hidden with them; and a figure beside a
    secret zero is not taken to be its total's.
    """

    def __init__(self, values: pd.DataFrame, layout: Layout, links: list[_Link], threshold: int) -> None:
        self.units = layout.units
        self.relations = layout.relations
        self.index = {u.name: j for j, u in enumerate(self.units)}
        self.row = self.index[ENROLMENTS]
        self.n, self.k = len(values), len(self.units)
        self.v = _counts(values, self.units)
        self.amount = _counts(values, self.units, "amount")
        self.zero = self.v == 0
        #: For each relation, the rows where its total is zero (for sessions, the total's own amount).
        self.total_zero = [
            pd.to_numeric(values[rel.amount], errors="coerce").fillna(0).to_numpy() == 0
            if rel.amount is not None and rel.amount in values
            else self.zero[:, self.index[rel.total]]
            for rel in layout.relations
        ]
        self.links = links
        self.h = (self.v > 0) & (self.v < threshold)
        self.h[self.h[:, self.row]] = True
        # The zeros of a group too small to show are secrets too, unless a parent's shown zero tells them.
        shown_zero = np.zeros((self.n, self.k), dtype=bool)
        for link in links:
            shown_zero |= ((link.values == 0) & ~link.hidden & link.related)[link.group]
        self.secret_zero = self.zero & self.h & ~shown_zero
        #: Figures an attacker cannot take to be zeros: above zero, or a secret zero.
        self.unknown = ~self.zero | self.secret_zero
        #: Figures that are a shown parent's figure less zeros: the same pupils as a figure shown.
        self.pinned = np.zeros((self.n, self.k), dtype=bool)
        unknown = self.unknown.astype(np.int64)
        for link in links:
            others = np.zeros(link.hidden.shape, dtype=np.int64)
            np.add.at(others, link.group, unknown)
            alone = (others[link.group] - unknown) == 0
            self.pinned |= alone & ~link.hidden[link.group] & link.related & ~self.zero

    def told(self) -> np.ndarray:
        """Figures that protect nothing hidden: zeros, a shown parent's figure, and the only part above
        zero of a shown total within the row (the only reason for absence, say)."""
        told = self.zero | self.pinned
        for rel in self.relations:
            t = self.index[rel.total]
            parts = np.array([self.index[p] for p in rel.parts], dtype=np.int64)
            unknown = self.unknown[:, parts]
            told[:, parts] |= (unknown.sum(axis=1) == 1)[:, None] & ~self.zero[:, parts] & ~self.h[:, [t]]
        return told

    def given_away(self) -> np.ndarray:
        """Hidden figures an attacker may tell (all but the figures above zero and the secret zeros)."""
        return self.h & self.told() & ~self.secret_zero

    def hide(self, rows: np.ndarray, units: np.ndarray) -> None:
        self.h[rows, units] = True
        self.h[rows[units == self.row]] = True

    def across(self, rel: Relation, total_zero: np.ndarray) -> tuple[bool, int]:
        """Within each row: ``total`` is the sum of ``parts``."""
        told = self.told()
        hidden, open_ = self.h & ~told, ~self.h & ~told
        secret = self.h & self.secret_zero
        t = self.index[rel.total]
        parts = np.array([self.index[p] for p in rel.parts], dtype=np.int64)
        count = (hidden[:, t] & ~total_zero).astype(np.int64) + hidden[:, parts].sum(axis=1)
        known_total = ~self.h[:, t] | total_zero | (told[:, t] & ~secret[:, t])
        secret_parts = secret[:, parts].any(axis=1)
        bad = (count == 1) | ((count == 0) & ((secret_parts & known_total) | (secret[:, t] & ~secret_parts)))
        bad = np.nonzero(bad)[0]
        if not len(bad):
            return False, 0
        size = (self.amount if rel.by_amount else self.v)[np.ix_(bad, parts)]
        key = np.where(open_[np.ix_(bad, parts)], size, np.inf)
        pick = np.argmin(key, axis=1)
        found = np.isfinite(key[np.arange(len(bad)), pick])
        rows, units = bad[found], parts[pick[found]]
        # else the total itself (for the enrolments, that is the whole row)
        rest = bad[~found]
        total = open_[rest, t]
        rows, units = np.concatenate([rows, rest[total]]), np.concatenate([units, np.full(total.sum(), t)])
        self.hide(rows, units)
        return bool(len(rows)), int((~total).sum())

    def down(self, link: _Link) -> tuple[bool, int]:
        """For each unit, a parent row's figure is the sum of its rows' figures."""
        told = self.told()
        hidden, open_ = self.h & ~told, ~self.h & ~told
        secret = self.h & self.secret_zero
        parent_above = link.hidden & link.related & (link.values > 0)
        parent_secret = link.hidden & link.related & (link.values == 0)
        count = parent_above.astype(np.int64)
        np.add.at(count, link.group, hidden.astype(np.int64))
        secret_parts = np.zeros(link.hidden.shape, dtype=np.int64)
        np.add.at(secret_parts, link.group, secret.astype(np.int64))
        some = secret_parts > 0
        bad = (count == 1) | ((count == 0) & ((some & ~link.hidden) | (parent_secret & ~some)))
        bad &= link.related
        if not bad.any():
            return False, 0
        rr, uu = np.nonzero(open_ & bad[link.group])
        left = bad.copy()
        if len(rr):
            g = link.group[rr]
            order = np.lexsort((rr, self.v[rr, uu], g, uu))
            _, first = np.unique(uu[order] * len(link.hidden) + g[order], return_index=True)
            pick = order[first]
            self.hide(rr[pick], uu[pick])
            left[g[pick], uu[pick]] = False
        return bool(len(rr)), int(left.sum())

    def solve(self) -> int:
        unresolved = 0
        for _ in range(self.n * self.k + 2):
            changed, unresolved = False, 0
            for rel, total_zero in zip(self.relations, self.total_zero, strict=True):
                c, u = self.across(rel, total_zero)
                changed, unresolved = changed or c, unresolved + u
            for link in self.links:
                c, u = self.down(link)
                changed, unresolved = changed or c, unresolved + u
            if not changed:
                break
        return unresolved


def suppress_table(
    frame: pd.DataFrame,
    threshold: int,
    keys: Iterable[str] = (),
    layout: Layout | None = None,
    parents: Sequence[Parent] = (),
) -> Suppressed:
    """Primary and complementary suppression of a measures table.

    Args:
        frame: one row per group (empty groups included, as zeros, where a table may list them):
            the group columns ``keys`` and any measure and band-count columns.
        threshold: counts below this (and above 0) are suppressed.
        layout: the frame's units and relations (:func:`measure_layout` without bands by default).
        parents: coarser tables, already suppressed, whose rows this table's rows are the parts of.
    """
    keys = tuple(keys)
    values = frame.reset_index(drop=True)
    layout = (layout or measure_layout()).present(c for c in values.columns if c not in keys)
    links = [_link(values, p, layout.units) for p in parents]
    solver = _Solver(values, layout, links, threshold)
    conflicts = solver.solve() if len(values) else 0
    if conflicts:
        log.info("suppression by %s: %d figures hidden alone that nothing could keep company", list(keys), conflicts)
    names = [u.name for u in layout.units]
    hidden = pd.DataFrame(solver.h, columns=names)
    given_away = pd.DataFrame(solver.given_away(), columns=names)
    return Suppressed(keys, values, hidden, layout, given_away, conflicts)


def _totals(frame: pd.DataFrame, by: list[str], layout: Layout, threshold: int) -> Parent:
    """The totals of ``frame``'s rows by ``by``, as shown elsewhere (with their own small numbers hidden)."""
    counts = [u.count for u in layout.units]
    if by:
        sums = frame.groupby(by, dropna=False, sort=False)[counts].sum().reset_index()
    else:
        sums = frame[counts].sum().to_frame().T
    return Parent(tuple(by), suppress_table(sums, threshold, by, layout))


def suppress_measures(
    frame: pd.DataFrame,
    threshold: int,
    keys: Iterable[str] = (),
    *,
    parts_of: Sequence[Sequence[str]] | None = None,
) -> pd.DataFrame:
    """A copy of one measures frame with small counts, and the figures built on them, replaced by ``x``.

    For a frame on its own; pages and exports use the tables of
    :mod:`attendwise.web.services.protected`, suppressed against each other.

    Args:
        frame: rows from :func:`attendwise.measures.absence.absence_measures` (any subset of its columns that
            keeps the counts the others are built on).
        threshold: counts below this (and above 0) are suppressed.
        keys: grouping columns, never suppressed.
        parts_of: when the rows are the parts of totals shown elsewhere, each way they add up, as the
            columns naming each total: ``[[]]`` for one total over all rows (the LA's schools add up
            to the LA), :func:`every_margin` for a cross-tabulation (by school and FSM: within each
            school, and within each FSM group). Then a count hidden alone among a total's parts gets
            company (complementary suppression).

    Examples:
        >>> f = pd.DataFrame({"enrolments": [3, 40], "sess_overall_percent": [9.5, 7.1],
        ...                   "enrolments_pa_10_exact": [1, 2], "enrolments_pa_10_exact_percent": [33.3, 5.0]})
        >>> suppress_measures(f, 5).values.tolist()
        [['x', 'x', 'x', 'x'], [40, 7.1, 'x', 'x']]
    """
    keys = tuple(keys)
    layout = measure_layout().present(c for c in frame.columns if c not in keys)
    values = frame.reset_index(drop=True)
    parents = [_totals(values, list(by), layout, threshold) for by in (parts_of or [])]
    table = suppress_table(values, threshold, keys, layout, parents)
    return table.shown(list(frame.columns), every_row=True)[list(frame.columns)].set_axis(frame.index)
