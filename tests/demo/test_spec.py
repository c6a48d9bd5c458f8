"""What demo city to generate (:mod:`attendwise.demo.spec`): ``until`` is checked, and only the years
up to it are generated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attendwise.demo import CitySpec, generate_city


def test_until_in_an_earlier_year_generates_only_the_years_up_to_it(tmp_path: Path) -> None:
    until = dt.date(2023, 12, 1)
    summary = generate_city(tmp_path, CitySpec(pupils=600, schools=4, first_year=2023, years=2, seed=2, until=until))
    assert summary.academic_years == ("2023/24",)
    lines = summary.paths["marks"].read_bytes().splitlines()
    assert max(line.split(b",")[2] for line in lines[1:]) == b"2023-12-01"
    terms = summary.paths["terms"].read_text().splitlines()[1:]
    assert {t.split(",")[0] for t in terms} == {"2023/24"}


@pytest.mark.parametrize(
    ("until", "message"),
    [
        (dt.date(2023, 9, 1), "must fall within the generated years"),  # before the first school day
        (dt.date(2025, 9, 1), "must fall within the generated years"),  # after the last year
        (dt.datetime(2024, 2, 9, 12, 0), "must be a date"),
    ],
)
def test_until_is_validated(until: dt.date, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CitySpec(first_year=2023, years=2, until=until)
