"""A pupil's record: one child's marks, running attendance, reasons for absence and band history.

This is what an attendance officer opens when they look at one child, computed here in the core
(the web app only lays it out):

* the year's **marks**, each with its date, session, code and what the code means on that date
  (the versioned lookup in :mod:`attendwise.core.codes`, joined in SQL, so ``J`` before 19 August 2024
  is attendance and ``J1`` after is authorised absence);
* the **running attendance rate** week by week (attended sessions over possible sessions since
  the start of the year), the figure a school quotes to a family;
* **absence by reason** and **band history** by half term and term, both read from
  :func:`attendwise.measures.absence.enrolment_absence` and :func:`attendwise.measures.bands.assign_bands`
  restricted to the pupil, so the child's figures are exactly the ones that go into the LA's
  measures;
* the pupil's **characteristics** and **enrolments**.

For one child the DfE's statistical population rules are not applied: a reception child, a
sixth former or a boarder still has a record, and the summer-term study leave rule for 15-year-olds
is not applied to an individual's figures (see :data:`PUPIL_POPULATION`).

Examples:
    >>> from attendwise.store import Store
    >>> with Store(":memory:") as store:
    ...     pupil_record(store, 1) is None
    True
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, cast

import ibis
import ibis.expr.types as ir
import pandas as pd

from attendwise.core.calendar import AcademicYear, Period, PeriodError, parse_period
from attendwise.core.characteristics import FSM_LABELS, PHASES, SEN_LABELS, SEX_LABELS, ethnicity_groups
from attendwise.core.codes import ABSENCE_REASONS, Category, code_set_for, lookup_rows
from attendwise.measures.absence import Population, enrolment_absence
from attendwise.measures.bands import BandScheme, assign_bands, load_scheme

if TYPE_CHECKING:
    from attendwise.store import Store

__all__ = [
    "PUPIL_POPULATION",
    "BandAt",
    "Enrolment",
    "Mark",
    "PupilRecord",
    "ReasonCount",
    "RowsFor",
    "WeekRate",
    "band_periods",
    "enrolments_of",
    "find_enrolment",
    "find_enrolments",
    "pupil_record",
    "pupil_record_for_upn",
]

#: Who counts when the record is one child's: every age, boarders included, no census summer rules.
PUPIL_POPULATION = Population(min_age=None, max_age=None, include_boarders=True, dfe_summer_rules=False)

#: Every pupil's enrolment rows for a period (:func:`attendwise.measures.absence.enrolment_absence` of
#: :data:`PUPIL_POPULATION`), kept by a caller: the pupil record reads one pupil's rows out of them
#: (None for a period the caller keeps no rows of: the pupil's are measured alone).
RowsFor = Callable[[Period], "pd.DataFrame | None"]

_CATEGORY_BY_NAME = {c.name.lower(): c for c in Category}


@dataclass(frozen=True, slots=True)
class Enrolment:
    """One enrolment of the pupil: a school's roll from an admission date."""

    enrolment_id: int
    upn: str
    urn: int
    school_name: str
    phase: str
    admission_date: dt.date
    leaving_date: dt.date | None
    nc_year: str
    fsm: bool
    sen: str
    sen_primary_need: str | None
    cla: bool
    cin: bool
    cpp: bool
    boarder: bool

    @property
    def on_roll(self) -> bool:
        return self.leaving_date is None

    @property
    def sen_label(self) -> str:
        return SEN_LABELS.get(self.sen, self.sen)

    @property
    def phase_label(self) -> str:
        return PHASES.get(self.phase, self.phase)

    @property
    def has_social_worker(self) -> bool:
        """A child in need or on a child protection plan (the DfE's "children with a social worker")."""
        return self.cin or self.cpp


@dataclass(frozen=True, slots=True)
class Mark:
    """One session mark, read against the code set in force on its date."""

    enrolment_id: int
    date: dt.date
    session: str
    code: str
    meaning: str
    category: Category
    #: The DfE reason column for absence codes (``sess_auth_illness`` ...), else ``None``.
    reason: str | None

    @property
    def is_possible(self) -> bool:
        return self.category.counts_as_possible

    @property
    def is_attendance(self) -> bool:
        return self.category.counts_as_attendance


