"""Charts where people look, and pages that answer at once: the same figures either way."""

from __future__ import annotations

import json

from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.measures.pupils import pupil_record
from tests.cities import A


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def specs(page: BeautifulSoup) -> dict[str, dict]:
    return {s["id"]: json.loads(s.get_text()) for s in page.select("script[type='application/json']")}


def test_the_la_overview_charts_schools_reasons_and_groups(client_as) -> None:
    page = soup(client_as("officer").get(reverse("la_overview")))
    found = specs(page)
    assert {"schools-ranked-spec", "reasons-chart-spec", "trend-spec", "bands-spec"} <= set(found)
    for chart in page.select(".aw-chart"):
        label = chart["aria-label"]
        assert label.startswith("Chart: ") and label.endswith("The same figures are in the table below.")
    ranked = page.select_one("[data-chart='schools-ranked-spec']")["aria-label"]
    assert "Highest: " in ranked and "severely" in ranked


def test_the_groups_forest_plot_draws_risk_ratios_with_intervals(client_as, settings, trust_city) -> None:
    from attendwise.web.services import data

    settings.ATTENDWISE_STORE = trust_city.path
    data.reset_access()
    try:
        page = soup(client_as("officer").get(reverse("la_overview")))
        spec = specs(page).get("groups-forest-spec")
        if spec is not None:  # the trust city has groups flagged
            layers = spec["layer"]
            assert layers[0]["mark"]["type"] == "rule" and layers[1]["mark"]["type"] == "point"
            assert layers[0]["encoding"]["x"]["scale"]["type"] == "log"
    finally:
        data.reset_access()


def test_axes_start_at_zero_and_dates_are_a_time_axis(client_as, city) -> None:
    page = soup(client_as("officer").get(reverse("pupil", args=[city.enrolments["a_good0"]])))
    running = specs(page)["running-spec"]
    assert running["encoding"]["x"]["type"] == "temporal"
    assert running["config"]["axisQuantitative"]["format"] == "~r"
    reasons = page.select_one("[data-chart='running-spec']")["aria-label"]
    assert "Attendance so far this year after each school week" in reasons


def test_pupil_lists_show_each_pupils_last_weeks(client_as) -> None:
    page = soup(client_as("officer").get(reverse("pupils"), {"list": "absent"}))
    cells = page.select("td.aw-spark-cell")
    assert cells and all(c.select_one("svg[aria-hidden=true] polyline") for c in cells)
    assert all(" to " in c.select_one(".govuk-visually-hidden").get_text() for c in cells)


def test_the_tsm_pack_page_shows_sparklines(client_as) -> None:
    page = soup(client_as("officer").get(reverse("tsm_pack", args=[A, "2024-25-autumn"])))
    assert page.select("td.aw-spark-cell svg")


def test_a_pupil_page_read_from_every_pupils_rows_is_the_pupil_measured_alone(client_as, city) -> None:
    """The pupil page's totals, reasons and band history read from the cache are those measured alone."""
    from attendwise.web.rules import Scope
    from attendwise.web.services import figures
    from attendwise.web.services.data import get_access
    from attendwise.web.services.pupil import pupil_page

    access = get_access()
    for label in ("a_severe", "a_pa", "c_cin", "b_pupil"):
        enrolment_id = city.enrolments[label]
        alone = pupil_record(access.store(), enrolment_id, scheme=figures.band_scheme())
        enrolment = __import__("attendwise.measures.pupils", fromlist=["x"]).find_enrolment(
            access.store(), enrolment_id
        )
        page = pupil_page(access, Scope(None, None), enrolment, pupil_link=str)
        assert page.record.band_history == alone.band_history, label
        assert page.record.reasons == alone.reasons, label
        assert (page.record.sess_possible, page.record.sess_authorised) == (alone.sess_possible, alone.sess_authorised)
