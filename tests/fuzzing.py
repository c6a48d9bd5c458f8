"""Mutated register folders, for the fuzz test (``tests/ingest/test_fuzz.py``) and its benchmark
(``benchmarks/bench_fuzz.py``): one generator, fed its choices by Hypothesis in the test and by a seeded
``random.Random`` in the benchmark.

A case starts from a small valid register (:func:`fuzz_register`: every file the importer reads), makes one
to three mutations of its files' bytes (truncated, bytes flipped, columns swapped, dropped or given twice,
re-encoded, huge fields, many lines, empty files, hostile values, gzipped, files missing or replaced by a
folder), imports it into a store that already holds the register, and says what happened
(:func:`run_case`): imported, or refused with clear problems and the store exactly as before; anything else
(a traceback, a problem naming no file, a message repeating a huge value, a refused import that changed the
store) is a failure.
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import re
import shutil
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol, TypeVar

from attendwise.ingest import IngestError, Problem, import_folder
from attendwise.ingest.files import MAX_FIELD
from attendwise.store import Store
from tests.registers import Register, school_days

T = TypeVar("T")

FILES = ("schools.csv", "pupils.csv", "marks.csv", "terms.csv", "closures.csv")

#: The longest problem a refusal may say (file, line, field and message): no huge value repeated back.
LONGEST_PROBLEM = 500


class Choices(Protocol):
    """Where a mutation's choices come from."""

    def integer(self, lo: int, hi: int) -> int: ...

    def pick(self, options: Sequence[T]) -> T: ...


class RandomChoices:
    """Choices from a seeded :class:`random.Random` (the benchmark)."""

    def __init__(self, rng) -> None:
        self.rng = rng

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def pick(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]


class DrawnChoices:
    """Choices drawn by Hypothesis (``data.draw`` in a test given ``st.data()``), so failures shrink."""

    def __init__(self, draw: Callable) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        from hypothesis import strategies as st

        return self.draw(st.integers(lo, hi))

    def pick(self, options: Sequence[T]) -> T:
        from hypothesis import strategies as st

        return self.draw(st.sampled_from(options))


def fuzz_register() -> Register:
    """Two schools, three pupils (one at each school and one who moved), a fortnight of marks, the LA's
    half terms and two closures: every file the importer reads, each a few lines long."""
    reg = Register()
    reg.school(100001, name="Alder Primary School")
    reg.school(100002, phase="secondary", name="Birch Academy")
    a = reg.pupil(fsm="Y")
    b = reg.pupil(100002, sen="K", ethnicity="APKN", sex="M", dob="2011-01-05", nc_year="8")
    c = reg.pupil(leaving="2024-09-06", ethnicity="BAFR")
    reg.pupil(100002, upn=c, admission="2024-09-09", ethnicity="BAFR", nc_year="8")
    names = [("Amy", "Ash"), ("Ben", "Birch"), ("Cal", "Cedar"), ("Cal", "Cedar")]
    for pupil, (forename, surname) in zip(reg.pupils, names, strict=True):
        pupil.update(forename=forename, surname=surname)
    start = dt.date(2024, 9, 2)
    reg.sessions(a, "//////II//" * 2, start)
    reg.sessions(b, "////////GG" * 2, start, urn=100002)
    reg.sessions(c, "//////////", start)
    reg.sessions(c, "/////N////", school_days(start, 6)[5], urn=100002)
    reg.half_terms_2024_25()
    reg.closures += [
        {"urn": 100001, "start_date": "2024-10-21", "end_date": "2024-10-22", "session": "", "reason": "INSET"},
        {"urn": "", "start_date": "2024-12-23", "end_date": "", "session": "AM", "reason": "LA-wide"},
    ]
    return reg


# -- the mutations ------------------------------------------------------------------------------------
#: Values a field may be given in place of its own: other spellings of numbers and dates, quotes and CSV
#: syntax, formulas, SQL, control characters, lookalike letters and digits, blanks.
HOSTILE_VALUES = [
    "",
    " ",
    '"',
    "'",
    ",",
    '""',
    "\\N",
    "NULL",
    "null",
    "-",
    "#",
    "=1+1",
    "@SUM(A1)",
    "'; DROP TABLE marks; --",
    "$$",
    "?",
    "+100001",
    "100001.0",
    "0100001",
    "1e5",
    "１００００１",
    "١٠٠٠٠١",
    "-100001",
    "9" * 40,
    "2024-02-30",
    "2024-9-2",
    "+2024-09-02",
    "2024-09-02T00:00",
    "٢٠٢٤-٠٩-٠٢",
    "00:00",
    "am",
    "Am ",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "Zoë",
    "🙂" * 50,
    "a\nb",
    "a\rb",
    "\t",
]

ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig", "utf-7"]


