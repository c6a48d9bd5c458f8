"""marks.csv: staged in DuckDB and checked there (a year of a city's registers is tens of millions of
rows), then merged into the stored marks."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyarrow as pa

from attendwise.core.codes import code_set_sql, unknown_code_message
from attendwise.core.identifiers import DATE_PATTERN, URN_PATTERN, parse_date, parse_urn, show, why_not
from attendwise.core.upn import UPNError, validate_upn
from attendwise.ingest.files import EMPTY_FILE, MAX_FIELD, NO_HEADER, EmptyLines, check_header, open_binary
from attendwise.ingest.outcomes import ImportResult, Problems, scalar, sql_problems
from attendwise.store import Store

# --------------------------------------------------------------------------------------------
# Marks: checked in DuckDB, since a year of a city's registers is tens of millions of rows
# --------------------------------------------------------------------------------------------
_MARK_COLUMNS = ["upn", "urn", "date", "session", "code"]


def _marks_header(path: Path, problems: Problems) -> list[str] | None:
    """The names of marks.csv's columns, stripped and lower-cased, or None (with the problem recorded).

    Only the first line is read (the importer names rows by the line they start on, so the header must
    be one line): a column name holding a line break, or quotes the reader cannot close on line 1, is
    refused rather than read by a guess.
    """
    with open_binary(path) as fh:
        start = fh.read(_MAX_HEADER + 1)
    first = re.split(rb"\r|\n", start, maxsplit=1)[0]  # a line ends in LF, CR LF, or CR alone
    if len(first) > _MAX_HEADER:
        problems.add(path.name, 1, None, f"the header row is longer than {_MAX_HEADER:,} bytes")
        return None
    text = first.decode("utf-8-sig", errors="replace")
    if not text.strip():
        problems.add(path.name, 1, None, NO_HEADER if start.strip(b" \t\r\n\xef\xbb\xbf") else EMPTY_FILE)
        return None
    try:
        names = next(csv.reader([text], strict=True))
    except csv.Error:
        problems.add(
            path.name,
            1,
            None,
            "the header row is not a well-formed CSV row "
            "(a column name may not hold a line break or an unclosed quote)",
        )
        return None
    header = [h.strip().lower() for h in names]
    return header if check_header(path.name, header, _MARK_COLUMNS, [], problems) else None


#: The longest header row marks.csv may have.
_MAX_HEADER = 1 << 16


def stage_marks(store: Store, path: Path, problems: Problems) -> bool:
    """Load marks.csv into a temporary table ``_marks_raw`` (all text; its ``rowid`` gives the line).

    No text of the file ever reaches the SQL: the reader is given attendwise's own name for each
    column, by position (``upn``, ``urn``, ... where the header names them, ``_extra_N`` for any other
    column), and the file's path as a parameter.
    """
    header = _marks_header(path, problems)
    if header is None:
        return False
    names = [h if h in _MARK_COLUMNS else f"_extra_{i + 1}" for i, h in enumerate(header)]
    assert all(re.fullmatch(r"[a-z_0-9]+", n) for n in names)
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    # Line numbers: DuckDB keeps file order (preserve_insertion_order), so the table's rowid (from 0)
    # plus 2 (the header, and counting from 1) is the line number. (row_number() OVER () says the
    # same but doubles the time to read the city's marks.) The reader skips empty lines: check_marks
    # counts line numbers past them.
    store.duckdb_connection().execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _marks_raw AS
        SELECT upper(trim(upn)) AS upn, trim(urn) AS urn, trim(date) AS date,
               upper(trim(session)) AS session, upper(trim(code)) AS code
        FROM read_csv(?, auto_detect = false, delim = ',', header = true, columns = {columns}, skip = 0, quote = '"',
                      escape = '"', strict_mode = true,
                      null_padding = false, all_varchar = true)
        """,
        [str(path)],
    )
    return True