@dataclass(frozen=True, slots=True)
class WeekRate:
    """Sessions in one school week (Monday start) and the attendance rate so far in the year."""

    week_start: dt.date
    possible: int
    attended: int
    absent: int
    possible_to_date: int
    attended_to_date: int

    @property
    def attendance_percent(self) -> float | None:
        """Attendance in this week alone."""
        return None if self.possible == 0 else 100.0 * self.attended / self.possible

    @property
    def running_percent(self) -> float | None:
        """Attendance from the start of the year to the end of this week."""
        return None if self.possible_to_date == 0 else 100.0 * self.attended_to_date / self.possible_to_date


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """Sessions missed for one DfE reason, and their share of all the pupil's absence."""

    reason: str
    label: str
    authorised: bool
    sessions: int
    percent_of_absence: float


@dataclass(frozen=True, slots=True)
class BandAt:
    """The pupil's attendance band over one period (a half term, a term or the year so far)."""

    period: str
    kind: str  # "half term", "term" or "year"
    start: dt.date
    end: dt.date
    sess_possible: int
    sess_overall: int
    band_key: str
    band_name: str
    colour: str

    @property
    def sess_attended(self) -> int:
        """Possible sessions not missed (present or at an approved educational activity)."""
        return self.sess_possible - self.sess_overall

    @property
    def attendance_percent(self) -> float:
        return 100.0 * (self.sess_possible - self.sess_overall) / self.sess_possible


@dataclass(frozen=True, slots=True)
class Characteristics:
    """What the pupil is reported by, from the pupil and the enrolment shown."""

    date_of_birth: dt.date
    age_at_start_of_year: int
    sex: str
    ethnicity_code: str
    ethnicity_major: str
    ethnicity_minor: str
    first_language: str
    nc_year: str
    fsm: str
    sen: str
    sen_primary_need: str | None
    cla: bool
    cin: bool
    cpp: bool


@dataclass(frozen=True, slots=True)
class PupilRecord:
    """Everything the pupil page shows for one academic year."""

    upn: str
    forename: str | None
    surname: str | None
    year: AcademicYear
    #: The enrolments whose marks the record is built from.
    shown: tuple[Enrolment, ...]
    #: Every enrolment of the pupil, in any year, newest first.
    enrolments: tuple[Enrolment, ...]
    characteristics: Characteristics
    marks: tuple[Mark, ...]
    weeks: tuple[WeekRate, ...]
    reasons: tuple[ReasonCount, ...]
    band_history: tuple[BandAt, ...]
    sess_possible: int
    sess_present: int
    sess_aea: int
    sess_authorised: int
    sess_unauthorised: int

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.forename, self.surname) if p) or "Name not recorded"

    @property
    def sess_overall(self) -> int:
        return self.sess_authorised + self.sess_unauthorised

    @property
    def sess_attended(self) -> int:
        """Sessions present or at an approved educational activity."""
        return self.sess_present + self.sess_aea

    @property
    def attendance_percent(self) -> float | None:
        if self.sess_possible == 0:
            return None
        return 100.0 * (self.sess_present + self.sess_aea) / self.sess_possible

    @property
    def absence_percent(self) -> float | None:
        return None if self.sess_possible == 0 else 100.0 * self.sess_overall / self.sess_possible

    @property
    def current_band(self) -> BandAt | None:
        """The band for the whole year so far (the last entry of the band history)."""
        years = [b for b in self.band_history if b.kind == "year"]
        return years[-1] if years else None


# -------------------------------------------------------------------------------------------------
# Enrolments
# -------------------------------------------------------------------------------------------------
def _enrolment(row: Sequence[object]) -> Enrolment:
    return Enrolment(*row)  # type: ignore[arg-type]


def find_enrolment(store: Store, enrolment_id: int) -> Enrolment | None:
    """The enrolment with this id, or ``None``.

    Examples:
        >>> from attendwise.store import Store
        >>> with Store(":memory:") as store:
        ...     find_enrolment(store, 42) is None
        True
    """
    rows = store.enrolment_rows(enrolment_id=int(enrolment_id))
    return _enrolment(rows[0]) if rows else None


