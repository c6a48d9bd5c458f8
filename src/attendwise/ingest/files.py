"""The small register files (schools, pupils, terms, closures), read and checked line by line in Python,
and the byte-level checks every file gets first (UTF-8, empty lines)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

from attendwise.core.calendar import TERMS, AcademicYear, PeriodError
from attendwise.core.characteristics import NC_YEARS, PHASES, SEX_LABELS, ethnicity_groups
from attendwise.core.identifiers import IdentifierError, parse_date, parse_la_code, parse_urn, show
from attendwise.core.upn import UPNError, validate_upn
from attendwise.ingest.outcomes import Problems

Progress = Callable[[str, int, int], None]

_TRUE = {"y", "yes", "1", "true", "t"}
_FALSE = {"n", "no", "0", "false", "f", ""}


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------
#: How much of a file :func:`check_utf8` reads at a time.
_CHUNK = 1 << 24


#: By the byte that ends a file's lines (LF, or CR alone as old Mac files have it): how an empty line
#: starts (a line ending straight after another), and a run of them (the line ending before them, then
#: one or more empty lines).
_EMPTY_STARTS = {b"\n": (b"\n\n", b"\n\r\n"), b"\r": (b"\r\r",)}
_EMPTY_RUN = {b"\n": re.compile(rb"\n(?:\r?\n)+"), b"\r": re.compile(rb"\r\r+")}


def _head(path: Path) -> bytes:
    """The first 64 KiB of a file (none of a gzipped file too damaged to give them: check_utf8 says so)."""
    try:
        with open_binary(path) as fh:
            return fh.read(1 << 16)
    except (OSError, EOFError, zlib.error):
        return b""


def _line_end(head: bytes) -> bytes:
    """The byte that ends a file's lines, from its first bytes: CR for a file whose first line ends in CR
    alone, else LF (CR LF lines end in LF too)."""
    cr, lf = head.find(b"\r"), head.find(b"\n")
    return b"\r" if cr >= 0 and (lf < 0 or cr < lf) and head[cr + 1 : cr + 2] != b"\n" else b"\n"


#: The most empty lines a file may hold (a file of nothing but line endings is cheap to send and dear
#: to read; DuckDB's reader takes two million in a row for one line too long).
MAX_EMPTY_LINES = 100_000

#: Runs of empty lines: (the first one's line number, how many).
EmptyLines = list[tuple[int, int]]


def _empty_runs(data: bytes, seen: int, line: int, runs: EmptyLines, eol: bytes = b"\n") -> None:
    """Add the runs of empty lines in ``data`` to ``runs``, leaving out empty lines ending within the first
    ``seen`` bytes (the end of the chunk before, kept in front so that a run cut between chunks is seen,
    once, and joined to its start). ``line`` is the number of the line ``data[0]`` is on.

    bytes.find, then one regular expression match per run: a pattern searched through the file (with a
    look-behind) took 5 s over the city's marks, and a loop per empty line half a minute over a file of
    five million.
    """
    at, cursor = 0, 0
    while True:
        found = [f for f in (data.find(pair, at) for pair in _EMPTY_STARTS[eol]) if f >= 0]
        if not found:
            return
        start = min(found)
        match = _EMPTY_RUN[eol].match(data, start)
        assert match is not None
        line, cursor = line + data.count(eol, cursor, start), start
        earlier = data.count(eol, start + 1, seen) if seen > start + 1 else 0
        first, n = line + 1 + earlier, match[0].count(eol) - 1 - earlier
        if n > 0:
            if runs and sum(runs[-1]) == first:
                runs[-1] = (runs[-1][0], runs[-1][1] + n)
            else:
                runs.append((first, n))
        at = match.end()


def check_utf8(path: Path, problems: Problems, progress: Progress | None = None) -> EmptyLines:
    """Check a file is UTF-8 with no NUL byte, naming the line of the first bad byte; returns its runs of
    empty lines (the CSV reader skips them, so line numbers after one must be counted past it). A gzipped
    file that is damaged or cut short is a problem too."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    before = problems.total
    size = path.stat().st_size
    lines = 0
    done = 0
    empty: EmptyLines = []
    eol = tail = _line_end(_head(path))  # the start of the file ends a line: an empty first line is empty
    with open_binary(path) as fh:
        while chunk := _read(fh, path, problems):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk[: exc.start].count(eol) + 1
                problems.add(path.name, line, None, _not_utf8(f"byte 0x{chunk[exc.start]:02x}"))
                return []
            if (nul := chunk.find(b"\x00")) >= 0:
                line = lines + chunk[:nul].count(eol) + 1
                problems.add(path.name, line, None, "holds a NUL byte: save the file as CSV UTF-8 text")
                return []
            # Empty lines ending in this chunk (the last bytes of the one before are kept in front, so
            # one cut between chunks is still seen, and not twice).
            data = tail + chunk
            _empty_runs(data, len(tail), lines - tail.count(eol) + 1, empty, eol)
            if (too_many := _past(empty, MAX_EMPTY_LINES)) is not None:
                problems.add(path.name, too_many, None, f"more than {MAX_EMPTY_LINES:,} empty lines: remove them")
                return []
            tail = data[-2:]
            lines += chunk.count(eol)
            done += len(chunk)
            if progress:
                progress(f"checking {path.name}", min(done, size), size)
    if problems.total > before:  # a gzipped file that could not be read to its end
        return []
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        problems.add(path.name, lines + 1, None, _not_utf8("the file ends part way through a character"))
    return empty


