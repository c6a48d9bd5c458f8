"""Every list of pupils the web shows, from one place: found by name or UPN, filtered, sorted and paged.

A list is the period's enrolment rows (:func:`attendwise.web.services.figures.period_rows`) the user's
scope may see, with each pupil's name, attendance and band; narrowed to one of :data:`LISTS` (everyone,
the persistently or severely absent, those heading into persistent absence by early warning, the Virtual
School's children), then by the filters (school, year group, band, free school meals, SEN provision, case
stage) and a search by name or UPN, then sorted and cut into pages. Nothing here computes a measure:
attendance is each row's own sessions, and early warning's scores are read from its cached frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from attendwise.analysis.early_warning import heading_into_pa
from attendwise.core.calendar import Period
from attendwise.documents.tables import Column, Kind, Sparkline, Table, table_from_frame
from attendwise.reports.trends import WEEKS, weekly_sparklines
from attendwise.web.rules import Scope
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.early_warning import la_risk

__all__ = ["LISTS", "PAGE_SIZE", "SORTS", "PupilFilters", "PupilList", "filter_choices", "find_pupils"]

PAGE_SIZE = 50

#: The lists a user may ask for, by the value of ``?list=``.
LISTS: dict[str, str] = {
    "all": "Every pupil",
    "absent": "Persistently or severely absent (missed 10% or more)",
    "severe": "Severely absent (missed 50% or more)",
    "heading": "Heading into persistent absence (early warning)",
    "social_care": "Looked after, or with a social worker",
}

#: The orders a list may be sorted in: the column, and whether it runs upwards.
SORTS: dict[str, tuple[str, str, bool]] = {
    "attendance": ("Attendance, lowest first", "attendance_percent", True),
    "name": ("Name", "sort_name", True),
    "school": ("School", "school_name", True),
    "year": ("Year group", "year_order", True),
    "unauthorised": ("Unauthorised sessions, most first", "sess_unauthorised", False),
    "risk": ("Risk of persistent absence, highest first", "risk_order", False),
}

#: The case stage filter's value for a pupil with no open case.
NO_CASE = "none"


@dataclass(frozen=True)
class PupilFilters:
    """What a list is narrowed to (every field empty: no narrowing)."""

    list: str = "all"
    q: str = ""
    school: int | None = None
    year: str = ""
    band: str = ""
    fsm: str = ""
    sen: str = ""
    stage: str = ""
    sort: str = ""
    page: int = 1

    def describe(self) -> str:
        """The list and its filters in words, for the audit log (never the search text: it may be a name)."""
        parts = [LISTS.get(self.list, self.list).split(" (")[0].lower()]
        for name in ("school", "year", "band", "fsm", "sen", "stage"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name} {value}")
        if self.q:
            parts.append("searched by name or UPN")
        return ", ".join(parts)


@dataclass
class PupilList:
    filters: PupilFilters
    table: Table
    total: int
    page: int
    pages: int
    period: Period
    #: Early warning's date, for the heading list.
    as_of: object = None
    method: str = ""
    stages: dict[str, str] = field(default_factory=dict)

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


def _names(access: StoreAccess, period: Period) -> pd.DataFrame:
    """Each pupil of the period's rows with their name, once per data version."""

    def compute() -> pd.DataFrame:
        rows = figures.period_rows(access, period)
        found = access.store().pupil_names(rows.upn.unique())
        frame = pd.DataFrame(
            [(u, f or "", s or "") for u, (f, s) in found.items()], columns=["upn", "forename", "surname"]
        )
        frame["pupil"] = (frame.forename + " " + frame.surname).str.strip().replace("", "Name not recorded")
        frame["sort_name"] = (frame.surname + " " + frame.forename).str.lower()
        frame["search"] = (frame.forename + " " + frame.surname + " " + frame.upn).str.lower()
        return frame

    return access.cached(("pupil-names", period), compute)


