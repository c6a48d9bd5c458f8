"""Writing an import's schools, pupils, enrolments and calendar: staged beside the store, matched to
what is stored, then written inside the import's transaction."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from attendwise.ingest.outcomes import Problems, scalar, sql_problems
from attendwise.ingest.scope import MASTER_FIELDS, PUPIL_FIELDS
from attendwise.store import Store

# The staged small files' columns, as the store's tables type them.
_SCHOOLS_SCHEMA = pa.schema(
    [
        ("urn", pa.int32()),
        ("name", pa.string()),
        ("phase", pa.string()),
        ("la_code", pa.string()),
        ("la_name", pa.string()),
    ]
)
_PUPILS_SCHEMA = pa.schema(
    [
        ("upn", pa.string()),
        ("forename", pa.string()),
        ("surname", pa.string()),
        ("date_of_birth", pa.date32()),
        ("sex", pa.string()),
        ("ethnicity", pa.string()),
        ("first_language", pa.string()),
    ]
)
_ENROLMENTS_SCHEMA = pa.schema(
    [
        ("line", pa.int32()),
        ("upn", pa.string()),
        ("urn", pa.int32()),
        ("admission_date", pa.date32()),
        ("leaving_date", pa.date32()),
        ("nc_year", pa.string()),
        ("fsm", pa.bool_()),
        ("sen", pa.string()),
        ("sen_primary_need", pa.string()),
        ("cla", pa.bool_()),
        ("cin", pa.bool_()),
        ("cpp", pa.bool_()),
        ("boarder", pa.bool_()),
    ]
)
_CLOSURES_SCHEMA = pa.schema(
    [
        ("urn", pa.int32()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("session", pa.string()),
        ("reason", pa.string()),
    ]
)


def stage_small_tables(
    store: Store,
    schools: dict[int, dict[str, Any]],
    pupils: dict[str, dict[str, Any]],
    enrolments: list[dict[str, Any]],
    closures: list[dict[str, Any]],
    scope_schools: frozenset[int] | None = None,
) -> None:
    """Stage the small files' rows beside the store (``_schools_new``, ``_pupils_new``, ...), with views of
    what the store will hold once they are written (``_schools_all``, ``_closures_all``, ...).

    ``scope_schools``: the schools a limited import may change (``_scope_urns``), whose closures alone a
    closures file replaces; ``None`` for an import that may change every school's.
    """
    con = store.duckdb_connection()
    school_rows = pa.Table.from_pylist(list(schools.values()), schema=_SCHOOLS_SCHEMA)
    pupil_rows = pa.Table.from_pylist(list(pupils.values()), schema=_PUPILS_SCHEMA)
    enrol_rows = pa.Table.from_pylist(
        [{"line": e["_line"], **{k: e[k] for k in _ENROLMENTS_SCHEMA.names[1:]}} for e in enrolments],
        schema=_ENROLMENTS_SCHEMA,
    )
    closure_rows = pa.Table.from_pylist(closures, schema=_CLOSURES_SCHEMA)
    for name, table in (
        ("_schools_arrow", school_rows),
        ("_pupils_arrow", pupil_rows),
        ("_enrolments_arrow", enrol_rows),
        ("_closures_arrow", closure_rows),
    ):
        con.register(name, table)
    con.execute("CREATE OR REPLACE TEMP TABLE _schools_new AS SELECT * FROM _schools_arrow")
    con.execute("CREATE OR REPLACE TEMP TABLE _pupils_new AS SELECT * FROM _pupils_arrow")
    con.execute("CREATE OR REPLACE TEMP TABLE _enrolments_new AS SELECT * FROM _enrolments_arrow")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _schools_all AS SELECT urn FROM schools UNION SELECT urn FROM _schools_new"
    )
    con.execute("CREATE OR REPLACE TEMP VIEW _pupils_all AS SELECT upn FROM pupils UNION SELECT upn FROM _pupils_new")
    _stage_enrolments(store)
    _stage_closures(store, scope_schools)


def _stage_enrolments(store: Store) -> None:
    """``_enrolment_matches`` (which staged enrolments are stored ones) and ``_enrolments_all`` (with ids)."""
    con = store.duckdb_connection()
    # Each of the file's enrolments is a stored one when it has the same pupil, school and admission
    # date (a later leaving date, say), or when it overlaps the one stored enrolment of that pupil at
    # that school the file does not also give (a corrected admission date): it keeps that enrolment's
    # id, and so its marks. Any other is new. (match_enrolments refuses a file whose enrolments
    # overlap stored ones any other way.)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _enrolment_matches AS
           SELECT n.line, n.upn, n.urn, n.admission_date, e.enrolment_id, e.admission_date AS stored_admission,
                  e.leaving_date AS stored_leaving, e.admission_date = n.admission_date AS same_key
           FROM _enrolments_new n JOIN enrolments e ON e.upn = n.upn AND e.urn = n.urn
           WHERE e.admission_date = n.admission_date
              OR (e.admission_date <= coalesce(n.leaving_date, DATE '9999-12-31')
                  AND n.admission_date <= coalesce(e.leaving_date, DATE '9999-12-31')
                  AND NOT EXISTS (SELECT 1 FROM _enrolments_new k WHERE k.upn = e.upn AND k.urn = e.urn
                                  AND k.admission_date = e.admission_date)
                  AND NOT EXISTS (SELECT 1 FROM enrolments k WHERE k.upn = n.upn AND k.urn = n.urn
                                  AND k.admission_date = n.admission_date))"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _enrolments_all AS
           SELECT e.enrolment_id, e.upn, e.urn, e.admission_date, e.leaving_date FROM enrolments e
           WHERE e.enrolment_id NOT IN (SELECT enrolment_id FROM _enrolment_matches)
           UNION ALL
           SELECT coalesce(m.enrolment_id, (SELECT coalesce(max(enrolment_id), 0) FROM enrolments)
                           + row_number() OVER (ORDER BY n.upn, n.urn, n.admission_date)) AS enrolment_id,
                  n.upn, n.urn, n.admission_date, n.leaving_date
           FROM _enrolments_new n LEFT JOIN _enrolment_matches m USING (upn, urn, admission_date)"""
    )


