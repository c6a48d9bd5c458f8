"""The registers in the web app: a school's removal notifications (form and CSV import) and what they open,
the LA's register pages with their deadlines and reconciliations, a pupil's entries, the counts, and who may
see what."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import DatabaseError, transaction
from django.urls import reverse

from attendwise.web.models import Action, AuditEvent, Outcome
from attendwise.web.registers.models import (
    AppendOnlyError,
    CmeReferral,
    EheEntry,
    ExclusionRecord,
    PartTimeTimetable,
    RegisterChange,
    RemovalNotification,
)
from tests.web.conftest import A, B

pytestmark = pytest.mark.django_db
C = 100003
REMOVED = dt.date(2024, 9, 23)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def form(upn: str, ground: str, day: dt.date = REMOVED, **extra: str) -> dict[str, str]:
    return {
        "upn": upn,
        "removal_date_day": str(day.day),
        "removal_date_month": str(day.month),
        "removal_date_year": str(day.year),
        "ground": ground,
        **extra,
    }


def errors(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select(".govuk-error-summary a")]


def stored() -> tuple[int, int, int, int]:
    return (
        RemovalNotification.objects.count(),
        EheEntry.objects.count(),
        CmeReferral.objects.count(),
        RegisterChange.objects.count(),
    )


class TestNotifyingARemoval:
    def test_to_home_education_opens_an_ehe_entry_and_no_cme_referral(self, client_as, city) -> None:
        """School A notifies a removal to home education: the notification, an EHE entry with the reason and
        its change-log rows are stored, no CME referral, and the LA sees the entry on its register."""
        c = client_as("school_a")
        url = reverse("removal_notify", args=[A])
        response = c.post(url, form(city.pupils["a_good0"], "home_education", ehe_reason="lifestyle"))
        assert response.status_code == 302
        assert (RemovalNotification.objects.count(), EheEntry.objects.count(), CmeReferral.objects.count()) == (1, 1, 0)
        entry = EheEntry.objects.get()
        assert (entry.upn, entry.urn, entry.reason, entry.started_on) == (
            city.pupils["a_good0"],
            A,
            "lifestyle",
            REMOVED,
        )
        assert entry.child_name == "A Good0 Testchild"
        assert [r.register for r in RegisterChange.objects.order_by("id")] == ["removals", "ehe"]
        assert AuditEvent.objects.filter(action=Action.IMPORT, outcome=Outcome.IMPORTED, upn=entry.upn).exists()
        page = c.get(response["Location"])
        assert "The removal has been notified" in page.content.decode()
        assert "home-education entry" in soup(page).select_one("#removals").get_text()
        officer = client_as("officer")
        ehe = soup(officer.get(reverse("register", args=["ehe"])))
        assert "A Good0 Testchild" in ehe.select_one("#table-1").get_text()
        assert "No referrals match." in soup(officer.get(reverse("register", args=["cme"]))).get_text()

    def test_without_a_known_destination_opens_a_cme_referral(self, client_as, city) -> None:
        c = client_as("school_a")
        c.post(reverse("removal_notify", args=[A]), form(city.pupils["a_good1"], "moved_away"))
        c.post(reverse("removal_notify", args=[A]), form(city.pupils["a_good2"], "moved_away", destination_la="Leeds"))
        referral = CmeReferral.objects.get()
        assert (referral.upn, referral.reason, referral.source) == (
            city.pupils["a_good1"],
            "removed_from_roll",
            "removal_from_roll",
        )
        assert EheEntry.objects.count() == 0

    def test_bad_entries_are_refused_by_field_with_nothing_stored(self, client_as, city) -> None:
        """An empty form, a date without its month, an unknown pupil and a home-education removal with no reason
        are each refused on their own field, the title starting 'Error:'."""
        c = client_as("school_a")
        url = reverse("removal_notify", args=[A])
        before = stored()
        response = c.post(url, {})
        assert response.status_code == 400
        assert soup(response).title.get_text().startswith("Error:")
        assert errors(response) == [
            "Enter the pupil's UPN",
            "Enter the date the pupil was removed from the roll",
            "Choose the ground for removal",
        ]
        hrefs = [a["href"] for a in soup(response).select(".govuk-error-summary a")]
        assert hrefs == ["#removal-upn", "#removal-removal_date", "#removal-ground"]
        bad_date = form(city.pupils["a_good0"], "died", removal_date_month="")
        assert errors(c.post(url, bad_date)) == ["The date the pupil was removed from the roll must include a month"]
        assert errors(
            c.post(
                url,
                form(city.pupils["a_good0"], "died", day=dt.date(2024, 2, 28))
                | {"removal_date_day": "30", "removal_date_month": "2"},
            )
        ) == ["The date the pupil was removed from the roll must be a real date"]
        assert errors(c.post(url, form(city.pupils["b_pupil"], "died"))) == [
            "No pupil with this UPN has been on your school's roll"
        ]
        assert errors(c.post(url, form(city.pupils["a_good0"], "home_education"))) == [
            "Choose the reason the parents gave (or 'No reason given')"
        ]
        assert stored() == before

    def test_unexplained_absence_is_refused_when_the_marks_do_not_show_it(self, client_as, city) -> None:
        """a_severe was absent (O) for 10 school days and then present: a removal on the 20-day ground is refused
        on the date, and on the enquiries not recorded as failed."""
        c = client_as("school_a")
        response = c.post(reverse("removal_notify", args=[A]), form(city.pupils["a_severe"], "unexplained_absence"))
        assert response.status_code == 400
        found = errors(response)
        assert "not coded G, N, O in every session" in found[0]
        assert found[1:] == [
            "Record that the school's enquiries failed to find the child",
            "Record that the LA's enquiries failed to find the child",
        ]
        after_absence = form(
            city.pupils["a_severe"],
            "unexplained_absence",
            day=dt.date(2024, 9, 16),
            school_enquiry_failed="on",
            la_enquiry_failed="on",
        )
        found = errors(c.post(reverse("removal_notify", args=[A]), after_absence))
        assert found == [
            "The marks show 10 school days of continuous unexplained absence (02 Sep 2024 to 13 Sep "
            "2024); this ground needs 20"
        ]
        assert stored() == (0, 0, 0, 0)


class TestImportingRemovals:
    HEADER = "upn,removal_date,ground,destination_urn,destination_la,ehe_reason,school_enquiry_failed\n"

    def _post(self, c, text: str, name: str = "removals.csv"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
        return c.post(reverse("removal_import", args=[A]), {"file": upload})

    def test_a_good_file_stores_every_row(self, client_as, city) -> None:
        p = city.pupils
        text = self.HEADER + f"{p['a_good3']},2024-09-23,home_education,,,religious,N\n"
        text += f"{p['a_good4']},2024-09-24,another_school,100002,,,\n"
        response = self._post(client_as("school_a"), text)
        assert response.status_code == 302
        assert (RemovalNotification.objects.count(), EheEntry.objects.count(), CmeReferral.objects.count()) == (2, 1, 0)
        assert sorted(RemovalNotification.objects.values_list("source", flat=True)) == [
            "removals.csv line 2",
            "removals.csv line 3",
        ]

    def test_a_bad_file_is_refused_by_file_line_and_field_with_nothing_stored(self, client_as, city) -> None:
        p = city.pupils
        text = self.HEADER + f"{p['a_good3']},2024-09-23,home_education,,,religious,N\n"
        text += f"{p['a_good4']},23/09/2024,nowhere,12,,,maybe\n"
        text += f"{p['b_pupil']},2024-09-23,died,,,,\n"
        text += f"{p['a_good3']},2024-09-25,died,,,,\n"
        response = self._post(client_as("school_a"), text)
        assert response.status_code == 400
        problems = [li.get_text() for li in soup(response).select("#problems li")]
        assert problems == [
            "removals.csv line 3, field 'removal_date': '23/09/2024' is not a date (expected YYYY-MM-DD)",
            "removals.csv line 3, field 'ground': 'nowhere' is not a removal ground (they are another_school, "
            "nursery_completed, dual_registration_ended, sao_amended, sao_revoked, home_education, moved_away, "
            "medically_unfit, unexplained_absence, custody, died, permanently_excluded, compulsory_age_ended)",
            "removals.csv line 3, field 'destination_urn': '12' is not a URN (6 or 7 digits, not starting with 0)",
            "removals.csv line 3, field 'school_enquiry_failed': 'maybe' is not Y or N",
            "removals.csv line 4, field 'upn': No pupil with this UPN has been on your school's roll",
            "removals.csv line 5, field 'upn': this pupil is also on line 2",
        ]
        assert soup(response).title.get_text().startswith("Error:")
        assert stored() == (0, 0, 0, 0)
        assert AuditEvent.objects.filter(action=Action.IMPORT, outcome=Outcome.REFUSED, school_urn=A).exists()

    def test_a_file_with_the_wrong_columns_is_refused(self, client_as) -> None:
        response = self._post(client_as("school_a"), "pupil,date\nx,y\n")
        assert response.status_code == 400
        assert (
            "removals.csv line 1: needs the columns upn, removal_date, ground"
            in soup(response).select_one("#problems").get_text()
        )


class TestWhoSeesWhat:
    def test_a_school_sees_its_own_notifications_and_not_another_school_s(self, client_as, city) -> None:
        client_as("school_a").post(reverse("removal_notify", args=[A]), form(city.pupils["a_good0"], "died"))
        c = client_as("school_b")
        assert c.get(reverse("school_removals", args=[A])).status_code == 404
        assert c.get(reverse("school_removals", args=[B])).status_code == 200
        assert "A Good0" not in c.get(reverse("school_removals", args=[B])).content.decode()
        assert c.post(reverse("removal_notify", args=[A]), form(city.pupils["a_good1"], "died")).status_code == 404
        assert RemovalNotification.objects.count() == 1
        assert AuditEvent.objects.filter(outcome=Outcome.NOT_FOUND, school_urn=A, username="school_b").exists()

    def test_an_officer_sees_only_their_schools_entries(self, client_as, city) -> None:
        CmeReferral.objects.create(
            upn=city.pupils["c_cin"],
            enrolment_id=city.enrolments["c_cin"],
            urn=C,
            child_name="C Cin Testchild",
            referred_on=REMOVED,
            source="school",
            reason="moved_abroad",
            recorded_by="t",
        )
        CmeReferral.objects.create(
            child_name="Never On Roll",
            referred_on=REMOVED,
            source="police",
            reason="whereabouts_unknown",
            recorded_by="t",
        )
        everyone = soup(client_as("officer").get(reverse("register", args=["cme"]))).get_text()
        assert "C Cin Testchild" in everyone and "Never On Roll" in everyone
        mine = soup(client_as("officer_a").get(reverse("register", args=["cme"]))).get_text()
        assert "C Cin Testchild" not in mine and "Never On Roll" not in mine
        virtual = soup(client_as("virtual_school").get(reverse("register", args=["cme"]))).get_text()
        assert "C Cin Testchild" in virtual and "Never On Roll" not in virtual
        school = soup(client_as("school_a").get(reverse("register", args=["cme"]))).get_text()
        assert "C Cin Testchild" not in school and "Never On Roll" not in school

    def test_a_pupil_s_entries_on_their_page(self, client_as, city) -> None:
        c = client_as("school_a")
        c.post(reverse("removal_notify", args=[A]), form(city.pupils["a_pa"], "moved_away"))
        pupil_page = soup(c.get(reverse("pupil", args=[city.enrolments["a_pa"]])))
        href = pupil_page.select_one("#registers a")["href"]
        assert href == reverse("pupil_registers", args=[city.enrolments["a_pa"]])
        text = soup(c.get(href)).get_text()
        assert "Children missing education" in text and "Removals from roll" in text
        assert AuditEvent.objects.filter(action=Action.VIEW_PUPIL, detail="registers", upn=city.pupils["a_pa"]).exists()


class TestTheLaRegisters:
    def test_exclusions_reconciled_with_e_marks_both_ways(self, client_as, city) -> None:
        """A suspension of a_pa over days marked present is 'record without E'; the city has no E marks, so the
        list of pupils with E marks and no record is empty."""
        ExclusionRecord.objects.create(
            upn=city.pupils["a_pa"],
            enrolment_id=city.enrolments["a_pa"],
            urn=A,
            kind="suspension",
            start=dt.date(2024, 9, 2),
            length=1,
            reasons=["persistent_disruptive"],
            recorded_by="t",
        )
        page = soup(client_as("officer").get(reverse("register", args=["exclusions"])))
        assert "Persistent disruptive behaviour" in page.select_one("#table-1").get_text()
        mismatches = page.select_one("#table-2").get_text()
        assert mismatches.count("record without E") == 2
        assert "Every pupil with E marks has an exclusion record." in page.select_one("#table-3").get_text()

    def test_timetables_past_review_are_flagged_and_deadlines_without_terms_say_so(self, client_as, city) -> None:
        PartTimeTimetable.objects.create(
            upn=city.pupils["a_pa"],
            enrolment_id=city.enrolments["a_pa"],
            urn=A,
            start=dt.date(2024, 9, 2),
            planned_end=dt.date(2024, 9, 27),
            review_date=dt.date(2024, 9, 13),
            reason="Medical",
            agreed_by="Parent",
            recorded_by="t",
        )
        CmeReferral.objects.create(
            upn="",
            child_name="Unknown Child",
            referred_on=dt.date(2024, 9, 2),
            source="police",
            reason="whereabouts_unknown",
            whereabouts_unknown_since=dt.date(2024, 9, 2),
            recorded_by="t",
        )
        c = client_as("la_admin")
        timetables = soup(c.get(reverse("register", args=["timetables"]))).select_one("#table-1").get_text()
        assert "review overdue since Fri 13 Sep 2024" in timetables
        cme = soup(c.get(reverse("register", args=["cme"]))).get_text()
        assert "cannot count: import the LA's terms.csv" in cme
        summary = soup(c.get(reverse("registers"))).select_one("#registers").get_text()
        assert "Part-time timetables" in summary

    def test_filters_narrow_the_list(self, client_as, city) -> None:
        for reason in ("moved_abroad", "moved_to_another_la"):
            CmeReferral.objects.create(
                child_name=f"Child {reason}", referred_on=REMOVED, source="school", reason=reason, recorded_by="t"
            )
        c = client_as("la_admin")
        text = soup(c.get(reverse("register", args=["cme"]) + "?reason=moved_abroad")).get_text()
        assert "Child moved_abroad" in text and "Child moved_to_another_la" not in text
        text = soup(c.get(reverse("register", args=["cme"]) + "?reason=nonsense&status=closed")).get_text()
        assert "No referrals match." in text

    def test_scrutiny_sees_counts_suppressed(self, client_as, city) -> None:
        for i in range(2):
            CmeReferral.objects.create(
                child_name=f"C{i}", referred_on=REMOVED, source="school", reason="moved_abroad", recorded_by="t"
            )
        scrutiny = client_as("scrutiny")
        page = soup(scrutiny.get(reverse("register_counts")))
        first = page.select("table")[0].get_text(" ", strip=True)
        assert "Moved abroad x" in first and "Total x" in first
        assert scrutiny.get(reverse("register", args=["cme"])).status_code == 403
        staff = soup(client_as("officer").get(reverse("register_counts"))).select("table")[0].get_text(" ", strip=True)
        assert "Moved abroad 2" in staff


def test_the_change_log_is_append_only(client_as, city) -> None:
    client_as("school_a").post(reverse("removal_notify", args=[A]), form(city.pupils["a_good0"], "died"))
    change = RegisterChange.objects.get()
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        RegisterChange.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        RegisterChange.objects.filter(pk=change.pk)._raw_delete(RegisterChange.objects.db)


def test_tsm_packs_leave_out_pupils_with_an_open_cme_referral(client_as, city) -> None:
    """The TSM packs' "no attendance" lists are told who has an open CME referral (closed ones are not)."""
    from attendwise.web.services import tsm
    from attendwise.web.views.common import access

    upn = city.pupils["a_severe"]
    assert not tsm._term_packs(access(), "2024/25-autumn").packs.pupils.is_cme(upn)
    referral = CmeReferral.objects.create(
        upn=upn, urn=A, referred_on=REMOVED, source="school", reason="other", recorded_by="t"
    )
    assert tsm._term_packs(access(), "2024/25-autumn").packs.pupils.is_cme(upn)
    CmeReferral.objects.filter(pk=referral.pk).update(closed_on=REMOVED, outcome="placed_at_school")
    assert not tsm._term_packs(access(), "2024/25-autumn").packs.pupils.is_cme(upn)


