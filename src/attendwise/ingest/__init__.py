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

from attendwise.ingest.files import Progress, check_utf8, read_closures, read_pupils, read_schools, read_terms
from attendwise.ingest.marks import (
    check_marks,
    duckdb_csv_message,
    merge_marks,
    remove_marks_outside_enrolments,
    stage_marks,
)
from attendwise.ingest.outcomes import MAX_PROBLEMS, ImportResult, IngestError, Problem, Problems
from attendwise.ingest.storing import (
    match_enrolments,
    replace_calendar,
    stage_small_tables,
    upsert_enrolments,
    upsert_pupils,
    upsert_schools,
)
from attendwise.store import Store

__all__ = ["MAX_PROBLEMS", "ImportResult", "IngestError", "Problem", "import_folder"]


def _find(folder: Path, name: str) -> Path | None:
    for candidate in sorted(folder.iterdir()):
        if candidate.name.lower() in {name, name + ".gz"}:
            return candidate
    return None


def import_folder(
    store: Store,
    folder: Path | str,
    *,
    progress: Progress | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> ImportResult:
    """Check and import a folder of register files; raise :class:`IngestError` if any is bad.

    Args:
        store: the open store to import into.
        folder: a folder holding ``marks.csv`` and, as needed, ``schools.csv``, ``pupils.csv``,
            ``terms.csv`` and ``closures.csv`` (``docs/csv-layout.md``).
        progress: called as ``progress(stage, done, total)`` while the import runs.
        max_problems: how many problems to list before only counting them.
    """
    folder = Path(folder)
    problems = Problems(max_problems)
    if not folder.is_dir():
        raise IngestError([Problem(str(folder), None, None, "is not a folder")])
    files = {
        name: _find(folder, name) for name in ("schools.csv", "pupils.csv", "marks.csv", "terms.csv", "closures.csv")
    }
    if files["marks.csv"] is None and files["pupils.csv"] is None:
        raise IngestError(
            [Problem(str(folder), None, None, "holds neither marks.csv nor pupils.csv (see docs/csv-layout.md)")]
        )
    empty_lines = {name: check_utf8(path, problems, progress) for name, path in files.items() if path is not None}
    problems.raise_if_any()

    stored_urns = {r[0] for r in store.con.execute("SELECT urn FROM schools").fetchall()}
    schools = read_schools(files["schools.csv"], problems) if files["schools.csv"] else {}
    known_urns = stored_urns | set(schools)
    pupils, enrolments = read_pupils(files["pupils.csv"], known_urns, problems) if files["pupils.csv"] else ({}, [])
    terms = read_terms(files["terms.csv"], problems) if files["terms.csv"] else []
    closures = read_closures(files["closures.csv"], known_urns, problems) if files["closures.csv"] else []
    problems.raise_if_any()

    con = store.con
    stage_small_tables(store, schools, pupils, enrolments, closures)
    if files["pupils.csv"] is not None:
        match_enrolments(store, files["pupils.csv"].name, problems)
        problems.raise_if_any()
    marks_path = files["marks.csv"]
    n_read = 0
    if marks_path is not None:
        if progress:
            progress(f"reading {marks_path.name}", 0, 1)
        try:
            staged = stage_marks(store, marks_path, problems)
        except Exception as exc:  # duckdb.Error: malformed CSV structure
            line, message = duckdb_csv_message(exc)
            problems.add(marks_path.name, line, None, message)
            staged = False
        problems.raise_if_any()
        if staged:
            n_read = int(store.scalar("SELECT count(*) FROM _marks_raw"))
            if progress:
                progress("checking marks", 0, 1)
            check_marks(store, marks_path.name, problems, empty_lines["marks.csv"])
            problems.raise_if_any()
            if progress:
                progress("checking marks", 1, 1)

    import_id = store.next_import_id()
    result = ImportResult(
        import_id=import_id, marks_read=n_read, files=[p.name for p in files.values() if p is not None]
    )
    if progress:
        progress("storing", 0, 1)
    with store.transaction():
        result.schools = upsert_schools(store, import_id)
        result.pupils_added = upsert_pupils(store, import_id)
        result.enrolments_added, result.enrolments_changed = upsert_enrolments(store, import_id)
        replace_calendar(store, terms, closures)
        result.marks_removed = remove_marks_outside_enrolments(store, import_id) if result.enrolments_changed else 0
        if marks_path is not None and n_read:
            first_marks = not store.scalar("SELECT count(*) > 0 FROM marks")
            merge_marks(store, import_id, result)
            if progress:
                progress("summarising sessions", 0, 1)
            changed = "SELECT enrolment_id FROM _marks"
            if result.marks_removed:
                changed += " UNION SELECT enrolment_id FROM _marks_outside"
            store.refresh_blocks(None if first_marks else changed)
        elif result.marks_removed:
            store.refresh_blocks("SELECT DISTINCT enrolment_id FROM _marks_outside")
        con.execute(
            "INSERT INTO imports VALUES (?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                str(folder.resolve()),
                ", ".join(result.files),
                result.marks_read,
                result.marks_added,
                result.marks_changed,
                result.marks_unchanged,
                result.marks_blank,
                result.pupils_added,
                result.enrolments_added,
                result.enrolments_changed,
            ],
        )
    if progress:
        progress("storing", 1, 1)
    for temp in (
        "_marks_raw",
        "_marks_typed",
        "_marks",
        "_schools_new",
        "_pupils_new",
        "_enrolments_new",
        "_enrolments_all",
        "_enrolment_matches",
        "_marks_outside",
        "_bad_upns",
    ):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return result