def _past(runs: EmptyLines, most: int) -> int | None:
    """The line of the first empty line past the ``most``-th, if there are more than ``most``."""
    seen = 0
    for first, n in runs:
        if seen + n > most:
            return first + most - seen
        seen += n
    return None


def _not_utf8(what: str) -> str:
    return f"not valid UTF-8 ({what}); save the file as UTF-8 (CSV UTF-8 in Excel)"


def _read(fh: io.BufferedIOBase, path: Path, problems: Problems) -> bytes:
    """The next chunk of a file, or b"" at its end or where a gzipped file is damaged (a problem)."""
    try:
        return fh.read(_CHUNK)
    except (OSError, EOFError, zlib.error):  # gzip.BadGzipFile is an OSError
        if path.suffix != ".gz":
            raise
        problems.add(path.name, None, None, "is not a valid gzip file (damaged or cut short): gzip it again")
        return b""


def open_binary(path: Path) -> io.BufferedIOBase:
    if path.suffix == ".gz":
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _read_small_csv(
    path: Path, required: list[str], optional: list[str], problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a small CSV file as dicts of stripped strings, with their line numbers."""
    with io.TextIOWrapper(open_binary(path), encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        rows = _csv_rows(reader, path.name, problems)
        header = [h.strip().lower() for h in next(rows, [])]
        if not any(header):
            if not problems.total:
                more = any(any(cell.strip() for cell in row) for row in rows)
                problems.add(path.name, 1, None, NO_HEADER if more else EMPTY_FILE)
            return
        if not check_header(path.name, header, required, optional, problems):
            return
        wanted = {c: header.index(c) for c in required + optional if c in header}
        any_rows = False
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            any_rows = True
            if len(row) > len(header):
                # An unquoted comma in a name, say: every later field would be read as the one before.
                problems.add(
                    path.name,
                    reader.line_num,
                    None,
                    f"{len(row)} fields where the header has {len(header)} (a comma in a value must be inside "
                    'double quotes: "Smith, Jr")',
                )
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            yield reader.line_num, {c: row[i].strip() for c, i in wanted.items()}
        if not any_rows and not problems.total:
            problems.add(path.name, None, None, "holds no rows below its header: there is nothing to import from it")


EMPTY_FILE = "the file is empty (expected a header row)"
NO_HEADER = "the first line is empty: the header row must be line 1"

#: The longest field a register file may hold (Python's csv module stops at this too).
MAX_FIELD = 128 * 1024

#: The most columns a register file's header may name (the widest file, pupils.csv, has 18 of its own; an
#: export from a school's MIS may carry many more, which are ignored).
MAX_COLUMNS = 1000


def check_header(file: str, header: list[str], required: list[str], optional: list[str], problems: Problems) -> bool:
    """Whether a file's header (its names stripped and lower-cased) gives every required column, each
    column attendwise reads once, and at most :data:`MAX_COLUMNS`; each problem is on line 1, the field
    named by attendwise's own name for it (a name of the file's own is never repeated back: it may be
    anything, of any length).

    >>> p = Problems(10)
    >>> check_header("terms.csv", ["term", "half_term", "x'); --", "term"], ["term", "half_term"], [], p)
    False
    >>> print(p.items[0])
    terms.csv line 1, field 'term': the column term is given twice (columns 1 and 4): give it once
    """
    before = problems.total
    if len(header) > MAX_COLUMNS:
        most = f"a register file has at most {MAX_COLUMNS:,}"
        problems.add(file, 1, None, f"the header has {len(header):,} columns; {most}")
        return False
    missing = [c for c in required if c not in header]
    if missing:
        problems.add(file, 1, None, f"missing column{'s' if len(missing) > 1 else ''}: " + ", ".join(missing))
    for name in required + optional:
        at = [i + 1 for i, h in enumerate(header) if h == name]
        if len(at) > 1:  # at most three columns named, however many there are
            columns = (
                ", ".join(map(str, at[:-1])) + f" and {at[-1]}"
                if len(at) <= 3
                else (f"{', '.join(map(str, at[:3]))} and {len(at) - 3:,} more")
            )
            times = "twice" if len(at) == 2 else f"{len(at)} times"
            problems.add(file, 1, name, f"the column {name} is given {times} (columns {columns}): give it once")
    return problems.total == before


def _csv_rows(reader: Any, file: str, problems: Problems) -> Iterator[list[str]]:
    """The rows of a CSV reader; a row the reader cannot read (a field over :data:`MAX_FIELD`, a NUL
    byte) is a problem on its line, and ends the file (the reader cannot find the next row reliably)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num or 1
            if "field larger than field limit" in str(exc):
                message = f"a value is longer than {MAX_FIELD:,} characters, the most a register field may hold"
            elif "NUL" in str(exc):
                message = "holds a NUL byte: save the file as CSV UTF-8 text"
            else:
                message = f"is not a well-formed CSV: {exc}"
            problems.add(file, line, None, message)
            return
        yield row


