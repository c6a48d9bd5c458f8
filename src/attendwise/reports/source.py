"""Where the LA overview and a school page read their figures: a :class:`FigureSource`.

The pages' figures are the measures of a period's enrolment rows (one scan of the period's marks for the
whole LA, then any subset and grouping of those rows) and, for an audience that sees small numbers
suppressed, one suppressed table per grouping of the LA's rows, each suppressed against the coarser ones
its rows add up to (:func:`attendwise.documents.suppression.suppress_table`). A page asks for the same
rows and tables as its neighbours, so whoever passes a source computes each once and keeps it: the web
app's source (:class:`attendwise.web.services.source.CachedFigures`) keeps them per data version for every
page, export and API answer, so a figure is the same (and suppressed the same way) wherever it appears.

The reports compose pages from a source and never ask it for more than this; a source computes nothing a
measure does not (:mod:`attendwise.measures.absence`, :mod:`attendwise.measures.bands`,
:mod:`attendwise.analysis.early_warning`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Protocol, TypeVar

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.cohorts import Cohort
from attendwise.documents.suppression import Suppressed
from attendwise.measures.bands import BandScheme
from attendwise.reports.early_warning import LARisk
from attendwise.store import Store

__all__ = ["FigureSource"]

T = TypeVar("T")


class FigureSource(Protocol):
    """The figures a page is composed from, computed once and kept by whoever passes the source."""

    def store(self) -> Store:
        """The store the figures come from (for what is not a figure: a school, a pupil's name, the LAs)."""
        ...

    def cached(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per ``key`` (and per data version, where the data can change)."""
        ...

    def band_scheme(self) -> BandScheme:
        """The LA's attendance band scheme."""
        ...

    def period_rows(self, period: Period, cohort: Cohort | None = None) -> pd.DataFrame:
        """One row per counted enrolment in the period, with its band
        (:func:`attendwise.measures.absence.enrolment_absence` and :func:`attendwise.measures.bands.assign_bands`);
        split by one of the LA's priority cohorts (``cohort``), a member's enrolment is two rows, its sessions
        inside their dates and the rest."""
        ...

    def measures(self, rows: pd.DataFrame, by: Sequence[str] = (), *, key: Hashable = None) -> pd.DataFrame:
        """:func:`attendwise.measures.absence.absence_measures` of these rows (a subset of :meth:`period_rows`),
        grouped ``by``; kept under ``key`` when one is given."""
        ...

    def bands(self, rows: pd.DataFrame, by: Sequence[str] = (), *, key: Hashable = None) -> pd.DataFrame:
        """:func:`attendwise.measures.bands.band_counts` of these rows in :meth:`band_scheme`; kept under
        ``key`` when one is given."""
        ...

    def monthly(self, period: Period) -> pd.DataFrame:
        """The measures of each month of the period (``month``, ``month_start``), LA-wide (``school_urn``
        null) and by school."""
        ...

    def suppressed(
        self, period: Period, cols: Sequence[str], *, threshold: int, school: int | None = None
    ) -> Suppressed:
        """The suppressed table of the LA's rows by ``cols`` (every group, the bands as columns beside the
        DfE measures), or one school's rows of it."""
        ...

    def prefetch(self, period: Period, groupings: Sequence[Sequence[str]], *, school: int | None = None) -> None:
        """Count several suppressed tables (and the coarser ones each is suppressed against) at once, before
        a page asks for them one by one."""
        ...

    def at_risk(self) -> LARisk | None:
        """Every pupil on roll at the latest mark, scored for early warning; None with no marks."""
        ...
