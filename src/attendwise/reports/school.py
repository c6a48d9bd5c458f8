"""A school's page: its measures against the LA and England, trend, bands, groups, cohorts, similar schools,
and (for whoever may see pupils) its persistently and severely absent pupils and those heading that way.

The page is composed from a :class:`~attendwise.reports.source.FigureSource`. Where figures are suppressed
(for a scrutiny member; other schools' figures for a school user) every figure comes from the source's
suppressed tables: the school's own, its phase's and its cohorts' alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.characteristics import FSM_LABELS, PHASES
from attendwise.documents.charts import bar_chart
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.tables import Chart, Column, Kind, Table, table_from_frame
from attendwise.measures.bands import BandScheme
from attendwise.reports.common import (
    MEASURE_COLUMNS,
    Headline,
    band_rows,
    bands_figure,
    data_range,
    england_figures,
    england_note,
    headlines,
    national_label,
    previous_period,
    trend_figure,
)
from attendwise.reports.early_warning import SchoolRisk, school_at_risk
from attendwise.reports.groups import GroupsPanel, flagged_groups
from attendwise.reports.overview import la_name
from attendwise.reports.source import FigureSource
from attendwise.store import Store

__all__ = ["SCHOOL_COHORTS", "SchoolInfo", "SchoolPage", "pupil_list", "school_page"]

_SCHOOL_KEYS = ["school_urn", "school_name", "education_phase"]

#: The cohorts a school page breaks its measures down by (GROUPINGS keys and their columns).
SCHOOL_COHORTS = {
    "Free school meals": ["fsm"],
    "SEN provision": ["sen_provision"],
    "Sex": ["sex"],
    "Year group": ["nc_year"],
}


@dataclass(frozen=True)
class SchoolInfo:
    urn: int
    name: str
    phase: str
    la_code: str

    @property
    def phase_label(self) -> str:
        return PHASES.get(self.phase, self.phase)


@dataclass
class SchoolPage:
    school: SchoolInfo
    period: Period
    suppressed: bool
    headlines: list[Headline]
    measures: Table
    trend: Chart
    bands: Chart
    cohorts: list[Table]
    similar: Chart
    pupils: Table | None
    pupils_count: int
    groups: GroupsPanel
    #: The school's early-warning list (pupil-level roles only).
    at_risk: SchoolRisk | None = None
    #: Counts below this are suppressed (when ``suppressed``).
    threshold: int = 5
    #: The dates the figures cover, and the period they are compared with a year earlier.
    period_text: str = ""
    previous: Period | None = None


# -- the school's own figures --------------------------------------------------------------------
@dataclass(frozen=True)
class _SchoolFigures:
    """The school's measures, last year's and its phase's across the LA, as published (``x`` where suppressed)."""

    totals: pd.DataFrame
    last: pd.DataFrame | None
    by_phase: pd.DataFrame
    bands: pd.DataFrame


def _school_figures(
    source: FigureSource, school: SchoolInfo, period: Period, previous: Period | None
) -> _SchoolFigures:
    """The school's figures from the period's rows."""
    all_rows = source.period_rows(period)
    rows = all_rows[all_rows.school_urn == school.urn]
    last = None
    if previous is not None:
        earlier = source.period_rows(previous)
        last = source.measures(earlier[earlier.school_urn == school.urn], key=("school", school.urn, previous))
    return _SchoolFigures(
        totals=source.measures(rows, key=("school", school.urn, period)),
        last=last,
        by_phase=source.measures(all_rows, ["education_phase"], key=("la", period)),
        bands=source.bands(rows, key=("school", school.urn, period)),
    )


def _suppressed_school_figures(
    source: FigureSource, school: SchoolInfo, period: Period, previous: Period | None, threshold: int
) -> _SchoolFigures:
    """The school's figures from the suppressed tables."""
    source.prefetch(period, list(SCHOOL_COHORTS.values()), school=school.urn)
    mine = source.suppressed(period, [], threshold=threshold, school=school.urn)
    last = None
    if previous is not None:
        last = source.suppressed(previous, [], threshold=threshold, school=school.urn).shown(every_row=True)
    if len(mine.values):
        bands = band_rows(mine, source.band_scheme())
    else:
        all_rows = source.period_rows(period)
        bands = source.bands(all_rows[all_rows.school_urn == school.urn])
    return _SchoolFigures(
        totals=mine.shown(every_row=True),
        last=last,
        by_phase=source.suppressed(period, ["education_phase"], threshold=threshold).shown(),
        bands=bands,
    )