@dataclass
class Case:
    """A mutated register folder and what was done to it."""

    folder: Path
    done: list[str] = field(default_factory=list)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def _rows(data: bytes) -> list[list[str]]:
    """The lines of a file split at commas (the generated files quote nothing; after a mutation, this is a
    fuzzer's view of them, not a CSV reader's)."""
    text = data.decode("utf-8", errors="surrogateescape")
    return [line.split(",") for line in text.split("\n")]


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(row) for row in rows).encode("utf-8", errors="surrogateescape")


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _truncate(data: bytes, choose: Choices) -> tuple[bytes, str]:
    at = choose.integer(0, len(data))
    return data[:at], f"truncated at byte {at}"


def _flip(data: bytes, choose: Choices) -> tuple[bytes, str]:
    if not data:
        return data, "nothing to flip"
    out = bytearray(data)
    where = []
    for _ in range(choose.integer(1, 8)):
        at = choose.integer(0, len(out) - 1)
        out[at] ^= choose.integer(1, 255)
        where.append(at)
    return bytes(out), f"bytes flipped at {where}"


def _columns(data: bytes, choose: Choices) -> tuple[bytes, str]:
    rows = _rows(data)
    if not rows or not rows[0]:
        return data, "no columns"
    width = len(rows[0])
    i, j = choose.integer(0, width - 1), choose.integer(0, width - 1)
    how = choose.pick(["swap", "drop", "duplicate", "rename"])
    which = choose.pick(["every line", "the header", "one row"])
    line = 0 if which == "the header" else choose.integer(1, max(len(rows) - 1, 1))
    for n, row in enumerate(rows):
        if which != "every line" and n != line:
            continue
        if len(row) <= max(i, j):
            continue
        if how == "swap":
            row[i], row[j] = row[j], row[i]
        elif how == "drop":
            del row[i]
        elif how == "duplicate":
            row.insert(j, row[i])
        else:
            row[i] = row[j].upper()
    return _csv(rows), f"column {i} {how} ({j}) on {which} {line if which == 'one row' else ''}"


def _encode(data: bytes, choose: Choices) -> tuple[bytes, str]:
    how = choose.pick([*ENCODINGS, "NUL bytes", "CR line ends", "CRLF line ends", "BOM inside", "mixed line ends"])
    text = data.decode("utf-8", errors="replace")
    if how in ENCODINGS:
        if how in ("latin-1", "cp1252"):
            text = text.replace("Amy", "Zoë").replace("Testshire", "Tëstshire")
        return text.encode(how, errors="replace"), f"encoded as {how}"
    if how == "NUL bytes":
        at = choose.integer(0, len(data))
        return data[:at] + b"\x00" * choose.integer(1, 3) + data[at:], f"NUL bytes at {at}"
    if how == "CR line ends":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r"), how
    if how == "CRLF line ends":
        return data.replace(b"\n", b"\r\n"), how
    if how == "BOM inside":
        at = choose.integer(0, len(data))
        return data[:at] + codecs.BOM_UTF8 + data[at:], f"BOM at {at}"
    lines = data.split(b"\n")
    return b"".join(line + choose.pick([b"\n", b"\r\n", b"\r"]) for line in lines), how


def _huge(data: bytes, choose: Choices) -> tuple[bytes, str]:
    rows = _rows(data)
    if not rows:
        return data, "no rows"
    line = choose.integer(0, len(rows) - 1)
    if not rows[line]:
        return data, "an empty row"
    col = choose.integer(0, len(rows[line]) - 1)
    size = choose.pick([MAX_FIELD - 1, MAX_FIELD, MAX_FIELD + 1, 1 << 20, 3 << 20])
    char = choose.pick(["x", "9", "é", '"', ","])
    rows[line][col] = _quoted(char * size) if char in '",' else char * size
    return _csv(rows), f"a field of {size:,} characters at line {line + 1}, column {col + 1}"


#: The most bytes a "many lines" mutation adds (a row already made huge, repeated 30,000 times, would
#: otherwise be tens of gigabytes).
MOST_ADDED = 16 << 20


