"""Text in a spreadsheet stays text: the neutraliser, the CSV and workbook writers, and that every export uses them."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import doctest
import io
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attendwise
from attendwise.documents import spreadsheets
from attendwise.documents.marks import SUPPRESSED
from attendwise.documents.spreadsheets import (
    DANGEROUS,
    cell_value,
    csv_text,
    neutralise,
    new_workbook,
    save_workbook,
    table_csv,
    write_cell,
    write_workbook,
)
from attendwise.documents.tables import Column, Kind, Section, Table, data_table

ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]

#: Any text, and often text that starts with a character a spreadsheet reads as a formula.
texts = st.one_of(
    st.text(),
    st.builds(lambda first, rest: first + rest, st.sampled_from(DANGEROUS), st.text()),
    st.sampled_from(ATTACKS),
)


def test_the_module_examples() -> None:
    assert doctest.testmod(spreadsheets).failed == 0


@given(texts)
def test_neutralised_text_never_starts_a_formula_and_gives_the_text_back(text: str) -> None:
    out = neutralise(text)
    assert not out.startswith(DANGEROUS)
    assert (out != text) == text.startswith(DANGEROUS)  # only dangerous text changes
    if out != text:
        assert out[0] == "'" and out[1:] == text  # removing the added quote gives the original back


@pytest.mark.parametrize("attack", ATTACKS)
def test_each_attack_gets_a_quote(attack: str) -> None:
    assert neutralise(attack) == "'" + attack


@pytest.mark.parametrize(
    "value",
    [-2, -2.5, 0, np.int64(-3), np.float64(-1.5), Decimal("-1.25"), True, None, dt.date(2024, 9, 2)],
    ids=repr,
)
def test_numbers_and_dates_are_not_text(value: object) -> None:
    """A negative number is a number: it is written as it is, not quoted."""
    assert cell_value(value) is value


@given(st.lists(st.one_of(texts, st.integers(), st.floats(allow_nan=False, allow_infinity=False)), max_size=6))
def test_csv_reads_back_as_the_neutralised_text_and_the_numbers(row: list[object]) -> None:
    """One row stays one row, each text neutralised (its line breaks as line feeds), each number as written."""
    back = list(csv.reader(io.StringIO(csv_text([["a"], row]), newline="")))[1:]
    expected = [lines(neutralise(v)) if isinstance(v, str) else str(v) for v in row]
    assert (back[0] if back else []) == expected


def lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_a_line_break_cannot_start_a_row_with_a_formula() -> None:
    """Python's CSV writer does not quote a bare carriage return, yet a spreadsheet ends the row there."""
    name = 'Ann\r=HYPERLINK("http://x","y")'
    for text in (csv_text([["name"], [name]]), table_csv(data_table(pd.DataFrame({"name": [name]})))):
        assert text == 'name\n"Ann\n=HYPERLINK(""http://x"",""y"")"\n'
        assert list(csv.reader(io.StringIO(text, newline=""))) == [["name"], ['Ann\n=HYPERLINK("http://x","y")']]


def test_a_frame_keeps_its_numbers_and_neutralises_its_text() -> None:
    frame = pd.DataFrame(
        {
            "school": pd.Series(["=HYPERLINK(1)", "Elm", None], dtype="str"),
            "group": pd.Categorical(["-2+3", "@SUM(A1)", "Ann"]),
            "mixed": pd.Series(["+1+1", -4, 2.5], dtype=object),
            "change": [-1.5, 0.0, float("nan")],
            "count": [-3, 0, 7],
            "flag": [True, False, True],
            "day": pd.to_datetime(["2024-09-02", "2024-09-03", "2024-09-04"]),
            "=col": ["a", "b", "c"],
        }
    )
    rows = list(csv.reader(io.StringIO(table_csv(data_table(frame)), newline="")))
    assert rows[0] == ["school", "group", "mixed", "change", "count", "flag", "day", "'=col"]
    assert rows[1] == ["'=HYPERLINK(1)", "'-2+3", "'+1+1", "-1.5", "-3", "True", "2024-09-02", "a"]
    assert rows[2] == ["Elm", "'@SUM(A1)", "-4", "0.0", "0", "False", "2024-09-03", "b"]
    assert rows[3] == ["", "Ann", "2.5", "", "7", "True", "2024-09-04", "c"]
    # Nothing but the text changed: the same frame without dangerous text is written as pandas writes it.
    plain = frame.drop(columns="=col").iloc[[2]]
    assert table_csv(data_table(plain)) == plain.to_csv(index=False)


