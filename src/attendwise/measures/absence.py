"""Absence measures, exactly as the DfE's "Pupil absence in schools in England" computes them.

Two steps, both Ibis expressions (so the same definitions run on DuckDB here and on Spark for
national scale):

1. :func:`enrolment_absence` reads every mark in a period once and gives one row per counted
   enrolment: its possible sessions, authorised and unauthorised absence, sessions for each DfE
   reason, whether it is persistently (10%+) or severely (50%+) absent, and the characteristics
   it is reported by.
2. :func:`absence_measures` groups those rows any way asked (LA, school, phase, year group, sex,
   FSM, SEN, ethnicity, CLA/CIN/CP, and combinations) into the DfE's published columns.

The rules (section 2 of the reference notes):

* rates are sessions summed over enrolments divided by possible sessions summed, never averages
  of pupil rates; counting is by enrolment, so a pupil who moves school counts at each;
* possible sessions exclude the codes that are not counted (D, X, Q, Y, Y1-Y7, Z, #);
* persistent absence is an enrolment missing 10% or more of its *own* possible sessions, severe
  absence 50% or more, tested in integer arithmetic (``10 * absent >= possible``), so no
  rounding can make 9.9999% persistent;
* pupils of compulsory school age only (5 to 15 on 31 August before the academic year) unless
  asked otherwise; boarders and enrolments with no possible sessions are left out;
* for whole census periods (a year, or the summer term) enrolments first enrolled in the second
  half of the summer term are left out, and for pupils aged 15 the sessions of the second half of
  the summer term are removed (study leave).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.characteristics import FSM_LABELS, PHASES, SEN_LABELS, SEX_LABELS, UNCLASSIFIED, ethnicity_groups
from attendwise.core.codes import ABSENCE_REASONS, with_meaning
from attendwise.core.cohorts import GROUPING_PREFIX, NOT_IN_COHORT, Cohort, CohortError, Cohorts, load_cohorts
from attendwise.core.errors import AttendwiseError
from attendwise.core.identifiers import show
from attendwise.store import BLOCK_COUNTS, BlockGrain, Store

__all__ = [
    "GROUPINGS",
    "MEASURE_COLUMNS",
    "Population",
    "absence_measures",
    "cohort_of",
    "enrolment_absence",
    "every_group",
    "is_rate_column",
    "measure_table",
    "measure_tables",
    "resolve_grouping",
    "several_absence_measures",
    "unstack_measures",
]

#: What a user may group by, and the output columns each gives (named as in DfE files).
GROUPINGS: dict[str, list[str]] = {
    "la": ["old_la_code"],
    "school": ["school_urn", "school_name"],
    "phase": ["education_phase"],
    "year": ["nc_year"],
    "sex": ["sex"],
    "fsm": ["fsm"],
    "sen": ["sen_provision"],
    "need": ["sen_primary_need"],
    "ethnicity": ["ethnicity_major"],
    "ethnicity_minor": ["ethnicity_major", "ethnicity_minor"],
    "language": ["first_language"],
    "cla": ["cla"],
    "cin": ["cin"],
    "cpp": ["cpp"],
}

_ALIASES = {
    "nc_year": "year",
    "education_phase": "phase",
    "sen_provision": "sen",
    "ethnicity_major": "ethnicity",
    "first_language": "language",
    "urn": "school",
    "lac": "cla",
    "cp": "cpp",
}

REASONS = list(ABSENCE_REASONS)

#: The measure columns of :func:`absence_measures`, in output order.
MEASURE_COLUMNS = [
    "enrolments",
    "sess_possible",
    "sess_overall",
    "sess_authorised",
    "sess_unauthorised",
    "sess_overall_percent",
    "sess_authorised_percent",
    "sess_unauthorised_percent",
    "enrolments_pa_10_exact",
    "enrolments_pa_10_exact_percent",
    "enrolments_pa_50_exact",
    "enrolments_pa_50_exact_percent",
    "sess_possible_pa_10_exact",
    "sess_overall_pa_10_exact",
    "sess_authorised_pa_10_exact",
    "sess_unauthorised_pa_10_exact",
    "sess_overall_percent_pa_10_exact",
    *REASONS,
    *[f"{r}_rate" for r in REASONS],
    *[f"{r}_distribution" for r in REASONS],
    "enrol_overall",
    "enrol_authorised",
    "enrol_unauthorised",
    *[f"enrol_{r.removeprefix('sess_')}" for r in REASONS],
    "sess_present",
    "sess_aea",
    "sess_attendance_percent",
]


def is_rate_column(column: str) -> bool:
    """Whether a column of :func:`absence_measures` (or of band counts) is a rate: a percentage, rate
    or distribution, missing for a group with nothing to divide by; every other column is a count or
    a sum of sessions."""
    return column.endswith(("_percent", "_rate", "_distribution")) or column == "sess_overall_percent_pa_10_exact"


def every_group(frame: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The measures of ``frame`` (grouped by the columns of ``groups``) for every group in ``groups``,
    in its order: a group with no enrolments has 0 for every count and sum, and no rates, as
    :func:`absence_measures` gives a group of no enrolment rows.

    >>> found = pd.DataFrame({"fsm": ["FSM eligible"], "enrolments": [4], "enrolments_pa_10_exact_percent": [25.0]})
    >>> every_group(found, pd.DataFrame({"fsm": ["FSM eligible", "Unclassified"]})).values.tolist()
    [['FSM eligible', 4, 25.0], ['Unclassified', 0, nan]]
    """
    keys = list(groups.columns)
    if keys:
        out = groups.merge(frame, on=keys, how="left", sort=False)
    else:
        out = frame.reset_index(drop=True).head(1)
        if out.empty:
            out = pd.DataFrame([dict.fromkeys(frame.columns)], columns=frame.columns)
    counts = [c for c in out.columns if c not in keys and not is_rate_column(c)]
    out[counts] = out[counts].apply(pd.to_numeric, errors="coerce").fillna(0).astype("int64")
    rates = [c for c in out.columns if c not in keys and is_rate_column(c)]
    out[rates] = out[rates].astype(float)
    return out.reset_index(drop=True)


