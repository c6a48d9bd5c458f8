"""A school's page: its measures against the LA and England, trend, bands, cohorts, pupils, similar schools.

Where figures are suppressed (for a scrutiny member; other schools' figures for a school user) every
figure comes from the suppressed tables of :mod:`attendwise.web.services.protected`: the school's own,
its phase's and its cohorts' alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.characteristics import FSM_LABELS, PHASES
from attendwise.documents.charts import bar_chart
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.suppression import Suppressed
from attendwise.documents.tables import Chart, Column, Kind, Table, table_from_frame
from attendwise.measures.absence import MEASURE_COLUMNS as DFE_COLUMNS
from attendwise.measures.reference import national_figures
from attendwise.web.rules import Scope
from attendwise.web.services import figures, protected
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.disproportionality import GroupsPanel, flagged_groups
from attendwise.web.services.early_warning import SchoolRisk, school_at_risk
from attendwise.web.services.overview import (
    MEASURE_COLUMNS,
    Headline,
    band_rows,
    bands_figure,
    headlines,
    la_name,
    trend_figure,
)
from attendwise.web.services.periods import previous_period

__all__ = ["SchoolInfo", "SchoolPage", "pupil_list", "school_info", "school_page", "schools_frame", "schools_index"]

_SCHOOL_KEYS = ["school_urn", "school_name", "education_phase"]

#: The cohorts a school page breaks its measures down by (GROUPINGS keys and their columns).
SCHOOL_COHORTS = {
    "FSM": ["fsm"],
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


def school_info(access: StoreAccess, urn: int) -> SchoolInfo | None:
    school = access.store().school(urn)
    return SchoolInfo(school.urn, school.name, school.phase, school.la_code) if school else None


def schools_frame(access: StoreAccess, scope: Scope, period: Period, *, suppress: bool, threshold: int) -> pd.DataFrame:
    """Every school's DfE measures for the period (the LA's schools, whoever asks; ``x`` where suppressed)."""
    if suppress:
        table = protected.grouped(access, protected.la_wide(scope), period, _SCHOOL_KEYS, threshold=threshold)
        return table.shown(DFE_COLUMNS)[[*_SCHOOL_KEYS, *DFE_COLUMNS]]
    rows = figures.period_rows(access, period)
    return figures.measures(access, rows, _SCHOOL_KEYS, key=("la-schools", period))


def schools_index(
    access: StoreAccess, scope: Scope, period: Period, *, threshold: int, school_link: Callable[[int], str | None]
) -> Table:
    """Every school the user may see, with its headline measures."""
    by_school = schools_frame(access, scope, period, suppress=scope.suppress, threshold=threshold)
    if scope.schools is not None:
        by_school = by_school[by_school.school_urn.isin(scope.schools)]
    by_school = by_school.sort_values("school_name").reset_index(drop=True)
    urns = [int(u) for u in by_school.school_urn]
    return table_from_frame(
        by_school,
        f"Schools, {period.label}",
        [
            Column("school_name", "School"),
            Column("school_urn", "URN"),
            Column("education_phase", "Phase"),
            *[MEASURE_COLUMNS[i] for i in (0, 1, 5, 7)],
        ],
        links={"school_name": [school_link(u) for u in urns]},
        empty="No schools to show.",
    )


def _cohort_tables(
    access: StoreAccess, scope: Scope, rows: pd.DataFrame, period: Period, urn: int, *, suppress: bool, threshold: int
) -> list[Table]:
    tables = []
    for title, by in SCHOOL_COHORTS.items():
        if suppress:
            frame = protected.grouped(access, scope, period, by, threshold=threshold, school=urn).shown()
        else:
            frame = figures.measures(access, rows, by, key=("school", urn, period))
        tables.append(
            table_from_frame(
                frame, f"By {title.lower()}", [Column(by[0], title), *[MEASURE_COLUMNS[i] for i in (0, 1, 4, 5, 6, 7)]]
            )
        )
    return tables


def _similar(
    access: StoreAccess,
    scope: Scope,
    school: SchoolInfo,
    period: Period,
    *,
    suppress: bool,
    threshold: int,
    n: int = 5,
) -> Chart:
    """Schools of the same phase with the nearest share of FSM-eligible enrolments."""
    rows = figures.period_rows(access, period)
    by_fsm = figures.measures(access, rows, ["school_urn", "fsm"], key=("la-schools-fsm", period))
    wide = by_fsm.pivot_table(index="school_urn", columns="fsm", values="enrolments", aggfunc="sum", fill_value=0)
    eligible = wide.get(FSM_LABELS[True], pd.Series(0, index=wide.index))
    # Nearness is judged on the true shares, so the same schools are chosen whoever looks.
    truth = 100.0 * eligible / wide.sum(axis=1)
    if suppress:
        everyone = protected.la_wide(scope)
        by_school = protected.grouped(access, everyone, period, _SCHOOL_KEYS, threshold=threshold).shown()
        fsm = protected.grouped(access, everyone, period, ["school_urn", "school_name", "fsm"], threshold=threshold)
        # The share gives the FSM-eligible count back from the enrolments, so it is hidden with it.
        hidden = set(fsm.values.school_urn[(fsm.values.fsm == FSM_LABELS[True]) & fsm.column_hidden("enrolments")])
        hidden |= set(by_school.school_urn[by_school.enrolments == SUPPRESSED])
        shares = [SUPPRESSED if u in hidden else truth.get(u) for u in by_school.school_urn]
    else:
        by_school = figures.measures(access, rows, _SCHOOL_KEYS, key=("la-schools", period))
        shares = [truth.get(u) for u in by_school.school_urn]
    frame = by_school.assign(fsm_percent=shares, _share=by_school.school_urn.map(truth))
    frame = frame[frame.education_phase == PHASES.get(school.phase, school.phase)]
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
    table = table_from_frame(
        picked,
        f"{school.name} and the {len(picked) - 1} {school.phase_label.lower()} schools nearest to it in FSM share",
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


def pupil_list(
    access: StoreAccess, rows: pd.DataFrame, *, pupil_link: Callable[[int], str]
) -> tuple[pd.DataFrame, Table]:
    """The school's persistently and severely absent pupils, lowest attendance first, with names and bands."""
    scheme = figures.band_scheme()
    names = {b.key: b.name for b in scheme.bands}
    colours = {b.key: b.colour for b in scheme.bands}
    absent = rows[rows.pa_10 == 1].copy()
    absent["attendance_percent"] = 100.0 * (absent.sess_possible - absent.sess_overall) / absent.sess_possible
    absent = absent.sort_values(["attendance_percent", "enrolment_id"]).reset_index(drop=True)
    if len(absent):
        found = access.store().pupil_names(absent.upn)
        who = {u: " ".join(p for p in (f, s) if p) or "Name not recorded" for u, (f, s) in found.items()}
        absent["pupil"] = absent.upn.map(who)
    else:
        absent["pupil"] = []
    absent["band_name"] = absent.band.map(names)
    table = table_from_frame(
        absent,
        "Pupils persistently or severely absent (missed 10% or more of sessions)",
        [
            Column("pupil", "Pupil"),
            Column("nc_year", "Year group"),
            Column("attendance_percent", "Attendance %", Kind.PERCENT),
            Column("sess_unauthorised", "Unauthorised sessions", Kind.COUNT),
            Column("band_name", "Band"),
        ],
        links={"pupil": [pupil_link(int(e)) for e in absent.enrolment_id]},
        tags={"band_name": [colours.get(b, "grey") for b in absent.band]},
        empty="No pupil has missed 10% or more of sessions in this period.",
    )
    return absent, table


