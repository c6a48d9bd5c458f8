"""What an import reports: its problems (file, line, field) and, when it succeeds, what it changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from attendwise.core.errors import AttendwiseError
from attendwise.store import Store

#: How many problems an import lists before it stops collecting (the total is still counted).
MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one field of one line of one file."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class IngestError(AttendwiseError):
    """An import that was refused; nothing from it was stored."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{self.total} problem{'s' if self.total != 1 else ''} found; nothing was imported."]
        lines += [f"  {p}" for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        return "\n".join(lines)


@dataclass
class ContactChanges:
    """What an import's ``contacts.csv`` changed (:func:`attendwise.ingest.contacts.write_contacts`)."""

    contacts_added: int = 0
    contacts_changed: int = 0
    links_added: int = 0
    links_changed: int = 0
    links_ended: int = 0

    def __bool__(self) -> bool:
        return any((self.contacts_added, self.contacts_changed, self.links_added, self.links_changed, self.links_ended))

    def sentences(self) -> list[str]:
        """What changed, as :meth:`ImportResult.changes` says it.

        >>> changes = ContactChanges(contacts_added=2, contacts_changed=1, links_added=3, links_ended=1)
        >>> for sentence in changes.sentences():
        ...     print(sentence)
        2 new contacts, 1 contact's details updated (the old details kept in the history).
        Pupils' contacts: 3 added, 1 ended.
        """
        out = []
        people = [(self.contacts_added, "new contact"), (self.contacts_changed, "contact's details updated")]
        if said := [_counted(n, what) for n, what in people if n]:
            kept = " (the old details kept in the history)" if self.contacts_changed else ""
            out.append(", ".join(said) + kept + ".")
        links = [(self.links_added, "added"), (self.links_changed, "changed"), (self.links_ended, "ended")]
        if said := [f"{n:,} {what}" for n, what in links if n]:
            out.append("Pupils' contacts: " + ", ".join(said) + ".")
        return out


@dataclass
class CohortChanges:
    """What an import's ``cohorts.csv`` changed (:func:`attendwise.ingest.cohorts.write_cohorts`)."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    #: The cohorts the file gave (whole).
    cohorts: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return any((self.added, self.changed, self.removed))

    def sentences(self) -> list[str]:
        """What changed, as :meth:`ImportResult.changes` says it.

        >>> CohortChanges(added=3, changed=1, removed=2, cohorts=("ebsa",)).sentences()
        ['Cohort memberships (ebsa): 3 added, 1 changed, 2 removed (the old ones kept in the history).']
        """
        said = [
            f"{n:,} {what}"
            for n, what in ((self.added, "added"), (self.changed, "changed"), (self.removed, "removed"))
            if n
        ]
        if not said:
            return []
        kept = " (the old ones kept in the history)" if self.changed or self.removed else ""
        return [f"Cohort memberships ({', '.join(self.cohorts)}): " + ", ".join(said) + kept + "."]


@dataclass
class ImportResult:
    import_id: int
    marks_read: int = 0
    marks_added: int = 0
    marks_changed: int = 0
    marks_unchanged: int = 0
    marks_blank: int = 0
    schools: int = 0
    pupils_added: int = 0
    enrolments_added: int = 0
    enrolments_changed: int = 0
    #: Stored marks that fell outside their enrolment once this import corrected its dates (kept in
    #: the mark history, no longer counted).
    marks_removed: int = 0
    files: list[str] = field(default_factory=list)
    pupils_changed: int = 0
    schools_added: int = 0
    #: Each change to a stored school's name, phase or LA, in words (``school 104109: name 'A' -> 'B'``).
    school_changes: list[str] = field(default_factory=list)
    #: Half terms given by terms.csv, and closures stored in place of those replaced.
    half_terms: int = 0
    closures_replaced: int = 0
    closures_stored: int = 0
    #: The schools whose data the import touched.
    schools_touched: list[int] = field(default_factory=list)
    #: What contacts.csv changed.
    contacts: ContactChanges = field(default_factory=ContactChanges)
    #: What cohorts.csv changed.
    cohorts: CohortChanges = field(default_factory=CohortChanges)

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.marks_added
            or self.marks_changed
            or self.pupils_added
            or self.pupils_changed
            or self.enrolments_added
            or self.enrolments_changed
            or self.marks_removed
            or self.schools_added
            or self.school_changes
            or self.half_terms
            or self.closures_replaced
            or self.closures_stored
            or bool(self.contacts)
            or bool(self.cohorts)
        )

    def changes(self) -> list[str]:
        """What the import changed, a sentence each, as the CLI, the upload page and the import log say it.

        >>> ImportResult(1, marks_read=10, marks_added=8, marks_unchanged=2, pupils_added=1).changes()
        ['8 marks added, 0 corrected, 2 unchanged (10 read).', '1 new pupil.']
        >>> ImportResult(2).changes()
        ['Nothing changed: everything in the files was already stored.']
        """
        out = []
        if self.marks_read:
            blank = f", {self.marks_blank:,} blank" if self.marks_blank else ""
            out.append(
                f"{self.marks_added:,} marks added, {self.marks_changed:,} corrected, "
                f"{self.marks_unchanged:,} unchanged{blank} ({self.marks_read:,} read)."
            )
        if self.marks_removed:
            out.append(
                f"{self.marks_removed:,} stored mark{_s(self.marks_removed)} fell outside their enrolment's corrected "
                "dates: they no longer count, and are kept in the mark history."
            )
        people = [
            (self.pupils_added, "new pupil"),
            (self.pupils_changed, "pupil's details updated"),
            (self.enrolments_added, "new enrolment"),
            (self.enrolments_changed, "enrolment updated"),
        ]
        if said := [_counted(n, what) for n, what in people if n]:
            out.append(", ".join(said) + ".")
        if self.schools_added:
            out.append(f"{_counted(self.schools_added, 'school')} added.")
        out += [f"Changed {change}." for change in self.school_changes]
        if self.half_terms:
            out.append(f"Term dates set for {_counted(self.half_terms, 'half term')}.")
        if self.closures_replaced or self.closures_stored:
            before = f" in place of the {self.closures_replaced:,} stored before" if self.closures_replaced else ""
            out.append(f"{_counted(self.closures_stored, 'closure')} stored{before}.")
        out += self.contacts.sentences()
        out += self.cohorts.sentences()
        if not self.changed_anything:
            out.append("Nothing changed: everything in the files was already stored.")
        return out


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _counted(n: int, what: str) -> str:
    """``3 new pupils``; ``1 pupil's details updated``, ``2 pupils' details updated``."""
    if "'s " in what:
        return f"{n:,} {what}" if n == 1 else f"{n:,} {what.replace(chr(39) + 's ', 's' + chr(39) + ' ')}"
    return f"{n:,} {what}{_s(n)}"


class Problems:
    """Collects problems up to the cap, counting every one."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[Problem] = []
        self.total = 0

    def add(self, file: str, line: int | None, field_: str | None, message: str) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(Problem(file, line, field_, message))

    def raise_if_any(self) -> None:
        if self.total:
            raise IngestError(self.items, self.total)


def scalar(store: Store, sql: str, params: list[Any] | None = None) -> Any:
    """The one value a staging query returns (the importer's SQL runs on the store's DuckDB connection)."""
    rows = store.duckdb_connection().execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def sql_problems(
    store: Store,
    file: str,
    sql: str,
    field_: str | None,
    message: Callable[[tuple], str],
    problems: Problems,
    params: list[Any] | None = None,
) -> None:
    """Run a query returning ``(line, ...)`` rows of problems (plus a total) and record them."""
    total = scalar(store, f"SELECT count(*) FROM ({sql})", params)
    if not total:
        return
    room = max(problems.cap - len(problems.items), 1)
    rows = store.duckdb_connection().execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {room}", params or []).fetchall()
    for row in rows:
        problems.add(file, row[0], field_, message(row))
    problems.total += total - len(rows)