def _read_back(value: object) -> openpyxl.cell.cell.Cell:
    wb = new_workbook()
    write_cell(wb.create_sheet("S"), 1, 1, value)
    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["S"]["A1"]


@settings(max_examples=40, deadline=None)
@given(texts)
def test_workbook_text_is_a_string_cell_never_a_formula(text: str) -> None:
    cell = _read_back(text)
    if neutralise(text) == "":
        assert cell.value is None
        return
    # XML turns carriage returns into line feeds; control characters a workbook cannot hold are replaced.
    expected = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", neutralise(text)).replace("\r\n", "\n")
    assert cell.data_type == "s" and cell.value == expected.replace("\r", "\n")


@pytest.mark.parametrize("number", [-2, -2.5, 3])
def test_workbook_numbers_stay_numbers(number: float) -> None:
    cell = _read_back(number)
    assert cell.data_type == "n" and cell.value == number


def test_saving_seals_cells_set_by_hand() -> None:
    """A cell set without write_cell (a formula, an error code) is made neutralised text before saving."""
    wb = new_workbook()
    ws = wb.create_sheet("S")
    ws["A1"], ws["A2"], ws["A3"], ws["A4"] = "=1+1", "#N/A", "-2+3", -2
    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["S"]
    assert [(c.value, c.data_type) for (c,) in ws.iter_rows()] == [
        ("'=1+1", "s"),
        ("#N/A", "s"),
        ("'-2+3", "s"),
        (-2, "n"),
    ]


# -- tables as CSV and as workbooks -----------------------------------------------------------------
SCHOOLS = Table(
    "Schools",
    (
        Column("school", "School"),
        Column("pupils", "Pupils", Kind.COUNT),
        Column("pa", "PA", Kind.PERCENT),
        Column("risk", "Risk", Kind.FRACTION),
        Column("change", "Change", Kind.POINTS),
        Column("since", "Since", Kind.DATE),
    ),
    (
        ("Oak", 1200, 12.5, 0.25, -2.5, dt.date(2024, 9, 2)),
        ("=HYPERLINK(1)", SUPPRESSED, SUPPRESSED, None, 1.0, None),
    ),
)


def test_a_table_as_csv_is_its_headings_and_unrounded_values() -> None:
    assert table_csv(SCHOOLS) == (
        "School,Pupils,PA,Risk,Change,Since\nOak,1200,12.5,0.25,-2.5,2024-09-02\n'=HYPERLINK(1),x,x,,1.0,\n"
    )


