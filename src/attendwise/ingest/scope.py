"""Who is importing, and what they may change: checked on the values the import parsed and stores.

A school's attendance lead may send their own school's registers, and nothing else: no other
school's pupils, marks or closures, no LA-wide calendar (term dates, closures for every school) and
no master data (the LA's name, a school's name, phase or LA number, a new school). LA staff with
every school may change all of it. The check runs inside :func:`attendwise.ingest.import_folder` on
the identifiers the import itself parsed (:mod:`attendwise.core.identifiers`), after the same strict
parse that decides what is stored, so a row cannot pass the check under one reading of its text and
be stored under another. A refused row is a problem like any other: named by file, line and field,
and nothing from the import is stored.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa

from attendwise.ingest.outcomes import Problems, sql_problems
from attendwise.store import Store

__all__ = ["MASTER_FIELDS", "PUPIL_FIELDS", "ImportScope", "check_marks_scope", "check_scope"]

#: The master data of a school that only LA staff may change.
MASTER_FIELDS = ("name", "phase", "la_code", "la_name")
#: A pupil's own details (the pupil's, not an enrolment's): every school the pupil is on roll at sees them.
PUPIL_FIELDS = ("forename", "surname", "date_of_birth", "sex", "ethnicity", "first_language")


@dataclass(frozen=True)
class ImportScope:
    """Who is importing, how, and what they may change.

    Args:
        who: the person, as the import log names them (a web user name, or the account running the CLI).
        via: ``"web"`` (an upload) or ``"cli"`` (``attendwise import``).
        schools: the schools whose registers they may send; ``None`` for every school.
        la_data: whether they may change what is the LA's: term dates, closures for every school, the
            LA's name, and schools' names, phases and LA numbers (adding a school included).
        source: what is being imported, as messages and the import log name it (a folder for the CLI;
            never a server's temporary folder).
    """

    who: str
    via: Literal["web", "cli"]
    schools: frozenset[int] | None = None
    la_data: bool = True
    source: str = ""

    @classmethod
    def command_line(cls, folder: object) -> ImportScope:
        """The CLI's scope: the account running it, with every permission (it holds the store file)."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container, say)
            who = "unknown"
        return cls(who=who, via="cli", source=str(folder))

    def allows(self, urn: int) -> bool:
        return self.schools is None or urn in self.schools

    @property
    def refusal(self) -> str:
        return "only LA staff may" if self.schools is not None else "only LA staff with every school may"


def _not_yours(urn: int) -> str:
    return f"school {urn} is not one of your schools"


def check_scope(
    scope: ImportScope,
    store: Store,
    files: dict[str, str],
    schools: dict[int, dict[str, Any]],
    pupils: dict[str, dict[str, Any]],
    enrolments: list[dict[str, Any]],
    terms: list[dict[str, Any]],
    closures: list[dict[str, Any]],
    problems: Problems,
) -> None:
    """Record the small files' rows that ``scope`` may not send (``files`` names each file given by
    its part: ``{"schools.csv": "Schools.CSV", ...}``)."""
    if pupils and scope.schools is not None:
        _check_shared_pupils(scope, store, files["pupils.csv"], pupils, enrolments, problems)
    if terms and not scope.la_data:
        problems.add(files["terms.csv"], None, None, f"{scope.refusal} change the LA's term dates")
    if "cohorts.csv" in files and not scope.la_data:
        problems.add(files["cohorts.csv"], None, None, f"{scope.refusal} send the LA's priority cohorts (cohorts.csv)")
    stored = {
        row[0]: dict(zip(MASTER_FIELDS, row[1:], strict=True))
        for row in store.duckdb_connection().execute(f"SELECT urn, {', '.join(MASTER_FIELDS)} FROM schools").fetchall()
    }
    for urn, school in schools.items():
        f, line = files["schools.csv"], school["_line"]
        if not scope.allows(urn):
            problems.add(f, line, "urn", _not_yours(urn))
        elif scope.la_data:
            continue
        elif urn not in stored:
            problems.add(f, line, "urn", f"{scope.refusal} add a school: ask them to add school {urn}")
        else:
            for name in MASTER_FIELDS:
                new, old = school[name], stored[urn][name]
                if new is not None and new != old:
                    what = "the LA's name" if name == "la_name" else f"a school's {name.replace('_', ' ')}"
                    problems.add(
                        f, line, name, f"{scope.refusal} change {what} (stored: {old!r}); ask them to make the change"
                    )
    for e in enrolments:
        if not scope.allows(e["urn"]):
            problems.add(files["pupils.csv"], e["_line"], "urn", _not_yours(e["urn"]))
    for c in closures:
        if c["urn"] is None and not scope.la_data:
            problems.add(files["closures.csv"], c["_line"], "urn", f"{scope.refusal} close every school")
        elif c["urn"] is not None and not scope.allows(c["urn"]):
            problems.add(files["closures.csv"], c["_line"], "urn", _not_yours(c["urn"]))


def _check_shared_pupils(
    scope: ImportScope,
    store: Store,
    file: str,
    pupils: dict[str, dict[str, Any]],
    enrolments: list[dict[str, Any]],
    problems: Problems,
) -> None:
    """Refuse changes to the details of a pupil who is (or was) on roll at a school outside ``scope``.

    A pupil's name, date of birth, sex, ethnicity and first language are the pupil's, not the
    enrolment's: every school that has the pupil on roll sees them, so a school may change them only
    for a pupil no other school has. (Enrolling a pupil who has moved from another school is allowed:
    the new school's rows are its own. The message never says what the other school holds.)
    """
    first_line: dict[str, int] = {}
    for e in enrolments:
        first_line.setdefault(e["upn"], e["_line"])
    con = store.duckdb_connection()
    con.register("_scope_upns_arrow", pa.table({"upn": pa.array(list(pupils), pa.string())}))
    try:
        rows = con.execute(
            f"""SELECT p.upn, {", ".join(f"p.{c}" for c in PUPIL_FIELDS)}, list(DISTINCT e.urn)
                FROM pupils p JOIN _scope_upns_arrow u USING (upn) JOIN enrolments e USING (upn)
                GROUP BY ALL ORDER BY p.upn"""
        ).fetchall()
    finally:
        con.unregister("_scope_upns_arrow")
    for upn, *stored, urns in rows:
        if all(scope.allows(u) for u in urns):
            continue
        for name, old in zip(PUPIL_FIELDS, stored, strict=True):
            if pupils[upn][name] != old:
                problems.add(
                    file,
                    first_line[upn],
                    name,
                    f"pupil {upn} is on roll at another school too, which sees their {name.replace('_', ' ')}: "
                    f"{scope.refusal} change it; send it as it is stored, or ask them to make the change",
                )


def check_marks_scope(store: Store, file: str, problems: Problems) -> None:
    """Marks for schools outside a limited scope (``_scope_urns``, staged by
    :func:`attendwise.ingest.storing.stage_small_tables`), read by the URN the import
    stores (``urn_i``, parsed by :data:`attendwise.core.identifiers.URN_PATTERN`), not by its text."""
    sql_problems(
        store,
        file,
        "SELECT line, urn_i FROM _marks_typed WHERE urn_i IS NOT NULL AND urn_i NOT IN (SELECT urn FROM _scope_urns)",
        "urn",
        lambda r: _not_yours(r[1]),
        problems,
    )