def _measures_table(
    figures: _SchoolFigures, school: SchoolInfo, period: Period, national: pd.DataFrame, la_label: str
) -> Table:
    """The school's measures beside its phase's across the LA and in England."""
    phase = school.phase_label
    compare = pd.concat(
        [
            figures.totals.assign(area=school.name),
            figures.by_phase[figures.by_phase.education_phase == phase].assign(
                area=f"{la_label} {phase.lower()} schools"
            ),
            national[national.education_phase == phase].assign(area=national_label(national, phase)),
        ],
        ignore_index=True,
    )
    table = table_from_frame(
        compare,
        f"{school.name} beside the LA and England, {period.label}",
        [Column("area", "Area"), *[MEASURE_COLUMNS[i] for i in (0, 1, 2, 3, 5, 7)]],
    )
    note = england_note(national[national.education_phase == phase])
    return replace(table, notes=(note,)) if note else table


def _cohort_tables(
    source: FigureSource, rows: pd.DataFrame, period: Period, urn: int, *, suppress: bool, threshold: int
) -> list[Table]:
    tables = []
    for title, by in SCHOOL_COHORTS.items():
        if suppress:
            frame = source.suppressed(period, by, threshold=threshold, school=urn).shown()
        else:
            frame = source.measures(rows, by, key=("school", urn, period))
        tables.append(
            table_from_frame(
                frame,
                f"By {_lowered(title)}",
                [Column(by[0], title), *[MEASURE_COLUMNS[i] for i in (0, 1, 4, 5, 6, 7)]],
            )
        )
    return tables


def _lowered(title: str) -> str:
    """A heading's first word in lower case within a sentence, unless it is an abbreviation (SEN).

    >>> _lowered("Free school meals"), _lowered("SEN provision")
    ('free school meals', 'SEN provision')
    """
    return title if title[:2].isupper() else title[:1].lower() + title[1:]


# -- similar schools -----------------------------------------------------------------------------
def _fsm_shares(source: FigureSource, period: Period) -> pd.Series:
    """Each school's share of FSM-eligible enrolments (%), by URN, as it truly is."""
    rows = source.period_rows(period)
    by_fsm = source.measures(rows, ["school_urn", "fsm"], key=("la-schools-fsm", period))
    wide = by_fsm.pivot_table(index="school_urn", columns="fsm", values="enrolments", aggfunc="sum", fill_value=0)
    eligible = wide.get(FSM_LABELS[True], pd.Series(0, index=wide.index))
    return 100.0 * eligible / wide.sum(axis=1)


def _every_school(source: FigureSource, period: Period, *, suppress: bool, threshold: int) -> pd.DataFrame:
    """Every school's measures with its FSM share (``fsm_percent``, ``x`` where suppressed) and the true
    share (``_share``), by which nearness is judged, so the same schools are chosen whoever looks."""
    truth = _fsm_shares(source, period)
    if suppress:
        by_school = source.suppressed(period, _SCHOOL_KEYS, threshold=threshold).shown()
        fsm = source.suppressed(period, ["school_urn", "school_name", "fsm"], threshold=threshold)
        # The share gives the FSM-eligible count back from the enrolments, so it is hidden with it.
        hidden = set(fsm.values.school_urn[(fsm.values.fsm == FSM_LABELS[True]) & fsm.column_hidden("enrolments")])
        hidden |= set(by_school.school_urn[by_school.enrolments == SUPPRESSED])
        shares = [SUPPRESSED if u in hidden else truth.get(u) for u in by_school.school_urn]
    else:
        by_school = source.measures(source.period_rows(period), _SCHOOL_KEYS, key=("la-schools", period))
        shares = [truth.get(u) for u in by_school.school_urn]
    return by_school.assign(fsm_percent=shares, _share=by_school.school_urn.map(truth))