ENTRY_STATUSES = {
    "la_admin": 200,
    "officer": 200,
    "officer_a": 200,
    "school_a": 200,
    "school_b": 404,
    "virtual_school": 404,
    "scrutiny": 403,
}


@pytest.mark.parametrize("role", sorted(ENTRY_STATUSES))
def test_who_sees_an_entry(client_as, city, role: str) -> None:
    """A referral at school A (a_pa, no social worker): LA staff with A and school A see it; the Virtual School and
    school B do not; scrutiny never sees an entry. One at school C is not officer_a's nor school A's."""
    at_a = CmeReferral.objects.create(
        upn=city.pupils["a_pa"],
        enrolment_id=city.enrolments["a_pa"],
        urn=A,
        child_name="A Pa Testchild",
        referred_on=REMOVED,
        source="school",
        reason="moved_abroad",
        recorded_by="t",
    )
    at_c = EheEntry.objects.create(
        upn=city.pupils["c_good0"],
        enrolment_id=city.enrolments["c_good0"],
        urn=C,
        child_name="C Good0",
        started_on=REMOVED,
        reason="other",
        recorded_by="t",
    )
    c = client_as(role)
    assert c.get(reverse("register_entry", args=["cme", at_a.pk])).status_code == ENTRY_STATUSES[role]
    expected_c = {"officer_a": 404, "school_a": 404}.get(role, ENTRY_STATUSES[role])
    assert c.get(reverse("register_entry", args=["ehe", at_c.pk])).status_code == expected_c
    assert c.get(reverse("register_entry", args=["nonsense", at_a.pk])).status_code == 404


