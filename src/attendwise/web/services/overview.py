"""The LA overview for a user: :func:`attendwise.reports.overview.la_overview` from the figure cache, with
small numbers suppressed where the user's scope says so (a scrutiny member)."""

from __future__ import annotations

from collections.abc import Callable

from attendwise.core.calendar import Period
from attendwise.reports import overview
from attendwise.web.rules import Scope, sees_cohort_membership
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.source import CachedFigures

__all__ = ["la_overview"]


def la_overview(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    *,
    threshold: int,
    school_link: Callable[[int], str | None],
    top: int = 20,
) -> overview.LAOverview:
    """Everything on the LA overview page, suppressed for a scrutiny member. The overview is the LA's
    whoever asks: the scope says whether small numbers are suppressed, and which schools the ranked table
    lists (an officer with assigned schools sees theirs)."""
    return overview.la_overview(
        CachedFigures(access),
        period,
        suppress=scope.suppress,
        threshold=threshold,
        school_link=school_link,
        top=top,
        cohorts=tuple(figures.priority_cohorts()),
        hidden=lambda cohort: not sees_cohort_membership(scope, cohort),
        schools=scope.schools,
    )
