"""The small test LA (:mod:`tests.cities`) in a store file, built once for the reports' tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from attendwise.ingest import import_folder
from attendwise.store import Store
from tests.cities import build_register
from tests.reports.store_figures import StoreFigures


@pytest.fixture(scope="package")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The store file and each pupil's UPN by label."""
    folder = tmp_path_factory.mktemp("small-city")
    reg, people = build_register()
    path = folder / "city.duckdb"
    with Store(path) as store:
        import_folder(store, reg.write(folder / "registers"))
    return path, {label: upn for label, (upn, _) in people.items()}


@pytest.fixture
def figures(small_city: tuple[Path, dict[str, str]]) -> Iterator[StoreFigures]:
    with Store(small_city[0], read_only=True) as store:
        yield StoreFigures(store)
