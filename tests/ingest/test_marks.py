"""marks.csv's header: whatever its column names hold, none of it reaches the SQL that reads the file.

The importer once built ``read_csv(..., columns = {...})`` from the header's own names, so a name holding
both kinds of quote ended the SQL string and the rest of it was SQL: a school's upload could read any file
on the server, and the refusal repeated its contents back line by line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from attendwise.ingest import import_folder
from attendwise.store import Store
from tests.conftest import one_week, snapshot
from tests.ingest.test_import import refused

COLUMNS = "upn,urn,date,session,code"


def with_header(folder: Path, header: str, extra: str = "") -> Path:
    """Give marks.csv ``header`` in place of its own, each row ending in ``extra`` (the extra columns' values)."""
    path = folder / "marks.csv"
    rows = path.read_text().splitlines()[1:]
    path.write_text("\n".join([header, *(row + extra for row in rows)]) + "\n")
    return folder


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def test_a_header_cannot_read_another_file(store: Store, write, tmp_path: Path) -> None:
    """The injection that worked: a sixth column whose name closes the SQL string and reads a file of the
    server's as if it were marks (whose values then came back in the refusal). Now it is one more column
    nobody reads, and the marks are imported as they stand."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-42\n")
    name = (
        "': $$VARCHAR$$}) UNION ALL SELECT column0, column0, column0, column0, column0 FROM read_csv("
        f'$${secret}$$, header = false, auto_detect = false, delim = $$|$$, columns = {{"column0": $$VARCHAR$$}}, --'
    )
    folder = with_header(write(one_week()), f"{COLUMNS},{quoted(name)}", ",x")
    result = import_folder(store, folder)
    assert (result.marks_read, result.marks_added) == (20, 20)
    assert "TOPSECRET" not in repr(store.duckdb_connection().execute("SELECT * FROM marks").fetchall())


HOSTILE_NAMES = [
    "'",
    '"',
    "x'\"",
    "')",
    "); DROP TABLE marks; --",
    "'; DROP TABLE marks; --\"",
    "$$",
    "\\",
    "{'a': 'VARCHAR'}",
    "?",
    "%s",
    "ｕｐｎ",  # fullwidth: not the column upn, just another column
    "upn\u200b",  # a zero-width space: not upn either
    "\u202eedoc",  # a right-to-left override
    "🙂",
    "",
    "_extra_6",
    "rowid",
    "n" * 30_000,
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_any_other_column_name_is_one_more_column(store: Store, write, name: str) -> None:
    """Quotes, brackets, semicolons, comments, placeholders, lookalike letters, long names: an extra
    column under any name is read and left alone, and the marks are imported as they stand."""
    reg = one_week()
    folder = with_header(write(reg), f"{quoted(name)},{COLUMNS},{quoted(name)}", "")
    path = folder / "marks.csv"
    header, *rows = path.read_text().splitlines()
    path.write_text("\n".join([header, *(f"a'b;c,{row},)" for row in rows)]) + "\n")
    result = import_folder(store, folder)
    assert (result.marks_read, result.marks_added) == (20, 20)
    codes = store.duckdb_connection().execute("SELECT code FROM marks ORDER BY date, session").fetchall()
    assert len(codes) == 20


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (
            f"{COLUMNS},URN",
            "marks.csv line 1, field 'urn': the column urn is given twice (columns 2 and 6): give it once",
        ),
        (
            f"code,{COLUMNS}, Code ",
            "marks.csv line 1, field 'code': the column code is given 3 times (columns 1, 6 and 7): give it once",
        ),
        (
            f"{COLUMNS}," + ",upn" * 118,
            "marks.csv line 1, field 'upn': the column upn is given 119 times (columns 1, 7, 8 and 116 more): give it "
            "once",
        ),
        (
            f"{COLUMNS}," + ",".join(f"c{i}" for i in range(1000)),
            "marks.csv line 1: the header has 1,005 columns; a register file has at most 1,000",
        ),
        (
            f'{COLUMNS},"a\nb"',
            "marks.csv line 1: the header row is not a well-formed CSV row (a column name may not hold a line "
            "break or an unclosed quote)",
        ),
        (
            f'{COLUMNS},"x"y',
            "marks.csv line 1: the header row is not a well-formed CSV row (a column name may not hold a line "
            "break or an unclosed quote)",
        ),
        (f"{COLUMNS},{'n' * 70_000}", "marks.csv line 1: the header row is longer than 65,536 bytes"),
        ("upn,urn,date,code,'session'", "marks.csv line 1: missing column: session"),
        ("upn;urn;date;session;code", "marks.csv line 1: missing columns: upn, urn, date, session, code"),
    ],
    ids=[
        "twice",
        "three-times",
        "119-times",
        "too-many",
        "line-break",
        "bad-quote",
        "too-long",
        "quoted",
        "semicolons",
    ],
)
def test_a_header_it_cannot_read_one_way_is_refused(store: Store, write, header: str, problem: str) -> None:
    """A column given twice (which would the importer read?), a header over several lines or too wide, a
    missing column: refused on line 1, naming the column where there is one, never repeating a name back."""
    import_folder(store, write(one_week()))
    folder = with_header(write(one_week()), header)
    err = refused(store, folder)
    assert [str(p) for p in err.problems] == [problem]
    assert len(err.report()) < 400


def test_the_small_files_refuse_a_column_given_twice(store: Store, write) -> None:
    """pupils.csv with two urn columns: which one a check read and which one was stored was a guess."""
    folder = write(one_week())
    path = folder / "pupils.csv"
    header, *rows = path.read_text().splitlines()
    path.write_text("\n".join([header + ",URN", *(row + ",100002" for row in rows)]) + "\n")
    before = snapshot(store)
    err = refused(store, folder)
    assert [str(p) for p in err.problems] == [
        "pupils.csv line 1, field 'urn': the column urn is given twice (columns 2 and 16): give it once"
    ]
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("make", "line", "what"),
    [
        (lambda rows: "\r\n".join(rows[:5]) + "\n" + "\r\n".join(rows[5:]), 5, "ends in LF where line 1 ends in CR LF"),
        (
            lambda rows: "\r\n".join(rows[:5]) + "\r\n\n" + "\r\n".join(rows[5:]),
            6,
            "ends in LF where line 1 ends in CR",
        ),
        (lambda rows: "\n".join(rows[:3]) + "\r\n" + "\n".join(rows[3:]), 3, "ends in CR LF (Windows) where line 1"),
        (lambda rows: "\n".join(rows[:3]) + "\r" + "\n".join(rows[3:]), 3, "holds a carriage return (CR) inside it"),
    ],
    ids=["crlf-then-lf", "crlf-then-empty-lf", "lf-then-crlf", "a-lone-cr"],
)
def test_mixed_line_endings_are_refused_by_line(store: Store, write, make, line: int, what: str) -> None:
    """A file whose lines end in CR LF and then LF (a line added by hand, say) was refused by DuckDB's
    reader naming no line: 'the line cannot be read as CSV'."""
    folder = write(one_week())
    path = folder / "marks.csv"
    path.write_bytes(make(path.read_text().splitlines()).encode() + b"\n")
    problem = refused(store, folder).problems[0]
    assert (problem.line, problem.field) == (line, None)
    assert what in problem.message and "one kind of line ending" in problem.message


def test_one_kind_of_line_ending_imports(store: Store, write) -> None:
    for ending in ("\r\n", "\n", "\r"):
        folder = write(one_week())
        path = folder / "marks.csv"
        path.write_bytes(ending.join(path.read_text().splitlines()).encode() + ending.encode())
        assert import_folder(store, folder).marks_read == 20, repr(ending)
