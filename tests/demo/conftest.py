"""The cities the tests of :mod:`attendwise.demo` read, each generated once for the package."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from attendwise.demo import CitySpec, CitySummary, generate_city
from tests.demo.cities import UNTIL, connect


@pytest.fixture(scope="package")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CitySummary, duckdb.DuckDBPyConnection]]:
    """A small city over 2023/24 (2006 codes) and 2024/25 (2024 codes)."""
    folder = tmp_path_factory.mktemp("two_years")
    summary = generate_city(folder, CitySpec(pupils=2500, schools=10, first_year=2023, years=2, seed=11))
    con = connect(folder)
    yield summary, con
    con.close()


@pytest.fixture(scope="package")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CitySummary, duckdb.DuckDBPyConnection]]:
    folder = tmp_path_factory.mktemp("small")
    summary = generate_city(folder, CitySpec(pupils=3000, schools=12))
    con = connect(folder)
    yield summary, con
    con.close()


@pytest.fixture(scope="package")
def cut(
    tmp_path_factory: pytest.TempPathFactory, two_years: tuple[CitySummary, duckdb.DuckDBPyConnection]
) -> Iterator[tuple[CitySummary, duckdb.DuckDBPyConnection]]:
    """The ``two_years`` city as it stood at the end of ``UNTIL``."""
    folder = tmp_path_factory.mktemp("cut")
    spec = CitySpec(pupils=2500, schools=10, first_year=2023, years=2, seed=11, until=UNTIL)
    summary = generate_city(folder, spec)
    con = connect(folder)
    yield summary, con
    con.close()