# The URN and the date of each mark, by the one strict rule of attendwise.core.identifiers (an SQL cast would
# read '+104109', '104109.0' or ' 104109' as school 104109; the rule refuses them, as the small files do).
_URN_I = f"CASE WHEN regexp_full_match(urn, '{URN_PATTERN}') THEN urn::INTEGER END AS urn_i"
_DAY = f"CASE WHEN regexp_full_match(date, '{DATE_PATTERN}') THEN try_cast(date AS DATE) END AS day"

_SKIPS_SCHEMA = pa.schema([("r", pa.int64()), ("n", pa.int64())])


def check_marks(store: Store, file: str, problems: Problems, empty_lines: EmptyLines | None = None) -> None:
    """Check every staged mark; on success ``_marks`` holds them resolved to enrolments.

    ``empty_lines`` are the file's runs of empty lines (first line, how many), which the CSV reader
    skipped: a row's line number is its position plus 2 (the header, and counting from 1) plus the
    empty lines before it.
    """
    _type_marks(store, empty_lines)
    _check_fields(store, file, problems)
    _check_upns(store, file, problems)
    _check_codes(store, file, problems)
    _check_enrolments(store, file, problems)
    _check_sessions(store, file, problems)


# A row whose five values are all given (the checks of each value skip rows already refused as blank).
_NOT_BLANK = "upn <> '' AND urn <> '' AND date <> '' AND session <> '' AND code <> ''"


