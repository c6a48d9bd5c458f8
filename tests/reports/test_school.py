"""A school's page composed on the small test LA without the web app (:mod:`tests.cities`)."""

from __future__ import annotations

import pytest

from attendwise.core.calendar import Period, parse_period
from attendwise.documents.tables import Cell
from attendwise.reports.school import SchoolInfo, school_page
from tests.cities import A, B, C
from tests.reports.store_figures import StoreFigures


@pytest.fixture
def year(figures: StoreFigures) -> Period:
    store = figures.store()
    return parse_period("2024/25", half_term_starts=store.half_term_starts(), latest_mark=store.latest_mark())


def info(figures: StoreFigures, urn: int) -> SchoolInfo:
    school = figures.store().school(urn)
    assert school is not None
    return SchoolInfo(school.urn, school.name, school.phase, school.la_code)


def page_of(figures: StoreFigures, year: Period, urn: int = A, *, pupils: bool = True):
    return school_page(
        figures,
        info(figures, urn),
        year,
        suppress=False,
        outside_team=False,
        threshold=5,
        pupils=pupils,
        pupil_link=lambda e: f"/pupils/{e}/",
    )


def test_beside_its_phase_in_the_la_and_england(figures: StoreFigures, year: Period) -> None:
    """Alder: 7 pupils, 26 of 210 sessions missed (12.4%); the LA's primaries 32 of 300 (10.7%)."""
    page = page_of(figures, year)
    assert [r[0] for r in page.measures.rows] == [
        "Alder Primary School",
        "Testshire state-funded primary schools",
        "England state-funded primary 2024/25",
    ]
    assert page.measures.rows[0][1] == 7
    assert page.headlines[0].value == "12.4%"
    assert page.headlines[0].comparisons[0].endswith("than England state-funded primary 2024/25 (5.2%)")
    series = [c.heading for c in page.trend.table.columns[1:]]
    assert series == [
        "Alder Primary School 2024/25: overall absence %",
        "Local authority 2024/25: overall absence %",
    ], "the school against the LA"


def test_cohorts_bands_and_similar_schools(figures: StoreFigures, year: Period) -> None:
    page = page_of(figures, year)
    assert [t.caption for t in page.cohorts] == ["By free school meals", "By SEN provision", "By sex", "By year group"]
    fsm = {r[0]: r[1] for r in page.cohorts[0].rows}
    assert fsm == {"FSM eligible": 2, "FSM not eligible": 5}
    assert sum(r[1] for r in page.bands.table.rows) == 7
    similar = [r[0] for r in page.similar.table.rows]
    assert similar == ["Alder Primary School (this school)", "Birch Primary School"], "the other primary only"


def test_pupils_listed_only_when_asked(figures: StoreFigures, year: Period) -> None:
    """a_severe (33% attendance) before a_pa (80%), named and linked; the early-warning list is empty."""
    page = page_of(figures, year)
    assert page.pupils is not None and page.pupils_count == 2
    first = page.pupils.rows[0][0]
    assert isinstance(first, Cell) and first.value == "A Severe Testchild" and first.href.startswith("/pupils/")
    assert page.at_risk is not None and page.at_risk.count == 0
    hidden = page_of(figures, year, pupils=False)
    assert (hidden.pupils, hidden.pupils_count, hidden.at_risk) == (None, 0, None)
    assert hidden.headlines == page.headlines


@pytest.mark.parametrize("urn", [B, C])
def test_every_school_composes(figures: StoreFigures, year: Period, urn: int) -> None:
    page = page_of(figures, year, urn)
    assert page.school.urn == urn
    assert page.similar.table.rows, "a school with counted pupils is among its similar schools"
