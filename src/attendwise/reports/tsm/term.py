"""The term's packs: :class:`TermPacks` computes, once, what every school's pack for a term needs (the
dates, the comparison figures, the pupils' windows and risks, the cohorts), then builds each school's pack
from those parts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from attendwise.core.calendar import Period
from attendwise.core.characteristics import PHASES
from attendwise.core.cohorts import Cohorts
from attendwise.measures.absence import Population, enrolment_absence
from attendwise.measures.bands import BandScheme, load_scheme
from attendwise.reports.tsm.actions import discussed, review_actions
from attendwise.reports.tsm.cohorts import TermCohorts
from attendwise.reports.tsm.dates import PackDates, block_aligned_end
from attendwise.reports.tsm.figures import TermFigures, measure_term
from attendwise.reports.tsm.inputs import CMEExclusion, TSMError, TSMInputs, cme_predicate
from attendwise.reports.tsm.pack import TSMPack
from attendwise.reports.tsm.pupils import TermPupils, early_warning, with_people
from attendwise.reports.tsm.windows import Windows
from attendwise.store import Store


def read_schools(store: Store, urns: Sequence[int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every school in the store and those asked for (all of them if ``urns`` is None), indexed by URN.

    Raises:
        TSMError: naming the first URN the store does not hold.
    """
    every = store.table("schools").to_pandas().set_index("urn")
    if urns is None:
        return every, every
    unknown = [u for u in urns if u not in every.index]
    if unknown:
        raise TSMError(f"no school with URN {unknown[0]} in the store")
    return every, every.loc[list(urns)]


class TermPacks:
    """Computes, once, everything the packs of one term need for every school, then builds each pack.

    ``TermPacks(store, term, ...)`` does the heavy work (one pass over the store for every school);
    :meth:`pack` then builds one school's pack with its case-store inputs cheaply, so a service that
    keeps the object can rebuild a pack each time a meeting's pupils or actions change. :meth:`pack`
    reads the store for previous actions' attendance, so callers on several threads share one
    ``TermPacks`` under a lock.
    """

    def __init__(
        self,
        store: Store,
        term: str | Period,
        *,
        as_at: dt.date | None,
        urns: Sequence[int] | None,
        scheme: BandScheme | str,
        population: Population | None,
        exclude_cme: CMEExclusion,
        risk_threshold: float,
        baseline_days: int,
        priority_cohorts: Cohorts | None = None,
        suppression_threshold: int = 5,
    ) -> None:
        self.store = store
        self.dates = PackDates.of(store, term, as_at)
        self.term, self.as_at = self.dates.term, self.dates.as_at
        self.scheme = scheme if isinstance(scheme, BandScheme) else load_scheme(scheme)
        self.population = population or Population()
        self.baseline_days = baseline_days
        every_school, self.schools = read_schools(store, urns)
        self.urns = list(self.schools.index)
        self.la_name = ", ".join(sorted({str(n) for n in every_school.la_name})) or "the LA"

        year_to_date, this_term, enrolments = measure_term(store, self.dates, self.population, self.scheme)
        self.figures = TermFigures(
            store,
            self.dates,
            year_to_date,
            this_term,
            population=self.population,
            scheme=self.scheme,
            la_name=self.la_name,
        )
        rows = with_people(store, enrolments, self.as_at)
        # The LA's own cohorts each pack shows ([packs] of the LA's cohorts file), by the school's phase.
        shown = (
            {int(u): priority_cohorts.for_pack(str(p)) for u, p in self.schools.phase.items()}
            if priority_cohorts
            else {}
        )
        asked = list(dict.fromkeys(c for cs in shown.values() for c in cs))
        ytd = Period(self.dates.year_to_date.label, self.dates.year_to_date.start, block_aligned_end(store, self.as_at))
        split = [
            (c, store.ibis.to_pyarrow(enrolment_absence(store, ytd, self.population, cohort=c)).to_pandas())
            for c in asked
        ]
        self.cohorts = TermCohorts(rows, self.urns, split, shown, suppression_threshold)
        windows = Windows(store, self.dates, self.urns if len(self.urns) < len(every_school) else None)
        self.pupils = TermPupils(
            rows,
            windows,
            early_warning(store, self.dates, risk_threshold),
            dates=self.dates,
            scheme=self.scheme,
            risk_threshold=risk_threshold,
            is_cme=cme_predicate(exclude_cme),
        )

    def pack(self, urn: int, inputs: TSMInputs | None = None, *, store: Store | None = None) -> TSMPack:
        """One school's pack with its case-store inputs.

        ``store``: the caller's own connection to the same store, for the few reads a pack makes (a
        DuckDB connection must not be used by two threads at once); default the one it was built with.
        """
        return self._pack(urn, inputs or TSMInputs(), self.store if store is None else store)

    def _pack(self, urn: int, inputs: TSMInputs, store: Store) -> TSMPack:
        school = self.schools.loc[urn]
        name, phase_label = str(school["name"]), PHASES.get(school.phase, school.phase)
        rows = self.pupils.school_rows(urn)
        listed = rows[rows.on_roll]
        last_mark = self.pupils.windows.last_day.get(int(urn))
        overall, national_note = self.figures.overall(store, urn, name, phase_label)
        summary = self.pupils.summaries()
        return TSMPack(
            urn=int(urn),
            school_name=name,
            phase=str(school.phase),
            la_name=self.la_name,
            term=self.term,
            as_at=self.as_at,
            school_last_mark=last_mark,
            year_to_date=self.dates.year_to_date,
            term_to_date=self.dates.term_to_date,
            population=self.population.describe(),
            overall=overall,
            categories=self.figures.categories(urn),
            severely_absent=self.pupils.severely_absent(listed, summary),
            persistently_absent=self.pupils.persistently_absent(listed, summary),
            zero_attendance=self.pupils.zero_attendance(listed, summary),
            no_attendance_recently=self.pupils.no_attendance_recently(urn, listed, summary),
            at_risk=self.pupils.at_risk(listed, summary),
            at_risk_basis=self.pupils.at_risk_basis,
            cohorts=self.cohorts.figures(urn),
            discussed=discussed(rows, inputs.discuss, summary, self.dates.year_to_date.label),
            previous_actions=review_actions(
                store,
                urn,
                rows,
                inputs.previous_actions,
                summary,
                as_at=self.as_at,
                baseline_days=self.baseline_days,
            ),
            notes=(*self._register_notes(last_mark), national_note),
        )

    def _register_notes(self, last_mark: dt.date | None) -> tuple[str, ...]:
        """A note when the school's registers hold no marks this year, or end before the pack's date."""
        if last_mark is None:
            year = self.dates.year
            return (f"The store holds no marks for this school in {year.label} up to {self.as_at:%d %b %Y}.",)
        if last_mark < self.as_at:
            return (
                f"This school's registers end on {last_mark:%d %b %Y}, before the pack's date "
                f"({self.as_at:%d %b %Y}); its lists are as at {last_mark:%d %b %Y}.",
            )
        return ()
