"""The web app's :class:`~attendwise.reports.source.FigureSource`: the figure cache of the process.

The LA overview and a school page are composed in :mod:`attendwise.reports` from a source; this one
answers from :mod:`attendwise.web.services.figures` and :mod:`attendwise.web.services.protected`, so the
pages share every period's rows, measures and suppressed tables with each other and with the exports,
the cohort page and the API, each computed once per data version (:class:`StoreAccess`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.cohorts import Cohort
from attendwise.documents.suppression import Suppressed
from attendwise.measures.bands import BandScheme
from attendwise.reports.early_warning import LARisk
from attendwise.store import Store
from attendwise.web.rules import Scope
from attendwise.web.services import figures, protected
from attendwise.web.services.data import StoreAccess
from attendwise.web.services.early_warning import la_risk

__all__ = ["CachedFigures"]

T = TypeVar("T")

#: The pages' suppressed tables are the LA's, whoever asks (:func:`protected.la_wide`).
_LA_WIDE = Scope(None, None)


@dataclass(frozen=True)
class CachedFigures:
    """The figures of the store behind ``access``, kept in its cache per data version."""

    access: StoreAccess

    def store(self) -> Store:
        return self.access.store()

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        return self.access.cached(key, compute)

    def band_scheme(self) -> BandScheme:
        return figures.band_scheme()

    def period_rows(self, period: Period, cohort: Cohort | None = None) -> pd.DataFrame:
        return figures.period_rows(self.access, period, cohort)

    def measures(self, rows: pd.DataFrame, by: Sequence[str] = (), *, key: Hashable = None) -> pd.DataFrame:
        return figures.measures(self.access, rows, tuple(by), key=key)

    def bands(self, rows: pd.DataFrame, by: Sequence[str] = (), *, key: Hashable = None) -> pd.DataFrame:
        return figures.bands(self.access, rows, tuple(by), key=key)

    def monthly(self, period: Period) -> pd.DataFrame:
        return figures.monthly(self.access, period)

    def suppressed(
        self, period: Period, cols: Sequence[str], *, threshold: int, school: int | None = None
    ) -> Suppressed:
        return protected.grouped(self.access, _LA_WIDE, period, cols, threshold=threshold, school=school)

    def prefetch(self, period: Period, groupings: Sequence[Sequence[str]], *, school: int | None = None) -> None:
        protected.prefetch(self.access, _LA_WIDE, period, groupings, school=school)

    def at_risk(self) -> LARisk | None:
        return la_risk(self.access)