def test_a_table_as_a_workbook_holds_numbers_marks_and_neutralised_text(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    section = Section("schools", "Schools in the LA", ("Every school.",), (SCHOOLS,), short="Schools")
    write_workbook(
        [section, Section("empty", "Nothing", (), (Table("None", SCHOOLS.columns, empty="No rows."),))],
        path,
        title="A & B",
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Schools", "Nothing"] and wb.properties.title == "A & B"
    ws = wb["Schools"]
    assert (ws["A1"].value, ws["A2"].value) == ("Schools in the LA", "Every school.")
    assert [c.value for c in ws[3]] == ["School", "Pupils", "PA", "Risk", "Change", "Since"] and ws["A3"].font.bold
    oak = list(ws[4])
    assert [c.value for c in oak[:5]] == ["Oak", 1200, 0.125, 0.25, -2.5] and oak[5].value.date() == dt.date(2024, 9, 2)
    assert [c.number_format for c in oak[1:]] == ["#,##0", "0.0%", "0%", "+0.0;-0.0;0.0", "dd mmm yyyy"]
    attack = [c.value for c in ws[5]]
    assert attack == ["'=HYPERLINK(1)", "x", "x", None, 1.0, None] and ws["A5"].data_type == "s"
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref == "A3:F5" and "A && B" in ws.oddHeader.center.text
    assert wb["Nothing"]["A4"].value == "No rows."


cells = st.one_of(texts, st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none())


@settings(max_examples=60)
@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=5))
def test_any_table_round_trips_its_values_through_csv(rows: list[list[object]]) -> None:
    """Read back, each text is the neutralised text (line breaks as line feeds), each number the same number."""
    table = Table("T", (Column("a", "A"), Column("b", "B"), Column("c", "C", Kind.NUMBER)), rows)
    back = list(csv.reader(io.StringIO(table_csv(table), newline="")))
    assert back[0] == ["A", "B", "C"] and len(back) == len(rows) + 1
    for row, read in zip(rows, back[1:], strict=True):
        for value, text in zip(row, read, strict=True):
            if value is None:
                assert text == ""
            elif isinstance(value, str):
                assert text == lines(neutralise(value))
                original = text[1:] if text != lines(value) else text
                assert original == lines(value)  # removing the added quote gives the text back
            elif isinstance(value, int):
                assert int(text) == value
            else:
                assert float(text) == value


# -- every writer goes through the module ------------------------------------------------------------
SRC = Path(attendwise.__file__).parent

#: Modules that may write CSV or workbooks themselves, and why.
OWN_WRITERS = {
    "documents/spreadsheets.py": "the one way to write a spreadsheet",
    "demo/files.py": "writes made-up registers (names from fixed lists) for 'import' to read: input, not an export",
}


WORKBOOK_LIBRARIES = {"openpyxl", "xlsxwriter"}


def spreadsheet_writers(source: str) -> list[str]:
    """Every way ``source`` writes a CSV or a workbook without :mod:`attendwise.documents.spreadsheets`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if isinstance(f.value, ast.Name) and f.value.id == "csv" and f.attr in {"writer", "DictWriter"}:
                found.append(f"line {line}: csv.{f.attr}")
            elif f.attr == "to_excel" or (f.attr == "to_csv" and (node.args or node.keywords)):
                found.append(f"line {line}: DataFrame.{f.attr}")  # Table.to_csv() takes no arguments
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".")[0]
            names = {a.name for a in node.names}
            if (module == "csv" and names & {"writer", "DictWriter"}) or (
                module in WORKBOOK_LIBRARIES and "Workbook" in names
            ):
                found.append(f"line {line}: from {node.module} import {', '.join(sorted(names))}")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] in WORKBOOK_LIBRARIES for a in node.names):
            found.append(f"line {line}: import {', '.join(a.name for a in node.names)}")
    return found


def test_the_check_finds_each_kind_of_writer() -> None:
    source = (
        "import csv\nimport openpyxl\nfrom openpyxl import Workbook\nfrom csv import DictWriter\n"
        "csv.writer(f)\nframe.to_csv(index=False)\nframe.to_excel('x.xlsx')\ntable.to_csv()\n"
        "from openpyxl.styles import Font\n"
    )
    assert [f.split(": ", 1)[1] for f in spreadsheet_writers(source)] == [
        "import openpyxl",
        "from openpyxl import Workbook",
        "from csv import DictWriter",
        "csv.writer",
        "DataFrame.to_csv",
        "DataFrame.to_excel",
    ]


def test_every_csv_and_workbook_is_written_through_spreadsheets() -> None:
    """A new export that writes a CSV or a workbook its own way fails here: write it with spreadsheets."""
    offenders = {
        str(path.relative_to(SRC)): found
        for path in sorted(SRC.rglob("*.py"))
        if str(path.relative_to(SRC)) not in OWN_WRITERS
        and (found := spreadsheet_writers(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
