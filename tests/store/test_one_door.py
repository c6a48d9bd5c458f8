"""The store is the only door to the engine: nothing above it reaches a database connection or writes SQL.

import-linter (``make lint``) checks that only ``store`` and ``ingest`` import ``duckdb``; this checks what
an import contract cannot see: that nothing else calls for the store's connection.
"""

from __future__ import annotations

import re
from pathlib import Path

import attendwise

SRC = Path(attendwise.__file__).parent
#: The layers that may run SQL on the store's connection: the store itself, and the importer's staging.
MAY_RUN_SQL = ("store", "ingest")
REACHES_ENGINE = re.compile(r"\.duckdb_connection\(|\.con\b|\._con\b|\bimport duckdb\b|\bfrom duckdb\b")


def test_only_the_store_and_the_importer_reach_the_engine() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] not in MAY_RUN_SQL
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if REACHES_ENGINE.search(line)
    ]
    assert offenders == []


def test_the_check_sees_a_reach_through_the_door() -> None:
    assert REACHES_ENGINE.search("rows = store.duckdb_connection().execute('SELECT 1')")
    assert REACHES_ENGINE.search("store.con.execute('SELECT 1')")
    assert not REACHES_ENGINE.search("store.school(urn)")
