"""The register store on DuckDB: one embedded file holding schools, pupils, enrolments and marks.

This is the only module that opens a database engine (with :mod:`attendwise.ingest`'s staging SQL, which
runs on the connection it is handed). Everything above it (measures, analysis, reports, the CLI, the web)
reads through :class:`Store`'s methods or Ibis expressions over the tables of
:mod:`attendwise.store.schema`, so the same definitions run on another Ibis backend (Spark, for national
scale) through a store with the same methods. See ``docs/design.md`` for why the layout is what it is.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

import duckdb
import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow.types as pat
from ibis.backends.duckdb import Backend as IbisDuckDB
from ibis.backends.duckdb.converter import DuckDBPandasData

from attendwise.core.calendar import easter_sunday, spring_bank_holiday
from attendwise.core.codes import ABSENCE_REASONS, code_set_sql, lookup_rows
from attendwise.core.errors import AttendwiseError
from attendwise.store.blocks import BlockGrain, is_block_boundary, is_census_boundary
from attendwise.store.questions import StoreQuestions
from attendwise.store.schema import BLOCK_COUNTS, BLOCKS_VERSION, SCHEMA, SCHEMA_VERSION

__all__ = [
    "DEFAULT_STORE",
    "ImportLogEntry",
    "Store",
    "StoreError",
    "StoreSummary",
    "default_store_path",
    "memory_size",
]

#: A memory size DuckDB understands: a number and a unit.
_MEMORY = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)

#: Compiled SQL kept by :meth:`Store.run`, per engine and key, most recently used last.
_COMPILED: OrderedDict[tuple[str, Hashable], tuple[str, ibis.Schema]] = OrderedDict()
_COMPILED_MAX = 256


#: One lock per store file, for the writers among this process's connections to it (:meth:`Store.writing`).
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_LOCK = threading.Lock()

#: How a store's file name ends (DuckDB's own), and the default store as the docs and ``--help`` name it.
STORE_SUFFIX = ".duckdb"
DEFAULT_STORE_SHOWN = f"~/.local/share/attendwise/attendwise{STORE_SUFFIX}"


def default_store_path() -> Path:
    """``$ATTENDWISE_STORE``, else ``attendwise.duckdb`` under the user's data folder."""
    if env := os.environ.get("ATTENDWISE_STORE"):
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "attendwise" / f"attendwise{STORE_SUFFIX}"


def store_files(path: Path) -> tuple[Path, ...]:
    """The files a store at ``path`` keeps: the store and its write-ahead log (to remove a store whole)."""
    return (path, path.with_suffix(path.suffix + ".wal"))


DEFAULT_STORE = default_store_path


class StoreError(AttendwiseError):
    """A store that cannot be opened as asked."""


def memory_size(text: str) -> str:
    """``text`` as a memory size DuckDB understands (``"2GB"``, ``"512 MB"``), or ``""`` for none."""
    text = text.strip()
    if text and not _MEMORY.fullmatch(text):
        raise StoreError(f"memory limit {text!r} is not a size such as 2GB or 512MB")
    return text


@dataclass(frozen=True)
class ImportLogEntry:
    """One import, as the store's import log keeps it: who, when, how, from what, and what changed."""

    import_id: int
    #: When (set by the store as the row is written).
    imported_at: dt.datetime | None
    #: What was imported: the CLI's folder, or ``upload`` (never a server's temporary folder).
    source: str
    files: str
    marks_read: int
    marks_added: int
    marks_changed: int
    marks_unchanged: int
    marks_blank: int
    pupils_added: int
    enrolments_added: int
    enrolments_changed: int
    #: The person (a web user name, or the account that ran the CLI); ``None`` before the log named them.
    imported_by: str | None
    #: ``web`` or ``cli``.
    via: str | None
    #: The URNs of the schools whose data the import touched.
    schools_touched: tuple[int, ...]
    #: What it changed, one sentence a line (:meth:`attendwise.ingest.ImportResult.changes`).
    changes: tuple[str, ...]


@dataclass(frozen=True)
class StoreSummary:
    schools: int
    pupils: int
    enrolments: int
    marks: int
    imports: int
    first_mark: dt.date | None
    latest_mark: dt.date | None


