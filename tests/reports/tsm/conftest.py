"""The hand-checked school's store and its autumn pack, built once for every TSM test
(:mod:`tests.reports.tsm.tsm_school`)."""

from __future__ import annotations

import datetime as dt

import pytest

from attendwise.ingest import import_folder
from attendwise.reports.tsm import PreviousAction, TSMPack, tsm_pack
from attendwise.store import Store
from tests.reports.tsm.tsm_school import DISCUSS_UNKNOWN, URN, build_school


@pytest.fixture(scope="package")
def school(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    root = tmp_path_factory.mktemp("tsm")
    reg, upns = build_school()
    path = root / "store.duckdb"
    with Store(path) as store:
        import_folder(store, reg.write(root / "csv"))
    return str(path), upns


@pytest.fixture(scope="package")
def pack(school: tuple[str, dict[str, str]]) -> TSMPack:
    """Oakfield's autumn pack as at its last mark, with the CME pupil excluded and case-store inputs."""
    path, p = school
    actions = [
        PreviousAction(p["improving"], dt.date(2024, 11, 4), "Attendance contract agreed", "School"),
        PreviousAction(p["persistent"], dt.date(2024, 11, 4), "Early Help offered", "LA"),
        PreviousAction(DISCUSS_UNKNOWN, dt.date(2024, 11, 4), "Check with previous school"),
        PreviousAction(p["regular"], dt.date(2024, 11, 18), "Praise postcard"),
    ]
    with Store(path, read_only=True) as store:
        return tsm_pack(
            store,
            URN,
            "2024/25-autumn",
            discuss=[p["regular"], DISCUSS_UNKNOWN, p["left"]],
            previous_actions=actions,
            exclude_cme={p["cme"]},
        )