def _pupils(access: StoreAccess, scope: Scope, period: Period) -> pd.DataFrame:
    """The period's rows the scope may see, with names, attendance and band names (once per scope)."""

    def compute() -> pd.DataFrame:
        rows = figures.scoped_rows(figures.period_rows(access, period), scope)
        keep = [
            "enrolment_id",
            "upn",
            "school_urn",
            "school_name",
            "nc_year",
            "fsm",
            "sen_provision",
            "cla",
            "cin",
            "cpp",
            "sess_possible",
            "sess_overall",
            "sess_unauthorised",
            "pa_10",
            "pa_50",
            "band",
        ]
        out = rows[keep].merge(_names(access, period), on="upn", how="left")
        out["pupil"] = out.pupil.fillna("Name not recorded")
        out["sort_name"] = out.sort_name.fillna("")
        out["search"] = out.search.fillna(out.upn.str.lower())
        possible = out.sess_possible.where(out.sess_possible > 0)
        out["attendance_percent"] = 100.0 * (out.sess_possible - out.sess_overall) / possible
        scheme = figures.band_scheme()
        out["band_name"] = out.band.map({b.key: b.name for b in scheme.bands})
        out["band_colour"] = out.band.map({b.key: b.colour for b in scheme.bands}).fillna("grey")
        out["year_order"] = pd.to_numeric(out.nc_year, errors="coerce").fillna(-1)
        out["social_care"] = (
            (out.cla == figures.SOCIAL_CARE_LABELS["cla"])
            | (out.cin == figures.SOCIAL_CARE_LABELS["cin"])
            | (out.cpp == figures.SOCIAL_CARE_LABELS["cpp"])
        )
        return out.reset_index(drop=True)

    return access.cached(("pupil-list-rows", period, scope), compute)


def _with_risk(access: StoreAccess, pupils: pd.DataFrame, heading_only: bool) -> tuple[pd.DataFrame, object, str]:
    risk = la_risk(access)
    if risk is None:
        empty = pupils.iloc[0:0].assign(projected_attendance_percent=[], risk_pa_percent=[], reasons=[], risk_order=[])
        return (empty if heading_only else pupils.assign(risk_order=-1.0)), None, ""
    frame = heading_into_pa(risk.frame) if heading_only else risk.frame
    scored = frame[["enrolment_id", "projected_attendance_percent", "risk_pa", "reasons"]]
    out = pupils.merge(scored, on="enrolment_id", how="inner" if heading_only else "left")
    out["risk_pa_percent"] = 100.0 * out.risk_pa
    out["risk_order"] = out.risk_pa.fillna(-1.0)
    if heading_only and not risk.learned:  # no model: the lowest projection is the most at risk
        out["risk_order"] = -out.projected_attendance_percent
    return out, risk.as_of, risk.method


def _stage_of(upns: pd.Series, stages: dict[str, str] | None) -> pd.Series:
    if stages is None:
        return pd.Series([""] * len(upns), index=upns.index)
    return upns.map(stages).fillna("")


def find_pupils(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    filters: PupilFilters,
    *,
    pupil_link: Callable[[int], str],
    stages: dict[str, str] | None = None,
    stage_labels: dict[str, str] | None = None,
    school_link: Callable[[int], str | None] | None = None,
) -> PupilList:
    """The list the filters ask for, as the user's scope may see it: one page of it, and how many in all.

    Args:
        stages: each pupil's open case's stage by UPN, where the user may see casework (None: no stage column).
        stage_labels: the stage model's labels by stage key.
    """
    pupils = _pupils(access, scope, period)
    as_of, method = None, ""
    kind = filters.list if filters.list in LISTS else "all"
    if kind == "heading":
        pupils, as_of, method = _with_risk(access, pupils, heading_only=True)
    elif filters.sort == "risk":
        pupils, as_of, method = _with_risk(access, pupils, heading_only=False)
    if kind == "absent":
        pupils = pupils[pupils.pa_10 == 1]
    elif kind == "severe":
        pupils = pupils[pupils.pa_50 == 1]
    elif kind == "social_care":
        pupils = pupils[pupils.social_care]
    keep = pd.Series(True, index=pupils.index)
    if filters.school is not None:
        keep &= pupils.school_urn == filters.school
    if filters.year:
        keep &= pupils.nc_year.astype(str) == filters.year
    if filters.band:
        keep &= pupils.band == filters.band
    if filters.fsm:
        keep &= pupils.fsm == filters.fsm
    if filters.sen:
        keep &= pupils.sen_provision == filters.sen
    stage = _stage_of(pupils.upn, stages)
    if filters.stage and stages is not None:
        keep &= (stage == "") if filters.stage == NO_CASE else (stage == filters.stage)
    for word in filters.q.lower().split():
        keep &= pupils.search.str.contains(word, regex=False)
    shown = pupils[keep].copy()
    shown["stage"] = _stage_of(shown.upn, stages).map(lambda s: (stage_labels or {}).get(s, s))
    sort = filters.sort if filters.sort in SORTS else ("risk" if kind == "heading" else "attendance")
    if sort == "risk" and "risk_order" not in shown:
        sort = "attendance"
    _, column, ascending = SORTS[sort]
    shown = shown.sort_values([column, "sort_name", "enrolment_id"], ascending=[ascending, True, True])
    total = len(shown)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    shown = shown.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE].copy()
    shown["trend"] = _sparklines(access, shown.enrolment_id, period)
    table = _table(shown, kind, period, scope, stages is not None, pupil_link, school_link)
    return PupilList(filters, table, total, page, pages, period, as_of, method)