def _type_marks(store: Store, empty_lines: EmptyLines | None) -> None:
    """``_marks_typed``: each staged mark with its line number, its URN and its date parsed by the strict rules."""
    con = store.duckdb_connection()
    # Row ``r`` (from 0) comes after a run of n empty lines from line b, with c empty lines before it,
    # when r >= b - 2 - c: the rows before it fill lines 2 to b - 1 but for the c empty lines among them.
    skips: dict[int, int] = {}
    before = 0
    for first, n in sorted(empty_lines or []):
        if first < 2:  # line 1 is the header's
            first, n = 2, n - (2 - first)
        if n > 0:
            skips[first - 2 - before] = before + n
            before += n
    con.register("_empty_lines_arrow", pa.table({"r": list(skips), "n": list(skips.values())}, _SKIPS_SCHEMA))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _marks_typed AS
        SELECT m.r + 2 + coalesce(s.n, 0) AS line, upn, urn, date, session, code,
               {_URN_I}, {_DAY}
        FROM (SELECT rowid AS r, * FROM _marks_raw) m ASOF LEFT JOIN _empty_lines_arrow s ON m.r >= s.r
        WHERE code IS DISTINCT FROM '-'
        """
        if skips
        else f"""
        CREATE OR REPLACE TEMP TABLE _marks_typed AS
        SELECT rowid + 2 AS line, upn, urn, date, session, code,
               {_URN_I}, {_DAY}
        FROM _marks_raw WHERE code IS DISTINCT FROM '-'
        """
    )
    con.unregister("_empty_lines_arrow")


def _check_fields(store: Store, file: str, problems: Problems) -> None:
    """Refuse over-long values (dropping their rows), blank values, and sessions, dates and URNs that do not parse."""
    con = store.duckdb_connection()
    # A value longer than a register field may be (the small files' limit, Python's csv module's) is
    # refused by line, and its row is not checked further (nothing else is worth saying about it).
    long = " OR ".join(f"length({c}) > {MAX_FIELD}" for c in _MARK_COLUMNS)
    sql_problems(
        store,
        file,
        f"SELECT line FROM _marks_typed WHERE {long}",
        None,
        lambda r: f"a value is longer than {MAX_FIELD:,} characters, the most a register field may hold",
        problems,
    )
    con.execute(f"DELETE FROM _marks_typed WHERE {long}")
    blank = (
        "SELECT line, c FROM (SELECT line, CASE WHEN upn IS NULL OR upn = '' THEN 'upn' "
        "WHEN urn IS NULL OR urn = '' THEN 'urn' WHEN date IS NULL OR date = '' THEN 'date' "
        "WHEN session IS NULL OR session = '' THEN 'session' WHEN code IS NULL OR code = '' THEN 'code' "
        "END AS c FROM _marks_typed) WHERE c IS NOT NULL"
    )
    rows = con.execute(blank + " ORDER BY line LIMIT ?", [problems.cap]).fetchall()
    n_blank = scalar(store, f"SELECT count(*) FROM ({blank})")
    for line, col in rows:
        problems.add(file, line, col, "a value is required")
    problems.total += n_blank - len(rows)
    sql_problems(
        store,
        file,
        f"SELECT line, session FROM _marks_typed WHERE {_NOT_BLANK} AND session NOT IN ('AM', 'PM')",
        "session",
        lambda r: f"{show(r[1])} is not AM or PM",
        problems,
    )
    sql_problems(
        store,
        file,
        f"SELECT line, date FROM _marks_typed WHERE {_NOT_BLANK} AND day IS NULL",
        "date",
        lambda r: why_not(parse_date, r[1]),
        problems,
    )
    sql_problems(
        store,
        file,
        f"SELECT line, urn FROM _marks_typed WHERE {_NOT_BLANK} AND urn_i IS NULL",
        "urn",
        lambda r: why_not(parse_urn, r[1]),
        problems,
    )
    sql_problems(
        store,
        file,
        "SELECT line, urn_i FROM _marks_typed WHERE urn_i NOT IN (SELECT urn FROM _schools_all)",
        "urn",
        lambda r: f"school {r[1]} is not in schools.csv or the store",
        problems,
    )


def _check_upns(store: Store, file: str, problems: Problems) -> None:
    """Refuse UPNs that fail the GovTalk check (``_bad_upns`` holds them, for the later checks)."""
    con = store.duckdb_connection()
    # UPNs: check each distinct one once, in Python, against the GovTalk check letter.
    distinct = [r[0] for r in con.execute(f"SELECT DISTINCT upn FROM _marks_typed WHERE {_NOT_BLANK}").fetchall()]
    bad = {}
    for upn in distinct:
        try:
            validate_upn(upn)
        except UPNError as exc:
            bad[upn] = str(exc)
    con.register("_bad_upns_arrow", pa.table({"upn": pa.array(list(bad), pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _bad_upns AS SELECT * FROM _bad_upns_arrow")
    if bad:
        sql_problems(
            store,
            file,
            "SELECT line, upn FROM _marks_typed WHERE upn IN (SELECT upn FROM _bad_upns)",
            "upn",
            lambda r: bad[r[1]],
            problems,
        )


def _check_codes(store: Store, file: str, problems: Problems) -> None:
    """Refuse codes that are not in the code set in force on the session's date."""
    # Codes, read against the code set in force on the session's date.
    with store.code_meanings() as codes:
        sql_problems(
            store,
            file,
            f"""SELECT m.line, m.code, {code_set_sql("m.day")} AS cs
                FROM _marks_typed m WHERE m.day IS NOT NULL AND m.code <> '' AND NOT EXISTS (
                  SELECT 1 FROM {codes} c WHERE c.code = m.code AND c.code_set = {code_set_sql("m.day")})""",
            "code",
            lambda r: unknown_code_message(r[1], r[2]),
            problems,
        )


