"""Reading a generated city back: its CSV files as DuckDB tables, with each mark's code set and category.

The registers are read with DuckDB only, so the tests of :mod:`attendwise.demo` check what an LA would
import, independently of the rest of attendwise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

SWITCH = dt.date(2024, 8, 19)
CODES_2006 = {
    "present": "/ \\ L",
    "aea": "B J P V W",
    "auth": "C E H I M R S T",
    "unauth": "G N O U",
    "none": "D X Y Z #",
}
CODES_2024 = {
    "present": "/ \\ L",
    "aea": "K V P W B",
    "auth": "C1 M J1 S C2 C T R I E",
    "unauth": "G N O U",
    "none": "D X Q Y1 Y2 Y3 Y4 Y5 Y6 Y7 Z #",
}
ONLY_2024 = {"C1", "C2", "J1", "K", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"}
ONLY_2006 = {"H", "F", "J", "Y"}

#: The last school day before the February half term of 2024/25.
UNTIL = dt.date(2025, 2, 14)


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """The generated folder as DuckDB tables, with each mark's code set and category."""
    con = duckdb.connect()
    rows = [
        (year, code, cat)
        for year, table in ((2006, CODES_2006), (2024, CODES_2024))
        for cat, codes in table.items()
        for code in codes.split()
    ]
    con.execute("CREATE TABLE codes (codeset INTEGER, code VARCHAR, cat VARCHAR)")
    con.executemany("INSERT INTO codes VALUES (?, ?, ?)", rows)
    for name in ("pupils", "schools", "terms", "closures"):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{folder / name}.csv', header=true, all_varchar=true)"
        )
    # no quote or escape character: "\" is the afternoon present code
    con.execute(
        f"""CREATE TABLE marks AS
            SELECT upn, urn, CAST(date AS DATE) AS date, session, code,
                   CASE WHEN CAST(date AS DATE) >= DATE '{SWITCH}' THEN 2024 ELSE 2006 END AS codeset,
                   CASE WHEN month(CAST(date AS DATE)) >= 8 THEN year(CAST(date AS DATE))
                        ELSE year(CAST(date AS DATE)) - 1 END AS ay
            FROM read_csv('{folder / "marks.csv"}', header=true, all_varchar=true, quote='', escape='')"""
    )
    con.execute(
        """CREATE TABLE enrol AS
           SELECT row_number() OVER () AS eid, upn, urn, CAST(admission_date AS DATE) AS adm,
                  coalesce(TRY_CAST(leaving_date AS DATE), DATE '2999-12-31') AS lv,
                  CAST(date_of_birth AS DATE) AS dob, fsm, sen, boarder, nc_year, cin, cpp, cla, sex
           FROM pupils"""
    )
    # one row per enrolment and academic year, as the DfE counts them
    con.execute(
        """CREATE TABLE per_enrol AS
           SELECT e.eid, e.upn, m.ay, s.phase, e.fsm, e.sen, e.boarder,
                  date_diff('year', e.dob, make_date(m.ay, 8, 31))
                    - CASE WHEN strftime(e.dob, '%m%d') > '0831' THEN 1 ELSE 0 END AS age,
                  count(*) FILTER (WHERE c.cat IN ('present', 'aea', 'auth', 'unauth')) AS possible,
                  count(*) FILTER (WHERE c.cat = 'auth') AS auth,
                  count(*) FILTER (WHERE c.cat = 'unauth') AS unauth
           FROM marks m
           JOIN enrol e ON m.upn = e.upn AND m.urn = e.urn AND m.date BETWEEN e.adm AND e.lv
           JOIN schools s ON s.urn = m.urn
           LEFT JOIN codes c ON c.codeset = m.codeset AND c.code = m.code
           GROUP BY ALL"""
    )
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def lines_until(path: Path, until: dt.date, column: int = 2) -> list[bytes]:
    lines = path.read_bytes().splitlines()
    day = until.isoformat().encode()
    return [lines[0], *(line for line in lines[1:] if line.split(b",")[column] <= day)]
