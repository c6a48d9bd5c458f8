"""Compute the figures the LA overview and school pages need before the first request."""

from __future__ import annotations

import logging
import threading

from attendwise.core.calendar import PeriodError
from attendwise.measures.pupils import band_periods
from attendwise.web.rules import Scope
from attendwise.web.services import figures, overview
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.periods import resolve_period

log = logging.getLogger(__name__)


def warm(access: StoreAccess) -> None:
    """Fill the cache for the default period (LA overview, school figures, trends, early warning)."""
    try:
        period = resolve_period(access.store(), None)
    except PeriodError:
        return
    # The overview also scores every pupil for early warning (training the model if an earlier year allows).
    overview.la_overview(access, Scope(None, None), period, threshold=5, school_link=lambda urn: None)
    # Every pupil's rows for the periods of a pupil page's band history: a pupil page is then a lookup.
    store = access.store()
    _, latest = store.mark_range()
    for _, band_period in band_periods(store, period.academic_year, latest):
        figures.pupil_rows(access, band_period)


def warm_periods(access: StoreAccess, *, stop: threading.Event | None = None) -> None:
    """Fill the cache for every period a user can choose (newest first): the LA overview's figures and
    every pupil's rows, so the first view of any period is a lookup. Meant for a background thread
    (``serve`` starts one); an import makes its work stale, and it starts again from the newest."""
    from attendwise.web.services.periods import period_choices

    version = access.version()
    choices = period_choices(access.store())
    for choice in choices:
        if (stop is not None and stop.is_set()) or access.version() != version:
            return
        try:
            period = resolve_period(access.store(), choice.value)
            overview.la_overview(access, Scope(None, None), period, threshold=5, school_link=lambda urn: None)
        except Exception:  # a period that cannot be shown is answered by the page, not here
            log.exception("could not compute the figures of %s ahead of time", choice.value)
    log.info("computed the figures of every period (%d) ahead of time", len(choices))