def _check_enrolments(store: Store, file: str, problems: Problems) -> None:
    """``_marks``: the marks resolved to enrolments; refuse unknown pupils and marks outside every enrolment."""
    con = store.duckdb_connection()
    # Pupils and enrolments.
    sql_problems(
        store,
        file,
        f"SELECT line, upn FROM _marks_typed WHERE {_NOT_BLANK} AND upn NOT IN "
        "(SELECT upn FROM _bad_upns) AND upn NOT IN (SELECT upn FROM _pupils_all)",
        "upn",
        lambda r: f"pupil {r[1]} is not in pupils.csv or the store",
        problems,
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _marks AS
        SELECT m.line, m.upn, m.urn_i AS urn, m.day AS date, m.session, m.code, e.enrolment_id
        FROM _marks_typed m
        LEFT JOIN _enrolments_all e
          ON e.upn = m.upn AND e.urn = m.urn_i
         AND m.day BETWEEN e.admission_date AND coalesce(e.leaving_date, DATE '9999-12-31')
        WHERE m.day IS NOT NULL AND m.urn_i IS NOT NULL
        """
    )
    unmatched = """FROM _marks m WHERE m.enrolment_id IS NULL AND m.upn IN (SELECT upn FROM _pupils_all)
                   AND m.urn IN (SELECT urn FROM _schools_all)"""
    enrolled_here = "EXISTS (SELECT 1 FROM _enrolments_all e WHERE e.upn = m.upn AND e.urn = m.urn)"
    sql_problems(
        store,
        file,
        f"SELECT m.line, m.upn, m.urn {unmatched} AND NOT {enrolled_here}",
        "urn",
        lambda r: f"pupil {r[1]} has no enrolment at school {r[2]}",
        problems,
    )
    sql_problems(
        store,
        file,
        f"""SELECT m.line, m.upn, m.urn, m.date,
                  (SELECT string_agg(strftime(admission_date, '%Y-%m-%d') || ' to ' ||
                          coalesce(strftime(leaving_date, '%Y-%m-%d'), 'now'), ', ' ORDER BY admission_date)
                   FROM _enrolments_all e WHERE e.upn = m.upn AND e.urn = m.urn) AS spans
            {unmatched} AND {enrolled_here}""",
        "date",
        lambda r: f"{r[3]} is outside {r[1]}'s enrolment at {r[2]} ({r[4]})",
        problems,
    )


def _check_sessions(store: Store, file: str, problems: Problems) -> None:
    """Refuse marks on a school's closure days and sessions given twice."""
    sql_problems(
        store,
        file,
        # Closures are spelt out day by day, so marks meet them in an equality join on the date (a
        # range join against every closure took 17 s on the city's 22.8 million marks; this 0.4 s).
        """SELECT m.line, m.date, c.reason FROM _marks m
           JOIN (SELECT urn, unnest(generate_series(start_date, end_date, INTERVAL 1 DAY))::DATE AS day,
                        session, reason
                 FROM _closures_all) c ON m.date = c.day
           WHERE (c.urn IS NULL OR c.urn = m.urn) AND (c.session IS NULL OR c.session = m.session)
             AND m.code <> '#'
           QUALIFY row_number() OVER (PARTITION BY m.line ORDER BY c.urn NULLS LAST) = 1""",
        "date",
        lambda r: f"{r[1]} is a closure day for this school ({r[2] or 'closed'})",
        problems,
    )
    sql_problems(
        store,
        file,
        """SELECT line, upn, urn, date, session, first_line FROM (
             SELECT line, upn, urn, date, session,
                    min(line) OVER (PARTITION BY upn, urn, date, session) AS first_line,
                    count(*) OVER (PARTITION BY upn, urn, date, session) AS n
             FROM _marks) WHERE n > 1 AND line <> first_line""",
        "session",
        lambda r: f"{r[1]} at {r[2]} on {r[3]} {r[4]} is already given on line {r[5]}",
        problems,
    )


def duckdb_csv_message(exc: Exception, path: Path) -> tuple[int | None, str]:
    """The line and, in a data officer's words, what DuckDB's CSV reader found wrong with marks.csv (never
    the engine's own advice, the server's path of the file, or the offending line in full)."""
    text = str(exc).replace(str(path), path.name)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if columns := re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text):
        found = int(columns[2])
        what = f"{found} field{'s' if found != 1 else ''} where the header has {columns[1]}"
    elif size := re.search(r"Maximum line size of (\d+) bytes exceeded", text):
        return (int(line[1]) if line else None), (
            f"the line is longer than {int(size[1]):,} bytes, the most a marks.csv line may hold "
            f"(a value may hold at most {MAX_FIELD:,} characters)"
        )
    elif "unterminated quote" in text:
        what = 'a quoted value is never closed (a " with no closing ")'
    elif not line and (mixed := mixed_line_ending(path)):
        return mixed
    else:
        what = "the line cannot be read as CSV"
    return (int(line[1]) if line else None), f"the file is not a well-formed CSV: {what}"


