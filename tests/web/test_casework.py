"""Casework in the web app: opening a case, the case page and its changes, the rules the case store
enforces (one open case per pupil, append-only events, no lost edits), lists, counts and audit."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from bs4 import BeautifulSoup
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from attendwise.casework import commands
from attendwise.web.casework import store
from attendwise.web.casework.config import casework_config
from attendwise.web.casework.models import (
    AppendOnlyError,
    CaseEventRecord,
    CaseRecord,
    EarlyHelpRecord,
    InterventionRecord,
    TafMemberRecord,
)
from attendwise.web.models import Action, AuditEvent, Outcome
from tests.web.cases import add_letter, open_case
from tests.web.conftest import A, B

pytestmark = pytest.mark.django_db


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def version(record: CaseRecord) -> int:
    return CaseRecord.objects.get(pk=record.pk).version


class TestOpeningACase:
    def test_from_the_pupil_page_with_the_stage_suggested(self, client_as, city) -> None:
        """The pupil page offers to open a case; the form suggests the stage the year so far falls in (a_pa:
        24 of 30 sessions, 80%: stage 2), and opening it records who, why and the suggestion."""
        c = client_as("officer")
        enrolment = city.enrolments["a_pa"]
        page = soup(c.get(reverse("pupil", args=[enrolment])))
        assert page.select_one("#casework a")["href"] == reverse("case_open", args=[enrolment])
        form = soup(c.get(reverse("case_open", args=[enrolment]) + "?reason=early_warning"))
        assert "80.0% (24 of 30 possible sessions attended" in form.select_one("#suggestion").get_text()
        assert form.select_one("#open-stage option[selected]")["value"] == "early_intervention"
        assert form.select_one("#open-reason option[selected]")["value"] == "early_warning"
        response = c.post(reverse("case_open", args=[enrolment]), {"reason": "", "stage": "prevention", "why": ""})
        assert response.status_code == 400
        errors = [a.get_text() for a in soup(response).select(".govuk-error-summary a")]
        assert errors == ["Choose why the case is being opened", "Enter why the case is being opened"]
        response = c.post(
            reverse("case_open", args=[enrolment]),
            {"reason": "early_warning", "stage": "early_intervention", "why": "Down to 80% with two Mondays missed"},
        )
        case = CaseRecord.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("case", args=[case.pk])
        assert (case.upn, case.urn, case.stage, case.lead, case.version) == (
            city.pupils["a_pa"],
            A,
            "early_intervention",
            "school",
            1,
        )
        event = CaseEventRecord.objects.get()
        assert (event.username, event.kind, event.why) == ("officer", "opened", "Down to 80% with two Mondays missed")
        assert event.payload["suggested"] == "early_intervention"
        assert event.payload["figures"] == {"period": "2024/25 so far", "attended": 24, "possible": 30}
        # The pupil page now links to the case instead.
        page = soup(c.get(reverse("pupil", args=[enrolment])))
        assert page.select_one("#casework a")["href"] == reverse("case", args=[case.pk])

    def test_one_open_case_per_pupil(self, client_as, city) -> None:
        """A second case for a pupil with one open is never made: the page goes to the open case, the store
        refuses, and so does the database itself."""
        first = open_case(city, "a_pa")
        c = client_as("officer")
        enrolment = city.enrolments["a_pa"]
        assert c.get(reverse("case_open", args=[enrolment]))["Location"] == reverse("case", args=[first.pk])
        with pytest.raises(store.OpenCaseExists):
            open_case(city, "a_pa")
        with pytest.raises(IntegrityError), transaction.atomic():
            CaseRecord.objects.create(
                **{f.name: getattr(first, f.name) for f in CaseRecord._meta.fields if f.name not in {"id"}}
            )
        assert CaseRecord.objects.count() == 1

    def test_a_closed_case_leaves_room_for_a_new_one(self, client_as, city) -> None:
        first = open_case(city, "a_pa")
        c = client_as("officer")
        response = c.post(
            reverse("case_close", args=[first.pk]),
            {
                "version": 1,
                "outcome": "attendance_improved",
                "date": timezone.localdate().isoformat(),
                "why": "Back to 97%",
            },
        )
        assert response.status_code == 302
        second = open_case(city, "a_pa")
        assert second.pk != first.pk and CaseRecord.objects.filter(closed_on__isnull=True).count() == 1

    def test_schools_open_cases_for_their_own_pupils_only(self, client_as, city) -> None:
        c = client_as("school_b")
        assert c.get(reverse("case_open", args=[city.enrolments["a_pa"]])).status_code == 404
        assert (
            client_as("virtual_school").get(reverse("case_open", args=[city.enrolments["a_severe"]])).status_code == 403
        )


class TestTheCasePage:
    def test_the_timeline_newest_first_with_the_pupils_figures(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        c = client_as("officer")

        def post(name: str, data: dict, *args: object):
            return c.post(reverse(name, args=[case.pk, *args]), {"version": version(case), **data})

        today = timezone.localdate().isoformat()
        assert post("case_eha_offer", {"date": today, "offered_by": "Ms Patel (EHAC)"}).status_code == 302
        assert post("case_eha_answer", {"answer": "accepted", "date": today}).status_code == 302
        assert (
            post(
                "case_taf", {"agency": "Family hub", "person": "Sam Okafor", "role": "Family worker", "start": today}
            ).status_code
            == 302
        )
        assert (
            post(
                "case_taf", {"agency": "School", "person": "Mr Hill", "role": "Attendance champion", "start": today}
            ).status_code
            == 302
        )
        assert (
            post(
                "case_intervention",
                {"type": "home_visit", "date": today, "notes": "Mum at home", "outcome": "Agreed a routine"},
            ).status_code
            == 302
        )
        page = soup(c.get(reverse("case", args=[case.pk])))
        headings = [h.get_text(strip=True) for h in page.select("#timeline ~ ol h3")]
        assert headings == [
            "Intervention logged",
            "Joined the Team Around the Family",
            "Joined the Team Around the Family",
            "Early Help Assessment answered",
            "Early Help Assessment offered",
            "Case opened",
        ]
        assert "80.0%" in page.select_one(".aw-headline").get_text()
        assert [td.get_text(strip=True) for td in page.select("#taf ~ table tbody th")] == ["Sam Okafor", "Mr Hill"]
        assert "Accepted" in page.select_one("#early-help ~ table").get_text()
        # The projection follows the events.
        assert EarlyHelpRecord.objects.get(case=case).answer == "accepted"
        assert TafMemberRecord.objects.filter(case=case).count() == 2
        assert InterventionRecord.objects.get(case=case).type == "home_visit"
        assert store.rebuild(case.pk) == store.load(case.pk).case

    def test_a_stage_change_shows_and_keeps_the_suggestion(self, client_as, city) -> None:
        """a_pa is at 80%: the page suggests stage 2 to a stage 3 case; the officer keeps stage 3... then moves it."""
        case = open_case(city, "a_pa")
        c = client_as("officer")
        assert (
            c.post(
                reverse("case_stage", args=[case.pk]),
                {"version": 1, "stage": "targeted_support", "why": "No engagement"},
            ).status_code
            == 302
        )
        page = soup(c.get(reverse("case", args=[case.pk])))
        assert "consider moving down to stage 2" in page.select_one("#suggestion").get_text()
        event = CaseEventRecord.objects.get(case=case, seq=2)
        assert (event.payload["stage"], event.payload["suggested"], event.payload["lead"]) == (
            "targeted_support",
            "early_intervention",
            "la_officer",
        )
        response = c.post(
            reverse("case_stage", args=[case.pk]), {"version": 2, "stage": "targeted_support", "why": "x"}
        )
        assert response.status_code == 400
        assert "The case is already at stage 3: targeted support" in response.content.decode()

    def test_forms_say_what_is_wrong(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        c = client_as("officer")
        response = c.post(
            reverse("case_intervention", args=[case.pk]),
            {"version": 1, "type": "part_time_timetable", "date": "2024-13-01"},
        )
        assert response.status_code == 400
        errors = [a.get_text() for a in soup(response).select(".govuk-error-summary a")]
        assert errors == ["Enter the date it was done as a real date, for example 27 3 2025"]
        today = timezone.localdate().isoformat()
        response = c.post(
            reverse("case_intervention", args=[case.pk]), {"version": 1, "type": "part_time_timetable", "date": today}
        )
        assert response.status_code == 400
        assert "Give the date the part-time timetable ends" in response.content.decode()

    def test_a_part_time_timetable_is_reviewed_then_ends(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        c = client_as("school_a")
        today = timezone.localdate()
        c.post(
            reverse("case_intervention", args=[case.pk]),
            {
                "version": 1,
                "type": "part_time_timetable",
                "date": today.isoformat(),
                "end_date": (today + dt.timedelta(weeks=4)).isoformat(),
                "review_date": today.isoformat(),
            },
        )
        page = soup(c.get(reverse("case", args=[case.pk])))
        assert "part-time timetable's review is due" in page.select_one("#flags").get_text()
        response = c.post(
            reverse("case_intervention_review", args=[case.pk, 1]),
            {"version": 2, "date": today.isoformat(), "ended": "yes"},
        )
        assert response.status_code == 302
        assert InterventionRecord.objects.get(case=case).ended_on == today

    def test_a_letter_is_an_intervention_holding_its_document(self, client_as, city) -> None:
        """The letters hook: a letter stored in the case files and logged as a letter intervention opens from the
        case, audited, for those who may see the case only."""
        case = open_case(city, "a_pa")
        add_letter(case)
        c = client_as("officer")
        page = soup(c.get(reverse("case", args=[case.pk])))
        link = page.select_one(f'a[href="{reverse("case_document", args=[case.pk, 1])}"]')
        assert link.get_text() == "attendance-concern.pdf"
        AuditEvent.objects.all().delete()
        response = c.get(link["href"])
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 letter"
        assert response["Content-Type"] == "application/pdf"
        assert list(AuditEvent.objects.values_list("action", "outcome")) == [(Action.CASE_DOCUMENT, Outcome.SHOWN)]
        client_as.client.logout()
        assert client_as("school_b").get(link["href"]).status_code == 404

    def test_a_closed_case_takes_nothing_more(self, client_as, city) -> None:
        """Once closed, the page offers no change, and a change posted anyway is refused saying why."""
        case = open_case(city, "a_pa")
        c = client_as("officer")
        today = timezone.localdate().isoformat()
        c.post(reverse("case_close", args=[case.pk]), {"version": 1, "outcome": "other", "date": today, "why": "Moved"})
        page = soup(c.get(reverse("case", args=[case.pk])))
        assert not page.select("main form") and "Closed" in page.select_one("h1 + p").get_text()
        response = c.post(reverse("case_note", args=[case.pk]), {"version": 2, "text": "Late"})
        assert response.status_code == 400
        assert "nothing more can be recorded on it" in soup(response).select_one(".govuk-error-summary").get_text()
        assert version(case) == 2

    def test_the_virtual_school_reads_but_does_not_record(self, client_as, city) -> None:
        case = open_case(city, "a_severe")
        c = client_as("virtual_school")
        page = c.get(reverse("case", args=[case.pk]))
        assert page.status_code == 200 and not soup(page).select("form[action*='/stage']")
        assert c.post(reverse("case_note", args=[case.pk]), {"version": 1, "text": "x"}).status_code == 403
        assert version(case) == 1


class TestTwoPeopleEditingOneCase:
    def test_the_second_is_refused_saying_who_changed_it_and_when(self, client_as, city, make_user) -> None:
        """Both open the case at version 1; the officer logs a call; the school's user, still on version 1,
        adds a member and is refused (409) with who and when, their entry kept in the form for a second try."""
        case = open_case(city, "a_pa")
        officer = make_user("officer")
        officer.first_name, officer.last_name = "Olu", "Adeyemi"
        officer.save()
        today = timezone.localdate().isoformat()
        client_as.client.force_login(officer)
        first = client_as.client.post(
            reverse("case_intervention", args=[case.pk]), {"version": 1, "type": "phone_call", "date": today}
        )
        assert first.status_code == 302
        at = timezone.localtime(CaseEventRecord.objects.get(case=case, seq=2).at)
        client_as.client.logout()
        c = client_as("school_a")
        data = {"version": 1, "agency": "School", "person": "Mr Hill", "role": "Champion", "start": today}
        second = c.post(reverse("case_taf", args=[case.pk]), data)
        assert second.status_code == 409
        page = soup(second)
        assert page.select_one("#stale").get_text(strip=True) == (
            f"This case was changed by Olu Adeyemi at {at:%H:%M} since you opened it (intervention logged). "
            "Check the case as it is now and make your change again if it still applies."
        )
        assert page.select_one("#taf-person")["value"] == "Mr Hill"  # their entry is kept
        assert page.select_one("#taf input[name=version]")["value"] == "2"  # ...from the case as it is now
        assert CaseEventRecord.objects.filter(case=case).count() == 2 and not TafMemberRecord.objects.exists()
        again = c.post(reverse("case_taf", args=[case.pk]), {**data, "version": 2})
        assert again.status_code == 302 and version(case) == 3

    def test_the_database_refuses_a_second_event_with_the_same_number(self, city) -> None:
        """Past the version check at the same moment, the (case, seq) constraint refuses the second writer."""
        case = open_case(city, "a_pa")
        loaded = store.load(case.pk)
        note = commands.add_note(loaded.case, text="first", who="officer", at=store.now())
        with transaction.atomic():
            CaseEventRecord.objects.create(
                case=case, seq=2, kind=note.kind.value, username="officer", at=note.at, why="first", payload={}
            )
        with pytest.raises(store.StaleCase, match="changed by officer at"):
            store.record(
                case.pk, 1, lambda cs: commands.add_note(cs, text="second", who="school_a", at=store.now()), "school_a"
            )
        assert list(CaseEventRecord.objects.filter(case=case).values_list("why", flat=True)) == [
            "Attendance below 90% since September",
            "first",
        ]

    @pytest.mark.django_db(transaction=True)
    @pytest.mark.skipif("connection.vendor != 'postgresql'", reason="threads need a database that is not in memory")
    def test_concurrent_writers_on_postgresql(self, city) -> None:  # pragma: no cover - PostgreSQL only
        """Two threads append to one case at once from version 1: exactly one succeeds."""
        case = open_case(city, "a_pa")
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def write(who: str) -> None:
            barrier.wait()
            try:
                store.record(case.pk, 1, lambda cs: commands.add_note(cs, text=who, who=who, at=store.now()), who)
                outcomes.append("ok")
            except store.StaleCase:
                outcomes.append("stale")
            finally:
                connection.close()

        threads = [threading.Thread(target=write, args=(w,)) for w in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["ok", "stale"]


class TestAppendOnly:
    def test_events_cannot_be_changed_or_deleted(self, city) -> None:
        case = open_case(city, "a_pa")
        event = CaseEventRecord.objects.get()
        event.why = "rewritten"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()
        with pytest.raises(AppendOnlyError):
            CaseEventRecord.objects.filter(case=case).update(why="rewritten")
        with pytest.raises(AppendOnlyError):
            CaseEventRecord.objects.filter(case=case).delete()
        with pytest.raises(IntegrityError), transaction.atomic():
            case.delete()  # a case with events is never deleted (nor are its events with it)

    def test_the_database_refuses_an_update(self, city) -> None:
        """Even SQL that goes round the model cannot rewrite an event: the table's trigger refuses it."""
        open_case(city, "a_pa")
        from django.db import DatabaseError

        with (
            pytest.raises(DatabaseError, match="case events are appended, never changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE casework_caseeventrecord SET why = 'rewritten'")
        assert CaseEventRecord.objects.get().why == "Attendance below 90% since September"


class TestLists:
    def test_an_officers_caseload_is_their_cases_overdue_and_riskiest_first(self, client_as, city, make_user) -> None:
        """The officer's two cases: a_pa's review (six weeks after it opened 60 days ago) is overdue, so it comes
        before a_severe, who is more at risk; c_cin's case names nobody, so it is only in every open case."""
        officer = make_user("officer")
        open_case(city, "a_severe", la_officer="officer")
        open_case(city, "a_pa", la_officer="officer", days_ago=60)
        open_case(city, "c_cin")
        client_as.client.force_login(officer)
        page = soup(client_as.client.get(reverse("caseload")))
        assert [a.get_text() for a in page.select("tbody th a")] == ["A Pa Testchild", "A Severe Testchild"]
        assert "The case review was due on" in page.select("tbody tr")[0].get_text()
        every = soup(client_as.client.get(reverse("caseload") + "?show=all"))
        assert [a.get_text() for a in every.select("tbody th a")] == [
            "A Pa Testchild",
            "A Severe Testchild",
            "C Cin Testchild",
        ]
        assert AuditEvent.objects.filter(action=Action.VIEW_CASE_LIST, outcome=Outcome.SHOWN).count() == 2

    def test_a_long_caseload_comes_in_pages(self, client_as, city, monkeypatch) -> None:
        from attendwise.web.casework import views

        monkeypatch.setattr(views, "CASELOAD_PAGE", 1)
        open_case(city, "a_severe")
        open_case(city, "a_pa", days_ago=60)  # its review is overdue: first
        c = client_as("officer")
        first = soup(c.get(reverse("caseload") + "?show=all"))
        assert [a.get_text() for a in first.select("tbody th a")] == ["A Pa Testchild"]
        assert first.select_one("caption").get_text(strip=True) == "Open cases 1 to 1 of 2"
        second = soup(c.get(reverse("caseload") + first.select_one("a[rel=next]")["href"]))
        assert [a.get_text() for a in second.select("tbody th a")] == ["A Severe Testchild"]

    def test_a_school_sees_its_own_cases_and_pupils_without_one(self, client_as, city) -> None:
        open_case(city, "a_severe")
        c = client_as("school_a")
        page = soup(c.get(reverse("school_cases", args=[A])))
        assert [a.get_text() for a in page.select("table:first-of-type tbody th a")][:1] == ["A Severe Testchild"]
        to_consider = page.select_one("#to-consider").find_next("table").get_text(" ", strip=True)
        assert "A Pa Testchild" in to_consider and "A Severe Testchild" not in to_consider
        open_link = page.select_one("#to-consider").find_next("table").select_one("a[href*='/cases/new']")
        assert open_link["href"].endswith("?reason=band_change")
        assert c.get(reverse("school_cases", args=[B])).status_code == 404
        client_as.client.logout()
        other = client_as("school_b").get(reverse("caseload"))
        assert other.status_code == 200 and "A Severe" not in other.content.decode()

    def test_the_virtual_school_sees_cases_of_its_children_only(self, client_as, city) -> None:
        open_case(city, "a_severe")  # looked after
        open_case(city, "a_pa")  # no social worker
        page = soup(client_as("virtual_school").get(reverse("caseload")))
        assert [a.get_text() for a in page.select("tbody th a")] == ["A Severe Testchild"]


class TestCounts:
    def test_scrutiny_sees_counts_suppressed(self, client_as, city) -> None:
        """Two open cases at stage 2: too few to show, so every stage is x; interventions for one pupil are x."""
        case = open_case(city, "a_pa")
        open_case(city, "a_severe")
        store.record(
            case.pk,
            1,
            lambda cs: commands.log_intervention(
                cs, casework_config(), type="home_visit", date=timezone.localdate(), who="officer", at=store.now()
            ),
            "officer",
        )
        page = soup(client_as("scrutiny").get(reverse("case_counts")))
        tables = page.select("table")
        stages = [[c.get_text(strip=True) for c in r.select("th, td")] for r in tables[0].select("tbody tr")]
        assert stages == [
            ["Stage 1: prevention", "x"],
            ["Stage 2: early intervention", "x"],
            ["Stage 3: targeted support", "x"],
            ["All stages", "x"],
        ]
        visits = next(r for r in tables[1].select("tbody tr") if "Home visit" in r.get_text())
        assert [c.get_text(strip=True) for c in visits.select("td")] == ["x", "x"]
        assert "Testchild" not in page.get_text()
        client_as.client.logout()
        officer = soup(client_as("officer").get(reverse("case_counts")))
        rows = [
            [c.get_text(strip=True) for c in r.select("th, td")] for r in officer.select("table")[0].select("tbody tr")
        ]
        assert rows[1] == ["Stage 2: early intervention", "2"] and rows[3] == ["All stages", "2"]

    def test_counts_at_or_above_the_threshold_are_shown(self, client_as, city, settings) -> None:
        settings.ATTENDWISE_SUPPRESSION_THRESHOLD = 2
        open_case(city, "a_pa")
        open_case(city, "a_severe")
        open_case(city, "b_pupil")
        page = soup(client_as("scrutiny").get(reverse("case_counts")))
        rows = [
            [c.get_text(strip=True) for c in r.select("th, td")] for r in page.select("table")[0].select("tbody tr")
        ]
        assert rows == [
            ["Stage 1: prevention", "0"],
            ["Stage 2: early intervention", "3"],
            ["Stage 3: targeted support", "0"],
            ["All stages", "3"],
        ]


class TestAudit:
    def test_every_view_of_a_case_is_audited_like_a_pupil_view(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        AuditEvent.objects.all().delete()
        client_as("officer").get(reverse("case", args=[case.pk]))
        event = AuditEvent.objects.get()
        assert (event.action, event.outcome, event.upn, event.school_urn, event.enrolment_id, event.detail) == (
            Action.VIEW_CASE,
            Outcome.SHOWN,
            city.pupils["a_pa"],
            A,
            city.enrolments["a_pa"],
            f"case {case.pk}",
        )

    def test_refused_views_are_audited_without_the_pupil(self, client_as, city) -> None:
        case = open_case(city, "a_pa")
        AuditEvent.objects.all().delete()
        assert client_as("school_b").get(reverse("case", args=[case.pk])).status_code == 404
        client_as.client.logout()
        assert client_as("scrutiny").get(reverse("case", args=[case.pk])).status_code == 403
        rows = list(AuditEvent.objects.order_by("id").values_list("username", "action", "outcome", "upn"))
        assert rows == [
            ("school_b", Action.VIEW_CASE, Outcome.NOT_FOUND, ""),
            ("scrutiny", Action.VIEW_CASE, Outcome.FORBIDDEN, ""),
        ]


def test_no_pending_casework_migrations() -> None:
    from django.core.management import call_command

    call_command("makemigrations", "casework", "--check", "--dry-run", verbosity=0)


class TestDemoHistory:
    def test_the_demo_city_gets_cases_consistent_with_its_marks(self, tmp_path) -> None:
        """Of ten pupils who fall to 40% in autumn 2, some get a case there (a share, as a caseload is), one who
        stays at 100% none; seeding again adds nothing; every stored case is its events' fold."""
        from attendwise.ingest import import_folder
        from attendwise.store import Store
        from attendwise.web.casework.demo import seed_demo_cases
        from attendwise.web.services.data import StoreAccess
        from tests.registers import Register

        reg = Register()
        reg.school()
        reg.half_terms_2024_25()
        falls, steady = [reg.pupil() for _ in range(10)], reg.pupil()
        for upn in [*falls, steady]:
            reg.sessions(upn, "/" * 60, dt.date(2024, 9, 2))
            reg.sessions(upn, "/" * 50 if upn == steady else "//OO/O/OOO" * 5, dt.date(2024, 11, 4))
        path = tmp_path / "demo.duckdb"
        with Store(path) as s:
            import_folder(s, reg.write(tmp_path / "in"))
        access = StoreAccess(path, read_only=True)
        seeded = seed_demo_cases(access)
        assert 1 <= seeded < 10
        assert set(CaseRecord.objects.values_list("upn", flat=True)) <= set(falls)
        case = CaseRecord.objects.order_by("pk").first()
        assert (case.stage, case.opened_on, case.la_officer) == ("targeted_support", dt.date(2024, 11, 25), "officer")
        # Opened on 25 November, the registers end on 6 December: a call, a letter and a meeting by then.
        assert list(InterventionRecord.objects.filter(case=case).values_list("type", flat=True)) == [
            "phone_call",
            "letter",
            "meeting_in_school",
        ]
        assert store.rebuild(case.pk) == store.load(case.pk).case
        assert seed_demo_cases(access) == 0

    def test_the_interventions_effects_are_planted_in_the_marks(self, tmp_path) -> None:
        """Twenty pupils fall to 40% in autumn 2 and stay there in spring 1: on a writable store the cases'
        interventions turn some of their spring absences into attendance (a correction import), nobody else's
        marks change, and the cases are built from the corrected marks (their openings and plans unchanged)."""
        from attendwise.casework.demo_history import EFFECTS
        from attendwise.ingest import import_folder
        from attendwise.store import Store
        from attendwise.web.casework.demo import _histories, seed_demo_cases
        from attendwise.web.services.data import StoreAccess
        from tests.registers import Register

        reg = Register()
        reg.school()
        reg.half_terms_2024_25()
        falls = [reg.pupil() for _ in range(20)]
        for upn in falls:
            reg.sessions(upn, "/" * 60, dt.date(2024, 9, 2))
            reg.sessions(upn, "//OO/O/OOO" * 7, dt.date(2024, 11, 4))
            reg.sessions(upn, "//OO/O/OOO" * 6, dt.date(2025, 1, 6))
        path = tmp_path / "demo.duckdb"
        with Store(path) as s:
            import_folder(s, reg.write(tmp_path / "in"))

        def present_in_spring(access: StoreAccess) -> dict[int, int]:
            marks = access.store().table("marks")
            spring = marks.filter((marks.date >= dt.date(2025, 1, 1)) & (marks.code == "/"))
            counted = access.store().ibis.execute(spring.group_by("enrolment_id").aggregate(n=spring.count()))
            return dict(zip(counted.enrolment_id, counted.n, strict=True))

        access = StoreAccess(path)
        before, _ = _histories(access)
        present_before = present_in_spring(access)
        seeded = seed_demo_cases(access)
        assert seeded == len(before) >= 2
        with_case = set(CaseRecord.objects.values_list("enrolment_id", flat=True))
        present_after = present_in_spring(access)
        for enrolment_id, n in present_before.items():
            planted = present_after[enrolment_id] - n
            assert (planted > 0) if enrolment_id in with_case else planted == 0, enrolment_id
        assert EFFECTS["phone_call"] == 0 and EFFECTS["letter"] > 0
        after = {e[0].payload["upn"]: e for e in _histories(access)[0]}
        for events in before:
            again = after[events[0].payload["upn"]]
            planned = [e for e in events if e.kind.value not in {"stage_changed", "closed"}]
            assert [e for e in again if e.kind.value not in {"stage_changed", "closed"}] == planned
        case = CaseRecord.objects.order_by("pk").first()
        assert store.rebuild(case.pk) == store.load(case.pk).case
