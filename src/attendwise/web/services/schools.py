"""Schools for a user: the schools index, a school's page (:func:`attendwise.reports.school.school_page` from
the figure cache) and its pupil list, each narrowed to what the user's scope may see.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.documents.tables import Column, Table, table_from_frame
from attendwise.measures.absence import MEASURE_COLUMNS as DFE_COLUMNS
from attendwise.reports import school as report
from attendwise.reports.common import MEASURE_COLUMNS
from attendwise.reports.school import SchoolInfo, SchoolPage
from attendwise.web.rules import Scope
from attendwise.web.services import figures, protected
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.source import CachedFigures

__all__ = ["pupil_list", "school_info", "school_page", "schools_frame", "schools_index"]

_SCHOOL_KEYS = ["school_urn", "school_name", "education_phase"]


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


def pupil_list(
    access: StoreAccess, rows: pd.DataFrame, *, pupil_link: Callable[[int], str]
) -> tuple[pd.DataFrame, Table]:
    """The school's persistently and severely absent pupils, lowest attendance first, with names and the
    LA's bands (:func:`attendwise.reports.school.pupil_list`)."""
    return report.pupil_list(access.store(), rows, figures.band_scheme(), pupil_link=pupil_link)


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
    """Everything on a school's page, as the user's scope may see it: suppressed for a scrutiny member, and
    its pupils listed only for a role that sees pupils (not the Virtual School, whose pupils are only
    children with a social worker).

    Args:
        outside_team: the viewer is not LA attendance staff (a school user or scrutiny member), so
            other schools' figures are suppressed like any aggregate shared outside the team.
    """
    return report.school_page(
        CachedFigures(access),
        school,
        period,
        suppress=scope.suppress,
        outside_team=outside_team,
        threshold=threshold,
        pupils=scope.pupil_level and not scope.social_care_only,
        pupil_link=pupil_link,
    )
