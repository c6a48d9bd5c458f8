"""The questions every layer above asks the store, answered by the DuckDB store in SQL.

Measures and analysis are Ibis expressions over the store's tables; what they and the reports, the CLI
and the web app need besides (who a school is, a pupil's name, the latest mark, the published figures
loaded) is a method here. Nothing outside :mod:`attendwise.store` and :mod:`attendwise.ingest` writes
SQL, so a store on another engine answers the same methods over the same tables
(:mod:`attendwise.store.schema`) and the layers above do not change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

__all__ = [
    "CohortMembership",
    "Contact",
    "ContactVersion",
    "EnrolmentRow",
    "PupilContact",
    "School",
    "StoreQuestions",
]


@dataclass(frozen=True, slots=True)
class CohortMembership:
    """A pupil's period in one of the LA's priority cohorts, as ``cohorts.csv`` gave it."""

    upn: str
    cohort: str
    start_date: dt.date
    #: ``None``: still in it.
    end_date: dt.date | None
    source: str | None


@dataclass(frozen=True, slots=True)
class School:
    """A school as the store holds it."""

    urn: int
    name: str
    phase: str
    la_code: str
    la_name: str | None
    #: Enrolments on its roll at any time in the store (0 for a school with none yet).
    enrolments: int = 0


@dataclass(frozen=True, slots=True)
class Contact:
    """A parent or carer as ``contacts.csv`` gave them: the same person for every child they are a contact of."""

    contact_id: str
    title: str | None
    forename: str | None
    surname: str
    address_line_1: str | None
    address_line_2: str | None
    town: str | None
    postcode: str | None
    phone: str | None
    email: str | None

    @property
    def name(self) -> str:
        """``Amina Begum`` (the title left out)."""
        return " ".join(p for p in (self.forename, self.surname) if p)

    @property
    def address_lines(self) -> tuple[str, ...]:
        """The postal address a line each, blank lines left out."""
        return tuple(p for p in (self.address_line_1, self.address_line_2, self.town, self.postcode) if p)


@dataclass(frozen=True, slots=True)
class PupilContact:
    """A contact of one pupil, and what they are to that child."""

    upn: str
    contact: Contact
    relationship: str
    parental_responsibility: bool
    lives_with: bool
    #: The order to contact them in (1 first); ``None`` when not given.
    priority: int | None


@dataclass(frozen=True, slots=True)
class ContactVersion:
    """A contact's details as one import stored them, until a later one (``superseded_by``) changed them."""

    contact: Contact
    import_id: int
    superseded_by: int | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.contact, name)


_CONTACT_COLUMNS = "contact_id, title, forename, surname, address_line_1, address_line_2, town, postcode, phone, email"


#: The columns of an enrolment with its school (:meth:`StoreQuestions.enrolment_rows`), in order.
ENROLMENT_COLUMNS = (
    "enrolment_id",
    "upn",
    "urn",
    "school_name",
    "phase",
    "admission_date",
    "leaving_date",
    "nc_year",
    "fsm",
    "sen",
    "sen_primary_need",
    "cla",
    "cin",
    "cpp",
    "boarder",
)
EnrolmentRow = tuple[Any, ...]

_ENROLMENT_SQL = f"""
SELECT {
    ", ".join(
        "s.name AS school_name" if c == "school_name" else f"{'s' if c == 'phase' else 'e'}.{c}"
        for c in ENROLMENT_COLUMNS
    )
}
FROM enrolments e JOIN schools s USING (urn)
"""