class Store(StoreQuestions):
    """An open register store.

    Args:
        path: the DuckDB file; created with its folder if missing.  ``":memory:"`` for a
            throwaway store.
        read_only: open without write access (several readers may share a file).
        memory_limit: the most memory DuckDB may hold before it spills to disk beside the store
            (``"2GB"``, say; default ``$ATTENDWISE_MEMORY_LIMIT``, else DuckDB's own, 80% of RAM).
            Importing the demo city's year peaks at about 6.6 GB unlimited and 2.5 GB under
            ``"2GB"``, for a few seconds more (``benchmarks/bench_core.py --memory-limit``).
    """

    def __init__(self, path: Path | str, *, read_only: bool = False, memory_limit: str | None = None) -> None:
        self.path = Path(path) if path != ":memory:" else None
        if self.path is not None and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        limit = memory_size(memory_limit or os.environ.get("ATTENDWISE_MEMORY_LIMIT") or "")
        try:
            self._con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            holder = re.search(r"PID (\d+)", str(exc))
            raise StoreError(
                f"the store {path} is in use by another attendwise process"
                + (f" (PID {holder[1]})" if holder else "")
                + ": only one process may write to it at a time. Wait for that import to finish, or, while "
                "the web app serves it, import through its upload page."
            ) from None
        if limit:
            self._con.execute(f"SET memory_limit = '{limit}'")
        if not read_only:
            self._con.execute(SCHEMA)
            self._con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                [str(SCHEMA_VERSION)],
            )
            if not self.blocks_ready and self._value("SELECT count(*) > 0 FROM marks"):
                with self.transaction():
                    self.refresh_blocks()
        self._ibis: IbisDuckDB | None = None
        self._temporaries = 0

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time among this process's connections to the store, for the whole of a change
        that reads the store before it writes (an import checks and numbers its rows against what is
        stored, then writes them in one transaction).

        DuckDB's file lock keeps every other process out, but the connections of one process (a web
        server's threads) may all write: two imports at once took one import id (the second failed on
        the key), and each numbered its new enrolments from the same largest stored id.
        """
        key = str(self.path.resolve()) if self.path is not None else f":memory:{id(self)}"
        with _WRITERS_LOCK:
            lock = _WRITERS.setdefault(key, threading.RLock())
        with lock:
            yield

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: everything written inside is committed together or not at all."""
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    # -- reading -----------------------------------------------------------------------------
    @property
    def ibis(self) -> IbisDuckDB:
        """An Ibis backend over this store's connection (measures are written against it)."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self._con)
        return self._ibis

    def table(self, name: str) -> ibis.Table:
        return self.ibis.table(name)

    @contextmanager
    def materialised(self, expr: ibis.Table) -> Iterator[ibis.Table]:
        """Compute ``expr`` once into a temporary table for several queries, dropped afterwards.

        (Ibis's ``Table.cache()`` drops its table from a garbage-collection finaliser; this keeps the
        lifetime explicit and visible where the table is used.)
        """
        self._temporaries += 1
        name = f"_materialised_{self._temporaries}"
        table = self.ibis.create_table(name, expr, temp=True)
        try:
            yield table
        finally:
            self._con.execute(f"DROP TABLE IF EXISTS {name}")

    def run(self, key: Hashable | None, build: Callable[[], ir.Table]) -> pd.DataFrame:
        """Run the Ibis expression ``build()`` on this store and return its rows.

        With a ``key``, the SQL Ibis compiles is kept (for this engine, in this process), and the next
        call with an equal key runs it without building or compiling the expression again: Ibis takes
        0.05-0.2 s to build and compile a measure expression, longer than DuckDB takes to run one over a
        year of a city's registers. The key must determine the expression entirely (everything it was
        built from). The SQL names tables, not stores, so it serves any store with this schema. An
        expression holding an in-memory table is never kept, as that table lives only with the
        expression.
        """
        if key is None:
            return build().to_pandas()
        engine = self.ibis.name
        kept = _COMPILED.get((engine, key))
        if kept is None:
            expr = build()
            if expr.op().find(ops.InMemoryTable):
                return expr.to_pandas()
            kept = (self.ibis.compile(expr), expr.schema())
            _COMPILED[(engine, key)] = kept
            while len(_COMPILED) > _COMPILED_MAX:
                _COMPILED.popitem(last=False)
        else:
            _COMPILED.move_to_end((engine, key))
        sql, schema = kept
        # Run the SQL as it stands (Backend.sql would parse it again, which takes longer than compiling),
        # and convert the result to pandas exactly as Ibis's DuckDB backend does.
        table = self._con.sql(sql).to_arrow_table()
        frame = pd.DataFrame(
            {
                name: col.to_pylist()
                if pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count
                else col.to_pandas()
                for name, col in zip(table.column_names, table.columns, strict=True)
            }
        )
        return DuckDBPandasData.convert_table(frame, schema)

    def duckdb_connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection itself, for the importer's staging SQL (:mod:`attendwise.ingest`) and for tests
        that look inside the store; nothing else reads through it (``tests/store/test_one_door.py`` checks)."""
        return self._con

    def summary(self) -> StoreSummary:
        counts = {
            t: self._value(f"SELECT count(*) FROM {t}") for t in ("schools", "pupils", "enrolments", "marks", "imports")
        }
        first, latest = self.mark_range()
        return StoreSummary(**counts, first_mark=first, latest_mark=latest)

    # -- session blocks ------------------------------------------------------------------------
    @property
    def blocks_ready(self) -> bool:
        """Whether ``session_blocks`` is built and current (else measures read the marks)."""
        try:
            return self._value("SELECT value FROM meta WHERE key = 'session_blocks'") == BLOCKS_VERSION
        except duckdb.CatalogException:
            return False

    def blocks_cover(self, start: dt.date, end: dt.date, grain: BlockGrain = "week") -> bool:
        """Whether a period is an exact union of blocks of ``grain`` (so measures may read them).

        ``"week"``: the session blocks (any range from a Monday or a census term start, to a Sunday, a
        term end or the latest mark). ``"census"``: the census blocks (a year, a census term, the halves
        of summer, or any of these to the latest mark, such as the year to date). ``"year"``: the year
        blocks (one academic year, whole or to the latest mark).
        """
        if not self.blocks_ready:
            return False
        after = end + dt.timedelta(days=1)
        if grain == "year":
            year_end = dt.date(start.year + 1, 7, 31)
            if (start.month, start.day) != (8, 1) or end > year_end:
                return False
            if end == year_end:
                return True
        else:
            boundary = is_census_boundary if grain == "census" else is_block_boundary
            if not boundary(start):
                return False
            if boundary(after):
                return True
        latest = self.latest_mark()
        return latest is not None and end >= latest

    @contextmanager
    def code_meanings(self) -> Iterator[str]:
        """The code sets (:func:`attendwise.core.codes.lookup_rows`) as a table this connection's SQL can
        join, named by what this yields; join it on ``code`` and ``code_set`` = ``code_set_sql(date)``."""
        self._con.register("_code_meanings", pd.DataFrame(lookup_rows()))
        try:
            yield "_code_meanings"
        finally:
            self._con.unregister("_code_meanings")

    def refresh_blocks(self, enrolments_sql: str | None = None) -> None:
        """(Re)build the session blocks: each enrolment's sessions by category and DfE reason, per
        Monday-to-Sunday week cut at census term starts (1 Aug, 1 Jan, Easter Monday).

        Measures over any year, census term or Monday-aligned half term read these ~10x fewer rows
        instead of the marks. The census blocks (``census_blocks``) add the session blocks up again by
        census block (autumn, spring, the two halves of summer): four rows per enrolment a year, so a
        year or term reads about as many rows as there are enrolments. The year blocks (``year_blocks``)
        add them up again by academic year, with the second half of summer also on its own: one row
        per enrolment a year, so a year's measures are a filter and a join, with no grouping.

        Call inside the transaction that changed the marks; ``enrolments_sql`` is a query giving the
        ``enrolment_id`` of every enrolment whose marks changed (None for all).
        """
        years = range(1990, 2101)
        self._con.register(
            "_block_easter",
            pd.DataFrame(
                {
                    "year": list(years),
                    "easter_monday": [easter_sunday(y) + dt.timedelta(days=1) for y in years],
                    "bank_holiday": [spring_bank_holiday(y) for y in years],
                }
            ),
        )
        where = f"WHERE m.enrolment_id IN ({enrolments_sql})" if enrolments_sql else ""
        for table in ("session_blocks", "census_blocks", "year_blocks"):
            if enrolments_sql:
                self._con.execute(f"DELETE FROM {table} WHERE enrolment_id IN ({enrolments_sql})")
            else:
                self._con.execute(f"DELETE FROM {table}")
        counts = ", ".join(
            [f"sum({c})::INTEGER" for c in ("is_possible", "is_present", "is_aea", "is_authorised", "is_unauthorised")]
            + [f"sum(coalesce(reason = '{r}', false)::INTEGER)::INTEGER" for r in ABSENCE_REASONS]
        )
        with self.code_meanings() as codes:
            self._con.execute(f"""
                INSERT INTO session_blocks
                WITH m AS (
                    SELECT m.enrolment_id, m.date, e.easter_monday,
                           m.date - (isodow(m.date) - 1)::INTEGER AS monday,
                           CASE WHEN month(m.date) >= 8 THEN make_date(year(m.date), 8, 1)
                                WHEN m.date >= e.easter_monday THEN e.easter_monday
                                ELSE make_date(year(m.date), 1, 1) END AS term_start,
                           CASE WHEN month(m.date) >= 8 THEN make_date(year(m.date), 12, 31)
                                WHEN m.date >= e.easter_monday THEN make_date(year(m.date), 7, 31)
                                ELSE e.easter_monday - 1 END AS term_end,
                           c.*
                    FROM marks m
                    JOIN _block_easter e ON e.year = year(m.date)
                    JOIN {codes} c ON c.code = m.code
                     AND c.code_set = {code_set_sql("m.date")}
                    {where})
                SELECT enrolment_id, greatest(monday, term_start) AS block_start,
                       least(monday + 6, term_end) AS block_end,
                       {counts}
                FROM m GROUP BY ALL""")
        # Every session block lies inside one census block: blocks are cut at 1 August, 1 January and
        # Easter Monday, and the spring bank holiday is a Monday.
        sums = ", ".join(f"sum({c})::INTEGER" for c in BLOCK_COUNTS)
        where = f"WHERE b.enrolment_id IN ({enrolments_sql})" if enrolments_sql else ""
        self._con.execute(f"""
            INSERT INTO census_blocks
            WITH b AS (
                SELECT b.*,
                       CASE WHEN month(b.block_start) >= 8 THEN make_date(year(b.block_start), 8, 1)
                            WHEN b.block_start >= e.bank_holiday THEN e.bank_holiday
                            WHEN b.block_start >= e.easter_monday THEN e.easter_monday
                            ELSE make_date(year(b.block_start), 1, 1) END AS census_start,
                       CASE WHEN month(b.block_start) >= 8 THEN make_date(year(b.block_start), 12, 31)
                            WHEN b.block_start >= e.bank_holiday THEN make_date(year(b.block_start), 7, 31)
                            WHEN b.block_start >= e.easter_monday THEN e.bank_holiday - 1
                            ELSE e.easter_monday - 1 END AS census_end
                FROM session_blocks b
                JOIN _block_easter e ON e.year = year(b.block_start)
                {where})
            SELECT enrolment_id, census_start, census_end, {sums}
            FROM b GROUP BY enrolment_id, census_start, census_end""")
        # One row per enrolment per academic year, and the second half of summer on its own (the DfE
        # removes it for 15-year-olds), so a year's measures need no grouping of blocks at all.
        summer2 = ", ".join(
            f"coalesce(sum({c}) FILTER (WHERE b.block_start = e.bank_holiday), 0)::INTEGER" for c in BLOCK_COUNTS
        )
        self._con.execute(f"""
            INSERT INTO year_blocks
            SELECT enrolment_id,
                   make_date(year(b.block_start) - (month(b.block_start) < 8)::INTEGER, 8, 1) AS year_start,
                   make_date(year(b.block_start) + (month(b.block_start) >= 8)::INTEGER, 7, 31) AS year_end,
                   {sums}, {summer2}
            FROM census_blocks b
            JOIN _block_easter e ON e.year = year(b.block_start)
            {where}
            GROUP BY enrolment_id, year_start, year_end""")
        self._con.unregister("_block_easter")
        self._con.execute(
            "INSERT INTO meta VALUES ('session_blocks', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [BLOCKS_VERSION],
        )

    def next_import_id(self) -> int:
        return int(self._value("SELECT coalesce(max(import_id), 0) + 1 FROM imports"))

    def latest_import_id(self) -> int:
        """The latest import's id (0 for none): the store's data version."""
        return int(self._value("SELECT coalesce(max(import_id), 0) FROM imports"))

    def record_import(self, entry: ImportLogEntry) -> None:
        """Write one import's row of the import log (inside the import's transaction)."""
        columns = [f.name for f in fields(ImportLogEntry) if f.name != "imported_at"]
        values = [getattr(entry, c) for c in columns]
        values[columns.index("schools_touched")] = ",".join(map(str, entry.schools_touched))
        values[columns.index("changes")] = "\n".join(entry.changes)
        self._con.execute(
            f"INSERT INTO imports (imported_at, {', '.join(columns)}) VALUES (now(), {', '.join('?' * len(columns))})",
            values,
        )

    def import_log(self, *, limit: int = 50, only_schools: frozenset[int] | None = None) -> list[ImportLogEntry]:
        """The latest imports, newest first; with ``only_schools``, only those that touched no other school
        (a school's own import history)."""
        columns = [f.name for f in fields(ImportLogEntry)]
        rows = self._con.execute(
            f"SELECT {', '.join(columns)} FROM imports ORDER BY import_id DESC"
            + ("" if only_schools is not None else f" LIMIT {int(limit)}")
        ).fetchall()
        out = []
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            record["schools_touched"] = tuple(int(u) for u in (record["schools_touched"] or "").split(",") if u)
            record["changes"] = tuple((record["changes"] or "").splitlines())
            entry = ImportLogEntry(**record)
            if only_schools is not None and not (entry.schools_touched and set(entry.schools_touched) <= only_schools):
                continue
            out.append(entry)
            if len(out) >= limit:
                break
        return out
