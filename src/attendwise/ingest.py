"""Import a folder of register CSV files (``docs/csv-layout.md``) into the store.

An import is all or nothing.  Every file is read and checked first; each problem is reported
with its file, line and field, up to a cap, and if there is any problem nothing from the import
is stored.  Only then is everything written in one transaction.

Re-importing a file changes nothing.  A later file that gives a different code for a stored
session supersedes it, and the superseded mark is kept in ``mark_history`` with the import it
came from.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pyarrow as pa

from attendwise.calendar import TERMS, AcademicYear, PeriodError
from attendwise.characteristics import NC_YEARS, PHASES, SEX_LABELS, ethnicity_groups
from attendwise.codes import code_set_sql, lookup_rows, unknown_code_message
from attendwise.errors import AttendwiseError
from attendwise.store import Store
from attendwise.upn import UPNError, validate_upn

__all__ = ["MAX_PROBLEMS", "ImportResult", "IngestError", "Problem", "import_folder"]

#: How many problems an import lists before it stops collecting (the total is still counted).
MAX_PROBLEMS = 100

Progress = Callable[[str, int, int], None]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"y", "yes", "1", "true", "t"}
_FALSE = {"n", "no", "0", "false", "f", ""}


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

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.marks_added
            or self.marks_changed
            or self.pupils_added
            or self.enrolments_added
            or self.enrolments_changed
            or self.marks_removed
        )


class _Problems:
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


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------
#: How much of a file :func:`_check_utf8` reads at a time.
_CHUNK = 1 << 24


def _empty_line_starts(data: bytes, seen: int) -> list[int]:
    """Where the empty lines of ``data`` start (a line ending, ``\n`` or ``\r\n``, straight after the
    line ending before it), leaving out those ending within the first ``seen`` bytes."""
    starts = []
    for ending in (b"\n\n", b"\n\r\n"):
        at = data.find(ending)
        while at >= 0:
            if at + len(ending) > seen:
                starts.append(at + 1)
            at = data.find(ending, at + 1)
    return sorted(starts)


def _check_utf8(path: Path, problems: _Problems, progress: Progress | None = None) -> list[int]:
    """Check a file is UTF-8, naming the line of the first bad byte; returns the numbers of its empty
    lines (the CSV reader skips them, so line numbers after one must be counted past it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = path.stat().st_size
    lines = 0
    done = 0
    empty: list[int] = []
    tail = b"\n"  # the start of the file counts as the end of a line: an empty first line is empty
    opener = _open_binary(path)
    with opener as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk[: exc.start].count(b"\n") + 1
                problems.add(
                    path.name,
                    line,
                    None,
                    f"not valid UTF-8 (byte 0x{chunk[exc.start]:02x}); save the file as UTF-8 (CSV UTF-8 in Excel)",
                )
                return []
            # Empty lines ending in this chunk (the last bytes of the one before are kept in front, so
            # one cut between chunks is still seen, and not twice). bytes.find, not a regular
            # expression: a pattern with a look-behind took 5 s over the city's marks.
            data = tail + chunk
            counted, at = lines - tail.count(b"\n"), 0
            for start in _empty_line_starts(data, len(tail)):
                counted += data.count(b"\n", at, start)
                at = start
                empty.append(counted + 1)
            tail = data[-2:]
            lines += chunk.count(b"\n")
            done += len(chunk)
            if progress:
                progress(f"checking {path.name}", min(done, size), size)
    return empty


def _open_binary(path: Path) -> io.BufferedIOBase:
    if path.suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _read_small_csv(
    path: Path, required: list[str], optional: list[str], problems: _Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a small CSV file as dicts of stripped strings, with their line numbers."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            problems.add(path.name, 1, None, "the file is empty (expected a header row)")
            return
        missing = [c for c in required if c not in header]
        if missing:
            problems.add(path.name, 1, None, f"missing column{'s' if len(missing) > 1 else ''}: " + ", ".join(missing))
            return
        wanted = {c: header.index(c) for c in required + optional if c in header}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            yield reader.line_num, {c: row[i].strip() for c, i in wanted.items()}


def _date(
    value: str, file: str, line: int, name: str, problems: _Problems, *, blank_ok: bool = False
) -> dt.date | None:
    if not value:
        if not blank_ok:
            problems.add(file, line, name, "a date is required")
        return None
    if _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(file, line, name, f"{value!r} is not a date (expected YYYY-MM-DD)")
    return None


def _flag(value: str, file: str, line: int, name: str, problems: _Problems) -> bool:
    v = value.lower()
    if v in _TRUE:
        return True
    if v not in _FALSE:
        problems.add(file, line, name, f"{value!r} is not Y or N")
    return False


def _choice(
    value: str, allowed: dict[str, str] | list[str], file: str, line: int, name: str, problems: _Problems
) -> str | None:
    if value in allowed:
        return value
    options = ", ".join(allowed)
    problems.add(file, line, name, f"{value!r} is not one of {options}")
    return None


# --------------------------------------------------------------------------------------------
# Small files: schools, pupils, terms, closures
# --------------------------------------------------------------------------------------------
def _read_schools(path: Path, problems: _Problems) -> dict[int, dict[str, Any]]:
    schools: dict[int, dict[str, Any]] = {}
    for line, row in _read_small_csv(path, ["urn", "name", "phase", "la_code"], ["la_name"], problems):
        f = path.name
        urn_text = row["urn"]
        if not re.fullmatch(r"\d{6,7}", urn_text):
            problems.add(f, line, "urn", f"{urn_text!r} is not a URN (6 or 7 digits)")
            continue
        urn = int(urn_text)
        if urn in schools:
            problems.add(f, line, "urn", f"school {urn} appears twice")
        phase = row["phase"].lower().removeprefix("state-funded ").strip()
        if phase not in PHASES:
            problems.add(f, line, "phase", f"{row['phase']!r} is not one of primary, secondary, special")
        if not re.fullmatch(r"\d{3}", row["la_code"]):
            problems.add(f, line, "la_code", f"{row['la_code']!r} is not a 3-digit LA number")
        if not row["name"]:
            problems.add(f, line, "name", "a school name is required")
        schools[urn] = {
            "urn": urn,
            "name": row["name"],
            "phase": phase,
            "la_code": row["la_code"],
            "la_name": row.get("la_name") or None,
        }
    return schools


_PUPIL_REQUIRED = [
    "upn",
    "urn",
    "date_of_birth",
    "sex",
    "ethnicity",
    "fsm",
    "sen",
    "nc_year",
    "admission_date",
]
_PUPIL_OPTIONAL = [
    "forename",
    "surname",
    "sen_primary_need",
    "first_language",
    "cla",
    "cin",
    "cpp",
    "leaving_date",
    "boarder",
]
_PUPIL_FIELDS = ("forename", "surname", "date_of_birth", "sex", "ethnicity", "first_language")


def _read_pupils(
    path: Path, known_urns: set[int], problems: _Problems
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    f = path.name
    pupils: dict[str, dict[str, Any]] = {}
    pupil_line: dict[str, int] = {}
    enrolments: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, dt.date], int] = {}
    for line, row in _read_small_csv(path, _PUPIL_REQUIRED, _PUPIL_OPTIONAL, problems):
        before = problems.total
        upn = row["upn"].upper()
        try:
            validate_upn(upn)
        except UPNError as exc:
            problems.add(f, line, "upn", str(exc))
        urn: int | None = None
        if not re.fullmatch(r"\d{6,7}", row["urn"]):
            problems.add(f, line, "urn", f"{row['urn']!r} is not a URN (6 or 7 digits)")
        elif int(row["urn"]) not in known_urns:
            problems.add(f, line, "urn", f"school {row['urn']} is not in schools.csv or the store")
        else:
            urn = int(row["urn"])
        dob = _date(row["date_of_birth"], f, line, "date_of_birth", problems)
        sex = _choice(row["sex"].upper(), SEX_LABELS, f, line, "sex", problems)
        ethnicity = row["ethnicity"].upper()
        if ethnicity_groups(ethnicity) is None:
            problems.add(f, line, "ethnicity", f"{row['ethnicity']!r} is not a CBDS ethnicity code")
        sen = _choice(row["sen"].upper(), {"N": "", "K": "", "E": ""}, f, line, "sen", problems)
        nc_year = row["nc_year"].upper().removeprefix("Y")
        _choice(nc_year, NC_YEARS, f, line, "nc_year", problems)
        first_language = row.get("first_language", "").upper() or None
        if first_language not in (None, "ENG", "OTH"):
            problems.add(f, line, "first_language", f"{row['first_language']!r} is not ENG, OTH or blank")
        admission = _date(row["admission_date"], f, line, "admission_date", problems)
        leaving = _date(row.get("leaving_date", ""), f, line, "leaving_date", problems, blank_ok=True)
        if admission and leaving and leaving < admission:
            problems.add(f, line, "leaving_date", f"{leaving} is before the admission date {admission}")
        flags = {k: _flag(row.get(k, ""), f, line, k, problems) for k in ("fsm", "cla", "cin", "cpp", "boarder")}
        if problems.total > before or urn is None or admission is None:
            continue
        pupil = {
            "upn": upn,
            "forename": row.get("forename") or None,
            "surname": row.get("surname") or None,
            "date_of_birth": dob,
            "sex": sex,
            "ethnicity": ethnicity,
            "first_language": first_language,
        }
        if upn in pupils:
            for k in ("date_of_birth", "sex", "ethnicity"):
                if pupils[upn][k] != pupil[k]:
                    problems.add(
                        f,
                        line,
                        k,
                        f"pupil {upn} has {k} {pupil[k]} here but {pupils[upn][k]} on line {pupil_line[upn]}",
                    )
        else:
            pupils[upn] = pupil
            pupil_line[upn] = line
        key = (upn, urn, admission)
        if key in seen:
            problems.add(
                f,
                line,
                "admission_date",
                f"enrolment of {upn} at {urn} from {admission} already given on line {seen[key]}",
            )
            continue
        seen[key] = line
        enrolments.append(
            {
                "upn": upn,
                "urn": urn,
                "admission_date": admission,
                "leaving_date": leaving,
                "nc_year": nc_year,
                "sen": sen,
                "sen_primary_need": row.get("sen_primary_need") or None,
                **flags,
                "_line": line,
            }
        )
    _check_overlaps(f, enrolments, problems)
    return pupils, enrolments


def _check_overlaps(file: str, enrolments: list[dict[str, Any]], problems: _Problems) -> None:
    """Two enrolments of one pupil at one school must not overlap (a mark would match both)."""
    by_place: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for e in enrolments:
        by_place[(e["upn"], e["urn"])].append(e)
    for spans in by_place.values():
        spans.sort(key=lambda e: e["admission_date"])
        for prev, nxt in pairwise(spans):
            if prev["leaving_date"] is None or prev["leaving_date"] >= nxt["admission_date"]:
                problems.add(
                    file,
                    nxt["_line"],
                    "admission_date",
                    f"enrolment of {nxt['upn']} at {nxt['urn']} from {nxt['admission_date']} "
                    f"overlaps the one on line {prev['_line']}",
                )


def _read_terms(path: Path, problems: _Problems) -> list[dict[str, Any]]:
    f = path.name
    rows: dict[tuple[int, str, int], dict[str, Any]] = {}
    for line, row in _read_small_csv(
        path, ["academic_year", "term", "half_term", "start_date", "end_date"], [], problems
    ):
        try:
            year = AcademicYear.parse(row["academic_year"])
        except PeriodError as exc:
            problems.add(f, line, "academic_year", str(exc))
            continue
        term = row["term"].lower()
        if term not in TERMS:
            problems.add(f, line, "term", f"{row['term']!r} is not one of {', '.join(TERMS)}")
            continue
        if row["half_term"] not in {"1", "2"}:
            problems.add(f, line, "half_term", f"{row['half_term']!r} is not 1 or 2")
            continue
        start = _date(row["start_date"], f, line, "start_date", problems)
        end = _date(row["end_date"], f, line, "end_date", problems)
        if start and end and end < start:
            problems.add(f, line, "end_date", f"{end} is before the start date {start}")
        if start and not year.start <= start <= year.end:
            problems.add(f, line, "start_date", f"{start} is not in {year.label}")
        key = (year.start_year, term, int(row["half_term"]))
        if key in rows:
            problems.add(f, line, "half_term", f"{year.label} {term} half term {key[2]} appears twice")
        rows[key] = {
            "academic_year": year.start_year,
            "term": term,
            "half_term": key[2],
            "start_date": start,
            "end_date": end,
        }
    return list(rows.values())


def _read_closures(path: Path, known_urns: set[int], problems: _Problems) -> list[dict[str, Any]]:
    f = path.name
    out = []
    for line, row in _read_small_csv(path, ["urn", "start_date"], ["end_date", "session", "reason"], problems):
        urn = None
        if row["urn"]:
            if not row["urn"].isdigit() or int(row["urn"]) not in known_urns:
                problems.add(f, line, "urn", f"school {row['urn']!r} is not in schools.csv or the store")
                continue
            urn = int(row["urn"])
        start = _date(row["start_date"], f, line, "start_date", problems)
        end = _date(row.get("end_date", ""), f, line, "end_date", problems, blank_ok=True) or start
        session = row.get("session", "").upper() or None
        if session not in (None, "AM", "PM"):
            problems.add(f, line, "session", f"{row['session']!r} is not AM, PM or blank")
        if start and end and end < start:
            problems.add(f, line, "end_date", f"{end} is before the start date {start}")
        out.append(
            {
                "urn": urn,
                "start_date": start,
                "end_date": end,
                "session": session,
                "reason": row.get("reason") or None,
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# Marks: checked in DuckDB, since a year of a city's registers is tens of millions of rows
# --------------------------------------------------------------------------------------------
_MARK_COLUMNS = ["upn", "urn", "date", "session", "code"]


def _stage_marks(store: Store, path: Path, problems: _Problems) -> bool:
    """Load marks.csv into a temporary table ``_marks_raw`` (all text; its ``rowid`` gives the line)."""
    with _open_binary(path) as fh:
        header_line = fh.readline().decode("utf-8-sig").strip()
    header = [h.strip().lower() for h in next(csv.reader([header_line]), [])]
    missing = [c for c in _MARK_COLUMNS if c not in header]
    if missing:
        problems.add(
            path.name,
            1,
            None,
            "missing column" + ("s" if len(missing) > 1 else "") + ": " + ", ".join(missing),
        )
        return False
    columns = dict.fromkeys(header, "VARCHAR")
    # Line numbers: DuckDB keeps file order (preserve_insertion_order), so the table's rowid (from 0)
    # plus 2 (the header, and counting from 1) is the line number. (row_number() OVER () says the
    # same but doubles the time to read the city's marks.) The reader skips empty lines: _check_marks
    # counts line numbers past them.
    store.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _marks_raw AS
        SELECT upper(trim(upn)) AS upn, trim(urn) AS urn, trim(date) AS date,
               upper(trim(session)) AS session, upper(trim(code)) AS code
        FROM read_csv(?, header = true, columns = {columns!r}, skip = 0, quote = '"',
                      escape = '"', strict_mode = true,
                      null_padding = false, all_varchar = true)
        """,
        [str(path)],
    )
    return True


_SKIPS_SCHEMA = pa.schema([("r", pa.int64()), ("n", pa.int64())])


def _sql_problems(
    store: Store,
    file: str,
    sql: str,
    field_: str,
    message: Callable[[tuple], str],
    problems: _Problems,
    params: list[Any] | None = None,
) -> None:
    """Run a query returning ``(line, ...)`` rows of problems (plus a total) and record them."""
    total = store.scalar(f"SELECT count(*) FROM ({sql})", params)
    if not total:
        return
    room = max(problems.cap - len(problems.items), 1)
    rows = store.con.execute(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT {room}", params or []).fetchall()
    for row in rows:
        problems.add(file, row[0], field_, message(row))
    problems.total += total - len(rows)


def _check_marks(store: Store, file: str, problems: _Problems, empty_lines: Sequence[int] = ()) -> None:
    """Check every staged mark; on success ``_marks`` holds them resolved to enrolments.

    ``empty_lines`` are the file's empty lines, which the CSV reader skipped: a row's line number is
    its position plus 2 (the header, and counting from 1) plus the empty lines before it.
    """
    con = store.con
    # Row ``r`` (from 0) comes after the i-th empty line (line b_i) when r >= b_i - 2 - (i - 1): the
    # rows before it fill lines 2 to b_i - 1 but for the i - 1 empty lines among them.
    skips: dict[int, int] = {}
    for i, blank in enumerate(sorted(b for b in empty_lines if b >= 2), start=1):
        skips[blank - 2 - (i - 1)] = i
    con.register("_empty_lines_arrow", pa.table({"r": list(skips), "n": list(skips.values())}, _SKIPS_SCHEMA))
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _marks_typed AS
        SELECT m.r + 2 + coalesce(s.n, 0) AS line, upn, urn, date, session, code,
               try_cast(urn AS INTEGER) AS urn_i,
               CASE WHEN regexp_full_match(date, '\\d{4}-\\d{2}-\\d{2}') THEN try_cast(date AS DATE) END AS day
        FROM (SELECT rowid AS r, * FROM _marks_raw) m ASOF LEFT JOIN _empty_lines_arrow s ON m.r >= s.r
        WHERE code IS DISTINCT FROM '-'
        """
        if skips
        else """
        CREATE OR REPLACE TEMP TABLE _marks_typed AS
        SELECT rowid + 2 AS line, upn, urn, date, session, code,
               try_cast(urn AS INTEGER) AS urn_i,
               CASE WHEN regexp_full_match(date, '\\d{4}-\\d{2}-\\d{2}') THEN try_cast(date AS DATE) END AS day
        FROM _marks_raw WHERE code IS DISTINCT FROM '-'
        """
    )
    con.unregister("_empty_lines_arrow")
    blank = (
        "SELECT line, c FROM (SELECT line, CASE WHEN upn IS NULL OR upn = '' THEN 'upn' "
        "WHEN urn IS NULL OR urn = '' THEN 'urn' WHEN date IS NULL OR date = '' THEN 'date' "
        "WHEN session IS NULL OR session = '' THEN 'session' WHEN code IS NULL OR code = '' THEN 'code' "
        "END AS c FROM _marks_typed) WHERE c IS NOT NULL"
    )
    rows = con.execute(blank + " ORDER BY line LIMIT ?", [problems.cap]).fetchall()
    n_blank = store.scalar(f"SELECT count(*) FROM ({blank})")
    for line, col in rows:
        problems.add(file, line, col, "a value is required")
    problems.total += n_blank - len(rows)
    not_blank = "upn <> '' AND urn <> '' AND date <> '' AND session <> '' AND code <> ''"

    _sql_problems(
        store,
        file,
        f"SELECT line, session FROM _marks_typed WHERE {not_blank} AND session NOT IN ('AM', 'PM')",
        "session",
        lambda r: f"{r[1]!r} is not AM or PM",
        problems,
    )
    _sql_problems(
        store,
        file,
        f"SELECT line, date FROM _marks_typed WHERE {not_blank} AND day IS NULL",
        "date",
        lambda r: f"{r[1]!r} is not a date (expected YYYY-MM-DD)",
        problems,
    )
    _sql_problems(
        store,
        file,
        f"SELECT line, urn FROM _marks_typed WHERE {not_blank} AND (urn_i IS NULL "
        "OR urn_i NOT IN (SELECT urn FROM _schools_all))",
        "urn",
        lambda r: f"school {r[1]!r} is not in schools.csv or the store",
        problems,
    )

    # UPNs: check each distinct one once, in Python, against the GovTalk check letter.
    distinct = [r[0] for r in con.execute(f"SELECT DISTINCT upn FROM _marks_typed WHERE {not_blank}").fetchall()]
    bad = {}
    for upn in distinct:
        try:
            validate_upn(upn)
        except UPNError as exc:
            bad[upn] = str(exc)
    con.register("_bad_upns_arrow", pa.table({"upn": pa.array(list(bad), pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE _bad_upns AS SELECT * FROM _bad_upns_arrow")
    if bad:
        _sql_problems(
            store,
            file,
            "SELECT line, upn FROM _marks_typed WHERE upn IN (SELECT upn FROM _bad_upns)",
            "upn",
            lambda r: bad[r[1]],
            problems,
        )

    # Codes, read against the code set in force on the session's date.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _codes AS SELECT * FROM _codes_arrow",
    )
    _sql_problems(
        store,
        file,
        f"""SELECT m.line, m.code, {code_set_sql("m.day")} AS cs
            FROM _marks_typed m WHERE m.day IS NOT NULL AND m.code <> '' AND NOT EXISTS (
              SELECT 1 FROM _codes c WHERE c.code = m.code AND c.code_set = {code_set_sql("m.day")})""",
        "code",
        lambda r: unknown_code_message(r[1], r[2]),
        problems,
    )

    # Pupils and enrolments.
    _sql_problems(
        store,
        file,
        f"SELECT line, upn FROM _marks_typed WHERE {not_blank} AND upn NOT IN "
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
    _sql_problems(
        store,
        file,
        f"SELECT m.line, m.upn, m.urn {unmatched} AND NOT {enrolled_here}",
        "urn",
        lambda r: f"pupil {r[1]} has no enrolment at school {r[2]}",
        problems,
    )
    _sql_problems(
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
    _sql_problems(
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
    _sql_problems(
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


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------
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
    problems = _Problems(max_problems)
    if not folder.is_dir():
        raise IngestError([Problem(str(folder), None, None, "is not a folder")])
    files = {
        name: _find(folder, name) for name in ("schools.csv", "pupils.csv", "marks.csv", "terms.csv", "closures.csv")
    }
    if files["marks.csv"] is None and files["pupils.csv"] is None:
        raise IngestError(
            [Problem(str(folder), None, None, "holds neither marks.csv nor pupils.csv (see docs/csv-layout.md)")]
        )
    empty_lines = {name: _check_utf8(path, problems, progress) for name, path in files.items() if path is not None}
    problems.raise_if_any()

    stored_urns = {r[0] for r in store.con.execute("SELECT urn FROM schools").fetchall()}
    schools = _read_schools(files["schools.csv"], problems) if files["schools.csv"] else {}
    known_urns = stored_urns | set(schools)
    pupils, enrolments = _read_pupils(files["pupils.csv"], known_urns, problems) if files["pupils.csv"] else ({}, [])
    terms = _read_terms(files["terms.csv"], problems) if files["terms.csv"] else []
    closures = _read_closures(files["closures.csv"], known_urns, problems) if files["closures.csv"] else []
    problems.raise_if_any()

    con = store.con
    _stage_small_tables(store, schools, pupils, enrolments, closures)
    if files["pupils.csv"] is not None:
        _match_enrolments(store, files["pupils.csv"].name, problems)
        problems.raise_if_any()
    marks_path = files["marks.csv"]
    n_read = 0
    if marks_path is not None:
        if progress:
            progress(f"reading {marks_path.name}", 0, 1)
        try:
            staged = _stage_marks(store, marks_path, problems)
        except Exception as exc:  # duckdb.Error: malformed CSV structure
            problems.add(marks_path.name, None, None, _duckdb_csv_message(exc))
            staged = False
        problems.raise_if_any()
        if staged:
            n_read = int(store.scalar("SELECT count(*) FROM _marks_raw"))
            if progress:
                progress("checking marks", 0, 1)
            _check_marks(store, marks_path.name, problems, empty_lines["marks.csv"])
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
        result.schools = _upsert_schools(store, import_id)
        result.pupils_added = _upsert_pupils(store, import_id)
        result.enrolments_added, result.enrolments_changed = _upsert_enrolments(store, import_id)
        _replace_calendar(store, terms, closures)
        result.marks_removed = _remove_marks_outside_enrolments(store, import_id) if result.enrolments_changed else 0
        if marks_path is not None and n_read:
            first_marks = not store.scalar("SELECT count(*) > 0 FROM marks")
            _merge_marks(store, import_id, result)
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
        "_codes",
        "_bad_upns",
    ):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return result


def _duckdb_csv_message(exc: Exception) -> str:
    text = str(exc).splitlines()
    detail = next((t for t in text if "line" in t.lower()), text[0] if text else "unreadable")
    return f"the file is not a well-formed CSV: {detail.strip()}"


def _stage_small_tables(
    store: Store,
    schools: dict[int, dict[str, Any]],
    pupils: dict[str, dict[str, Any]],
    enrolments: list[dict[str, Any]],
    closures: list[dict[str, Any]],
) -> None:
    con = store.con
    school_rows = pa.Table.from_pylist(
        list(schools.values()),
        schema=pa.schema(
            [
                ("urn", pa.int32()),
                ("name", pa.string()),
                ("phase", pa.string()),
                ("la_code", pa.string()),
                ("la_name", pa.string()),
            ]
        ),
    )
    pupil_rows = pa.Table.from_pylist(
        list(pupils.values()),
        schema=pa.schema(
            [
                ("upn", pa.string()),
                ("forename", pa.string()),
                ("surname", pa.string()),
                ("date_of_birth", pa.date32()),
                ("sex", pa.string()),
                ("ethnicity", pa.string()),
                ("first_language", pa.string()),
            ]
        ),
    )
    enrol_schema = pa.schema(
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
    enrol_rows = pa.Table.from_pylist(
        [{"line": e["_line"], **{k: e[k] for k in enrol_schema.names[1:]}} for e in enrolments], schema=enrol_schema
    )
    closure_rows = pa.Table.from_pylist(
        closures,
        schema=pa.schema(
            [
                ("urn", pa.int32()),
                ("start_date", pa.date32()),
                ("end_date", pa.date32()),
                ("session", pa.string()),
                ("reason", pa.string()),
            ]
        ),
    )
    codes_arrow = pa.Table.from_pylist(lookup_rows())
    for name, table in (
        ("_schools_arrow", school_rows),
        ("_pupils_arrow", pupil_rows),
        ("_enrolments_arrow", enrol_rows),
        ("_closures_arrow", closure_rows),
        ("_codes_arrow", codes_arrow),
    ):
        con.register(name, table)
    con.execute("CREATE OR REPLACE TEMP TABLE _schools_new AS SELECT * FROM _schools_arrow")
    con.execute("CREATE OR REPLACE TEMP TABLE _pupils_new AS SELECT * FROM _pupils_arrow")
    con.execute("CREATE OR REPLACE TEMP TABLE _enrolments_new AS SELECT * FROM _enrolments_arrow")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _schools_all AS SELECT urn FROM schools UNION SELECT urn FROM _schools_new"
    )
    con.execute("CREATE OR REPLACE TEMP VIEW _pupils_all AS SELECT upn FROM pupils UNION SELECT upn FROM _pupils_new")
    # Each of the file's enrolments is a stored one when it has the same pupil, school and admission
    # date (a later leaving date, say), or when it overlaps the one stored enrolment of that pupil at
    # that school the file does not also give (a corrected admission date): it keeps that enrolment's
    # id, and so its marks. Any other is new. (_match_enrolments refuses a file whose enrolments
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
    con.execute(
        """CREATE OR REPLACE TEMP VIEW _closures_all AS
           SELECT urn, start_date, end_date, session, reason FROM _closures_arrow
           UNION ALL SELECT urn, start_date, end_date, session, reason FROM closures
           WHERE (SELECT count(*) FROM _closures_arrow) = 0"""
    )


def _match_enrolments(store: Store, file: str, problems: _Problems) -> None:
    """Refuse enrolments that would overlap stored ones in a way that is not one correction."""
    span = "strftime(stored_admission, '%Y-%m-%d') || ' to ' || coalesce(strftime(stored_leaving, '%Y-%m-%d'), 'now')"
    _sql_problems(
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
    _sql_problems(
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


def _remove_marks_outside_enrolments(store: Store, import_id: int) -> int:
    """Move stored marks that fall outside their enrolment's corrected dates into the mark history."""
    con = store.con
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _marks_outside AS
           SELECT m.enrolment_id, m.date, m.session, m.code, m.import_id
           FROM marks m JOIN enrolments e USING (enrolment_id)
           WHERE e.import_id = ?
             AND (m.date < e.admission_date OR m.date > coalesce(e.leaving_date, DATE '9999-12-31'))""",
        [import_id],
    )
    removed = int(store.scalar("SELECT count(*) FROM _marks_outside"))
    if removed:
        con.execute("INSERT INTO mark_history SELECT *, ? FROM _marks_outside", [import_id])
        con.execute(
            """DELETE FROM marks USING _marks_outside o WHERE marks.enrolment_id = o.enrolment_id
               AND marks.date = o.date AND marks.session = o.session"""
        )
    return removed


def _upsert_schools(store: Store, import_id: int) -> int:
    con = store.con
    fields = ("name", "phase", "la_code", "la_name")
    sets = ", ".join(f"{c} = excluded.{c}" for c in fields)
    changed = " OR ".join(f"schools.{c} IS DISTINCT FROM excluded.{c}" for c in fields)
    con.execute(
        f"""INSERT INTO schools SELECT n.*, ? FROM _schools_new n
            ON CONFLICT (urn) DO UPDATE SET {sets}, import_id = excluded.import_id WHERE {changed}""",
        [import_id],
    )
    return int(store.scalar("SELECT count(*) FROM _schools_new"))


def _upsert_pupils(store: Store, import_id: int) -> int:
    con = store.con
    added = int(store.scalar("SELECT count(*) FROM _pupils_new WHERE upn NOT IN (SELECT upn FROM pupils)"))
    changed = " OR ".join(f"pupils.{c} IS DISTINCT FROM excluded.{c}" for c in _PUPIL_FIELDS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in _PUPIL_FIELDS)
    con.execute(
        f"""INSERT INTO pupils SELECT n.*, ? FROM _pupils_new n
            ON CONFLICT (upn) DO UPDATE SET {sets}, import_id = excluded.import_id WHERE {changed}""",
        [import_id],
    )
    return added


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


def _upsert_enrolments(store: Store, import_id: int) -> tuple[int, int]:
    """Store the file's enrolments: update those already stored (by id, see _stage_small_tables), add
    the rest; returns how many were added and how many changed."""
    con = store.con
    fields = ("admission_date", *_ENROLMENT_FIELDS)
    differs = " OR ".join(f"e.{c} IS DISTINCT FROM n.{c}" for c in fields)
    stored = """FROM _enrolments_new n JOIN _enrolments_all a USING (upn, urn, admission_date)
                JOIN enrolments e ON e.enrolment_id = a.enrolment_id"""
    changed = int(store.scalar(f"SELECT count(*) {stored} WHERE {differs}"))
    sets = ", ".join(f"{c} = n.{c}" for c in fields)
    con.execute(
        f"""UPDATE enrolments e SET {sets}, import_id = ?
            FROM _enrolments_new n JOIN _enrolments_all a USING (upn, urn, admission_date)
            WHERE e.enrolment_id = a.enrolment_id AND ({differs})""",
        [import_id],
    )
    before = int(store.scalar("SELECT count(*) FROM enrolments"))
    con.execute(
        """INSERT INTO enrolments
           SELECT a.enrolment_id, n.upn, n.urn, n.admission_date, n.leaving_date, n.nc_year, n.fsm, n.sen,
                  n.sen_primary_need, n.cla, n.cin, n.cpp, n.boarder, ?
           FROM _enrolments_new n JOIN _enrolments_all a USING (upn, urn, admission_date)
           WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.enrolment_id = a.enrolment_id)""",
        [import_id],
    )
    return int(store.scalar("SELECT count(*) FROM enrolments")) - before, changed


def _replace_calendar(store: Store, terms: list[dict[str, Any]], closures: list[dict[str, Any]]) -> None:
    """Term dates replace those of the same half term; a closures file replaces the stored list."""
    con = store.con
    if terms:
        con.executemany(
            """INSERT INTO terms VALUES (?, ?, ?, ?, ?) ON CONFLICT (academic_year, term, half_term)
               DO UPDATE SET start_date = excluded.start_date, end_date = excluded.end_date""",
            [[t["academic_year"], t["term"], t["half_term"], t["start_date"], t["end_date"]] for t in terms],
        )
    if closures:
        con.execute("DELETE FROM closures")
        con.execute("INSERT INTO closures SELECT * FROM _closures_arrow")


def _merge_marks(store: Store, import_id: int, result: ImportResult) -> None:
    con = store.con
    result.marks_blank = int(store.scalar("SELECT count(*) FROM _marks_raw WHERE code = '-'"))
    if not store.scalar("SELECT count(*) > 0 FROM marks"):
        con.execute("INSERT INTO marks SELECT enrolment_id, date, session, code, ? FROM _marks", [import_id])
        result.marks_added = int(store.scalar("SELECT count(*) FROM _marks"))
        return
    con.execute(
        """CREATE OR REPLACE TEMP TABLE _marks_changed AS
           SELECT m.enrolment_id, m.date, m.session, m.code AS old_code, m.import_id AS old_import, n.code
           FROM marks m JOIN _marks n USING (enrolment_id, date, session) WHERE m.code <> n.code"""
    )
    result.marks_changed = int(store.scalar("SELECT count(*) FROM _marks_changed"))
    con.execute(
        "INSERT INTO mark_history SELECT enrolment_id, date, session, old_code, old_import, ? FROM _marks_changed",
        [import_id],
    )
    con.execute(
        """UPDATE marks SET code = c.code, import_id = ? FROM _marks_changed c
           WHERE marks.enrolment_id = c.enrolment_id AND marks.date = c.date AND marks.session = c.session""",
        [import_id],
    )
    before = int(store.scalar("SELECT count(*) FROM marks"))
    con.execute(
        """INSERT INTO marks SELECT n.enrolment_id, n.date, n.session, n.code, ? FROM _marks n
           ANTI JOIN marks m USING (enrolment_id, date, session)""",
        [import_id],
    )
    result.marks_added = int(store.scalar("SELECT count(*) FROM marks")) - before
    result.marks_unchanged = result.marks_read - result.marks_blank - result.marks_added - result.marks_changed
    con.execute("DROP TABLE IF EXISTS _marks_changed")
