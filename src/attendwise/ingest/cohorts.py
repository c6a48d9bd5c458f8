"""The LA's priority cohorts' memberships: ``cohorts.csv`` read and checked line by line, checked against the
pupils and the importer's scope, and written with their history.

A row says pupil ``upn`` was in cohort ``cohort`` (a key the LA declares, :mod:`attendwise.core.cohorts`) from
``start_date`` to ``end_date`` (blank: still in it), as ``source`` says (the panel or service that told the
LA). A pupil may be in a cohort more than once, for periods that do not overlap.

The file gives each cohort it names whole: every membership of a named cohort that the file does not give is
removed, and cohorts the file does not name keep theirs. So a service's list is sent as it stands, with the
ended memberships' end dates. History: a membership whose end date or source the file changes, and one it
removes, is copied with the import it came from and the import that superseded it to
``cohort_member_history`` (``removed`` says which).

Scope: memberships are the LA's data, across schools (and some, youth justice involvement say, are not for
schools to see), so only LA staff with every school may send ``cohorts.csv``
(:attr:`attendwise.ingest.scope.ImportScope.la_data`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow as pa

from attendwise.core.cohorts import Cohorts
from attendwise.core.identifiers import show
from attendwise.core.upn import UPNError, validate_upn
from attendwise.ingest.files import _date, _read_small_csv
from attendwise.ingest.outcomes import CohortChanges, Problems, scalar
from attendwise.store import Store

__all__ = ["CohortChanges", "CohortsFile", "check_cohort_pupils", "cohort_schools", "read_cohorts", "write_cohorts"]

_REQUIRED = ["upn", "cohort", "start_date"]
_OPTIONAL = ["end_date", "source"]
#: The longest ``source`` a membership may give.
MAX_SOURCE = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class CohortsFile:
    """The rows of one ``cohorts.csv`` that passed the line checks."""

    name: str
    #: One row per membership: ``upn``, ``cohort``, ``start_date``, ``end_date``, ``source`` and ``_line``.
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cohorts(self) -> list[str]:
        """The cohorts the file gives (whole)."""
        return sorted({r["cohort"] for r in self.rows})


def read_cohorts(path: Path, declared: Cohorts, problems: Problems) -> CohortsFile:
    """Read and check ``cohorts.csv`` line by line: every field, and each pupil's periods in a cohort against
    each other (they may not overlap)."""
    f = path.name
    out = CohortsFile(f)
    for line, row in _read_small_csv(path, _REQUIRED, _OPTIONAL, problems):
        before = problems.total
        upn = row["upn"].upper()
        try:
            validate_upn(upn)
        except UPNError as exc:
            problems.add(f, line, "upn", str(exc))
        cohort = row["cohort"].lower()
        if cohort not in declared.keys:
            known = ", ".join(declared.keys) or "the LA declares none: see ATTENDWISE_COHORTS"
            problems.add(f, line, "cohort", f"{show(row['cohort'])} is not one of the LA's cohorts ({known})")
        start = _date(row["start_date"], f, line, "start_date", problems)
        end = _date(row.get("end_date", ""), f, line, "end_date", problems, blank_ok=True)
        if start and end and end < start:
            problems.add(f, line, "end_date", f"{end} is before the start date {start}")
        source = row.get("source", "") or None
        if source is not None and _CONTROL.search(source):
            problems.add(f, line, "source", "holds a control character (a tab or line break inside the value)")
        elif source is not None and len(source) > MAX_SOURCE:
            problems.add(f, line, "source", f"{show(source)} is longer than {MAX_SOURCE} characters")
        if problems.total > before:
            continue
        out.rows.append(
            {"upn": upn, "cohort": cohort, "start_date": start, "end_date": end, "source": source, "_line": line}
        )
    _check_overlaps(f, out.rows, problems)
    return out


def _check_overlaps(file: str, rows: list[dict[str, Any]], problems: Problems) -> None:
    """A pupil's periods in one cohort must not overlap (a session would be counted in the cohort twice)."""
    spans: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        spans[(r["upn"], r["cohort"])].append(r)
    for periods in spans.values():
        periods.sort(key=lambda r: (r["start_date"], r["_line"]))
        for prev, nxt in pairwise(periods):
            if prev["end_date"] is None or prev["end_date"] >= nxt["start_date"]:
                until = f"to {prev['end_date']}" if prev["end_date"] else "with no end date"
                problems.add(
                    file,
                    max(prev["_line"], nxt["_line"]),
                    "start_date",
                    f"pupil {nxt['upn']}'s period in {nxt['cohort']} from {nxt['start_date']} overlaps the one from "
                    f"{prev['start_date']} {until} on line {min(prev['_line'], nxt['_line'])}",
                )


