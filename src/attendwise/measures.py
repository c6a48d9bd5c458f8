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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from attendwise.calendar import Period
from attendwise.characteristics import FSM_LABELS, PHASES, SEN_LABELS, SEX_LABELS, ethnicity_groups
from attendwise.codes import ABSENCE_REASONS, SWITCH_DATE, lookup_rows
from attendwise.errors import AttendwiseError
from attendwise.store import BLOCK_COUNTS, Store

__all__ = [
    "GROUPINGS",
    "MEASURE_COLUMNS",
    "Population",
    "absence_measures",
    "enrolment_absence",
    "measure_table",
    "resolve_grouping",
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


def resolve_grouping(by: Sequence[str] | str | None) -> list[str]:
    """Turn ``"school,fsm"`` or ``["school", "fsm"]`` into output group columns."""
    if by is None:
        return []
    names = [b.strip().lower() for b in (by.split(",") if isinstance(by, str) else by) if b.strip()]
    cols: list[str] = []
    for name in names:
        key = _ALIASES.get(name, name)
        if key not in GROUPINGS:
            msg = f"cannot group by {name!r}: choose from {', '.join(GROUPINGS)}"
            raise MeasureError(msg)
        cols += [c for c in GROUPINGS[key] if c not in cols]
    return cols


def _labels(column: ir.Value, labels: dict[object, str], other: str = "Unclassified") -> ir.Value:
    return column.cases(*labels.items(), else_=other)


def enrolment_absence(
    store: Store,
    period: Period,
    population: Population | None = None,
    *,
    source: Literal["auto", "blocks", "marks"] = "auto",
) -> ir.Table:
    """One row per counted enrolment in ``period``: sessions by category and reason, PA and SA flags.

    Columns: ``enrolment_id``, ``upn``, the grouping columns of :data:`GROUPINGS`,
    ``sess_possible``, ``sess_present``, ``sess_aea``, ``sess_authorised``, ``sess_unauthorised``,
    ``sess_overall``, one column per DfE reason, and ``pa_10`` / ``pa_50`` (0 or 1).
    """
    population = population or Population()
    year = period.academic_year
    use_blocks = source == "blocks" or (source == "auto" and store.blocks_cover(period.start, period.end))
    if use_blocks and not store.blocks_cover(period.start, period.end):
        raise MeasureError(f"{period.describe()} is not a union of session blocks; measure it from the marks")
    marks = store.table("marks")
    enrolments = store.table("enrolments")
    pupils = store.table("pupils")
    schools = store.table("schools")
    codes = ibis.memtable(pd.DataFrame(lookup_rows()))

    marks = marks.filter(marks.date.between(period.start, period.end))
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

    if use_blocks:
        # Session blocks (see Store.refresh_blocks): counts already by category and reason.
        blocks = store.table("session_blocks")
        b = blocks.filter(blocks.block_start.between(period.start, period.end)).join(people, "enrolment_id")
        if census_summer:
            # Aged 15: sessions in the second half of the summer term are removed (study leave); the
            # spring bank holiday is a Monday, so it is always a block boundary.
            b = b.filter(~((b.age == 15) & (b.block_start >= summer2)))
        sums = {c: b[c].sum() for c in BLOCK_COUNTS}
        m = b
    else:
        m = marks.join(people, "enrolment_id")
        if census_summer:
            # Aged 15: sessions in the second half of the summer term are removed (study leave).
            m = m.filter(~((m.age == 15) & (m.date >= summer2)))
        m = m.mutate(code_set=ibis.ifelse(m.date >= SWITCH_DATE, "2024", "2006"))
        m = m.join(codes, [m.code_set == codes.code_set, m.code == codes.code])
        sums = {
            "sess_possible": m.is_possible.sum(),
            "sess_present": m.is_present.sum(),
            "sess_aea": m.is_aea.sum(),
            "sess_authorised": m.is_authorised.sum(),
            "sess_unauthorised": m.is_unauthorised.sum(),
            **{r: (m.reason == r).fill_null(False).cast("int64").sum() for r in REASONS},
        }
    per_enrolment = m.group_by("enrolment_id").aggregate(**{k: v.cast("int64") for k, v in sums.items()})
    per_enrolment = per_enrolment.filter(per_enrolment.sess_possible > 0)
    overall = per_enrolment.sess_authorised + per_enrolment.sess_unauthorised
    per_enrolment = per_enrolment.mutate(
        sess_overall=overall,
        # Exact integer tests: 10% or more, 50% or more of the enrolment's own possible sessions.
        pa_10=(overall * 10 >= per_enrolment.sess_possible).cast("int64"),
        pa_50=(overall * 2 >= per_enrolment.sess_possible).cast("int64"),
    )

    ethnic = _ethnicity_table(store)
    e = enrolments.join(pupils, "upn").join(schools, "urn").left_join(ethnic, "ethnicity")
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
        ethnicity_major=e.ethnicity_major.fill_null("Unclassified"),
        ethnicity_minor=e.ethnicity_minor.fill_null("Unclassified"),
        first_language=_labels(e.first_language, {"ENG": "English", "OTH": "Other than English"}),
        cla=_labels(e.cla, {True: "Looked after", False: "Not looked after"}),
        cin=_labels(e.cin, {True: "Child in need", False: "Not child in need"}),
        cpp=_labels(e.cpp, {True: "Child protection plan", False: "No child protection plan"}),
    )
    return characteristics.join(per_enrolment, "enrolment_id")


def _ethnicity_table(store: Store) -> ir.Table:
    """DfE major and minor ethnic groups for every ethnicity code in the store."""
    codes = [r[0] for r in store.con.execute("SELECT DISTINCT ethnicity FROM pupils").fetchall()]
    rows = []
    for code in codes:
        major, minor = ethnicity_groups(code) or ("Unclassified", "Unclassified")
        rows.append({"ethnicity": code, "ethnicity_major": major, "ethnicity_minor": minor})
    frame = pd.DataFrame(rows, columns=["ethnicity", "ethnicity_major", "ethnicity_minor"]).astype(str)
    return ibis.memtable(frame)


def _percent(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    """100 * part / whole, unrounded; null where the whole is zero."""
    return ibis.ifelse(whole == 0, ibis.null(), part.cast("float64") * 100.0 / whole.cast("float64"))


def absence_measures(enrolments: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """Group enrolment rows (from :func:`enrolment_absence`) into the DfE's measure columns.

    Args:
        enrolments: rows from :func:`enrolment_absence`.
        by: output group columns (see :func:`resolve_grouping`); empty for one total row.
    """
    t = enrolments
    pa = t.pa_10 == 1
    aggs: dict[str, ir.Value] = {
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
    grouped = t.group_by(list(by)).aggregate(**aggs) if by else t.aggregate(**aggs)
    g = grouped
    # Sums over no rows are null in SQL; a count of sessions over no enrolments is 0.
    g = g.mutate(**{col: g[col].fill_null(0) for col in aggs if col != "enrolments"})
    g = g.mutate(
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
    return g.select(*by, *MEASURE_COLUMNS).order_by(list(by)) if by else g.select(*MEASURE_COLUMNS)


def measure_table(
    store: Store,
    period: Period,
    by: Sequence[str] | str | None = None,
    population: Population | None = None,
) -> pd.DataFrame:
    """Compute the measures for a period and grouping, with DfE ``time_period`` columns in front."""
    cols = resolve_grouping(by)
    frame = absence_measures(enrolment_absence(store, period, population), cols).to_pandas()
    frame.insert(0, "time_identifier", period.label)
    frame.insert(0, "time_period", period.academic_year.time_period if period.single_year else "")
    return frame