def school_page(
    access: StoreAccess,
    scope: Scope,
    school: SchoolInfo,
    period: Period,
    *,
    threshold: int,
    pupil_link: Callable[[int], str],
    outside_team: bool,
) -> SchoolPage:
    """Everything on a school's page.

    Args:
        outside_team: the viewer is not LA attendance staff (a school user or scrutiny member), so
            other schools' figures are suppressed like any aggregate shared outside the team.
    """
    store = access.store()
    suppress = scope.suppress
    everyone = protected.la_wide(scope)
    all_rows = figures.period_rows(access, period)
    rows = all_rows[all_rows.school_urn == school.urn]
    previous = previous_period(store, period)
    phase = PHASES.get(school.phase, school.phase)
    national = national_figures(period.academic_year.time_period)
    national_year = int(national.time_period.iloc[0])

    def own(p: Period) -> Suppressed:
        return protected.grouped(access, everyone, p, [], threshold=threshold, school=school.urn)

    last: pd.DataFrame | None = None
    if suppress:
        protected.prefetch(access, everyone, period, list(SCHOOL_COHORTS.values()), school=school.urn)
        mine = own(period)
        totals = mine.shown(every_row=True)
        last = own(previous).shown(every_row=True) if previous is not None else None
        by_phase = protected.grouped(access, everyone, period, ["education_phase"], threshold=threshold).shown()
        band_frame = band_rows(mine) if len(mine.values) else figures.bands(access, rows)
    else:
        totals = figures.measures(access, rows, key=("school", school.urn, period))
        if previous is not None:
            earlier = figures.period_rows(access, previous)
            last = figures.measures(
                access, earlier[earlier.school_urn == school.urn], key=("school", school.urn, previous)
            )
        by_phase = figures.measures(access, all_rows, ["education_phase"], key=("la", period))
        band_frame = figures.bands(access, rows, key=("school", school.urn, period))
    la_phase = by_phase[by_phase.education_phase == phase]
    cards = headlines(
        totals,
        national[national.education_phase == phase],
        f"England {phase.lower()} {national_year // 100}/{national_year % 100:02d}",
        last,
        previous.academic_year.label if previous else "",
    )
    la_label = la_name(access)
    compare = pd.concat(
        [
            totals.assign(area=school.name),
            la_phase.assign(area=f"{la_label} {phase.lower()} schools"),
            national[national.education_phase == phase].assign(
                area=f"England {phase.lower()} {national_year // 100}/{national_year % 100:02d}"
            ),
        ],
        ignore_index=True,
    )
    measures_table = table_from_frame(
        compare,
        f"{school.name} beside the LA and England, {period.label}",
        [Column("area", "Area"), *[MEASURE_COLUMNS[i] for i in (0, 1, 2, 3, 5, 7)]],
    )
    pupils_table, count, at_risk = None, 0, None
    if scope.pupil_level and not scope.social_care_only:
        absent, pupils_table = pupil_list(access, rows, pupil_link=pupil_link)
        count = len(absent)
        at_risk = school_at_risk(access, school.urn, pupil_link=pupil_link)
    hide_groups = suppress or outside_team
    return SchoolPage(
        groups=flagged_groups(
            access,
            rows,
            key=("school", school.urn, period),
            suppress=hide_groups,
            threshold=threshold,
            suppressed=(
                (lambda col: protected.grouped(access, everyone, period, [col], threshold=threshold, school=school.urn))
                if hide_groups
                else None
            ),
        ),
        at_risk=at_risk,
        school=school,
        period=period,
        suppressed=suppress,
        threshold=threshold,
        headlines=cards,
        measures=measures_table,
        trend=trend_figure(
            access,
            period,
            previous,
            school=school.urn,
            name=school.name,
            fig_id="trend",
            scope=scope,
            suppress=suppress,
            threshold=threshold,
        ),
        bands=bands_figure(band_frame, fig_id="bands", title=f"Pupils in each attendance band, {period.label}"),
        cohorts=_cohort_tables(access, everyone, rows, period, school.urn, suppress=suppress, threshold=threshold),
        similar=_similar(access, scope, school, period, suppress=hide_groups, threshold=threshold),
        pupils=pupils_table,
        pupils_count=count,
    )
