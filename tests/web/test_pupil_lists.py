"""Finding anyone: the pupil search in every page's header, and every list of pupils filtered, sorted and paged."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from attendwise.web.models import Action, AuditEvent, Outcome
from tests.cities import A, B, C


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def names(response) -> list[str]:
    return [a.get_text() for a in soup(response).select("#main-content table tbody th a")]


class TestTheSearch:
    def test_every_page_has_the_search_for_a_role_that_sees_pupils(self, client_as) -> None:
        page = soup(client_as("officer").get(reverse("la_overview")))
        search = page.select_one("header form[role=search]")
        assert search["action"] == reverse("pupils") and search.select_one("input[name=q]")
        assert not soup(client_as("scrutiny").get(reverse("la_overview"))).select("header form[role=search]")

    def test_an_officer_finds_a_pupil_by_name_or_upn(self, client_as, city) -> None:
        c = client_as("officer")
        assert names(c.get(reverse("pupils"), {"q": "a pa testchild"})) == ["A Pa Testchild"]
        assert names(c.get(reverse("pupils"), {"q": city.pupils["c_cin"].lower()})) == ["C Cin Testchild"]
        found = soup(c.get(reverse("pupils"), {"q": "testchild"}))
        assert "of <strong>15</strong>" in str(found.select_one("#count"))

    def test_a_school_finds_only_its_own_pupils(self, client_as, city) -> None:
        c = client_as("school_b")
        assert names(c.get(reverse("pupils"), {"q": "a pa"})) == []
        assert names(c.get(reverse("pupils"), {"q": city.pupils["a_pa"]})) == []
        assert set(names(c.get(reverse("pupils"), {"q": "testchild"}))) == {
            "B Pupil Testchild",
            "B Pupil1 Testchild",
            "B Pupil2 Testchild",
        }

    def test_the_virtual_school_finds_only_its_children(self, client_as) -> None:
        c = client_as("virtual_school")
        assert set(names(c.get(reverse("pupils"), {"q": "testchild"}))) == {"A Severe Testchild", "C Cin Testchild"}
        assert names(c.get(reverse("pupils"), {"q": "a pa"})) == []

    def test_every_list_shown_is_audited_without_the_words_searched(self, client_as) -> None:
        client_as("officer").get(reverse("pupils"), {"q": "severe testchild"})
        event = AuditEvent.objects.get(action=Action.VIEW_PUPIL_LIST, outcome=Outcome.SHOWN)
        assert event.pupils == 1 and "searched by name or UPN" in event.detail and "severe" not in event.detail
        client_as.client.logout()
        client_as("scrutiny").get(reverse("pupils"))
        assert AuditEvent.objects.filter(action=Action.VIEW_PUPIL_LIST, outcome=Outcome.FORBIDDEN).count() == 1


class TestTheLists:
    def test_filters_narrow_the_list(self, client_as) -> None:
        c = client_as("officer")
        assert set(names(c.get(reverse("pupils"), {"list": "absent"}))) == {
            "A Severe Testchild",
            "A Pa Testchild",
            "C Cin Testchild",
        }
        assert set(names(c.get(reverse("pupils"), {"list": "absent", "school": A}))) == {
            "A Severe Testchild",
            "A Pa Testchild",
        }
        assert names(c.get(reverse("pupils"), {"list": "severe"})) == ["A Severe Testchild"]
        assert len(names(c.get(reverse("pupils"), {"year": "8"}))) == 5
        assert names(c.get(reverse("pupils"), {"fsm": "FSM eligible", "list": "absent"})) == [
            "A Severe Testchild",
            "A Pa Testchild",
        ]
        assert len(names(c.get(reverse("pupils"), {"school": C, "band": "expected"}))) == 4

    def test_a_list_is_sorted_as_asked(self, client_as) -> None:
        c = client_as("officer")
        lowest = names(c.get(reverse("pupils"), {"list": "absent"}))
        assert lowest[0] == "A Severe Testchild"
        by_name = names(c.get(reverse("pupils"), {"list": "absent", "sort": "name"}))
        assert by_name == ["A Pa Testchild", "A Severe Testchild", "C Cin Testchild"]

    def test_a_long_list_is_paged(self, client_as, monkeypatch) -> None:
        from attendwise.web.services import pupil_lists

        monkeypatch.setattr(pupil_lists, "PAGE_SIZE", 4)
        c = client_as("officer")
        pages = [names(c.get(reverse("pupils"), {"sort": "name", "page": n})) for n in (1, 2, 3, 4)]
        assert [len(p) for p in pages] == [4, 4, 4, 3]
        assert len({n for p in pages for n in p}) == 15
        nav = soup(c.get(reverse("pupils"), {"sort": "name", "page": 2})).select_one("nav.govuk-pagination")
        assert nav.select_one("[aria-current=page]").get_text() == "2"
        assert "sort=name" in nav.select_one("a[rel=next]")["href"]

    @pytest.mark.parametrize(
        "asked", [{"list": "everyone"}, {"school": "0100001"}, {"year": "99"}, {"band": "x"}, {"page": "0"}]
    )
    def test_a_filter_it_cannot_read_is_an_error_beside_the_form(self, client_as, asked) -> None:
        response = client_as("officer").get(reverse("pupils"), asked)
        assert response.status_code == 400
        page = soup(response)
        assert page.title.get_text().startswith("Error: ") and page.select_one(".govuk-error-summary")
        assert not page.select("#main-content table")

    def test_a_school_page_lists_the_first_pupils_and_links_the_rest(self, client_as, city) -> None:
        page = soup(client_as("officer").get(reverse("school", args=[A])))
        link = page.find("a", string=lambda s: s and s.startswith("See all 2 persistently"))
        assert link["href"].startswith(reverse("pupils") + "?list=absent&school=" + str(A))

    def test_the_la_overview_links_every_pupil_heading_into_persistent_absence(self, client_as) -> None:
        page = soup(client_as("officer").get(reverse("la_overview")))
        assert page.find("a", href=reverse("pupils") + "?list=heading")
        assert client_as.client.get(reverse("pupils"), {"list": "heading"}).status_code == 200


def test_the_pupil_page_shows_the_upn(client_as, city) -> None:
    page = soup(client_as("officer").get(reverse("pupil", args=[city.enrolments["a_pa"]])))
    assert city.pupils["a_pa"] in page.select_one("#upn").get_text()


def test_tsm_agenda_and_actions_pick_from_the_packs_pupils(client_as, city) -> None:
    from attendwise.web.models import DiscussedPupil

    c = client_as("school_a")
    page = soup(c.get(reverse("tsm_pack", args=[A, "2024-25-autumn"])))
    options = {o["value"]: o.get_text() for o in page.select("select#discuss-upn option")}
    assert city.pupils["a_severe"] in options and city.pupils["b_pupil"] not in options
    assert options[city.pupils["a_severe"]].startswith("A Severe Testchild, year")
    assert page.select_one("select#action-upn option[value='']").get_text() == "The whole school, no one pupil"
    response = c.post(reverse("tsm_discuss", args=[A, "2024-25-autumn"]), {"upn": city.pupils["a_severe"]})
    assert response.status_code == 302
    assert DiscussedPupil.objects.get().upn == city.pupils["a_severe"]
    refused = c.post(reverse("tsm_discuss", args=[A, "2024-25-autumn"]), {"upn": city.pupils["b_pupil"]})
    assert refused.status_code == 400


def test_other_schools_are_not_offered(client_as) -> None:
    page = soup(client_as("officer_a").get(reverse("pupils")))
    assert not page.select("select#id_school")  # one school: nothing to choose
    assert B not in [
        int(o["value"]) for o in soup(client_as.client.get(reverse("pupils"))).select("#id_school option[value!='']")
    ]


class TestTheVirtualSchool:
    def test_its_children_are_listed_by_school_with_latest_absence(self, client_as, city) -> None:
        response = client_as("virtual_school").get(reverse("virtual_school"))
        page = soup(response)
        headings = [h.get_text(strip=True) for h in page.select("#main-content h2")]
        assert headings == ["Alder Primary School", "Cedar Academy"] or set(headings) == {
            "Alder Primary School",
            "Cedar Academy",
        }
        text = page.select_one("#main-content").get_text(" ")
        assert "A Severe Testchild" in text and "C Cin Testchild" in text and "A Pa Testchild" not in text
        assert "Looked after" in text and "Child in need" in text
        rows = {tr.th.get_text(): [td.get_text() for td in tr.select("td")] for tr in page.select("tbody tr")}
        latest = rows["A Severe Testchild"][-1]
        assert "unauthorised" in latest and "(O)" not in latest and ", O (" in latest
        event = AuditEvent.objects.get(action=Action.VIEW_PUPIL_LIST)
        assert event.pupils == 2

    def test_the_nav_and_la_page_lead_it_where_it_may_go(self, client_as) -> None:
        page = soup(client_as("virtual_school").get(reverse("la_overview")))
        assert page.find("a", href=reverse("virtual_school"))
        assert not page.find("a", string="See every school")  # schools' pages are not the Virtual School's
        officer = soup(client_as("officer").get(reverse("la_overview")))
        assert officer.find("a", string="See every school")
