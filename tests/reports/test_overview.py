"""The LA overview composed on the small test LA without the web app (:mod:`tests.cities`): every figure
from the source's measures, laid out as documents tables and charts."""

from __future__ import annotations

import pytest

from attendwise.core.calendar import Period, parse_period
from attendwise.documents.tables import Cell
from attendwise.reports.overview import la_name, la_overview
from tests.cities import A, B, C
from tests.reports.store_figures import StoreFigures


@pytest.fixture
def year(figures: StoreFigures) -> Period:
    store = figures.store()
    return parse_period("2024/25", half_term_starts=store.half_term_starts(), latest_mark=store.latest_mark())


def test_headlines_against_england(figures: StoreFigures, year: Period) -> None:
    """15 pupils missed 40 of 450 sessions (8.9%); 3 of them are persistently absent
    (a_severe, a_pa and c_cin: 20%) and one severely (6.7%). The store holds one year: no last year."""
    page = la_overview(figures, year, suppress=False, threshold=5, school_link=lambda urn: None)
    assert page.la_name == "Testshire" == la_name(figures)
    assert page.previous is None
    cards = {h.label.split(" (")[0]: h for h in page.headlines}
    assert cards["Overall absence"].value == "8.9%"
    assert cards["Overall absence"].comparisons == ("2.0 points higher than England 2024/25 (6.9%)",)
    assert cards["Persistent absence"].value == "20.0%"
    assert cards["Severe absence"].value == "6.7%"
    assert cards["Enrolments counted"].value == "15"
    areas = [(r[0], r[1]) for r in page.headline_table.rows]
    assert areas[:2] == [("Testshire", "Total"), ("England 2024/25", "Total")], "the LA above England"
    assert ("Testshire", "State-funded secondary") in areas


def test_schools_ranked_and_linked(figures: StoreFigures, year: Period) -> None:
    """Alder (one severely absent pupil of 7) first; Cedar (one persistently absent of 5) before Birch (none)."""
    page = la_overview(figures, year, suppress=False, threshold=5, school_link=lambda urn: f"/schools/{urn}/", top=2)
    names = [r[0] for r in page.schools.rows]
    assert names == [Cell("Alder Primary School", href=f"/schools/{A}/"), Cell("Cedar Academy", href=f"/schools/{C}/")]
    assert (page.schools_shown, page.schools_total) == (2, 3)
    assert "(2 of 3)" in page.schools.caption
    assert f"/schools/{B}/" not in str(page.schools.rows)


def test_trend_bands_reasons_and_groups(figures: StoreFigures, year: Period) -> None:
    page = la_overview(figures, year, suppress=False, threshold=5, school_link=lambda urn: None)
    assert [r[0] for r in page.trend.table.rows] == ["Sep"], "the marks are all in September"
    assert page.trend.spec is not None
    pupils = [r[1] for r in page.bands.table.rows]
    assert sum(pupils) == 15 and pupils[0] == 9, "nine pupils at 95% or more"
    reasons = {(r[0], r[1]): r[2] for r in page.reasons.rows}
    assert reasons[("Unauthorised", "Other unauthorised absence")] == 20, "a_severe's 20 sessions of O"
    assert reasons[("Authorised", "Illness (not medical or dental appointments)")] == 12
    assert page.groups.flagged == 0 and page.groups.tested > 0, "15 pupils: too few behind any group"
    assert page.heading_into_pa == "0"


def test_unsuppressed_asks_for_no_suppressed_table(figures: StoreFigures, year: Period) -> None:
    """:class:`StoreFigures` fails on a suppressed table: the overview for LA staff never asks for one, and
    it keeps only what is worth keeping (the period's rows, the LA's name, the tests and the scores)."""
    la_overview(figures, year, suppress=False, threshold=5, school_link=lambda urn: None)
    assert {k[0] for k in figures.kept} == {"rows", "la_name", "disproportionality", "early-warning"}