def test_the_la_records_enquiries_and_an_outcome_on_a_referral(client_as, city) -> None:
    referral = CmeReferral.objects.create(
        upn="",
        child_name="Unknown Child",
        referred_on=REMOVED,
        source="police",
        reason="whereabouts_unknown",
        whereabouts_unknown_since=REMOVED,
        recorded_by="t",
    )
    c = client_as("officer")
    page = soup(c.get(reverse("register", args=["cme"])))
    href = page.select_one("#table-1 a[href*='/registers/cme/']")["href"]
    assert href == reverse("register_entry", args=["cme", referral.pk])
    change = reverse("register_entry_change", args=["cme", referral.pk, "enquiry"])
    bad = c.post(change, {"enquiry-date_day": "1", "enquiry-date_month": "13", "enquiry-date_year": "2024"})
    assert bad.status_code == 400 and soup(bad).title.get_text().startswith("Error:")
    assert errors(bad) == [
        "The date of the enquiry must be a real date",
        "Enter the agency asked",
        "Enter what the enquiry found",
    ]
    done = c.post(
        change,
        {
            "enquiry-date_day": "24",
            "enquiry-date_month": "9",
            "enquiry-date_year": "2024",
            "enquiry-agency": "Health visitor",
            "enquiry-result": "No contact at the address",
        },
    )
    assert done.status_code == 302
    outcome = reverse("register_entry_change", args=["cme", referral.pk, "outcome"])
    assert errors(c.post(outcome, {"outcome-outcome": "left_country"})) == ["Enter the date the referral closed"]
    c.post(
        outcome,
        {
            "outcome-outcome": "left_country",
            "outcome-whereabouts_known": "on",
            "outcome-closed_on_day": "30",
            "outcome-closed_on_month": "9",
            "outcome-closed_on_year": "2024",
        },
    )
    referral.refresh_from_db()
    assert (referral.outcome, referral.closed_on, referral.whereabouts_unknown_since) == (
        "left_country",
        dt.date(2024, 9, 30),
        None,
    )
    assert referral.enquiries.get().agency == "Health visitor"
    assert [r.what[:7] for r in RegisterChange.objects.order_by("id")] == ["enquiry", "escalat"]
    text = soup(c.get(reverse("register_entry", args=["cme", referral.pk]))).select_one("#entry").get_text()
    assert "Left the country" in text
    assert client_as("virtual_school").post(outcome, {}).status_code == 404  # a child on no roll: not its child


