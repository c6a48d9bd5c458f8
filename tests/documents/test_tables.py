"""The documents vocabulary (:mod:`attendwise.documents.tables`, :mod:`attendwise.documents.marks`): columns read
their values by kind, tables hold values and marks, and frames become tables without losing either."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import pickle

import numpy as np
import pandas as pd
import pytest

from attendwise.documents import marks, tables
from attendwise.documents.marks import LOW, NOT_APPLICABLE, SUPPRESSED, Mark, is_suppressed
from attendwise.documents.tables import (
    Cell,
    Chart,
    Column,
    Kind,
    Section,
    Table,
    every_column,
    table_from_frame,
    table_json,
)


def test_the_module_examples() -> None:
    assert doctest.testmod(tables).failed == 0
    assert doctest.testmod(marks).failed == 0


class TestMark:
    def test_a_mark_is_its_symbol_and_says_what_it_means(self) -> None:
        assert SUPPRESSED == "x" and str(NOT_APPLICABLE) == "z" and str(LOW) == "low"
        assert SUPPRESSED.meaning == "Suppressed: too few pupils to show"
        assert is_suppressed(SUPPRESSED) and is_suppressed("x") and not is_suppressed(NOT_APPLICABLE)

    def test_a_mark_survives_pickling(self) -> None:
        """Pages are cached; a cached table keeps its marks and what they mean."""
        back = pickle.loads(pickle.dumps(SUPPRESSED))
        assert isinstance(back, Mark) and back == "x" and back.meaning == SUPPRESSED.meaning


class TestColumn:
    @pytest.mark.parametrize(
        ("column", "value", "text"),
        [
            (Column("n", "N", Kind.COUNT), 12345, "12,345"),
            (Column("n", "N", Kind.COUNT), 12345.0, "12,345"),
            (Column("n", "N", Kind.COUNT), np.int64(7), "7"),
            (Column("p", "P", Kind.PERCENT), 7.149, "7.1"),
            (Column("p", "P", Kind.PERCENT, 2), 7.149, "7.15"),
            (Column("p", "P", Kind.PERCENT, unit="%"), 40, "40.0%"),
            (Column("f", "F", Kind.FRACTION), 0.404, "40%"),
            (Column("f", "F", Kind.FRACTION, 1), 0.404, "40.4%"),
            (Column("c", "C", Kind.POINTS), -2.54, "-2.5"),
            (Column("c", "C", Kind.POINTS), 3, "+3.0"),
            (Column("r", "R", Kind.NUMBER), 1.256, "1.26"),
            (Column("r", "R", Kind.NUMBER, 1), 1234.56, "1,234.6"),
            (Column("d", "D", Kind.DATE), dt.date(2024, 9, 2), "02 Sep 2024"),
            (Column("t", "T"), dt.date(2024, 9, 2), "02 Sep 2024"),
            (Column("t", "T"), "Oak", "Oak"),
            (Column("t", "T"), 8, "8"),
        ],
        ids=repr,
    )
    def test_a_value_reads_as_its_kind_says(self, column: Column, value: object, text: str) -> None:
        assert column.text(value) == text

    @pytest.mark.parametrize("kind", list(Kind))
    def test_nothing_is_blank_and_a_mark_is_its_symbol_in_every_kind(self, kind: Kind) -> None:
        column = Column("k", "K", kind)
        assert [column.text(v) for v in (None, float("nan"), pd.NA, "")] == ["", "", "", ""]
        assert [column.text(m) for m in (SUPPRESSED, LOW, NOT_APPLICABLE)] == ["x", "low", "z"]

    def test_numbers_are_numeric_and_text_and_dates_are_not(self) -> None:
        assert [Column("k", "K", k).numeric for k in Kind] == [False, True, True, True, True, True, False]


class TestTable:
    table = Table(
        "Schools",
        (Column("school", "School"), Column("pupils", "Pupils", Kind.COUNT), Column("pa", "PA %", Kind.PERCENT)),
        (("Oak", 120, 12.5), (Cell("Elm", href="/elm"), 3, SUPPRESSED)),
    )

    def test_its_values_and_records(self) -> None:
        assert self.table.column("school") == ["Oak", "Elm"]
        assert self.table.records() == [
            {"school": "Oak", "pupils": 120, "pa": 12.5},
            {"school": "Elm", "pupils": 3, "pa": "x"},
        ]

    def test_it_knows_the_marks_it_shows(self) -> None:
        assert self.table.marks == {SUPPRESSED} and self.table.suppressed
        assert not Table("", (Column("a", "A"),), (("b",),)).suppressed

    def test_every_row_has_a_cell_per_column(self) -> None:
        with pytest.raises(ValueError, match="row 2 has 1 cells for 2 columns"):
            Table("Bad", (Column("a", "A"), Column("b", "B")), (("1", "2"), ("3",)))

    def test_it_is_frozen_and_its_rows_are_tuples(self) -> None:
        table = Table("T", [Column("a", "A")], [["1"]])
        assert table.rows == (("1",),) and isinstance(table.columns, tuple)
        with pytest.raises(AttributeError):
            table.caption = "other"  # type: ignore[misc]

    def test_json_records(self) -> None:
        out = json.loads(table_json(self.table))
        assert out[1] == {"school": "Elm", "pupils": 3, "pa": "x"}


class TestSectionAndChart:
    def test_a_section_names_its_sheet(self) -> None:
        long = Section("k", "No attendance in the last 3 school weeks, unauthorised only")
        assert long.sheet == "No attendance in the last 3 sch" and len(long.sheet) == 31
        assert Section("k", "Long heading", short="Short").sheet == "Short"

    def test_a_chart_carries_its_table(self) -> None:
        chart = Chart("trend", "Trend", {"mark": "line"}, TestTable.table, "Absence each month.")
        assert chart.spec_id == "trend-spec" and chart.table.caption == "Schools"


class TestFromFrame:
    def test_values_become_python_values_and_x_the_mark(self) -> None:
        frame = pd.DataFrame(
            {
                "school": ["Oak", "Elm"],
                "n": pd.array([3, None], dtype="Int64"),
                "p": [np.nan, 1.5],
                "day": pd.to_datetime(["2024-09-02", "2024-09-03"]),
                "hidden": pd.Series(["x", 4], dtype=object),
            }
        )
        columns = [
            Column("school", "School"),
            Column("n", "N", Kind.COUNT),
            Column("p", "P", Kind.PERCENT),
            Column("day", "Day", Kind.DATE),
            Column("hidden", "Hidden", Kind.COUNT),
            Column("absent", "Not in the frame"),
        ]
        table = table_from_frame(frame, "T", columns)
        assert table.rows == (
            ("Oak", 3, None, dt.date(2024, 9, 2), SUPPRESSED, None),
            ("Elm", None, 1.5, dt.date(2024, 9, 3), 4, None),
        )
        assert isinstance(table.rows[0][4], Mark)
        assert type(table.rows[0][1]) is int

    def test_links_and_tags_by_column_but_no_tag_on_a_mark(self) -> None:
        frame = pd.DataFrame({"name": ["Oak", "x"], "n": [1, 2]})
        table = table_from_frame(
            frame,
            "T",
            [Column("name", "Name"), Column("n", "N")],
            links={"n": ["/1", None]},
            tags={"name": ["red"] * 2},
        )
        assert table.rows[0] == (Cell("Oak", tag="red"), Cell(1, href="/1"))
        assert table.rows[1] == (SUPPRESSED, 2)

    def test_every_column_of_a_frame(self) -> None:
        frame = pd.DataFrame({"school_name": ["Oak"], "enrolments": [3], "flag": [True]})
        assert [(c.key, c.heading, c.kind) for c in every_column(frame)] == [
            ("school_name", "school_name", Kind.TEXT),
            ("enrolments", "enrolments", Kind.NUMBER),
            ("flag", "flag", Kind.TEXT),
        ]
