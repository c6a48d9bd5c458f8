"""The codes the demo city emits (:mod:`attendwise.demo.codes`): each mark in the code set of its date."""

from __future__ import annotations

import duckdb

from attendwise.demo import CitySummary
from tests.demo.cities import CODES_2006, CODES_2024, ONLY_2006, ONLY_2024, SWITCH


def test_code_sets_follow_the_date(two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]) -> None:
    _, con = two_years
    before = {c for (c,) in con.execute(f"SELECT DISTINCT code FROM marks WHERE date < DATE '{SWITCH}'").fetchall()}
    after = {c for (c,) in con.execute(f"SELECT DISTINCT code FROM marks WHERE date >= DATE '{SWITCH}'").fetchall()}
    assert before and after
    assert not before & ONLY_2024
    assert not after & ONLY_2006
    all_2006 = {c for codes in CODES_2006.values() for c in codes.split()}
    all_2024 = {c for codes in CODES_2024.values() for c in codes.split()}
    assert before <= all_2006
    assert after <= all_2024
    # the register's usual shapes are there
    assert {"/", "\\", "L", "I", "M", "O", "G", "N", "U", "E", "X", "V"} <= before & after
    assert {"C2", "Y4"} <= after
    assert {"Y"} <= before
    am_pm = con.execute("SELECT session, code, count(*) FROM marks WHERE code IN ('/', '\\') GROUP BY ALL").fetchall()
    assert {(s, c) for s, c, _ in am_pm} == {("AM", "/"), ("PM", "\\")}