class StoreQuestions:
    """What the layers above ask of the store (mixed into :class:`attendwise.store.Store`)."""

    _con: duckdb.DuckDBPyConnection

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        # fetchall, not fetchone: DuckDB refuses further work on a connection with a half-read result.
        return self._con.execute(sql, list(params)).fetchall()

    def _value(self, sql: str, params: Sequence[object] = ()) -> Any:
        rows = self._rows(sql, params)
        return rows[0][0] if rows else None

    # -- schools and the LA ----------------------------------------------------------------------
    def schools(self) -> list[School]:
        """Every school, largest roll first (then by URN)."""
        rows = self._rows(
            """SELECT s.urn, s.name, s.phase, s.la_code, s.la_name, count(e.enrolment_id)
               FROM schools s LEFT JOIN enrolments e USING (urn) GROUP BY ALL ORDER BY 6 DESC, 1"""
        )
        return [School(*r) for r in rows]

    def school(self, urn: int) -> School | None:
        rows = self._rows("SELECT urn, name, phase, la_code, la_name FROM schools WHERE urn = ?", [urn])
        return School(*rows[0]) if rows else None

    def school_urns(self) -> list[int]:
        return [r[0] for r in self._rows("SELECT urn FROM schools ORDER BY urn")]

    def local_authorities(self) -> list[tuple[str, str | None]]:
        """The LAs of the store's schools, as ``(la_code, la_name)``, by number."""
        return [(code, name) for code, name in self._rows("SELECT DISTINCT la_code, la_name FROM schools ORDER BY 1")]

    # -- pupils and enrolments -------------------------------------------------------------------
    def enrolment_rows(
        self,
        *,
        enrolment_id: int | None = None,
        upn: str | None = None,
        enrolment_ids: Iterable[int] | None = None,
    ) -> list[EnrolmentRow]:
        """One enrolment by id, every enrolment of a pupil (newest admission first), or the enrolments of
        several ids (a list of cases), with its school: the columns of :data:`ENROLMENT_COLUMNS`."""
        if enrolment_id is not None:
            return self._rows(_ENROLMENT_SQL + "WHERE e.enrolment_id = ?", [enrolment_id])
        if enrolment_ids is not None:
            wanted = sorted({int(i) for i in enrolment_ids})
            if not wanted:
                return []
            return self._rows(_ENROLMENT_SQL + f"WHERE e.enrolment_id IN ({','.join('?' * len(wanted))})", wanted)
        return self._rows(_ENROLMENT_SQL + "WHERE e.upn = ? ORDER BY e.admission_date DESC, e.urn", [upn])

    def pupil_details(self, upn: str) -> tuple[Any, ...] | None:
        """``(forename, surname, date_of_birth, sex, ethnicity, first_language)`` of a pupil, or ``None``."""
        rows = self._rows(
            "SELECT forename, surname, date_of_birth, sex, ethnicity, first_language FROM pupils WHERE upn = ?", [upn]
        )
        return rows[0] if rows else None

    def pupils_details(self, upns: Iterable[str]) -> dict[str, tuple[Any, ...]]:
        """:meth:`pupil_details` of many pupils at once, by UPN (those the store holds)."""
        wanted = sorted(set(upns))
        if not wanted:
            return {}
        rows = self._rows(
            """SELECT upn, forename, surname, date_of_birth, sex, ethnicity, first_language FROM pupils
               WHERE upn IN (SELECT unnest(?))""",
            [wanted],
        )
        return {r[0]: tuple(r[1:]) for r in rows}

    def latest_enrolments(self, upns: Iterable[str]) -> dict[str, EnrolmentRow]:
        """Each pupil's newest enrolment (latest admission, then lowest URN), with its school: the columns of
        :data:`ENROLMENT_COLUMNS`, by UPN."""
        wanted = sorted(set(upns))
        if not wanted:
            return {}
        rows = self._rows(
            _ENROLMENT_SQL
            + """WHERE e.upn IN (SELECT unnest(?))
                 QUALIFY row_number() OVER (PARTITION BY e.upn ORDER BY e.admission_date DESC, e.urn) = 1""",
            [wanted],
        )
        return {r[1]: r for r in rows}

    def cohort_memberships(self, upns: Iterable[str]) -> dict[str, list[CohortMembership]]:
        """Each pupil's periods in the LA's priority cohorts, by cohort and start date; pupils in none left out.
        (Who may see which cohort is the caller's to decide: :mod:`attendwise.core.cohorts`' visibility.)"""
        wanted = sorted(set(upns))
        if not wanted:
            return {}
        rows = self._rows(
            """SELECT upn, cohort, start_date, end_date, source FROM cohort_members
               WHERE upn IN (SELECT unnest(?)) ORDER BY upn, cohort, start_date""",
            [wanted],
        )
        out: dict[str, list[CohortMembership]] = {}
        for row in rows:
            out.setdefault(row[0], []).append(CohortMembership(*row))
        return out

    def cohorts_held(self) -> tuple[str, ...]:
        """The priority cohorts (keys) the store holds any membership of, sorted."""
        return tuple(sorted(r[0] for r in self._rows("SELECT DISTINCT cohort FROM cohort_members")))

    def pupil_names(self, upns: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """Forename and surname by UPN, for the pupils asked about that the store holds."""
        wanted = sorted(set(upns))
        if not wanted:
            return {}
        placeholders = ",".join("?" * len(wanted))
        rows = self._rows(f"SELECT upn, forename, surname FROM pupils WHERE upn IN ({placeholders})", wanted)
        return {upn: (forename, surname) for upn, forename, surname in rows}

    # -- parents and carers (contacts.csv) ----------------------------------------------------------
    def pupil_contacts(self, upns: Iterable[str]) -> dict[str, list[PupilContact]]:
        """Each pupil's contacts, by priority (those without one last, then by contact id); pupils with none
        are left out."""
        wanted = sorted(set(upns))
        if not wanted:
            return {}
        contact = ", ".join(f"c.{c.strip()}" for c in _CONTACT_COLUMNS.split(","))
        rows = self._rows(
            f"""SELECT l.upn, {contact}, l.relationship, l.parental_responsibility, l.lives_with, l.priority
                FROM pupil_contacts l JOIN contacts c USING (contact_id)
                WHERE l.upn IN (SELECT unnest(?)) ORDER BY l.upn, l.priority NULLS LAST, l.contact_id""",
            [wanted],
        )
        out: dict[str, list[PupilContact]] = {}
        for upn, *person, relationship, pr, lives_with, priority in rows:
            out.setdefault(upn, []).append(
                PupilContact(upn, Contact(*person), relationship, bool(pr), bool(lives_with), priority)
            )
        return out

    def upns_with_contacts(self) -> list[str]:
        """Every pupil with a contact recorded, by UPN."""
        return [r[0] for r in self._rows("SELECT DISTINCT upn FROM pupil_contacts ORDER BY 1")]

    def contact(self, contact_id: str) -> Contact | None:
        rows = self._rows(f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE contact_id = ?", [contact_id])
        return Contact(*rows[0]) if rows else None

    def contact_history(self, contact_id: str) -> list[ContactVersion]:
        """Every earlier version of a contact's details, oldest first, each with the import that stored it and
        the one that replaced it (the current details are :meth:`contact`)."""
        rows = self._rows(
            f"""SELECT {_CONTACT_COLUMNS}, import_id, superseded_by FROM contact_history
                WHERE contact_id = ? ORDER BY superseded_by, import_id""",
            [contact_id],
        )
        return [ContactVersion(Contact(*r[:-2]), r[-2], r[-1]) for r in rows]

    def parental_links(
        self, *, upns: Iterable[str] | None = None, contact_ids: Iterable[str] | None = None
    ) -> list[tuple[str, str]]:
        """``(upn, contact_id)`` for every contact with parental responsibility for a pupil (of ``upns``, or
        of ``contact_ids``, if given; every one otherwise), sorted: the links families are made of."""
        sql = "SELECT upn, contact_id FROM pupil_contacts WHERE parental_responsibility"
        params: list[object] = []
        if upns is not None:
            sql += " AND upn IN (SELECT unnest(?))"
            params.append(sorted(set(upns)))
        if contact_ids is not None:
            sql += " AND contact_id IN (SELECT unnest(?))"
            params.append(sorted(set(contact_ids)))
        return [(u, c) for u, c in self._rows(sql + " ORDER BY 1, 2", params)]

    def pupil_schools(self, upns: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
        """Each pupil's schools as ``(urn, name)``: those whose roll they are on (no leaving date), or the school
        of their latest enrolment if they have left every one."""
        wanted = sorted(set(upns))
        if not wanted:
            return {}
        rows = self._rows(
            """WITH e AS (
                   SELECT e.upn, e.urn, s.name, e.admission_date, e.leaving_date IS NULL AS open,
                          bool_or(e.leaving_date IS NULL) OVER (PARTITION BY e.upn) AS any_open,
                          row_number() OVER (PARTITION BY e.upn ORDER BY e.admission_date DESC, e.urn) AS n
                   FROM enrolments e JOIN schools s USING (urn) WHERE e.upn IN (SELECT unnest(?)))
               SELECT upn, urn, name FROM e WHERE open OR (NOT any_open AND n = 1)
               ORDER BY upn, admission_date DESC, urn""",
            [wanted],
        )
        out: dict[str, list[tuple[int, str]]] = {}
        for upn, urn, name in rows:
            if (urn, name) not in out.setdefault(upn, []):
                out[upn].append((urn, name))
        return out

    def ethnicity_codes(self) -> tuple[str, ...]:
        """The ethnicity codes the store's pupils hold, sorted."""
        return tuple(sorted(r[0] for r in self._rows("SELECT DISTINCT ethnicity FROM pupils")))

    # -- marks -----------------------------------------------------------------------------------
    def latest_mark(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        enrolment_ids: Sequence[int] | None = None,
    ) -> dt.date | None:
        """The latest session date held, within ``start`` to ``end`` and for ``enrolment_ids`` if given."""
        where, params = self._mark_filter(start, end, enrolment_ids)
        return self._value(f"SELECT max(date) FROM marks {where}", params)

    def mark_range(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and latest session dates held (None, None for an empty store)."""
        first, latest = self._rows("SELECT min(date), max(date) FROM marks")[0]
        return first, latest

    def has_marks(self, start: dt.date | None = None, end: dt.date | None = None) -> bool:
        """Whether any session from ``start`` to ``end`` (both included) has a mark."""
        where, params = self._mark_filter(start, end, None)
        return bool(self._value(f"SELECT count(*) > 0 FROM (SELECT 1 FROM marks {where} LIMIT 1)", params))

    def school_days(self, urn: int, start: dt.date, end: dt.date) -> list[dt.date]:
        """The days from ``start`` to ``end`` on which the school's register holds marks, in order."""
        rows = self._rows(
            """SELECT DISTINCT m.date FROM marks m JOIN enrolments e USING (enrolment_id)
               WHERE e.urn = ? AND m.date BETWEEN ? AND ? ORDER BY 1""",
            [urn, start, end],
        )
        return [d for (d,) in rows]

    @staticmethod
    def _mark_filter(
        start: dt.date | None, end: dt.date | None, enrolment_ids: Sequence[int] | None
    ) -> tuple[str, list[object]]:
        clauses, params = [], []
        if start is not None:
            clauses.append("date >= ?")
            params.append(start)
        if end is not None:
            clauses.append("date <= ?")
            params.append(end)
        if enrolment_ids is not None:
            clauses.append(f"enrolment_id IN ({','.join('?' * len(enrolment_ids)) or 'NULL'})")
            params += list(enrolment_ids)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    # -- the calendar ----------------------------------------------------------------------------
    def half_term_starts(self) -> dict[tuple[int, str], dt.date]:
        """First day of each LA second half term, by ``(academic year start, term)``."""
        rows = self._rows("SELECT academic_year, term, start_date FROM terms WHERE half_term = 2")
        return {(year, term): start for year, term, start in rows}

    def term_dates(self) -> list[tuple[dt.date, dt.date]]:
        """Every LA half term held (``terms.csv``): its first and last day, in order."""
        return [(a, b) for a, b in self._rows("SELECT start_date, end_date FROM terms ORDER BY start_date")]

    def closure_days(self, urn: int | None) -> list[dt.date]:
        """The days closed all day for the school ``urn`` (closures for every school included), or for every
        school only (``urn`` None), in order."""
        rows = self._rows(
            """SELECT DISTINCT CAST(d AS DATE) FROM closures,
                   generate_series(start_date, end_date, INTERVAL 1 DAY) AS t(d)
               WHERE session IS NULL AND (urn IS NULL OR urn = ?) ORDER BY 1""",
            [urn],
        )
        return [d for (d,) in rows]

    # -- published figures -----------------------------------------------------------------------
    def reference_figures(
        self,
        time_period: int,
        time_identifier: str | None,
        *,
        geographic_level: str | None = None,
        education_phase: str | None = None,
    ) -> pd.DataFrame:
        """The published figures loaded (``attendwise reference``) for a year or term, optionally one level
        (``National``, ``Regional``, ``Local authority``) and one phase (none for an unknown identifier)."""
        sql = "SELECT * FROM reference_figures WHERE time_period = ? AND time_identifier = ?"
        params: list[object] = [time_period, time_identifier]
        for column, value in (("geographic_level", geographic_level), ("education_phase", education_phase)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        return self._con.execute(sql, params).df()

    def replace_reference_figures(self, source: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
        """Store the figures of one published file (``columns`` of ``frame``, in the table's order),
        replacing those loaded before from a file of the same name, all or nothing."""
        with self.transaction():  # type: ignore[attr-defined]
            self._con.execute("DELETE FROM reference_figures WHERE source = ?", [source])
            self._con.register("_reference_new", frame)
            try:
                self._con.execute(f"INSERT INTO reference_figures SELECT {', '.join(columns)} FROM _reference_new")
            finally:
                self._con.unregister("_reference_new")

    def statistical_neighbours(self, la_code: str) -> list[str]:
        """The DfE's statistical neighbours of an LA, closest first."""
        rows = self._rows(
            "SELECT neighbour_code FROM statistical_neighbours WHERE la_code = ? ORDER BY rank", [la_code]
        )
        return [r[0] for r in rows]

    def replace_statistical_neighbours(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """Store the neighbour groups ``(la_code, neighbour_code, rank, closeness)``, replacing all before."""
        with self.transaction():  # type: ignore[attr-defined]
            self._con.execute("DELETE FROM statistical_neighbours")
            self._con.executemany("INSERT INTO statistical_neighbours VALUES (?, ?, ?, ?)", list(rows))