def _date(value: str, file: str, line: int, name: str, problems: Problems, *, blank_ok: bool = False) -> dt.date | None:
    if not value:
        if not blank_ok:
            problems.add(file, line, name, "a date is required")
        return None
    try:
        return parse_date(value)
    except IdentifierError as exc:
        problems.add(file, line, name, str(exc))
        return None


def _urn(value: str, file: str, line: int, problems: Problems) -> int | None:
    try:
        return parse_urn(value)
    except IdentifierError as exc:
        problems.add(file, line, "urn", str(exc))
        return None


def _flag(value: str, file: str, line: int, name: str, problems: Problems) -> bool:
    v = value.lower()
    if v in _TRUE:
        return True
    if v not in _FALSE:
        problems.add(file, line, name, f"{show(value)} is not Y or N")
    return False


def _choice(
    value: str, allowed: dict[str, str] | list[str], file: str, line: int, name: str, problems: Problems
) -> str | None:
    if value in allowed:
        return value
    options = ", ".join(allowed)
    problems.add(file, line, name, f"{show(value)} is not one of {options}")
    return None


# --------------------------------------------------------------------------------------------
# Small files: schools, pupils, terms, closures
# --------------------------------------------------------------------------------------------
def read_schools(path: Path, problems: Problems) -> dict[int, dict[str, Any]]:
    schools: dict[int, dict[str, Any]] = {}
    for line, row in _read_small_csv(path, ["urn", "name", "phase", "la_code"], ["la_name"], problems):
        f = path.name
        urn = _urn(row["urn"], f, line, problems)
        if urn is None:
            continue
        if urn in schools:
            problems.add(f, line, "urn", f"school {urn} appears twice")
        phase = row["phase"].lower().removeprefix("state-funded ").strip()
        if phase not in PHASES:
            problems.add(f, line, "phase", f"{show(row['phase'])} is not one of primary, secondary, special")
        try:
            parse_la_code(row["la_code"])
        except IdentifierError as exc:
            problems.add(f, line, "la_code", str(exc))
        if not row["name"]:
            problems.add(f, line, "name", "a school name is required")
        schools[urn] = {
            "urn": urn,
            "name": row["name"],
            "phase": phase,
            "la_code": row["la_code"],
            "la_name": row.get("la_name") or None,
            "_line": line,
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


def read_pupils(
    path: Path, known_urns: set[int], problems: Problems
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
        urn = _urn(row["urn"], f, line, problems)
        if urn is not None and urn not in known_urns:
            problems.add(f, line, "urn", f"school {urn} is not in schools.csv or the store")
            urn = None
        dob = _date(row["date_of_birth"], f, line, "date_of_birth", problems)
        sex = _choice(row["sex"].upper(), SEX_LABELS, f, line, "sex", problems)
        ethnicity = row["ethnicity"].upper()
        if ethnicity_groups(ethnicity) is None:
            problems.add(f, line, "ethnicity", f"{show(row['ethnicity'])} is not a CBDS ethnicity code")
        sen = _choice(row["sen"].upper(), {"N": "", "K": "", "E": ""}, f, line, "sen", problems)
        nc_year = row["nc_year"].upper().removeprefix("Y")
        _choice(nc_year, NC_YEARS, f, line, "nc_year", problems)
        first_language = row.get("first_language", "").upper() or None
        if first_language not in (None, "ENG", "OTH"):
            problems.add(f, line, "first_language", f"{show(row['first_language'])} is not ENG, OTH or blank")
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


def _check_overlaps(file: str, enrolments: list[dict[str, Any]], problems: Problems) -> None:
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


def read_terms(path: Path, problems: Problems) -> list[dict[str, Any]]:
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
            problems.add(f, line, "term", f"{show(row['term'])} is not one of {', '.join(TERMS)}")
            continue
        if row["half_term"] not in {"1", "2"}:
            problems.add(f, line, "half_term", f"{show(row['half_term'])} is not 1 or 2")
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
            "_line": line,
        }
    # The second half of a term starts after the first ends (the halves split the term's sessions).
    for (year_start, term, half), second in rows.items():
        first = rows.get((year_start, term, 1))
        if (
            half == 2
            and first
            and first["end_date"]
            and second["start_date"]
            and (second["start_date"] <= first["end_date"])
        ):
            problems.add(
                f,
                second["_line"],
                "start_date",
                f"half term 2 starts on {second['start_date']}, before half term 1 (line {first['_line']}) ends "
                f"on {first['end_date']}",
            )
    return [{k: v for k, v in r.items() if k != "_line"} for r in rows.values()]


def read_closures(path: Path, known_urns: set[int], problems: Problems) -> list[dict[str, Any]]:
    f = path.name
    out = []
    for line, row in _read_small_csv(path, ["urn", "start_date"], ["end_date", "session", "reason"], problems):
        urn = None
        if row["urn"]:
            urn = _urn(row["urn"], f, line, problems)
            if urn is None:
                continue
            if urn not in known_urns:
                problems.add(f, line, "urn", f"school {urn} is not in schools.csv or the store")
                continue
        start = _date(row["start_date"], f, line, "start_date", problems)
        end = _date(row.get("end_date", ""), f, line, "end_date", problems, blank_ok=True) or start
        session = row.get("session", "").upper() or None
        if session not in (None, "AM", "PM"):
            problems.add(f, line, "session", f"{show(row['session'])} is not AM, PM or blank")
        if start and end and end < start:
            problems.add(f, line, "end_date", f"{end} is before the start date {start}")
        out.append(
            {
                "urn": urn,
                "start_date": start,
                "end_date": end,
                "session": session,
                "reason": row.get("reason") or None,
                "_line": line,
            }
        )
    return out