def find_enrolments(store: Store, enrolment_ids: Sequence[int]) -> dict[int, Enrolment]:
    """The enrolments with these ids that the store holds, by id (one query for a list of cases)."""
    return {e.enrolment_id: e for e in map(_enrolment, store.enrolment_rows(enrolment_ids=enrolment_ids))}


def enrolments_of(store: Store, upn: str) -> list[Enrolment]:
    """Every enrolment of a pupil, newest admission first."""
    return [_enrolment(r) for r in store.enrolment_rows(upn=upn)]


# -------------------------------------------------------------------------------------------------
# The record
# -------------------------------------------------------------------------------------------------
def pupil_record(
    store: Store,
    enrolment_id: int,
    *,
    year: AcademicYear | None = None,
    scheme: BandScheme | str = "five-categories",
    rows_for: RowsFor | None = None,
) -> PupilRecord | None:
    """The record of one enrolment for an academic year (default: the latest year it has marks in).

    Args:
        store: the register store.
        enrolment_id: the enrolment to show.
        year: the academic year; by default the year of the enrolment's latest mark (or of the
            store's latest mark, if it has none).
        scheme: the band scheme for the band history, a preset name or a loaded scheme.
        rows_for: every pupil's enrolment rows for a period (:data:`PUPIL_POPULATION`), where a caller keeps
            them (the web's figure cache): the year's totals, reasons and band history are read from them
            rather than measured for this pupil alone, the same figures at a fraction of the cost.

    Returns:
        The record, or ``None`` if there is no such enrolment.
    """
    enrolment = find_enrolment(store, enrolment_id)
    if enrolment is None:
        return None
    return _record(store, [enrolment], year, scheme, rows_for)


def pupil_record_for_upn(
    store: Store,
    upn: str,
    *,
    year: AcademicYear | None = None,
    scheme: BandScheme | str = "five-categories",
) -> PupilRecord | None:
    """The record of a pupil across all their enrolments in the year (a pupil who moved school)."""
    enrolments = enrolments_of(store, upn)
    if not enrolments:
        return None
    return _record(store, enrolments, year, scheme)


def _record(
    store: Store,
    enrolments: list[Enrolment],
    year: AcademicYear | None,
    scheme: BandScheme | str,
    rows_for: RowsFor | None = None,
) -> PupilRecord:
    upn = enrolments[0].upn
    ids = [e.enrolment_id for e in enrolments]
    if year is None:
        latest = store.latest_mark(enrolment_ids=ids) or store.latest_mark()
        year = AcademicYear.containing(latest or dt.date.today())
    chosen = scheme if isinstance(scheme, BandScheme) else load_scheme(scheme)

    marks_frame = _marks_in_year(store, ids, year)
    marks_table = ibis.memtable(marks_frame)
    meant = _with_meaning(marks_frame)
    marks = _read_marks(meant)
    # Only the enrolments with marks in the year are "shown"; a pupil's earlier schools are listed.
    with_marks = {m.enrolment_id for m in marks}
    shown = tuple(e for e in enrolments if e.enrolment_id in with_marks) or (enrolments[0],)

    pupil_store = _OnePupilStore(store, ids, marks_table)
    everything = enrolments_of(store, upn)
    forename, surname, dob, sex, ethnicity, language = store.pupil_details(upn)  # type: ignore[misc]
    year_row = _year_row(pupil_store, year, rows_for)
    current = shown[0]
    major, minor = ethnicity_groups(ethnicity) or ("Unclassified", "Unclassified")
    characteristics = Characteristics(
        date_of_birth=dob,
        age_at_start_of_year=year.age_date.year - dob.year - (dob.month >= 9),
        sex=SEX_LABELS.get(sex, sex),
        ethnicity_code=ethnicity,
        ethnicity_major=major,
        ethnicity_minor=minor,
        first_language={"ENG": "English", "OTH": "Other than English"}.get(language or "", "Unclassified"),
        nc_year=current.nc_year,
        fsm=FSM_LABELS[current.fsm],
        sen=current.sen_label,
        sen_primary_need=current.sen_primary_need,
        cla=current.cla,
        cin=current.cin,
        cpp=current.cpp,
    )
    totals = {k: int(year_row.get(k, 0) or 0) for k in _TOTALS}
    return PupilRecord(
        upn=upn,
        forename=forename,
        surname=surname,
        year=year,
        shown=shown,
        enrolments=tuple(everything),
        characteristics=characteristics,
        marks=tuple(marks),
        weeks=tuple(_weeks(meant)),
        reasons=tuple(_reasons(year_row)),
        band_history=tuple(_band_history(store, pupil_store, year, chosen, rows_for)),
        **totals,
    )


