"""The store layer: the only code that talks to a database engine.

It holds the registers (schools, pupils, enrolments, marks and their history, the calendar, published
figures) and the block tables that summarise the marks, and answers every question the layers above ask
of them, either through a method of :class:`Store` or by handing out Ibis tables to build expressions on.
Today's store is an embedded DuckDB file (:mod:`~attendwise.store.duckdb_store`); a store on another engine
(Spark, for national scale) is a class with the same methods over the same tables
(:mod:`~attendwise.store.schema`). This layer may import only :mod:`attendwise.core`.
"""

from __future__ import annotations

from attendwise.store.blocks import BlockGrain, is_block_boundary, is_census_boundary
from attendwise.store.duckdb_store import (
    DEFAULT_STORE,
    DEFAULT_STORE_SHOWN,
    STORE_SUFFIX,
    ImportLogEntry,
    Store,
    StoreError,
    StoreSummary,
    default_store_path,
    memory_size,
    store_files,
)
from attendwise.store.schema import BLOCK_COUNTS, BLOCKS_VERSION, SCHEMA_VERSION, SUMMER2_COUNTS

__all__ = [
    "BLOCKS_VERSION",
    "BLOCK_COUNTS",
    "DEFAULT_STORE",
    "DEFAULT_STORE_SHOWN",
    "SCHEMA_VERSION",
    "STORE_SUFFIX",
    "SUMMER2_COUNTS",
    "BlockGrain",
    "ImportLogEntry",
    "Store",
    "StoreError",
    "StoreSummary",
    "default_store_path",
    "is_block_boundary",
    "is_census_boundary",
    "memory_size",
    "store_files",
]