def _many(data: bytes, choose: Choices) -> tuple[bytes, str]:
    lines = data.splitlines(keepends=True)
    if len(lines) < 2:
        return data * min(choose.integer(2, 1000), max(MOST_ADDED // max(len(data), 1), 1)), "the whole file repeated"
    how = choose.pick(["repeat a row", "blank lines", "new rows"])
    n = choose.pick([100, 5_000, 30_000] if how != "blank lines" else [100, 30_000, 150_000])
    row = lines[choose.integer(1, len(lines) - 1)]
    n = min(n, max(MOST_ADDED // (len(row) + 8), 1))
    if how == "repeat a row":
        return b"".join(lines) + row * n, f"a row repeated {n:,} times"
    if how == "blank lines":
        at = choose.integer(0, len(lines))
        return b"".join(lines[:at]) + b"\n" * n + b"".join(lines[at:]), f"{n:,} blank lines at line {at + 1}"
    # rows that differ: the same row with a counter in each field in turn
    fields = row.rstrip(b"\r\n").split(b",")
    col = choose.integer(0, len(fields) - 1)
    extra = [b",".join([*fields[:col], fields[col] + str(k).encode(), *fields[col + 1 :]]) + b"\n" for k in range(n)]
    return b"".join(lines) + b"".join(extra), f"{n:,} new rows varying column {col + 1}"


def _empty(data: bytes, choose: Choices) -> tuple[bytes, str]:
    lines = data.splitlines(keepends=True)
    how = choose.pick(["no bytes", "header only", "blank lines only", "spaces", "a BOM only", "no header"])
    return {
        "no bytes": b"",
        "header only": b"".join(lines[:1]),
        "blank lines only": b"\n\n\n",
        "spaces": b"   \n ",
        "a BOM only": codecs.BOM_UTF8,
        "no header": b"".join(lines[1:]),
    }[how], how


def _value(data: bytes, choose: Choices) -> tuple[bytes, str]:
    rows = _rows(data)
    if len(rows) < 2:
        return data, "no rows"
    line = choose.integer(1, len(rows) - 1)
    col = choose.integer(0, max(len(rows[line]) - 1, 0))
    if not rows[line] or col >= len(rows[line]):
        return data, "an empty row"
    value = choose.pick(HOSTILE_VALUES)
    quote = choose.pick([True, False])
    rows[line][col] = _quoted(value) if quote else value
    return _csv(rows), f"line {line + 1}, column {col + 1} = {value!r}{'' if quote else ' unquoted'}"


def _lines(data: bytes, choose: Choices) -> tuple[bytes, str]:
    lines = data.splitlines(keepends=True)
    if len(lines) < 2:
        return data, "too few lines"
    how = choose.pick(["swap two", "drop one", "duplicate one", "header again", "quote opened"])
    i, j = choose.integer(0, len(lines) - 1), choose.integer(0, len(lines) - 1)
    if how == "swap two":
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "drop one":
        del lines[i]
    elif how == "duplicate one":
        lines.insert(j, lines[i])
    elif how == "header again":
        lines.insert(j, lines[0])
    else:
        at = choose.integer(0, len(lines[i]))
        lines[i] = lines[i][:at] + b'"' + lines[i][at:]
    return b"".join(lines), f"{how} ({i}, {j})"


_BYTE_MUTATIONS = {
    "truncate": _truncate,
    "flip": _flip,
    "columns": _columns,
    "encode": _encode,
    "huge": _huge,
    "many": _many,
    "empty": _empty,
    "value": _value,
    "lines": _lines,
}


def _gzip(folder: Path, choose: Choices) -> str:
    """marks.csv as marks.csv.gz: whole, cut short, a byte flipped, a gzip bomb, or beside marks.csv."""
    path = folder / "marks.csv"
    if not path.is_file():
        return "no marks.csv to gzip"
    data = path.read_bytes()
    how = choose.pick(["whole", "cut short", "flipped", "bomb", "beside", "not gzip"])
    packed = gzip.compress(data, mtime=0)
    if how == "cut short":
        packed = packed[: choose.integer(0, len(packed) - 1)]
    elif how == "flipped":
        at = choose.integer(0, len(packed) - 1)
        packed = packed[:at] + bytes([packed[at] ^ 0x55]) + packed[at + 1 :]
    elif how == "bomb":  # a thousand to one: line endings past the most empty lines, or one huge line
        packed = _bomb(choose.pick([b"\n", b"0"]))
    elif how == "not gzip":
        packed = data
    (folder / "marks.csv.gz").write_bytes(packed)
    if how != "beside":
        path.unlink()
    return f"marks.csv.gz {how}"


@cache
def _bomb(byte: bytes) -> bytes:
    return gzip.compress(b"upn,urn,date,session,code\n" + byte * (8 << 20), mtime=0)


def _file(folder: Path, choose: Choices) -> str:
    """A file missing, replaced by a folder, or given twice under another case."""
    name = choose.pick(FILES)
    path = folder / name
    how = choose.pick(["missing", "a folder", "twice", "upper case"])
    if how in ("missing", "a folder"):
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
        if how == "a folder":
            path.mkdir()
    elif path.is_file() and how == "twice":
        shutil.copy(path, folder / name.upper())
    elif path.is_file():
        path.rename(folder / name.upper())
    return f"{name}: {how}"


def mutate(folder: Path, choose: Choices) -> list[str]:
    """Make one to three mutations of the register files in ``folder``; returns what each did."""
    done = []
    for _ in range(choose.integer(1, 3)):
        kind = choose.pick([*_BYTE_MUTATIONS, "gzip", "file"])
        if kind == "gzip":
            done.append(_gzip(folder, choose))
            continue
        if kind == "file":
            done.append(_file(folder, choose))
            continue
        files = _files(folder)
        if not files:
            done.append("no file left")
            continue
        # marks.csv four times as often as any other: its checks run only once the small files pass
        path = choose.pick(files + [f for f in files if f.name.startswith("marks.csv")] * 3)
        data, what = _BYTE_MUTATIONS[kind](path.read_bytes(), choose)
        path.write_bytes(data)
        done.append(f"{path.name}: {what}")
    return done


# -- running a case -----------------------------------------------------------------------------------
def fingerprint(store: Store) -> dict[str, tuple[int, int]]:
    """Every stored table's row count and the sum of its rows' hashes (the import log's times left out:
    a store is "as after" an import whenever it was imported), in one query."""
    con = store.duckdb_connection()
    columns: dict[str, list[str]] = {}
    for table, column in con.execute(
        """SELECT table_name, column_name FROM information_schema.columns
           WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name, ordinal_position"""
    ).fetchall():
        if column != "imported_at":
            columns.setdefault(table, []).append(f'"{column}"')
    sql = " UNION ALL ".join(
        f"SELECT '{table}', count(*), coalesce(sum(hash({', '.join(cols)})::HUGEINT), 0) FROM \"{table}\""
        for table, cols in columns.items()
    )
    return {table: (int(n), int(total)) for table, n, total in con.execute(sql).fetchall()}


@dataclass
class Outcome:
    """What one case did: ``imported``, ``refused`` (with the kinds of problem), or a failure: ``traceback``,
    ``changed`` (a refused import changed the store) or ``unclear`` (a problem naming no file, or too long)."""

    kind: str
    kinds: list[str] = field(default_factory=list)
    detail: str = ""
    #: The files a refusal named.
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.kind in ("imported", "refused")


#: Problems about a whole file, which have no line to name.
_WHOLE_FILE = re.compile(
    r"holds no rows below its header|is not a valid gzip file|is not a file|holds no register files|is not a folder"
    r"|is given twice|the file is empty"
)


def problem_kind(p: Problem) -> str:
    """A problem's message with its values taken out, to count refusals by kind."""
    text = re.sub(r"'(?:[^'\\]|\\.)*'(?: \([\d,]+ characters\))?|\"[^\"]*\"", "'…'", p.message)
    text = re.sub(r"\b[A-Z]\d{11}[0-9A-Z]\b", "UPN", text)
    text = re.sub(r"0x[0-9a-f]{2}|\d{2,}[\d,-]*", "N", text)
    return text[:100]


def unclear(p: Problem, names: set[str]) -> str | None:
    """Why a problem is not a clear refusal, or None: it must name one of the folder's files (or the
    folder), a line or field unless it is about the whole file, and be short."""
    if p.file not in names:
        return f"names no file of the folder: {p.file[:100]!r}"
    if p.line is None and p.field is None and not _WHOLE_FILE.search(p.message):
        return f"names no line or field: {str(p)[:200]!r}"
    if len(str(p)) > LONGEST_PROBLEM:
        return f"is {len(str(p)):,} characters long: {str(p)[:200]!r}..."
    return None


def run_case(store: Store, folder: Path, before: dict[str, tuple[int, int]] | None = None) -> Outcome:
    """Import ``folder`` into ``store`` and judge what happened (see :class:`Outcome`); ``before`` is the
    store's :func:`fingerprint`, if known."""
    before = before or fingerprint(store)
    names = {p.name for p in folder.iterdir()} | {folder.name, str(folder)}
    try:
        import_folder(store, folder)
    except IngestError as exc:
        if fingerprint(store) != before:
            return Outcome("changed", detail=exc.report()[:1000])
        for p in exc.problems:
            if why := unclear(p, names):
                return Outcome("unclear", detail=why)
        return Outcome(
            "refused", sorted({problem_kind(p) for p in exc.problems}), files=sorted({p.file for p in exc.problems})
        )
    except Exception:
        return Outcome("traceback", detail=traceback.format_exc()[-3000:])
    return Outcome("imported")