def _stage_closures(store: Store, scope_schools: frozenset[int] | None) -> None:
    """``_closures_all``: the closures the store will hold once the staged ones are written."""
    con = store.duckdb_connection()
    # The closures the store will hold: a closures file replaces the stored ones it may change (every
    # school's, or a limited import's own schools'), and the rest stay.
    con.register("_scope_arrow", pa.table({"urn": pa.array(sorted(scope_schools or ()), pa.int32())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _scope_urns AS SELECT urn FROM _scope_arrow")
    con.unregister("_scope_arrow")
    replaced = "true" if scope_schools is None else "urn IN (SELECT urn FROM _scope_urns)"
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW _closures_replaced AS
            SELECT * FROM closures WHERE (SELECT count(*) FROM _closures_arrow) > 0 AND {replaced}"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP VIEW _closures_all AS
           SELECT urn, start_date, end_date, session, reason FROM _closures_arrow
           UNION ALL SELECT urn, start_date, end_date, session, reason FROM closures
           EXCEPT ALL SELECT urn, start_date, end_date, session, reason FROM _closures_replaced"""
    )


def match_enrolments(store: Store, file: str, problems: Problems) -> None:
    """Refuse enrolments that would overlap stored ones in a way that is not one correction."""
    span = "strftime(stored_admission, '%Y-%m-%d') || ' to ' || coalesce(strftime(stored_leaving, '%Y-%m-%d'), 'now')"
    sql_problems(
        store,
        file,
        f"""SELECT line, upn, urn, string_agg({span}, ', ' ORDER BY stored_admission) FROM _enrolment_matches
            WHERE NOT same_key GROUP BY line, upn, urn HAVING count(*) > 1""",
        "admission_date",
        lambda r: (
            f"enrolment of {r[1]} at {r[2]} overlaps more than one stored enrolment there ({r[3]}); "
            "give each of them, with its own admission date"
        ),
        problems,
    )
    sql_problems(
        store,
        file,
        f"""SELECT max(line), upn, urn, {span}, string_agg(line::VARCHAR, ', ' ORDER BY line)
            FROM _enrolment_matches WHERE NOT same_key
            GROUP BY enrolment_id, upn, urn, stored_admission, stored_leaving HAVING count(*) > 1""",
        "admission_date",
        lambda r: (
            f"enrolments of {r[1]} at {r[2]} on lines {r[4]} all overlap the stored enrolment {r[3]}; "
            "give it with its own admission date, or one enrolment correcting it"
        ),
        problems,
    )


def describe_school_changes(store: Store) -> list[str]:
    """Each change the staged schools make to a stored school's master data, in words (before writing)."""
    described = []
    rows = (
        store.duckdb_connection()
        .execute(
            f"""SELECT s.urn, s.name, {", ".join(f"s.{c}, n.{c}" for c in MASTER_FIELDS)}
            FROM _schools_new n JOIN schools s USING (urn) ORDER BY s.urn"""
        )
        .fetchall()
    )
    for urn, name, *pairs in rows:
        said = [
            f"{field.replace('_', ' ')} {old!r} to {new!r}"
            for field, old, new in zip(MASTER_FIELDS, pairs[0::2], pairs[1::2], strict=True)
            if new is not None and new != old
        ]
        if said:
            described.append(f"school {urn} ({name}): " + ", ".join(said))
    return described


def upsert_schools(store: Store, import_id: int) -> tuple[int, int]:
    """Store the staged schools; returns how many the file gave and how many of them are new. A blank
    LA name keeps the stored one (the column is optional)."""
    con = store.duckdb_connection()
    added = int(scalar(store, "SELECT count(*) FROM _schools_new WHERE urn NOT IN (SELECT urn FROM schools)"))
    values = {c: f"excluded.{c}" for c in MASTER_FIELDS} | {"la_name": "coalesce(excluded.la_name, schools.la_name)"}
    sets = ", ".join(f"{c} = {v}" for c, v in values.items())
    changed = " OR ".join(f"schools.{c} IS DISTINCT FROM {v}" for c, v in values.items())
    con.execute(
        f"""INSERT INTO schools SELECT n.urn, n.name, n.phase, n.la_code, n.la_name, ? FROM _schools_new n
            ON CONFLICT (urn) DO UPDATE SET {sets}, import_id = excluded.import_id WHERE {changed}""",
        [import_id],
    )
    return int(scalar(store, "SELECT count(*) FROM _schools_new")), added


#: The pupil fields a later file may change.
def upsert_pupils(store: Store, import_id: int) -> tuple[int, int]:
    """Store the staged pupils; returns how many are new and how many stored pupils' details changed."""
    con = store.duckdb_connection()
    added = int(scalar(store, "SELECT count(*) FROM _pupils_new WHERE upn NOT IN (SELECT upn FROM pupils)"))
    differs = " OR ".join(f"p.{c} IS DISTINCT FROM n.{c}" for c in PUPIL_FIELDS)
    changed_count = int(scalar(store, f"SELECT count(*) FROM _pupils_new n JOIN pupils p USING (upn) WHERE {differs}"))
    changed = " OR ".join(f"pupils.{c} IS DISTINCT FROM excluded.{c}" for c in PUPIL_FIELDS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in PUPIL_FIELDS)
    con.execute(
        f"""INSERT INTO pupils SELECT n.*, ? FROM _pupils_new n
            ON CONFLICT (upn) DO UPDATE SET {sets}, import_id = excluded.import_id WHERE {changed}""",
        [import_id],
    )
    return added, changed_count


_ENROLMENT_FIELDS = (
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


def upsert_enrolments(store: Store, import_id: int) -> tuple[int, int]:
    """Store the file's enrolments: update those already stored (by id, see stage_small_tables), add
    the rest; returns how many were added and how many changed."""
    con = store.duckdb_connection()
    fields = ("admission_date", *_ENROLMENT_FIELDS)
    differs = " OR ".join(f"e.{c} IS DISTINCT FROM n.{c}" for c in fields)
    stored = """FROM _enrolments_new n JOIN _enrolments_all a USING (upn, urn, admission_date)
                JOIN enrolments e ON e.enrolment_id = a.enrolment_id"""
    changed = int(scalar(store, f"SELECT count(*) {stored} WHERE {differs}"))
    sets = ", ".join(f"{c} = n.{c}" for c in fields)
    con.execute(
        f"""UPDATE enrolments e SET {sets}, import_id = ?
            FROM _enrolments_new n JOIN _enrolments_all a USING (upn, urn, admission_date)
            WHERE e.enrolment_id = a.enrolment_id AND ({differs})""",
        [import_id],
    )
    before = int(scalar(store, "SELECT count(*) FROM enrolments"))
    con.execute(
        """INSERT INTO enrolments
           SELECT a.enrolment_id, n.upn, n.urn, n.admission_date, n.leaving_date, n.nc_year, n.fsm, n.sen,
                  n.sen_primary_need, n.cla, n.cin, n.cpp, n.boarder, ?
           FROM _enrolments_new n JOIN _enrolments_all a USING (upn, urn, admission_date)
           WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.enrolment_id = a.enrolment_id)""",
        [import_id],
    )
    return int(scalar(store, "SELECT count(*) FROM enrolments")) - before, changed


def replace_calendar(
    store: Store, terms: list[dict[str, Any]], closures: list[dict[str, Any]], *, scoped: bool
) -> tuple[int, int, int]:
    """Term dates replace those of the same half term; a closures file replaces the stored closures it
    may change (see :func:`stage_small_tables`). Returns the half terms given, and the closures replaced
    and stored."""
    con = store.duckdb_connection()
    if terms:
        con.executemany(
            """INSERT INTO terms VALUES (?, ?, ?, ?, ?) ON CONFLICT (academic_year, term, half_term)
               DO UPDATE SET start_date = excluded.start_date, end_date = excluded.end_date""",
            [[t["academic_year"], t["term"], t["half_term"], t["start_date"], t["end_date"]] for t in terms],
        )
    if not closures:
        return len(terms), 0, 0
    replaced = int(scalar(store, "SELECT count(*) FROM _closures_replaced"))
    con.execute("DELETE FROM closures WHERE urn IN (SELECT urn FROM _scope_urns)" if scoped else "DELETE FROM closures")
    con.execute("INSERT INTO closures SELECT urn, start_date, end_date, session, reason FROM _closures_arrow")
    return len(terms), replaced, len(closures)


def schools_touched(store: Store, *, marks: bool) -> list[int]:
    """The URNs of the schools whose data the staged import gives (schools, enrolments, closures, marks)."""
    parts = [
        "SELECT urn FROM _schools_new",
        "SELECT urn FROM _enrolments_new",
        "SELECT urn FROM _closures_arrow WHERE urn IS NOT NULL",
    ]
    if marks:
        parts.append("SELECT DISTINCT urn FROM _marks")
    sql = f"SELECT DISTINCT urn FROM ({' UNION '.join(parts)}) ORDER BY urn"
    return [r[0] for r in store.duckdb_connection().execute(sql).fetchall()]


#: The temporary tables and views an import leaves on the connection.
_STAGING = (
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
    "_scope_urns",
    "_contacts_new",
    "_pupil_contacts_new",
    "_cohort_members_new",
)
_STAGING_VIEWS = ("_closures_all", "_closures_replaced", "_schools_all", "_pupils_all")


def drop_staging(store: Store) -> None:
    """Drop what an import staged (a refused import's staging is replaced by the next one's)."""
    for view in _STAGING_VIEWS:
        store.duckdb_connection().execute(f"DROP VIEW IF EXISTS {view}")
    for temp in _STAGING:
        store.duckdb_connection().execute(f"DROP TABLE IF EXISTS {temp}")
    for arrow in ("_schools_arrow", "_pupils_arrow", "_enrolments_arrow", "_closures_arrow"):
        store.duckdb_connection().unregister(arrow)
