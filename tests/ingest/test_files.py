"""The bytes of a register file, checked before anything reads it as CSV: gzip, UTF-8, NUL bytes, empty
lines, and which files a folder gives. Each case here was found by the fuzz test (``test_fuzz.py``) as a
traceback or as minutes of work for a few bytes sent."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from attendwise.ingest import import_folder
from attendwise.ingest.files import MAX_EMPTY_LINES, check_utf8
from attendwise.ingest.outcomes import Problems
from attendwise.store import Store
from tests.conftest import one_week
from tests.ingest.test_import import only_problem, refused


@pytest.fixture
def stored(store: Store, write) -> Path:
    """A register already stored, and the folder of a second import of it, for each test to spoil."""
    import_folder(store, write(one_week()))
    return write(one_week())


@pytest.mark.parametrize("damage", ["cut short", "a byte flipped", "not gzipped"])
def test_a_damaged_gzip_file_is_refused(store: Store, stored: Path, damage: str) -> None:
    """A marks.csv.gz cut short, with a byte changed or not gzipped at all raised EOFError, zlib.error or
    BadGzipFile out of the importer."""
    plain = (stored / "marks.csv").read_bytes()
    packed = gzip.compress(plain)
    packed = {
        "cut short": packed[: len(packed) // 2],
        "a byte flipped": packed[:40] + bytes([packed[40] ^ 0x55]) + packed[41:],
        "not gzipped": plain,
    }[damage]
    (stored / "marks.csv").unlink()
    (stored / "marks.csv.gz").write_bytes(packed)
    assert only_problem(refused(store, stored)) == (
        "marks.csv.gz: is not a valid gzip file (damaged or cut short): gzip it again"
    )


def test_a_folder_in_place_of_a_file_is_refused(store: Store, stored: Path) -> None:
    """A folder called marks.csv raised IsADirectoryError."""
    (stored / "marks.csv").unlink()
    (stored / "marks.csv").mkdir()
    assert only_problem(refused(store, stored)) == "marks.csv: is not a file"


@pytest.mark.parametrize("other", ["MARKS.CSV", "marks.csv.gz"])
def test_a_file_given_twice_is_refused(store: Store, stored: Path, other: str) -> None:
    """marks.csv beside Marks.CSV or marks.csv.gz: the importer read whichever sorted first, silently."""
    data = (stored / "marks.csv").read_bytes()
    (stored / other).write_bytes(gzip.compress(data) if other.endswith(".gz") else data)
    first, second = sorted(["marks.csv", other])
    assert only_problem(refused(store, stored)) == f"{second}: is given twice (as {first} and {second})"


@pytest.mark.parametrize("name", ["schools.csv", "pupils.csv", "marks.csv"])
def test_nul_bytes_and_utf16_are_refused_by_line(store: Store, stored: Path, name: str) -> None:
    """UTF-16 without a byte-order mark is valid UTF-8 full of NUL bytes: refused on line 1, as is a NUL
    anywhere else, by its line."""
    path = stored / name
    text = path.read_text()
    path.write_bytes(text.encode("utf-16-le"))
    assert only_problem(refused(store, stored)) == f"{name} line 1: holds a NUL byte: save the file as CSV UTF-8 text"
    path.write_bytes(text.encode() + b"\x00\n")
    line = text.count("\n") + 1
    assert only_problem(refused(store, stored)) == (
        f"{name} line {line}: holds a NUL byte: save the file as CSV UTF-8 text"
    )


@pytest.mark.parametrize("name", ["pupils.csv", "marks.csv"])
def test_a_character_cut_short_by_the_end_of_the_file_is_refused(store: Store, stored: Path, name: str) -> None:
    """A file ending part way through a character (the first byte of 'é') passed the UTF-8 check and then
    raised UnicodeDecodeError out of the reader of the small files."""
    path = stored / name
    data = path.read_bytes() + "é".encode()[:1]
    path.write_bytes(data)
    last = data.count(b"\n") + 1
    assert only_problem(refused(store, stored)) == (
        f"{name} line {last}: not valid UTF-8 (the file ends part way through a character); "
        "save the file as UTF-8 (CSV UTF-8 in Excel)"
    )


def test_empty_lines_are_counted_by_the_run(tmp_path: Path) -> None:
    """Five million empty lines cost a list of five million line numbers (half a minute of the importer's
    time, and a gigabyte, for a few kilobytes gzipped); a run of them is one entry, however long."""
    path = tmp_path / "marks.csv"
    path.write_bytes(b"upn,urn,date,session,code\n" + b"\n" * 90_000 + b"a\r\n\r\n\r\nb\n\n")
    assert check_utf8(path, Problems(10)) == [(2, 90_000), (90_003, 2), (90_006, 1)]


def test_too_many_empty_lines_are_refused(store: Store, stored: Path) -> None:
    path = stored / "marks.csv"
    header, *rows = path.read_text().splitlines()
    path.write_text("\n".join([header, rows[0], *[""] * (MAX_EMPTY_LINES + 5), *rows[1:]]) + "\n")
    assert only_problem(refused(store, stored)) == (
        f"marks.csv line {MAX_EMPTY_LINES + 3}: more than 100,000 empty lines: remove them"
    )


def test_many_empty_lines_still_give_every_line_its_number(store: Store, stored: Path) -> None:
    path = stored / "marks.csv"
    header, *rows = path.read_text().splitlines()
    bad = rows[0].replace("2024-09-02", "2024-09-30").replace(",/", ",ZZ")
    path.write_text("\n".join([header, *rows[:5], *[""] * 50_000, *rows[5:], "", "", bad]) + "\n")
    err = refused(store, stored)
    assert [(p.line, p.field) for p in err.problems] == [(len(rows) + 50_000 + 4, "code")]


@pytest.mark.parametrize("name", ["schools.csv", "marks.csv"])
def test_a_header_below_an_empty_line_is_not_called_an_empty_file(store: Store, stored: Path, name: str) -> None:
    """A file whose first line is empty was refused as 'the file is empty', whatever followed."""
    path = stored / name
    path.write_bytes(b"\n" + path.read_bytes())
    assert (
        only_problem(refused(store, stored)) == f"{name} line 1: the first line is empty: the header row must be line 1"
    )
    path.write_bytes(b"\n \n")
    assert only_problem(refused(store, stored)) == f"{name} line 1: the file is empty (expected a header row)"