def _sparklines(access: StoreAccess, enrolment_ids: pd.Series, period: Period) -> list[Sparkline]:
    """The pupils' last school weeks of the period, week by week (cached per data version and pupil)."""
    _, latest = access.store().mark_range()
    end = period.end if latest is None else min(period.end, latest)
    wanted = [int(e) for e in enrolment_ids]
    missing = [e for e in wanted if not access.is_cached(("sparkline", e, end))]
    found = weekly_sparklines(access.store(), missing, end) if missing else {}
    return [access.cached(("sparkline", e, end), lambda e=e: found.get(e, Sparkline(()))) for e in wanted]


def _table(
    shown: pd.DataFrame,
    kind: str,
    period: Period,
    scope: Scope,
    with_stage: bool,
    pupil_link: Callable[[int], str],
    school_link: Callable[[int], str | None] | None,
) -> Table:
    columns = [Column("pupil", "Pupil"), Column("upn", "UPN")]
    if scope.schools is None or len(scope.schools) > 1:
        columns.append(Column("school_name", "School"))
    columns += [
        Column("nc_year", "Year group"),
        Column("attendance_percent", "Attendance %", Kind.PERCENT),
        Column("sess_unauthorised", "Unauthorised sessions", Kind.COUNT),
        Column("band_name", "Band"),
        Column("trend", f"Last {WEEKS} school weeks"),
    ]
    if "projected_attendance_percent" in shown:
        columns.append(Column("projected_attendance_percent", "Projected end of year %", Kind.PERCENT))
        if shown.risk_pa_percent.notna().any():
            columns.append(Column("risk_pa_percent", "Risk of persistent absence %", Kind.PERCENT, places=0))
        if kind == "heading":
            columns.append(Column("reasons", "Why", wide=True))
    if with_stage:
        columns.append(Column("stage", "Case stage"))
    links: dict[str, list[str | None]] = {"pupil": [pupil_link(int(e)) for e in shown.enrolment_id]}
    if school_link is not None:
        links["school_name"] = [school_link(int(u)) for u in shown.school_urn]
    return table_from_frame(
        shown,
        f"{LISTS[kind].split(' (')[0]}, {period.label}",
        columns,
        links=links,
        tags={"band_name": list(shown.band_colour)},
        empty="No pupil matches. Try fewer filters, or another spelling.",
    )


def filter_choices(access: StoreAccess, scope: Scope, period: Period) -> dict[str, list[tuple[str, str]]]:
    """The values each filter may take among the pupils the user may see (years, bands, FSM, SEN, schools)."""

    def compute() -> dict[str, list[tuple[str, str]]]:
        pupils = _pupils(access, scope, period)
        years = sorted(pupils.nc_year.dropna().astype(str).unique(), key=lambda y: (not y.isdigit(), y.zfill(3)))
        schools = pupils[["school_urn", "school_name"]].drop_duplicates().sort_values("school_name")
        scheme = figures.band_scheme()
        return {
            "year": [(y, f"Year {y}" if y.isdigit() else y) for y in years],
            "band": [(b.key, b.name) for b in scheme.bands],
            "fsm": [(v, v) for v in sorted(pupils.fsm.dropna().unique())],
            "sen": [(v, v) for v in sorted(pupils.sen_provision.dropna().unique())],
            "school": [(str(int(u)), str(n)) for u, n in zip(schools.school_urn, schools.school_name, strict=True)],
        }

    return access.cached(("pupil-filters", period, scope), compute)
