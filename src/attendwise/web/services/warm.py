"""Compute the figures the LA overview and school pages need before the first request."""

from __future__ import annotations

from attendwise.core.calendar import PeriodError
from attendwise.web.rules import Scope
from attendwise.web.services import overview
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.periods import resolve_period


def warm(access: StoreAccess) -> None:
    """Fill the cache for the default period (LA overview, school figures, trends, early warning)."""
    try:
        period = resolve_period(access.store(), None)
    except PeriodError:
        return
    # The overview also scores every pupil for early warning (training the model if an earlier year allows).
    overview.la_overview(access, Scope(None, None), period, threshold=5, school_link=lambda urn: None)