def _similar_chart(picked: pd.DataFrame, school: SchoolInfo) -> Chart:
    table = table_from_frame(
        picked,
        _similar_caption(school, len(picked) - 1),
        [
            Column("school_label", "School"),
            Column("fsm_percent", "FSM eligible %", Kind.PERCENT),
            *[MEASURE_COLUMNS[i] for i in (0, 1, 5, 7)],
        ],
    )
    spec = bar_chart(
        picked,
        category="school_label",
        value="sess_overall_percent",
        value_title="Overall absence %",
        colours=["blue" if u == school.urn else "grey" for u in picked.school_urn],
    )
    return Chart(
        "similar",
        "Compared with similar schools",
        spec,
        table,
        "Same phase, nearest share of pupils eligible for free school meals.",
    )


def _similar_caption(school: SchoolInfo, others: int) -> str:
    """What the similar-schools table compares the school with, in words.

    >>> info = SchoolInfo(1, "Grove", "Special", "999")
    >>> [_similar_caption(info, n) for n in (0, 1, 4)]  # doctest: +NORMALIZE_WHITESPACE
    ['Grove: no other special school in the LA to compare it with',
     'Grove and the other special school in the LA, its free school meals share beside it',
     'Grove and the 4 special schools nearest to it in free school meals share']
    """
    phase = school.phase_label.lower()
    if others == 0:
        return f"{school.name}: no other {phase} school in the LA to compare it with"
    if others == 1:
        return f"{school.name} and the other {phase} school in the LA, its free school meals share beside it"
    return f"{school.name} and the {others} {phase} schools nearest to it in free school meals share"


def _similar(
    source: FigureSource, school: SchoolInfo, period: Period, *, suppress: bool, threshold: int, n: int = 5
) -> Chart:
    """Schools of the same phase with the nearest share of FSM-eligible enrolments."""
    frame = _every_school(source, period, suppress=suppress, threshold=threshold)
    frame = frame[frame.education_phase == school.phase_label]
    own = frame[frame.school_urn == school.urn]
    if own.empty:
        table = Table(
            "Similar schools",
            [Column("school_name", "School")],
            [],
            empty="This school has no counted pupils in the period.",
        )
        return Chart("similar", "Compared with similar schools", None, table)
    own_share = float(own._share.iloc[0])
    others = frame[frame.school_urn != school.urn].assign(distance=lambda f: (f._share - own_share).abs())
    picked = pd.concat([own, others.nsmallest(n, "distance").drop(columns="distance")], ignore_index=True)
    picked = picked.assign(
        school_label=[
            f"{name} (this school)" if urn == school.urn else name
            for urn, name in zip(picked.school_urn, picked.school_name, strict=True)
        ]
    )
    return _similar_chart(picked, school)


# -- the school's pupils -------------------------------------------------------------------------
def pupil_list(
    store: Store,
    rows: pd.DataFrame,
    scheme: BandScheme,
    *,
    pupil_link: Callable[[int], str],
    limit: int | None = None,
) -> tuple[pd.DataFrame, Table]:
    """The school's persistently and severely absent pupils (of its period rows), lowest attendance first,
    with names and bands in ``scheme``: every one in the frame, the first ``limit`` in the table."""
    names = {b.key: b.name for b in scheme.bands}
    colours = {b.key: b.colour for b in scheme.bands}
    absent = rows[rows.pa_10 == 1].copy()
    absent["attendance_percent"] = 100.0 * (absent.sess_possible - absent.sess_overall) / absent.sess_possible
    absent = absent.sort_values(["attendance_percent", "enrolment_id"]).reset_index(drop=True)
    if len(absent):
        found = store.pupil_names(absent.upn)
        who = {u: " ".join(p for p in (f, s) if p) or "Name not recorded" for u, (f, s) in found.items()}
        absent["pupil"] = absent.upn.map(who)
    else:
        absent["pupil"] = []
    absent["band_name"] = absent.band.map(names)
    listed = absent if limit is None else absent.head(limit)
    caption = "Pupils persistently or severely absent (missed 10% or more of sessions)"
    if len(listed) < len(absent):
        caption += f", the {len(listed)} with the lowest attendance of {len(absent)}"
    table = table_from_frame(
        listed,
        caption,
        [
            Column("pupil", "Pupil"),
            Column("nc_year", "Year group"),
            Column("attendance_percent", "Attendance %", Kind.PERCENT),
            Column("sess_unauthorised", "Unauthorised sessions", Kind.COUNT),
            Column("band_name", "Band"),
        ],
        links={"pupil": [pupil_link(int(e)) for e in listed.enrolment_id]},
        tags={"band_name": [colours.get(b, "grey") for b in listed.band]},
        empty="No pupil has missed 10% or more of sessions in this period.",
    )
    return absent, table