class MeasureError(AttendwiseError):
    """A measure that cannot be computed as asked (an unknown grouping, say)."""


@dataclass(frozen=True)
class Population:
    """Which enrolments are counted.

    The default is the DfE's: pupils of compulsory school age (5-15 on 31 August before the
    year), boarders left out, and the DfE's summer-term rules on census periods.
    """

    min_age: int | None = 5
    max_age: int | None = 15
    include_boarders: bool = False
    dfe_summer_rules: bool = True

    @classmethod
    def all_ages(cls) -> Population:
        """Every enrolment with a register, reception and sixth form included."""
        return cls(min_age=None, max_age=None)

    def describe(self) -> str:
        if self.min_age is None and self.max_age is None:
            who = "pupils of all ages"
        else:
            who = f"pupils aged {self.min_age} to {self.max_age} on 31 August"
        return who + ("" if not self.include_boarders else ", boarders included")


def resolve_grouping(by: Sequence[str] | str | None, cohorts: Cohorts | None = None) -> list[str]:
    """Turn ``"school,fsm"`` or ``["school", "fsm"]`` into output group columns.

    ``cohort:KEY`` groups by one of the LA's priority cohorts (``cohorts``; the shipped ones by default):
    its column is ``cohort_KEY``, the cohort's label for the sessions inside a member's dates and
    :data:`~attendwise.core.cohorts.NOT_IN_COHORT` for every other session. One cohort a grouping.
    """
    if by is None:
        return []
    names = [b.strip() for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    cols: list[str] = []
    for name in names:
        if name.lower().startswith(GROUPING_PREFIX):
            try:
                cohort = _declared(cohorts).get(name[len(GROUPING_PREFIX) :].lower())
            except CohortError as exc:
                raise MeasureError(f"cannot group by {show(name)}: {exc}") from None
            if any(c.startswith("cohort_") for c in cols) and cohort.column not in cols:
                raise MeasureError("group by one cohort at a time (each splits a pupil's sessions by its own dates)")
            cols += [cohort.column] if cohort.column not in cols else []
            continue
        key = _ALIASES.get(name.lower(), name.lower())
        if key not in GROUPINGS:
            msg = f"cannot group by {show(name)}: choose from {', '.join(GROUPINGS)} or cohort:KEY"
            raise MeasureError(msg)
        cols += [c for c in GROUPINGS[key] if c not in cols]
    return cols


def _declared(cohorts: Cohorts | None) -> Cohorts:
    return cohorts if cohorts is not None else load_cohorts()


def cohort_of(cols: Sequence[str], cohorts: Cohorts | None = None) -> Cohort | None:
    """The cohort a grouping's columns (from :func:`resolve_grouping`) split sessions by, if any."""
    declared = _declared(cohorts) if any(c.startswith("cohort_") for c in cols) else None
    return next((found for c in cols if declared and (found := declared.by_column(c))), None)


def _labels(column: ir.Value, labels: dict[object, str], other: str = "Unclassified") -> ir.Value:
    return column.cases(*labels.items(), else_=other)


def enrolment_absence(
    store: Store,
    period: Period,
    population: Population | None = None,
    *,
    source: Source = "auto",
    cohort: Cohort | None = None,
) -> ir.Table:
    """One row per counted enrolment in ``period``: sessions by category and reason, PA and SA flags.

    Columns: ``enrolment_id``, ``upn``, the grouping columns of :data:`GROUPINGS`,
    ``sess_possible``, ``sess_present``, ``sess_aea``, ``sess_authorised``, ``sess_unauthorised``,
    ``sess_overall``, one column per DfE reason, and ``pa_10`` / ``pa_50`` (0 or 1).

    ``source`` says what is read: the year blocks (one row per enrolment a year; an academic year,
    whole or to date), the census blocks (four rows per enrolment a year; years, census terms, the
    halves of summer and the year to date), the weekly session blocks (any Monday-aligned range), or
    the marks themselves (any range). ``"auto"`` takes the smallest that covers the period; all four
    give the same rows (``tests/test_properties.py``).

    With a ``cohort`` (one of the LA's priority cohorts), a member's enrolment is split by the cohort's
    dates: one row for the sessions inside them and one for the rest, each with its own possible sessions,
    absence and persistent absence test, and a ``cohort_KEY`` column saying which (the cohort's label or
    :data:`~attendwise.core.cohorts.NOT_IN_COHORT`). A part with no possible sessions is left out, as an
    enrolment with none is. Members' sessions are read from the marks; everyone else's from ``source``.
    """
    population = population or Population()
    return _enrolment_absence(
        store, period, population, _source(store, period, source), _ethnicity_codes(store), cohort
    )


Source = Literal["auto", "year", "census", "blocks", "marks"]
#: The block table each source reads, and the grain :meth:`Store.blocks_cover` checks it with.
_BLOCK_TABLES: dict[str, tuple[str, BlockGrain]] = {
    "year": ("year_blocks", "year"),
    "census": ("census_blocks", "census"),
    "blocks": ("session_blocks", "week"),
}


def _source(store: Store, period: Period, source: Source) -> Source:
    """The source :func:`enrolment_absence` reads for ``period``, checked to cover it."""
    if source == "auto":
        covering = (s for s, (_, grain) in _BLOCK_TABLES.items() if store.blocks_cover(period.start, period.end, grain))
        return next(covering, "marks")
    if source != "marks":
        table, grain = _BLOCK_TABLES[source]
        if not store.blocks_cover(period.start, period.end, grain):
            raise MeasureError(f"{period.describe()} is not a union of {table}; measure it from the marks")
    return source


def _enrolment_absence(
    store: Store,
    period: Period,
    population: Population,
    source: Source,
    ethnicities: Sequence[str],
    cohort: Cohort | None = None,
) -> ir.Table:
    year = period.academic_year
    enrolments = store.table("enrolments")
    pupils = store.table("pupils")
    schools = store.table("schools")

    age = (ibis.literal(year.age_date.year) - pupils.date_of_birth.year()) - (pupils.date_of_birth.month() >= 9).cast(
        "int32"
    )
    people = enrolments.join(pupils, "upn").select("enrolment_id", "upn", "urn", "admission_date", "boarder", age=age)
    summer2 = year.summer_second_half_start
    census_summer = population.dfe_summer_rules and period.census and period.start <= summer2 <= period.end
    if census_summer:
        # First enrolled in the second half of the summer term: not included.
        people = people.filter(people.admission_date < summer2)
    if population.min_age is not None:
        people = people.filter(people.age >= population.min_age)
    if population.max_age is not None:
        people = people.filter(people.age <= population.max_age)
    if not population.include_boarders:
        people = people.filter(~people.boarder)

    if source == "year":
        # Year blocks (see Store.refresh_blocks): already one row per enrolment, so nothing to group.
        blocks = store.table("year_blocks")
        b = blocks.filter(blocks.block_start == period.start).join(people, "enrolment_id")
        if census_summer:
            # Aged 15: sessions in the second half of the summer term are removed (study leave).
            study_leave = b.age == 15
            counts = {c: ibis.ifelse(study_leave, b[c] - b[f"summer2_{c}"], b[c]) for c in BLOCK_COUNTS}
        else:
            counts = {c: b[c] for c in BLOCK_COUNTS}
        per_enrolment = b.select("enrolment_id", **{k: v.cast("int64") for k, v in counts.items()})
    elif source in _BLOCK_TABLES:
        # Session or census blocks (see Store.refresh_blocks): counts already by category and reason.
        blocks = store.table(_BLOCK_TABLES[source][0])
        b = blocks.filter(blocks.block_start.between(period.start, period.end)).join(people, "enrolment_id")
        if census_summer:
            # Aged 15: sessions in the second half of the summer term are removed (study leave); the
            # spring bank holiday is a Monday, so it is always a block boundary.
            b = b.filter(~((b.age == 15) & (b.block_start >= summer2)))
        per_enrolment = _per_enrolment(b, {c: b[c].sum() for c in BLOCK_COUNTS})
    else:
        marks = store.table("marks")
        marks = marks.filter(marks.date.between(period.start, period.end))
        m = marks.join(people, "enrolment_id")
        if census_summer:
            # Aged 15: sessions in the second half of the summer term are removed (study leave).
            m = m.filter(~((m.age == 15) & (m.date >= summer2)))
        # (The code sets are an in-memory table, so this expression is never kept compiled: see Store.run.)
        m = with_meaning(m)
        per_enrolment = _per_enrolment(m, _mark_sums(m))
    if cohort is not None:
        per_enrolment = _split_by_cohort(store, period, people, per_enrolment, cohort, census_summer)
    per_enrolment = per_enrolment.filter(per_enrolment.sess_possible > 0)
    overall = per_enrolment.sess_authorised + per_enrolment.sess_unauthorised
    per_enrolment = per_enrolment.mutate(
        sess_overall=overall,
        # Exact integer tests: 10% or more, 50% or more of the enrolment's own possible sessions.
        pa_10=(overall * 10 >= per_enrolment.sess_possible).cast("int64"),
        pa_50=(overall * 2 >= per_enrolment.sess_possible).cast("int64"),
    )

    e = enrolments.join(pupils, "upn").join(schools, "urn")
    major, minor = _ethnicity_groups(e.ethnicity, ethnicities)
    characteristics = e.select(
        "enrolment_id",
        "upn",
        old_la_code=e.la_code,
        school_urn=e.urn,
        school_name=e.name,
        education_phase=_labels(e.phase, PHASES),
        nc_year=e.nc_year,
        sex=_labels(e.sex, SEX_LABELS),
        fsm=_labels(e.fsm, FSM_LABELS),
        sen_provision=_labels(e.sen, SEN_LABELS),
        sen_primary_need=e.sen_primary_need.fill_null("No primary need recorded"),
        ethnicity_major=major,
        ethnicity_minor=minor,
        first_language=_labels(e.first_language, {"ENG": "English", "OTH": "Other than English"}),
        cla=_labels(e.cla, {True: "Looked after", False: "Not looked after"}),
        cin=_labels(e.cin, {True: "Child in need", False: "Not child in need"}),
        cpp=_labels(e.cpp, {True: "Child protection plan", False: "No child protection plan"}),
    )
    rows = characteristics.join(per_enrolment, "enrolment_id")
    if cohort is not None:
        label = ibis.ifelse(rows.in_cohort, ibis.literal(cohort.label), ibis.literal(NOT_IN_COHORT))
        rows = rows.mutate(**{cohort.column: label}).drop("in_cohort")
    return rows


def _mark_sums(m: ir.Table) -> dict[str, ir.Value]:
    """Marks (with their meaning, :func:`attendwise.core.codes.with_meaning`) added up by category and reason."""
    return {
        "sess_possible": m.is_possible.sum(),
        "sess_present": m.is_present.sum(),
        "sess_aea": m.is_aea.sum(),
        "sess_authorised": m.is_authorised.sum(),
        "sess_unauthorised": m.is_unauthorised.sum(),
        **{r: (m.reason == r).fill_null(False).cast("int64").sum() for r in REASONS},
    }


#: The end of a membership with no end date, for comparing dates.
_OPEN_END = dt.date(9999, 12, 31)


def _split_by_cohort(
    store: Store, period: Period, people: ir.Table, per_enrolment: ir.Table, cohort: Cohort, census_summer: bool
) -> ir.Table:
    """``per_enrolment`` with an ``in_cohort`` flag: the enrolments of the cohort's members in the period
    are summed again from their marks, by whether each session is inside one of their periods in it."""
    members = store.table("cohort_members")
    members = members.filter(
        (members.cohort == cohort.key)
        & (members.start_date <= period.end)
        & (members.end_date.isnull() | (members.end_date >= period.start))
    )
    spans = members.select(
        member_upn=members.upn, member_from=members.start_date, member_to=members.end_date.fill_null(_OPEN_END)
    )
    theirs = people.filter(people.upn.isin(spans.member_upn)).select("enrolment_id", "upn", "age")
    marks = store.table("marks")
    m = marks.filter(marks.date.between(period.start, period.end)).join(theirs, "enrolment_id")
    if census_summer:
        # Aged 15: sessions in the second half of the summer term are removed (study leave).
        m = m.filter(~((m.age == 15) & (m.date >= period.academic_year.summer_second_half_start)))
    # A pupil's periods in a cohort never overlap (cohorts.csv is refused otherwise): a mark matches one at most.
    m = m.left_join(spans, [m.upn == spans.member_upn, m.date >= spans.member_from, m.date <= spans.member_to])
    m = with_meaning(m.mutate(in_cohort=m.member_from.notnull()))
    sums = {k: v.cast("int64") for k, v in _mark_sums(m).items()}
    inside = m.group_by("enrolment_id", "in_cohort").aggregate(**sums)
    others = per_enrolment.filter(~per_enrolment.enrolment_id.isin(theirs.enrolment_id))
    others = others.mutate(in_cohort=ibis.literal(False))
    return ibis.union(others.select(*inside.columns), inside)


def _per_enrolment(rows: ir.Table, sums: Mapping[str, ir.Value]) -> ir.Table:
    """Block or mark rows added up to one row per enrolment."""
    return rows.group_by("enrolment_id").aggregate(**{k: v.cast("int64") for k, v in sums.items()})


def _ethnicity_codes(store: Store) -> tuple[str, ...]:
    """The ethnicity codes the store's pupils hold."""
    return store.ethnicity_codes()


def _ethnicity_groups(code: ir.StringValue, codes: Sequence[str]) -> tuple[ir.StringValue, ir.StringValue]:
    """DfE major and minor ethnic groups of ``code``, written out for each of ``codes`` (see
    :func:`ethnicity_groups`); anything else is Unclassified.

    An expression rather than a lookup table, so a compiled measure can be kept and run again.
    """
    groups = {c: ethnicity_groups(c) or (UNCLASSIFIED, UNCLASSIFIED) for c in codes}
    if not groups:
        return ibis.literal(UNCLASSIFIED), ibis.literal(UNCLASSIFIED)
    major = code.cases(*((c, g[0]) for c, g in groups.items()), else_=UNCLASSIFIED)
    minor = code.cases(*((c, g[1]) for c, g in groups.items()), else_=UNCLASSIFIED)
    return major, minor


def _percent(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    """100 * part / whole, unrounded; null where the whole is zero."""
    return ibis.ifelse(whole == 0, ibis.null(), part.cast("float64") * 100.0 / whole.cast("float64"))


def _aggregates(t: ir.Table) -> dict[str, ir.Value]:
    """The additive measure columns over enrolment rows: counts and sums of sessions."""
    pa = t.pa_10 == 1
    return {
        "enrolments": t.count(),
        "sess_possible": t.sess_possible.sum(),
        "sess_overall": t.sess_overall.sum(),
        "sess_authorised": t.sess_authorised.sum(),
        "sess_unauthorised": t.sess_unauthorised.sum(),
        "enrolments_pa_10_exact": t.pa_10.sum(),
        "enrolments_pa_50_exact": t.pa_50.sum(),
        "sess_possible_pa_10_exact": t.sess_possible.sum(where=pa),
        "sess_overall_pa_10_exact": t.sess_overall.sum(where=pa),
        "sess_authorised_pa_10_exact": t.sess_authorised.sum(where=pa),
        "sess_unauthorised_pa_10_exact": t.sess_unauthorised.sum(where=pa),
        **{r: t[r].sum() for r in REASONS},
        "enrol_overall": (t.sess_overall > 0).cast("int64").sum(),
        "enrol_authorised": (t.sess_authorised > 0).cast("int64").sum(),
        "enrol_unauthorised": (t.sess_unauthorised > 0).cast("int64").sum(),
        **{f"enrol_{r.removeprefix('sess_')}": (t[r] > 0).cast("int64").sum() for r in REASONS},
        "sess_present": t.sess_present.sum(),
        "sess_aea": t.sess_aea.sum(),
    }


def _rates(g: ir.Table, counts: Sequence[str]) -> ir.Table:
    """Add the percentage, rate and distribution columns to grouped counts."""
    # Sums over no rows are null in SQL; a count of sessions (or of enrolments, added up from groups)
    # over no enrolments is 0.
    g = g.mutate(**{col: g[col].fill_null(0) for col in counts})
    return g.mutate(
        sess_overall_percent=_percent(g.sess_overall, g.sess_possible),
        sess_authorised_percent=_percent(g.sess_authorised, g.sess_possible),
        sess_unauthorised_percent=_percent(g.sess_unauthorised, g.sess_possible),
        enrolments_pa_10_exact_percent=_percent(g.enrolments_pa_10_exact, g.enrolments),
        enrolments_pa_50_exact_percent=_percent(g.enrolments_pa_50_exact, g.enrolments),
        sess_overall_percent_pa_10_exact=_percent(g.sess_overall_pa_10_exact, g.sess_possible_pa_10_exact),
        sess_attendance_percent=_percent(g.sess_present + g.sess_aea, g.sess_possible),
        **{f"{r}_rate": _percent(g[r], g.sess_possible) for r in REASONS},
        **{f"{r}_distribution": _percent(g[r], g.sess_overall) for r in REASONS},
    )


def absence_measures(enrolments: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """Group enrolment rows (from :func:`enrolment_absence`) into the DfE's measure columns.

    Args:
        enrolments: rows from :func:`enrolment_absence`.
        by: output group columns (see :func:`resolve_grouping`); empty for one total row.
    """
    t = enrolments
    aggs = _aggregates(t)
    g = _rates(t.group_by(list(by)).aggregate(**aggs) if by else t.aggregate(**aggs), list(aggs))
    return g.select(*by, *MEASURE_COLUMNS).order_by(list(by)) if by else g.select(*MEASURE_COLUMNS)


def several_absence_measures(enrolments: ir.Table, groupings: Sequence[Sequence[str]]) -> ir.Table:
    """:func:`absence_measures` for several groupings at once, as one expression (so one query).

    The rows of every grouping are stacked: ``grouping`` is the grouping's position in ``groupings``
    and ``key_0``, ``key_1``, ... its group columns as text (null past the grouping's own columns),
    followed by :data:`MEASURE_COLUMNS`. :func:`measure_tables` unstacks them. (SQL's ``GROUPING SETS``
    would say the same, but Ibis has no way to write it; a union of aggregates runs on every backend.)
    """
    width = max((len(cols) for cols in groupings), default=0)
    keys = [f"key_{j}" for j in range(width)]
    # Every measure column adds up (counts and sums), so the enrolments are first grouped once by every
    # column any grouping uses, and each grouping adds up those few rows instead of every enrolment's:
    # on the city's full table, 55,000 enrolments become about 4,000 rows, grouped six ways.
    finest = list(dict.fromkeys(c for cols in groupings for c in cols))
    per_enrolment = _aggregates(enrolments)
    t = enrolments.group_by(finest).aggregate(**per_enrolment) if finest else enrolments.aggregate(**per_enrolment)
    aggs = {name: t[name].sum() for name in per_enrolment}
    parts = []
    for i, cols in enumerate(groupings):
        nulls = {key: ibis.null("string") for key in keys[len(cols) :]}
        if not cols:  # one row even when there are no enrolments, as absence_measures gives
            total = t.aggregate(**aggs).mutate(grouping=ibis.literal(i, "int16"), **nulls)
            parts.append(total.select("grouping", *keys, *aggs))
            continue
        # The grouping's number and its null keys are group keys too, so the part is one aggregate
        # (no select over it for Ibis to merge: that halves the time to compile the union).
        by: dict[str, ir.Value] = {"grouping": ibis.literal(i, "int16")}
        by |= {key: t[c].cast("string") for key, c in zip(keys, cols, strict=False)} | nulls
        parts.append(t.group_by(**by).aggregate(**aggs))
    g = _rates(ibis.union(*parts), list(aggs))
    return g.select("grouping", *keys, *MEASURE_COLUMNS)


def _population_key(period: Period, population: Population, source: Source, ethnicities: Sequence[str]) -> tuple:
    """Everything :func:`enrolment_absence` builds its expression from (see :meth:`Store.run`)."""
    return (period.start, period.end, period.census, population, source, tuple(ethnicities))


def _time_columns(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    frame.insert(0, "time_identifier", period.label)
    frame.insert(0, "time_period", period.academic_year.time_period if period.single_year else "")
    return frame


def measure_table(
    store: Store,
    period: Period,
    by: Sequence[str] | str | None = None,
    population: Population | None = None,
    cohorts: Cohorts | None = None,
) -> pd.DataFrame:
    """Compute the measures for a period and grouping, with DfE ``time_period`` columns in front.

    ``cohorts``: the LA's priority cohorts, for a grouping by one (``cohort:ebsa``).
    """
    cols = resolve_grouping(by, cohorts)
    cohort = cohort_of(cols, cohorts)
    population = population or Population()
    source, ethnicities = _source(store, period, "auto"), _ethnicity_codes(store)
    frame = store.run(
        ("measure_table", tuple(cols), cohort, *_population_key(period, population, source, ethnicities)),
        lambda: absence_measures(_enrolment_absence(store, period, population, source, ethnicities, cohort), cols),
    )
    return _time_columns(frame, period)


def measure_tables(
    store: Store,
    period: Period,
    groupings: Mapping[str, Sequence[str] | str | None],
    population: Population | None = None,
    cohorts: Cohorts | None = None,
) -> dict[str, pd.DataFrame]:
    """:func:`measure_table` for several groupings of one period (a dashboard, the LA's full table).

    One query reads the period's sessions once and groups them every way asked; each table is what
    :func:`measure_table` gives for that grouping.

    Args:
        groupings: a name for each table, and its grouping (as :func:`resolve_grouping` takes it).
    """
    chosen = {name: resolve_grouping(by, cohorts) for name, by in groupings.items()}
    population = population or Population()
    source, ethnicities = _source(store, period, "auto"), _ethnicity_codes(store)
    # The groupings by each cohort (and by none) read their own rows: a cohort splits members' sessions.
    by_cohort: dict[Cohort | None, list[str]] = {}
    for name, cols in chosen.items():
        by_cohort.setdefault(cohort_of(cols, cohorts), []).append(name)
    out: dict[str, pd.DataFrame] = {}
    for cohort, names in by_cohort.items():
        shapes = [tuple(chosen[name]) for name in names]

        def build(cohort: Cohort | None = cohort, shapes: list[tuple[str, ...]] = shapes) -> ir.Table:
            rows = _enrolment_absence(store, period, population, source, ethnicities, cohort)
            return several_absence_measures(rows, shapes)

        key = ("measure_tables", tuple(shapes), cohort, *_population_key(period, population, source, ethnicities))
        frames = unstack_measures(store.run(key, build), shapes)
        out |= {name: _time_columns(frame, period) for name, frame in zip(names, frames, strict=True)}
    return {name: out[name] for name in chosen}


def unstack_measures(
    stacked: pd.DataFrame, groupings: Sequence[Sequence[str]], columns: Sequence[str] = MEASURE_COLUMNS
) -> list[pd.DataFrame]:
    """The result of :func:`several_absence_measures` as one frame per grouping, each what
    :func:`absence_measures` gives for it (group columns typed as :func:`measure_table` types them);
    ``columns`` for another stacked result (:func:`attendwise.measures.bands.several_band_counts`)."""
    types = _group_column_types()
    frames = []
    for i, cols in enumerate(groupings):
        part = stacked[stacked.grouping == i]
        frame = pd.DataFrame({c: part[f"key_{j}"].astype(types.get(c, "str")) for j, c in enumerate(cols)})
        frame = pd.concat([frame, part[list(columns)]], axis=1)
        if cols:
            frame = frame.sort_values(list(cols), kind="stable")
        frames.append(frame.reset_index(drop=True))
    return frames


def _group_column_types() -> dict[str, str]:
    """The pandas type :func:`measure_table` gives each group column (:func:`several_absence_measures`
    gives them as text); ``tests/test_measures.py`` checks the two agree for every grouping."""
    return {c: ("int32" if c == "school_urn" else "str") for cols in GROUPINGS.values() for c in cols}  # cohort_*: str