def test_the_la_records_a_visit_and_suitability_on_home_education(client_as, city) -> None:
    entry = EheEntry.objects.create(
        upn=city.pupils["a_severe"],
        enrolment_id=city.enrolments["a_severe"],
        urn=A,
        child_name="A Severe Testchild",
        started_on=REMOVED,
        reason="lifestyle",
        child_protection_plan=True,
        recorded_by="t",
    )
    c = client_as("officer")
    page = soup(c.get(reverse("register_entry", args=["ehe", entry.pk])))
    assert "on a child protection plan" in page.select_one("#entry").get_text()
    change = reverse("register_entry_change", args=["ehe", entry.pk, "update"])
    response = c.post(
        change,
        {
            "update-last_visit_on_day": "1",
            "update-last_visit_on_month": "10",
            "update-last_visit_on_year": "2024",
            "update-suitability": "concerns",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.last_visit_on, entry.suitability) == (dt.date(2024, 10, 1), "concerns")
    assert client_as("virtual_school").post(change, {"update-suitability": "suitable"}).status_code == 403
    entry.refresh_from_db()
    assert entry.suitability == "concerns"


class TestImportingSuspensions:
    HEADER = "upn,kind,start,length,reasons,notice_on,ehc_plan,looked_after\n"

    def _post(self, c, text: str):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("suspensions.csv", text.encode(), content_type="text/csv")
        return c.post(reverse("exclusion_import", args=[A]), {"file": upload})

    def test_a_good_file_is_stored_and_reconciled(self, client_as, city) -> None:
        p = city.pupils
        text = self.HEADER + f"{p['a_pa']},suspension,2024-09-02,1.5,persistent_disruptive;damage,2024-09-02,N,\n"
        text += f"{p['a_severe']},lunchtime,2024-09-03,1,verbal_adult,,,\n"
        c = client_as("school_a")
        response = self._post(c, text)
        assert response.status_code == 302
        records = {r.upn: r for r in ExclusionRecord.objects.all()}
        assert records[p["a_pa"]].reasons == ["damage", "persistent_disruptive"]
        assert records[p["a_severe"]].looked_after  # the register says so
        page = soup(c.get(reverse("register", args=["exclusions"])))
        assert page.select_one("#table-2").get_text().count("record without E") == 4  # 1.5 days + a lunchtime

    def test_a_bad_file_is_refused_by_line_and_field(self, client_as, city) -> None:
        p = city.pupils
        text = self.HEADER + f"{p['a_pa']},suspension,2024-09-02,1.5,persistent_disruptive,,N,\n"
        text += f"{p['a_pa']},expelled,2024-09-02,0.3,nonsense,,maybe,\n"
        text += f"{p['a_pa']},suspension,2024-09-05,1.25,damage,,,\n"
        text += f"{p['b_pupil']},permanent,2024-09-02,3,damage,,,\n"
        response = self._post(client_as("school_a"), text)
        assert response.status_code == 400
        problems = [li.get_text() for li in soup(response).select("#exclusion-problems li")]
        assert problems == [
            "suspensions.csv line 3, field 'kind': 'expelled' is not one of suspension, lunchtime, permanent",
            "suspensions.csv line 3, field 'reasons': 'nonsense' not one of the reasons (abuse_disability, "
            "abuse_sex_gender, bullying, damage, drug_alcohol, media_technology, offensive_weapon, other, "
            "persistent_disruptive, physical_adult, physical_pupils, public_health, racist_abuse, sexual_misconduct, "
            "theft, verbal_adult, verbal_pupil)",
            "suspensions.csv line 3, field 'ehc_plan': 'maybe' is not Y or N",
            "suspensions.csv line 4, field 'length': '1.25' is not school days in halves, from 0.5 to 45",
            "suspensions.csv line 5, field 'upn': No pupil with this UPN has been on your school's roll",
            "suspensions.csv line 5, field 'length': a permanent exclusion has no length: leave it blank",
        ]
        assert ExclusionRecord.objects.count() == 0 and RegisterChange.objects.count() == 0
        assert client_as("school_b").post(reverse("exclusion_import", args=[A]), {}).status_code == 404


def test_panel_referrals_with_reviews_due_and_counts_by_decision(client_as, city) -> None:
    from attendwise.web.registers.models import PanelReferral

    PanelReferral.objects.create(
        upn=city.pupils["a_severe"],
        enrolment_id=city.enrolments["a_severe"],
        urn=A,
        child_name="A Severe Testchild",
        referred_on=dt.date(2024, 9, 9),
        school_actions="Home visits",
        panel_date=dt.date(2024, 9, 16),
        decision="la_provision",
        review_date=dt.date(2024, 9, 30),
        recorded_by="t",
    )
    c = client_as("officer")
    page = soup(c.get(reverse("register", args=["panels"])))
    text = page.select_one("#table-1").get_text()
    assert "Education or intervention through the LA's own service" in text
    assert page.select_one("#table-1 .govuk-tag--red").get_text(strip=True) == "30 Sep 2024"  # review overdue
    counts = soup(c.get(reverse("register_counts"))).get_text(" ", strip=True)
    assert (
        "panel referrals in 2024/25, by decision Decision Children Education or intervention through the LA's own "
        "service 1 Total 1" in counts
    )


def test_exclusion_rates_per_100_pupils_by_phase(client_as, city) -> None:
    """One suspension among the 10 primary pupils on roll is 10.0 per 100; none of Cedar's 5 is 0.0."""
    ExclusionRecord.objects.create(
        upn=city.pupils["a_pa"],
        enrolment_id=city.enrolments["a_pa"],
        urn=A,
        kind="suspension",
        start=dt.date(2024, 9, 3),
        length=1,
        recorded_by="t",
    )
    tables = soup(client_as("officer").get(reverse("register_counts"))).select("table")
    rates = tables[-1].get_text(" ", strip=True)
    assert "Primary 10 1 10.0 0 0.00" in rates and "Secondary 5 0 0.0 0 0.00" in rates
    scrutiny = soup(client_as("scrutiny").get(reverse("register_counts"))).select("table")[-1].get_text(" ", strip=True)
    assert "Primary 10 x x 0 0.00" in scrutiny


def test_an_officer_refers_a_child_from_another_route(client_as, city) -> None:
    """A referral from the police for a child on no roll here: errors by field first, then the referral, with its
    escalation counted from the day the whereabouts became unknown."""
    c = client_as("officer")
    url = reverse("cme_referral_new")
    assert "Refer a child missing education" in soup(c.get(reverse("register", args=["cme"]))).select_one("#refer").text
    bad = c.post(url, {"referral-upn": "X123", "referral-ehc_plan": "on"})
    assert bad.status_code == 400 and soup(bad).title.get_text().startswith("Error:")
    assert errors(bad) == [
        "Enter the child's name",
        "Enter a real UPN: a letter and 12 digits, e.g. A999100024001, or leave it blank",
        "Enter the date of the referral",
        "Choose who made the referral",
        "Choose the reason",
        "Enter the interim provision the SEND team has arranged",
    ]
    good = {
        "referral-child_name": "Sam Stranger",
        "referral-referred_on_day": "16",
        "referral-referred_on_month": "9",
        "referral-referred_on_year": "2024",
        "referral-source": "police",
        "referral-reason": "whereabouts_unknown",
        "referral-whereabouts_unknown_since_day": "16",
        "referral-whereabouts_unknown_since_month": "9",
        "referral-whereabouts_unknown_since_year": "2024",
    }
    response = c.post(url, good)
    assert response.status_code == 302
    referral = CmeReferral.objects.get()
    assert (referral.child_name, referral.source, referral.urn, referral.upn) == ("Sam Stranger", "police", None, "")
    assert RegisterChange.objects.get().register == "cme"
    assert "Sam Stranger" in soup(c.get(reverse("register", args=["cme"]))).select_one("#table-1").get_text()
    assert "Sam Stranger" not in soup(client_as("officer_a").get(reverse("register", args=["cme"]))).get_text()
