"""The Virtual School's children on the web: :mod:`attendwise.reports.virtual_school` over the cached rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from attendwise.core.calendar import Period
from attendwise.reports.virtual_school import VirtualSchool, virtual_school
from attendwise.web.rules import Scope
from attendwise.web.services import figures
from attendwise.web.services.data import StoreAccess

__all__ = ["children"]


def children(
    access: StoreAccess,
    scope: Scope,
    period: Period,
    *,
    pupil_link: Callable[[int], str],
    school_link: Callable[[int], str | None],
) -> VirtualSchool:
    """The children looked after or with a social worker the user may see, by school (once per scope)."""

    def compute() -> VirtualSchool:
        store = access.store()
        codes = Counter(s.la_code for s in store.schools())
        home = codes.most_common(1)[0][0] if codes else None
        rows = figures.scoped_rows(figures.period_rows(access, period), scope)
        return virtual_school(
            store, rows, figures.band_scheme(), pupil_link=pupil_link, school_link=school_link, home_la=home
        )

    # the school links depend on the user's role, which the scope holds
    return access.cached(("virtual-school", period, scope), compute)
