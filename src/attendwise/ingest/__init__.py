"""Import a folder of register CSV files (``docs/csv-layout.md``) into the store.

An import is all or nothing.  Every file is read and checked first; each problem is reported
with its file, line and field, up to a cap, and if there is any problem nothing from the import
is stored.  Only then is everything written in one transaction.

Re-importing a file changes nothing.  A later file that gives a different code for a stored
session supersedes it, and the superseded mark is kept in ``mark_history`` with the import it
came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from attendwise.core.cohorts import Cohorts, load_cohorts
from attendwise.ingest.cohorts import CohortsFile, check_cohort_pupils, cohort_schools, read_cohorts, write_cohorts
from attendwise.ingest.contacts import ContactsFile, check_contacts, contact_schools, read_contacts, write_contacts
from attendwise.ingest.files import (
    EmptyLines,
    Progress,
    check_utf8,
    read_closures,
    read_pupils,
    read_schools,
    read_terms,
)
from attendwise.ingest.marks import (
    check_marks,
    duckdb_csv_message,
    merge_marks,
    remove_marks_outside_enrolments,
    stage_marks,
)
from attendwise.ingest.outcomes import MAX_PROBLEMS, ImportResult, IngestError, Problem, Problems, scalar
from attendwise.ingest.scope import ImportScope, check_marks_scope, check_scope
from attendwise.ingest.storing import (
    describe_school_changes,
    drop_staging,
    match_enrolments,
    replace_calendar,
    schools_touched,
    stage_small_tables,
    upsert_enrolments,
    upsert_pupils,
    upsert_schools,
)
from attendwise.store import ImportLogEntry, Store

__all__ = ["MAX_PROBLEMS", "ImportResult", "IngestError", "Problem", "import_folder"]


def _find(folder: Path, name: str, problems: Problems) -> Path | None:
    """The file in ``folder`` called ``name`` (or ``name.gz``) in any case; one given twice (as
    ``marks.csv`` and ``Marks.CSV``, or beside ``marks.csv.gz``), or that is not a file, is a problem."""
    found = [c for c in sorted(folder.iterdir()) if c.name.lower() in {name, name + ".gz"}]
    for candidate in found:
        if not candidate.is_file():
            problems.add(candidate.name, None, None, "is not a file")
    if len(found) > 1:
        problems.add(found[1].name, None, None, f"is given twice (as {' and '.join(c.name for c in found)})")
    return found[0] if len(found) == 1 and found[0].is_file() else None


def import_folder(
    store: Store,
    folder: Path | str,
    *,
    scope: ImportScope | None = None,
    cohorts: Cohorts | None = None,
    progress: Progress | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> ImportResult:
    """Check and import a folder of register files; raise :class:`IngestError` if any is bad.

    Args:
        store: the open store to import into.
        folder: a folder holding any of ``schools.csv``, ``pupils.csv``, ``marks.csv``, ``terms.csv``,
            ``closures.csv``, ``contacts.csv`` and ``cohorts.csv`` (``docs/csv-layout.md``).
        scope: who is importing and what they may change (:class:`ImportScope`); rows outside it are
            refused like any other bad row, and the import log names the person. Default: the account
            running the CLI, with every permission.
        cohorts: the LA's priority cohorts, which ``cohorts.csv`` may name (default: the shipped ones).
        progress: called as ``progress(stage, done, total)`` while the import runs.
        max_problems: how many problems to list before only counting them.
    """
    folder = Path(folder)
    scope = scope or ImportScope.command_line(folder)
    # One import at a time among this process's connections (another process is kept out by the file lock).
    with store.writing():
        return _import(store, folder, scope, cohorts, progress, max_problems)


def _import(
    store: Store,
    folder: Path,
    scope: ImportScope,
    declared: Cohorts | None,
    progress: Progress | None,
    max_problems: int,
) -> ImportResult:
    source = scope.source or folder.name
    problems = Problems(max_problems)
    if not folder.is_dir():
        raise IngestError([Problem(source, None, None, "is not a folder")])
    files = {
        name: _find(folder, name, problems)
        for name in (
            "schools.csv",
            "pupils.csv",
            "marks.csv",
            "terms.csv",
            "closures.csv",
            "contacts.csv",
            "cohorts.csv",
        )
    }
    problems.raise_if_any()
    if not any(files.values()):
        expected = ", ".join(files)
        raise IngestError(
            [Problem(source, None, None, f"holds no register files ({expected}; see docs/csv-layout.md)")]
        )
    empty_lines = {name: check_utf8(path, problems, progress) for name, path in files.items() if path is not None}
    problems.raise_if_any()

    known_urns = set(store.school_urns())
    schools = read_schools(files["schools.csv"], problems) if files["schools.csv"] else {}
    known_urns |= set(schools)
    pupils, enrolments = read_pupils(files["pupils.csv"], known_urns, problems) if files["pupils.csv"] else ({}, [])
    terms = read_terms(files["terms.csv"], problems) if files["terms.csv"] else []
    closures = read_closures(files["closures.csv"], known_urns, problems) if files["closures.csv"] else []
    contacts: ContactsFile | None = read_contacts(files["contacts.csv"], problems) if files["contacts.csv"] else None
    cohorts: CohortsFile | None = None
    if files["cohorts.csv"]:
        cohorts = read_cohorts(files["cohorts.csv"], declared or load_cohorts(), problems)
    names = {name: path.name for name, path in files.items() if path is not None}
    check_scope(scope, store, names, schools, pupils, enrolments, terms, closures, problems)
    problems.raise_if_any()

    stage_small_tables(store, schools, pupils, enrolments, closures, scope.schools)
    if files["pupils.csv"] is not None:
        match_enrolments(store, files["pupils.csv"].name, problems)
        problems.raise_if_any()
    if contacts is not None:
        check_contacts(store, contacts, scope, problems)
        problems.raise_if_any()
    if cohorts is not None:
        check_cohort_pupils(store, cohorts, problems)
        problems.raise_if_any()
    marks_path = files["marks.csv"]
    n_read = 0
    if marks_path is not None:
        n_read = _check_marks(store, marks_path, scope, problems, empty_lines["marks.csv"], progress)

    result = ImportResult(
        import_id=store.next_import_id(),
        marks_read=n_read,
        files=[p.name for p in files.values() if p is not None],
    )
    if progress:
        progress("storing", 0, 1)
    _store(
        store,
        result,
        scope,
        source,
        terms,
        closures,
        marks=marks_path is not None and n_read > 0,
        contacts=contacts,
        cohorts=cohorts,
        progress=progress,
    )
    if progress:
        progress("storing", 1, 1)
    drop_staging(store)
    return result


def _store(
    store: Store,
    result: ImportResult,
    scope: ImportScope,
    source: str,
    terms: list[dict[str, Any]],
    closures: list[dict[str, Any]],
    *,
    marks: bool,
    contacts: ContactsFile | None = None,
    cohorts: CohortsFile | None = None,
    progress: Progress | None,
) -> None:
    """Write what was checked and staged in one transaction, filling ``result``, and log the import."""
    import_id = result.import_id
    with store.transaction():
        result.school_changes = describe_school_changes(store)
        result.schools, result.schools_added = upsert_schools(store, import_id)
        result.pupils_added, result.pupils_changed = upsert_pupils(store, import_id)
        result.enrolments_added, result.enrolments_changed = upsert_enrolments(store, import_id)
        result.half_terms, result.closures_replaced, result.closures_stored = replace_calendar(
            store, terms, closures, scoped=scope.schools is not None
        )
        result.marks_removed = remove_marks_outside_enrolments(store, import_id) if result.enrolments_changed else 0
        if marks:
            first_marks = not scalar(store, "SELECT count(*) > 0 FROM marks")
            merge_marks(store, import_id, result)
            if progress:
                progress("summarising sessions", 0, 1)
            changed = "SELECT enrolment_id FROM _marks"
            if result.marks_removed:
                changed += " UNION SELECT enrolment_id FROM _marks_outside"
            store.refresh_blocks(None if first_marks else changed)
        elif result.marks_removed:
            store.refresh_blocks("SELECT DISTINCT enrolment_id FROM _marks_outside")
        if contacts is not None:
            result.contacts = write_contacts(store, contacts, import_id)
        if cohorts is not None:
            result.cohorts = write_cohorts(store, cohorts, import_id)
        result.schools_touched = schools_touched(store, marks=marks)
        if contacts is not None:
            result.schools_touched = sorted({*result.schools_touched, *contact_schools(store)})
        if cohorts is not None:
            result.schools_touched = sorted({*result.schools_touched, *cohort_schools(store)})
        store.record_import(
            ImportLogEntry(
                import_id=import_id,
                imported_at=None,
                source=source,
                files=", ".join(result.files),
                marks_read=result.marks_read,
                marks_added=result.marks_added,
                marks_changed=result.marks_changed,
                marks_unchanged=result.marks_unchanged,
                marks_blank=result.marks_blank,
                pupils_added=result.pupils_added,
                enrolments_added=result.enrolments_added,
                enrolments_changed=result.enrolments_changed,
                imported_by=scope.who,
                via=scope.via,
                schools_touched=tuple(result.schools_touched),
                changes=tuple(result.changes()),
            )
        )


def _check_marks(
    store: Store,
    path: Path,
    scope: ImportScope,
    problems: Problems,
    empty_lines: EmptyLines,
    progress: Progress | None,
) -> int:
    """Stage and check marks.csv (raising :class:`IngestError` on any problem); returns the rows read."""
    if progress:
        progress(f"reading {path.name}", 0, 1)
    try:
        staged = stage_marks(store, path, problems)
    except Exception as exc:  # duckdb.Error: malformed CSV structure
        line, message = duckdb_csv_message(exc, path)
        problems.add(path.name, line, None, message)
        staged = False
    problems.raise_if_any()
    if not staged:
        return 0
    n_read = int(scalar(store, "SELECT count(*) FROM _marks_raw"))
    if not n_read:
        problems.add(path.name, None, None, "holds no rows below its header: there is nothing to import from it")
        problems.raise_if_any()
    if progress:
        progress("checking marks", 0, 1)
    check_marks(store, path.name, problems, empty_lines)
    if scope.schools is not None:
        check_marks_scope(store, path.name, problems)
    problems.raise_if_any()
    if progress:
        progress("checking marks", 1, 1)
    return n_read