_TOTALS = ("sess_possible", "sess_present", "sess_aea", "sess_authorised", "sess_unauthorised")


def _marks_in_year(store: Store, ids: list[int], year: AcademicYear) -> pd.DataFrame:
    """The pupil's marks in the year, fetched once (one scan): a few hundred rows, read here in memory."""
    marks = store.table("marks")
    mine = marks.filter(marks.enrolment_id.isin(ids), marks.date.between(year.start, year.end))
    return mine.to_pyarrow().to_pandas()


@cache
def _meanings() -> pd.DataFrame:
    return pd.DataFrame(lookup_rows())


def _with_meaning(marks: pd.DataFrame) -> pd.DataFrame:
    """One pupil's marks with what each code means on its date (as :func:`attendwise.core.codes.with_meaning`
    joins them in the engine), sorted by date, session and enrolment."""
    dates = pd.to_datetime(marks.date).dt.date
    marks = marks.assign(date=dates, code_set=[code_set_for(d) for d in dates])
    joined = marks.merge(_meanings(), on=["code_set", "code"], how="inner")
    return joined.sort_values(["date", "session", "enrolment_id"], kind="stable").reset_index(drop=True)


def _read_marks(meant: pd.DataFrame) -> list[Mark]:
    return [
        Mark(
            enrolment_id=int(r.enrolment_id),
            date=r.date,
            session=str(r.session),
            code=str(r.code),
            meaning=str(r.meaning),
            category=_CATEGORY_BY_NAME[str(r.category)],
            reason=None if pd.isna(r.reason) else str(r.reason),
        )
        for r in meant.itertuples(index=False)
    ]


def _weeks(meant: pd.DataFrame) -> list[WeekRate]:
    """Possible and attended sessions per school week (weeks from Monday), with running totals."""
    if meant.empty:
        return []
    week = [d - dt.timedelta(days=d.weekday()) for d in meant.date]
    per_week = (
        meant.assign(week_start=week, attended=meant.is_possible * meant.is_attendance)
        .groupby("week_start", sort=True)[["is_possible", "attended"]]
        .sum()
        .rename(columns={"is_possible": "possible"})
    )
    per_week["possible_to_date"] = per_week.possible.cumsum()
    per_week["attended_to_date"] = per_week.attended.cumsum()
    return [
        WeekRate(
            week_start=start,
            possible=int(r.possible),
            attended=int(r.attended),
            absent=int(r.possible) - int(r.attended),
            possible_to_date=int(r.possible_to_date),
            attended_to_date=int(r.attended_to_date),
        )
        for start, r in per_week.iterrows()
    ]


class _OnePupilStore:
    """The store as :func:`enrolment_absence` sees it, cut down to one pupil's enrolments.

    The measures read ``table(name)`` and ``ethnicity_codes()``; here ``marks`` is the pupil's marks for
    the year (already fetched) and the enrolment tables are filtered to the pupil, so every period's
    figures are computed on a few hundred rows with the LA's own measure definitions.
    """

    def __init__(self, store: Store, ids: list[int], marks: ir.Table) -> None:
        self.ibis = store.ibis
        self.ethnicity_codes = store.ethnicity_codes
        self._store = store
        self._ids = ids
        self._marks = marks

    def table(self, name: str) -> ir.Table:
        if name == "marks":
            return self._marks
        table = self._store.table(name)
        if name == "enrolments":
            return table.filter(table.enrolment_id.isin(self._ids))
        return table


def _absence_rows(pupil_store: _OnePupilStore, period: Period) -> ir.Table:
    return enrolment_absence(cast("Store", pupil_store), period, PUPIL_POPULATION, source="marks")


def _kept_rows(rows_for: RowsFor | None, pupil_store: _OnePupilStore, period: Period) -> pd.DataFrame | None:
    """The pupil's enrolments' rows of a period, from rows kept for every pupil (None: none kept)."""
    rows = rows_for(period) if rows_for is not None else None
    return None if rows is None else rows[rows.enrolment_id.isin(pupil_store._ids)]