#: Pupils a school page lists in each of its lists; the rest are a link away (the web's pupil lists).
PUPILS_SHOWN = 20


@dataclass(frozen=True)
class _Pupils:
    table: Table | None = None
    count: int = 0
    at_risk: SchoolRisk | None = None


def _pupils(source: FigureSource, rows: pd.DataFrame, urn: int, pupil_link: Callable[[int], str]) -> _Pupils:
    """The school's persistently and severely absent pupils, and those heading that way."""
    absent, table = pupil_list(source.store(), rows, source.band_scheme(), pupil_link=pupil_link, limit=PUPILS_SHOWN)
    risk = source.at_risk()
    heading = school_at_risk(risk, urn, pupil_link=pupil_link, limit=PUPILS_SHOWN) if risk is not None else None
    return _Pupils(table, len(absent), heading)


# -- the page ------------------------------------------------------------------------------------
def school_page(
    source: FigureSource,
    school: SchoolInfo,
    period: Period,
    *,
    suppress: bool,
    outside_team: bool,
    threshold: int,
    pupils: bool,
    pupil_link: Callable[[int], str],
) -> SchoolPage:
    """Everything on a school's page.

    Args:
        suppress: small numbers are suppressed on every figure (for a scrutiny member).
        outside_team: the viewer is not LA attendance staff (a school user or scrutiny member), so
            other schools' figures are suppressed like any aggregate shared outside the team.
        pupils: the viewer may see the school's pupils: list those persistently and severely absent and
            those heading that way.
    """
    all_rows = source.period_rows(period)
    rows = all_rows[all_rows.school_urn == school.urn]
    previous = previous_period(source.store(), period)
    phase = school.phase_label
    national = england_figures(period.academic_year.time_period)
    if suppress:
        figures = _suppressed_school_figures(source, school, period, previous, threshold)
    else:
        figures = _school_figures(source, school, period, previous)
    cards = headlines(
        figures.totals,
        national[national.education_phase == phase],
        national_label(national, phase),
        figures.last,
        previous.label if previous else "",
    )
    measures_table = _measures_table(figures, school, period, national, la_name(source))
    listed = _pupils(source, rows, school.urn, pupil_link) if pupils else _Pupils()
    hide_groups = suppress or outside_team
    return SchoolPage(
        period_text=data_range(source.store(), period),
        previous=previous,
        groups=flagged_groups(
            source,
            rows,
            key=("school", school.urn, period),
            suppress=hide_groups,
            threshold=threshold,
            suppressed=(
                (lambda col: source.suppressed(period, [col], threshold=threshold, school=school.urn))
                if hide_groups
                else None
            ),
        ),
        at_risk=listed.at_risk,
        school=school,
        period=period,
        suppressed=suppress,
        threshold=threshold,
        headlines=cards,
        measures=measures_table,
        trend=trend_figure(
            source,
            period,
            previous,
            school=school.urn,
            name=school.name,
            fig_id="trend",
            suppress=suppress,
            threshold=threshold,
        ),
        bands=bands_figure(
            figures.bands, source.band_scheme(), fig_id="bands", title=f"Pupils in each attendance band, {period.label}"
        ),
        cohorts=_cohort_tables(source, rows, period, school.urn, suppress=suppress, threshold=threshold),
        similar=_similar(source, school, period, suppress=hide_groups, threshold=threshold),
        pupils=listed.table,
        pupils_count=listed.count,
    )