def check_cohort_pupils(store: Store, cohorts: CohortsFile, problems: Problems) -> None:
    """Refuse rows for pupils neither stored nor in the import's ``pupils.csv`` (reads ``_pupils_all``, the
    view :func:`attendwise.ingest.storing.stage_small_tables` made)."""
    upns = sorted({r["upn"] for r in cohorts.rows})
    known = {
        r[0]
        for r in store.duckdb_connection()
        .execute("SELECT upn FROM _pupils_all WHERE upn IN (SELECT unnest(?))", [upns])
        .fetchall()
    }
    for r in cohorts.rows:
        if r["upn"] not in known:
            problems.add(cohorts.name, r["_line"], "upn", f"pupil {r['upn']} is not in pupils.csv or the store")


# -------------------------------------------------------------------------------------------------
# Writing (inside the import's transaction)
# -------------------------------------------------------------------------------------------------
_SCHEMA = pa.schema(
    [
        ("upn", pa.string()),
        ("cohort", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("source", pa.string()),
    ]
)
_SAME = "n.upn = s.upn AND n.cohort = s.cohort AND n.start_date = s.start_date"


def write_cohorts(store: Store, cohorts: CohortsFile, import_id: int) -> CohortChanges:
    """Store the file's memberships in place of its cohorts' stored ones, keeping what they replace in the
    history."""
    con = store.duckdb_connection()
    rows = pa.Table.from_pylist([{k: r[k] for k in _SCHEMA.names} for r in cohorts.rows], schema=_SCHEMA)
    con.register("_cohort_members_arrow", rows)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _cohort_members_new AS SELECT * FROM _cohort_members_arrow")
    finally:
        con.unregister("_cohort_members_arrow")
    named = "s.cohort IN (SELECT DISTINCT cohort FROM _cohort_members_new)"
    stored = "s.upn, s.cohort, s.start_date, s.end_date, s.source, s.import_id"
    con.execute(
        f"""INSERT INTO cohort_member_history
            SELECT {stored}, ?, false FROM cohort_members s JOIN _cohort_members_new n ON {_SAME}
            WHERE s.end_date IS DISTINCT FROM n.end_date OR s.source IS DISTINCT FROM n.source""",
        [import_id],
    )
    con.execute(
        f"""INSERT INTO cohort_member_history
            SELECT {stored}, ?, true FROM cohort_members s
            WHERE {named} AND NOT EXISTS (SELECT 1 FROM _cohort_members_new n WHERE {_SAME})""",
        [import_id],
    )
    changed, removed = con.execute(
        "SELECT count(*) FILTER (WHERE NOT removed), count(*) FILTER (WHERE removed) FROM cohort_member_history "
        "WHERE superseded_by = ?",
        [import_id],
    ).fetchall()[0]
    added = int(
        scalar(
            store,
            "SELECT count(*) FROM _cohort_members_new n "
            f"WHERE NOT EXISTS (SELECT 1 FROM cohort_members s WHERE {_SAME})",
        )
    )
    con.execute(
        f"DELETE FROM cohort_members s WHERE {named} AND NOT EXISTS (SELECT 1 FROM _cohort_members_new n WHERE {_SAME})"
    )
    con.execute(
        """INSERT INTO cohort_members SELECT upn, cohort, start_date, end_date, source, ? FROM _cohort_members_new
           ON CONFLICT (upn, cohort, start_date) DO UPDATE SET end_date = excluded.end_date,
               source = excluded.source, import_id = excluded.import_id
           WHERE cohort_members.end_date IS DISTINCT FROM excluded.end_date
              OR cohort_members.source IS DISTINCT FROM excluded.source""",
        [import_id],
    )
    return CohortChanges(added=added, changed=int(changed), removed=int(removed), cohorts=tuple(cohorts.cohorts))


def cohort_schools(store: Store) -> list[int]:
    """The schools the staged memberships' pupils are on the roll of, for the import log."""
    rows = (
        store.duckdb_connection()
        .execute(
            """SELECT DISTINCT urn FROM _enrolments_all
               WHERE upn IN (SELECT upn FROM _cohort_members_new) AND leaving_date IS NULL ORDER BY urn"""
        )
        .fetchall()
    )
    return [r[0] for r in rows]


#: The temporary table writing memberships leaves on the connection.
STAGING = ("_cohort_members_new",)
