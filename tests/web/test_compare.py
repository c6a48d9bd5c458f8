"""Comparing fairly: this year so far beside the same point last year, periods by the dates they cover,
and England's severe absence where the DfE publishes it."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.core.calendar import parse_period
from attendwise.reports.common import england_figures, england_note, previous_period
from tests.web.conftest import ASH


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_a_year_still_running_is_compared_with_the_same_point_last_year(settings, trust_city) -> None:
    from attendwise.web.services import data

    settings.ATTENDWISE_STORE = trust_city.path
    data.reset_access()
    try:
        store = data.get_access().store()
        _, latest = store.mark_range()
        year = parse_period("2024/25")
        earlier = previous_period(store, year)
        assert (earlier.start, earlier.end) == (dt.date(2023, 8, 1), latest.replace(year=latest.year - 1))
        assert earlier.label == f"2023/24 to {earlier.end:%d %b}"
        ytd = previous_period(store, parse_period("2024/25-ytd", latest_mark=latest))
        assert (ytd.start, ytd.end) == (earlier.start, earlier.end)
        autumn = previous_period(store, parse_period("2024/25-autumn"))
        assert autumn.end == earlier.end and autumn.label.startswith("2023/24 autumn term to ")
        whole = previous_period(store, parse_period("2023/24"))  # a year that is over: the whole year before
        assert whole is None or whole.label == "2022/23"
    finally:
        data.reset_access()


def test_the_pages_say_what_dates_they_cover_and_compare(client_as, settings, trust_city) -> None:
    from attendwise.web.services import data

    settings.ATTENDWISE_STORE = trust_city.path
    data.reset_access()
    try:
        for page in (
            soup(client_as("officer").get(reverse("la_overview"))),
            soup(client_as.client.get(reverse("school", args=[ASH]))),
        ):
            covered = page.select_one("#period-covered").get_text(" ", strip=True)
            assert "2024/25 so far: 1 August 2024 to" in covered and "(the latest register mark)" in covered
            assert "2023/24 to " in covered
            cards = " ".join(c.get_text() for c in page.select(".aw-headline__compare"))
            assert "2023/24 to " in cards
        options = [o.get_text() for o in page.select("#period option")]
        assert any(o.startswith("2024/25 year to date (1 Aug 2024 to ") for o in options)
        assert any(o.startswith("2023/24 to the same point (1 Aug 2023 to ") for o in options)
        same_point = next(o["value"] for o in page.select("#period option") if "same point" in o.get_text())
        assert client_as.client.get(reverse("school", args=[ASH]), {"period": same_point}).status_code == 200
    finally:
        data.reset_access()


def test_england_shows_severe_absence_from_the_latest_year_the_dfe_publishes_it() -> None:
    frame = england_figures(202425)
    assert frame.enrolments_pa_50_exact_percent.notna().all()  # the daily data of 2024/25 has none
    assert set(frame.enrolments_pa_50_exact_percent_year) <= {"2023/24", "2022/23"}
    assert "severe absence" in england_note(frame) and "2024/25" in england_note(frame)
    primary = england_figures(202223)
    row = primary[primary.education_phase == "State-funded primary"].iloc[0]
    assert row.enrolments_pa_50_exact_percent_year == "2022/23" and 0 < row.enrolments_pa_50_exact_percent < 2


def test_the_school_page_notes_where_englands_severe_absence_is_from(client_as) -> None:
    from tests.cities import A

    page = soup(client_as("officer").get(reverse("school", args=[A])))
    notes = " ".join(n.get_text() for n in page.select(".aw-note"))
    assert "England's severe absence is 2023/24's" in notes