_ENDINGS = {b"\r\n": "CR LF (Windows)", b"\n": "LF", b"\r": "CR"}


def mixed_line_ending(path: Path) -> tuple[int, str] | None:
    """The first line that ends differently from line 1, or holds a carriage return inside it (DuckDB's
    reader refuses such a file, naming no line); None for a file whose lines all end alike."""

    def ending(line: bytes) -> bytes:
        return b"\r\n" if line.endswith(b"\r\n") else line[-1:] if line.endswith(b"\n") else b""

    with open_binary(path) as fh:
        first = fh.readline()
        if b"\r" in first.rstrip(b"\r\n"):  # a file whose lines end in CR alone, with a LF later
            return None if b"\n" not in first else (1, _mixed("holds a carriage return (CR) inside it"))
        want = ending(first)
        for number, line in enumerate(fh, start=2):
            got = ending(line)
            if b"\r" in line[: len(line) - len(got)]:
                return number, _mixed("holds a carriage return (CR) inside it")
            if got and got != want:
                return number, _mixed(f"ends in {_ENDINGS[got]} where line 1 ends in {_ENDINGS[want]}")
    return None


def _mixed(what: str) -> str:
    return f"the line {what}: save the file with one kind of line ending (any CSV export does)"


def remove_marks_outside_enrolments(store: Store, import_id: int) -> int:
    """Move stored marks that fall outside their enrolment's corrected dates into the mark history."""
    con = store.duckdb_connection()
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _marks_outside AS
           SELECT m.enrolment_id, m.date, m.session, m.code, m.import_id
           FROM marks m JOIN enrolments e USING (enrolment_id)
           WHERE e.import_id = ?
             AND (m.date < e.admission_date OR m.date > coalesce(e.leaving_date, DATE '9999-12-31'))""",
        [import_id],
    )
    removed = int(scalar(store, "SELECT count(*) FROM _marks_outside"))
    if removed:
        con.execute("INSERT INTO mark_history SELECT *, ? FROM _marks_outside", [import_id])
        con.execute(
            """DELETE FROM marks USING _marks_outside o WHERE marks.enrolment_id = o.enrolment_id
               AND marks.date = o.date AND marks.session = o.session"""
        )
    return removed


def merge_marks(store: Store, import_id: int, result: ImportResult) -> None:
    con = store.duckdb_connection()
    result.marks_blank = int(scalar(store, "SELECT count(*) FROM _marks_raw WHERE code = '-'"))
    if not scalar(store, "SELECT count(*) > 0 FROM marks"):
        con.execute("INSERT INTO marks SELECT enrolment_id, date, session, code, ? FROM _marks", [import_id])
        result.marks_added = int(scalar(store, "SELECT count(*) FROM _marks"))
        return
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _marks_changed AS
           SELECT m.enrolment_id, m.date, m.session, m.code AS old_code, m.import_id AS old_import, n.code
           FROM marks m JOIN _marks n USING (enrolment_id, date, session) WHERE m.code <> n.code"""
    )
    result.marks_changed = int(scalar(store, "SELECT count(*) FROM _marks_changed"))
    con.execute(
        "INSERT INTO mark_history SELECT enrolment_id, date, session, old_code, old_import, ? FROM _marks_changed",
        [import_id],
    )
    con.execute(
        """UPDATE marks SET code = c.code, import_id = ? FROM _marks_changed c
           WHERE marks.enrolment_id = c.enrolment_id AND marks.date = c.date AND marks.session = c.session""",
        [import_id],
    )
    before = int(scalar(store, "SELECT count(*) FROM marks"))
    con.execute(
        """INSERT INTO marks SELECT n.enrolment_id, n.date, n.session, n.code, ? FROM _marks n
           ANTI JOIN marks m USING (enrolment_id, date, session)""",
        [import_id],
    )
    result.marks_added = int(scalar(store, "SELECT count(*) FROM marks")) - before
    result.marks_unchanged = result.marks_read - result.marks_blank - result.marks_added - result.marks_changed
    con.execute("DROP TABLE IF EXISTS _marks_changed")
