"""The register store: one embedded DuckDB file holding schools, pupils, enrolments and marks.

This is the only module that opens a database engine.  Everything above it (measures, bands,
analysis, the CLI) works with Ibis expressions over the tables named here, so the same
definitions can run on another Ibis backend (Spark, for national scale) by swapping the
connection.  See ``docs/design.md`` for why the layout is what it is.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
from ibis.backends.duckdb import Backend as IbisDuckDB

__all__ = ["DEFAULT_STORE", "Store", "StoreSummary", "default_store_path"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY,
    imported_at TIMESTAMP NOT NULL,
    source VARCHAR NOT NULL,
    files VARCHAR NOT NULL,
    marks_read BIGINT NOT NULL,
    marks_added BIGINT NOT NULL,
    marks_changed BIGINT NOT NULL,
    marks_unchanged BIGINT NOT NULL,
    marks_blank BIGINT NOT NULL,
    pupils_added BIGINT NOT NULL,
    enrolments_added BIGINT NOT NULL,
    enrolments_changed BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS schools (
    urn INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    phase VARCHAR NOT NULL,
    la_code VARCHAR NOT NULL,
    la_name VARCHAR,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pupils (
    upn VARCHAR PRIMARY KEY,
    forename VARCHAR,
    surname VARCHAR,
    date_of_birth DATE NOT NULL,
    sex VARCHAR NOT NULL,
    ethnicity VARCHAR NOT NULL,
    first_language VARCHAR,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS enrolments (
    enrolment_id INTEGER PRIMARY KEY,
    upn VARCHAR NOT NULL,
    urn INTEGER NOT NULL,
    admission_date DATE NOT NULL,
    leaving_date DATE,
    nc_year VARCHAR NOT NULL,
    fsm BOOLEAN NOT NULL,
    sen VARCHAR NOT NULL,
    sen_primary_need VARCHAR,
    cla BOOLEAN NOT NULL,
    cin BOOLEAN NOT NULL,
    cpp BOOLEAN NOT NULL,
    boarder BOOLEAN NOT NULL,
    import_id INTEGER NOT NULL,
    UNIQUE (upn, urn, admission_date)
);
CREATE TABLE IF NOT EXISTS marks (
    enrolment_id INTEGER NOT NULL,
    date DATE NOT NULL,
    session VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    import_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mark_history (
    enrolment_id INTEGER NOT NULL,
    date DATE NOT NULL,
    session VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    import_id INTEGER NOT NULL,
    superseded_by INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS terms (
    academic_year INTEGER NOT NULL,
    term VARCHAR NOT NULL,
    half_term INTEGER NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    PRIMARY KEY (academic_year, term, half_term)
);
CREATE TABLE IF NOT EXISTS reference_figures (
    time_period INTEGER NOT NULL,
    time_identifier VARCHAR NOT NULL,
    geographic_level VARCHAR NOT NULL,
    old_la_code VARCHAR,
    la_name VARCHAR,
    region_name VARCHAR,
    education_phase VARCHAR NOT NULL,
    enrolments DOUBLE,
    sess_possible DOUBLE,
    sess_overall DOUBLE,
    sess_overall_percent DOUBLE,
    sess_authorised_percent DOUBLE,
    sess_unauthorised_percent DOUBLE,
    enrolments_pa_10_exact_percent DOUBLE,
    enrolments_pa_50_exact_percent DOUBLE,
    source VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS statistical_neighbours (
    la_code VARCHAR NOT NULL,
    neighbour_code VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    closeness VARCHAR,
    PRIMARY KEY (la_code, neighbour_code)
);
CREATE TABLE IF NOT EXISTS closures (
    urn INTEGER,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    session VARCHAR,
    reason VARCHAR
);
"""


def default_store_path() -> Path:
    """``$ATTENDWISE_STORE``, else ``attendwise.duckdb`` under the user's data folder."""
    if env := os.environ.get("ATTENDWISE_STORE"):
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "attendwise" / "attendwise.duckdb"


DEFAULT_STORE = default_store_path


@dataclass(frozen=True)
class StoreSummary:
    schools: int
    pupils: int
    enrolments: int
    marks: int
    imports: int
    first_mark: dt.date | None
    latest_mark: dt.date | None


class Store:
    """An open register store.

    Args:
        path: the DuckDB file; created with its folder if missing.  ``":memory:"`` for a
            throwaway store.
        read_only: open without write access (several readers may share a file).
    """

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path) if path != ":memory:" else None
        if self.path is not None and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(path), read_only=read_only)
        if not read_only:
            self.con.execute(_SCHEMA)
            self.con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [str(SCHEMA_VERSION)]
            )
        self._ibis: IbisDuckDB | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: everything written inside is committed together or not at all."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- reading -----------------------------------------------------------------------------
    @property
    def ibis(self) -> IbisDuckDB:
        """An Ibis backend over this store's connection (measures are written against it)."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def table(self, name: str) -> ibis.Table:
        return self.ibis.table(name)

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        # fetchall, not fetchone: DuckDB refuses further work on a connection with a half-read result.
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def mark_range(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and latest session dates held (None, None for an empty store)."""
        first, latest = self.con.execute("SELECT min(date), max(date) FROM marks").fetchall()[0]
        return first, latest

    def summary(self) -> StoreSummary:
        counts = {
            t: self.scalar(f"SELECT count(*) FROM {t}") for t in ("schools", "pupils", "enrolments", "marks", "imports")
        }
        first, latest = self.mark_range()
        return StoreSummary(**counts, first_mark=first, latest_mark=latest)

    def latest_mark(self) -> dt.date | None:
        return self.scalar("SELECT max(date) FROM marks")

    def half_term_starts(self) -> dict[tuple[int, str], dt.date]:
        """First day of each LA second half term, by ``(academic year start, term)``."""
        rows = self.con.execute("SELECT academic_year, term, start_date FROM terms WHERE half_term = 2").fetchall()
        return {(year, term): start for year, term, start in rows}

    def next_import_id(self) -> int:
        return int(self.scalar("SELECT coalesce(max(import_id), 0) + 1 FROM imports"))
