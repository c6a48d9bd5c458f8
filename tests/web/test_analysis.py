"""Disproportionality and early warning on the pages: who sees them, and that they come from the core."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from tests.cities import A

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_la_overview_has_the_groups_panel(client_as) -> None:
    """The test LA has 15 pupils: too few behind any group to flag one, and the page says why."""
    page = soup(client_as("officer").get(reverse("la_overview")))
    section = page.select_one("#groups")
    assert section is not None
    text = page.get_text(" ", strip=True)
    assert "0 of " in section.find_next("p").get_text()
    assert "at least 10 pupils and 5 absentees" in text


def test_pupil_page_shows_risk_with_reasons(client_as, city) -> None:
    """a_severe attended 10 of 30 sessions: already severely absent, said in words. The store holds one
    year, so there is no learned risk to show, and the page says how the list was made instead."""
    page = soup(client_as("officer").get(reverse("pupil", args=[city.enrolments["a_severe"]])))
    card = page.select_one("#risk").find_next("div", class_="govuk-summary-card")
    text = card.get_text(" ", strip=True)
    assert "Already severely absent: 33% attendance this year" in text
    assert "Chance of ending the year" not in text
    assert "no earlier year to learn from" in text


def test_school_page_early_warning_is_for_pupil_level_roles_only(client_as) -> None:
    officer = soup(client_as("officer").get(reverse("school", args=[A])))
    assert officer.select_one("#at-risk") is not None
    assert officer.select_one("#groups") is not None
    scrutiny = soup(client_as("scrutiny").get(reverse("school", args=[A])))
    assert scrutiny.select_one("#at-risk") is None  # names never reach a scrutiny member
    assert scrutiny.select_one("#groups") is not None  # aggregates do


def test_the_figure_cache_keeps_no_lock_for_a_computation_that_failed() -> None:
    """Period texts come from users: a refused one must leave nothing behind, and a good one is computed once."""
    from attendwise.web.services.data import Memo

    memo, calls = Memo(size=4), []

    def refuse() -> int:
        raise ValueError("not a period")

    for text in ("2024/26", "2024/27"):
        with pytest.raises(ValueError):
            memo.get(("period", text), refuse)
    assert memo._key_locks == {} and len(memo._values) == 0
    assert memo.get("k", lambda: calls.append(1) or 7) == 7 == memo.get("k", lambda: calls.append(1) or 8)
    assert calls == [1]