def _year_row(pupil_store: _OnePupilStore, year: AcademicYear, rows_for: RowsFor | None = None) -> dict[str, int]:
    """Sessions by category and reason over the year, summed over the shown enrolments."""
    cols = [*_TOTALS, *ABSENCE_REASONS]
    whole = Period(year.label, year.start, year.end)
    kept = _kept_rows(rows_for, pupil_store, whole)
    if kept is not None:
        return {c: int(kept[c].sum()) for c in cols} if len(kept) else {}
    rows = _absence_rows(pupil_store, whole)
    frame = rows.aggregate(**{c: rows[c].sum() for c in cols}).execute()
    if frame.empty:
        return {}
    return {c: 0 if pd.isna(v) else int(v) for c, v in frame.iloc[0].items()}


def _reasons(year_row: dict[str, int]) -> list[ReasonCount]:
    overall = year_row.get("sess_authorised", 0) + year_row.get("sess_unauthorised", 0)
    out = [
        ReasonCount(
            reason=reason,
            label=label,
            authorised=reason.startswith("sess_auth_"),
            sessions=year_row.get(reason, 0),
            percent_of_absence=100.0 * year_row.get(reason, 0) / overall if overall else 0.0,
        )
        for reason, label in ABSENCE_REASONS.items()
        if year_row.get(reason, 0) > 0
    ]
    return sorted(out, key=lambda r: (-r.sessions, r.label))


def _periods(store: Store, year: AcademicYear, latest: dt.date | None) -> list[tuple[str, Period]]:
    """Half terms, terms and the year so far, for periods that have started by ``latest``."""
    starts = store.half_term_starts()
    out: list[tuple[str, Period]] = []
    for term in ("autumn", "spring", "summer"):
        for half in ("1", "2"):
            # Without the LA's half-term dates for a term, its halves are left out (the term stays).
            with contextlib.suppress(PeriodError):
                out.append(("half term", parse_period(f"{year.label}-{term}-{half}", half_term_starts=starts)))
        out.append(("term", parse_period(f"{year.label}-{term}")))
    end = min(latest, year.end) if latest else year.end
    out.append(("year", Period(f"{year.label} to {end:%d %b %Y}", year.start, end)))
    return [(kind, p) for kind, p in out if latest is None or p.start <= latest]


def band_periods(store: Store, year: AcademicYear, latest: dt.date | None) -> list[tuple[str, Period]]:
    """The periods of a pupil's band history in ``year``: half terms, terms and the year to ``latest``
    (those begun by then), each with its kind; a cache of every pupil's rows (``rows_for``) keeps these."""
    return _periods(store, year, latest)


def _band_history(
    store: Store,
    pupil_store: _OnePupilStore,
    year: AcademicYear,
    scheme: BandScheme,
    rows_for: RowsFor | None = None,
) -> list[BandAt]:
    """The pupil's band in each period, from the measures' enrolment rows and the band scheme."""
    latest = store.ibis.execute(pupil_store.table("marks").date.max())
    latest = None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()
    if latest is None:
        return []
    by_key = {b.key: b for b in scheme.bands}
    history: list[BandAt] = []
    for kind, period in _periods(store, year, latest):
        kept = _kept_rows(rows_for, pupil_store, period)
        if kept is not None:
            possible, overall = int(kept.sess_possible.sum()), int(kept.sess_overall.sum())
            if possible <= 0:
                continue
            r = pd.Series({"sess_possible": possible, "sess_overall": overall})
            band = scheme.band_for(possible - overall, possible)
        else:
            rows = _absence_rows(pupil_store, period)
            summed = rows.aggregate(sess_possible=rows.sess_possible.sum(), sess_overall=rows.sess_overall.sum())
            banded = assign_bands(summed.filter(summed.sess_possible > 0), scheme).execute()
            if banded.empty:
                continue
            r = banded.iloc[0]
            band = by_key[str(r.band)]
        history.append(
            BandAt(
                period=period.label,
                kind=kind,
                start=period.start,
                end=period.end,
                sess_possible=int(r.sess_possible),
                sess_overall=int(r.sess_overall),
                band_key=band.key,
                band_name=band.name,
                colour=band.colour,
            )
        )
    return history
