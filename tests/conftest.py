from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from attendwise.store import Store
from tests.registers import Register


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(":memory:") as s:
        yield s


@pytest.fixture
def base() -> Register:
    """One primary school, two Year 4 pupils, one week of marks in September 2024."""
    return one_week()


def one_week() -> Register:
    """The :func:`base` register, for tests that need a fresh one inside a hypothesis example."""
    reg = Register()
    reg.school(100001)
    a = reg.pupil(fsm="Y")
    b = reg.pupil(sen="K", ethnicity="APKN", sex="M")
    reg.sessions(a, "//////II//", dt.date(2024, 9, 2))
    reg.sessions(b, "////////GG", dt.date(2024, 9, 2))
    return reg


def value(store: Store, sql: str, params: list[object] | None = None) -> object:
    """The one value a query over the store returns (tests look inside the store through its connection)."""
    rows = store.duckdb_connection().execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Everything the store holds, to compare before and after a refused import."""
    return {
        t: sorted(store.duckdb_connection().execute(f"SELECT * EXCLUDE (import_id) FROM {t}").fetchall(), key=repr)
        if t not in ("imports", "terms", "closures", "mark_history", "contact_history", "pupil_contact_history",
                     "cohort_member_history")
        else sorted(store.duckdb_connection().execute(f"SELECT * FROM {t}").fetchall(), key=repr)
        for t in (
            "schools", "pupils", "enrolments", "marks", "mark_history", "imports", "terms", "closures",
            "contacts", "pupil_contacts", "contact_history", "pupil_contact_history", "cohort_members",
            "cohort_member_history",
        )
    }  # fmt: skip


@pytest.fixture
def write(tmp_path: Path):
    counter = iter(range(1000))

    def _write(reg: Register) -> Path:
        return reg.write(tmp_path / f"import{next(counter)}")

    return _write
