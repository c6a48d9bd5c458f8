"""The authorisation matrix: every role against every page, export and API response."""

from __future__ import annotations

import pytest
from django.urls import reverse

from attendwise.web.models import Action, AuditEvent, Outcome
from tests.web.conftest import A, B, C

TERM = "2024-25-autumn"
ALL = ["la_admin", "officer", "officer_a", "school_a", "school_b", "virtual_school", "scrutiny"]


def statuses(**by_role: int) -> list[int]:
    """Expected status per role in ALL's order; unnamed roles get the ``default``."""
    default = by_role.pop("default", 200)
    return [by_role.get(role, default) for role in ALL]


# (url name, args (labels resolve to enrolment ids), expected status per role)
MATRIX = [
    ("la_overview", [], statuses(school_a=403, school_b=403)),
    ("la_schools_csv", [], statuses(school_a=403, school_b=403)),
    ("api_la_measures", [], statuses(school_a=403, school_b=403)),
    ("schools", [], statuses(virtual_school=403)),
    ("school", [A], statuses(school_b=404, virtual_school=403)),
    ("school", [B], statuses(officer_a=404, school_a=404, virtual_school=403)),
    ("school", [999999], statuses(default=404, virtual_school=403)),
    ("api_school_measures", [B], statuses(officer_a=404, school_a=404, virtual_school=403)),
    ("school_pupils_csv", [A], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    ("school_pupils_csv", [C], statuses(officer_a=404, school_a=404, school_b=404, virtual_school=404, scrutiny=403)),
    ("cohorts", [], statuses()),
    ("cohorts_csv", [], statuses()),
    # a_severe: school A, looked after
    ("pupil", ["a_severe"], statuses(school_b=404, scrutiny=403)),
    ("pupil_marks_csv", ["a_severe"], statuses(school_b=404, scrutiny=403)),
    ("api_pupil", ["a_severe"], statuses(school_b=404, scrutiny=403)),
    # a_pa: school A, no social worker
    ("pupil", ["a_pa"], statuses(school_b=404, virtual_school=404, scrutiny=403)),
    # c_cin: school C, child in need
    ("pupil", ["c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("api_pupil", ["c_cin"], statuses(officer_a=404, school_a=404, school_b=404, scrutiny=403)),
    ("pupil", [99999], statuses(default=404, scrutiny=403)),
    # Targeting Support Meetings: LA staff and the school itself; packs name pupils, so never scrutiny
    ("tsm_term", [], statuses(default=403, la_admin=200, officer=200, officer_a=200)),
    ("tsm_latest", [A], statuses(default=302, school_b=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack", [A, TERM], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack", [B, TERM], statuses(officer_a=404, school_a=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack", [A, "2024-26-autumn"], statuses(default=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack_xlsx", [A, TERM], statuses(school_b=404, virtual_school=403, scrutiny=403)),
    ("tsm_pack_html", [B, TERM], statuses(officer_a=404, school_a=404, virtual_school=403, scrutiny=403)),
    # changes are POST only (tests below check who may make them)
    ("tsm_meeting", [A, TERM], statuses(default=405)),
    ("tsm_discuss", [A, TERM], statuses(default=405)),
    ("tsm_action", [A, TERM], statuses(default=405)),
    ("tsm_action_done", [A, TERM, 1], statuses(default=405)),
    ("uploads", [], statuses(virtual_school=403, scrutiny=403)),
    ("audit", [], statuses(default=403, la_admin=200)),
]

CASES = [
    pytest.param(name, args, role, expected, id=f"{name}{args}-{role}")
    for name, args, expected_list in MATRIX
    for role, expected in zip(ALL, expected_list, strict=True)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "role", "expected"), CASES)
def test_matrix(client_as, city, name: str, args: list, role: str, expected: int) -> None:
    """Each role gets exactly the pages, exports and API answers its job needs; 404 hides other schools' pupils."""
    resolved = [city.enrolments.get(a, a) if isinstance(a, str) else a for a in args]
    response = client_as(role).get(reverse(name, args=resolved))
    assert response.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["la_overview", "school", "pupil", "cohorts", "uploads", "audit", "api_la_measures"])
def test_signed_out_users_are_sent_to_sign_in(client, city, name: str) -> None:
    """Nothing but the sign-in page answers a visitor who is not signed in."""
    args = {"school": [A], "pupil": [city.enrolments["a_pa"]]}.get(name, [])
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_user_with_no_role_sees_nothing(client, django_user_model) -> None:
    user = django_user_model.objects.create_user("nobody", password="correct-horse-battery-9")
    client.force_login(user)
    assert client.get(reverse("la_overview")).status_code == 403
    assert client.get(reverse("cohorts")).status_code == 403
    assert client.get(reverse("school", args=[A])).status_code == 403


@pytest.mark.django_db
class TestAuditOfAttempts:
    def test_another_schools_pupil_is_404_and_logged(self, client_as, city) -> None:
        """A school user asking for another school's pupil gets 404, and the attempt is in the audit log."""
        enrolment = city.enrolments["a_severe"]
        response = client_as("school_b").get(reverse("pupil", args=[enrolment]))
        assert response.status_code == 404
        event = AuditEvent.objects.get()
        assert (event.username, event.action, event.outcome, event.enrolment_id) == (
            "school_b",
            Action.VIEW_PUPIL,
            Outcome.NOT_FOUND,
            enrolment,
        )
        assert city.pupils["a_severe"].encode() not in response.content

    def test_scrutiny_asking_for_a_pupil_is_403_and_logged(self, client_as, city) -> None:
        client_as("scrutiny").get(reverse("api_pupil", args=[city.enrolments["a_pa"]]))
        event = AuditEvent.objects.get()
        assert (event.action, event.outcome) == (Action.API_PUPIL, Outcome.FORBIDDEN)

    def test_views_and_exports_are_logged_with_who_and_what(self, client_as, city) -> None:
        """Opening a record, downloading its marks and seeing a school's list each leave one row."""
        c = client_as("officer")
        enrolment = city.enrolments["a_pa"]
        c.get(reverse("pupil", args=[enrolment]))
        c.get(reverse("pupil_marks_csv", args=[enrolment]))
        c.get(reverse("school", args=[A]))
        c.get(reverse("school_pupils_csv", args=[A]))
        rows = list(AuditEvent.objects.order_by("id").values_list("action", "outcome", "upn", "school_urn", "pupils"))
        assert rows == [
            (Action.VIEW_PUPIL, Outcome.SHOWN, city.pupils["a_pa"], A, None),
            (Action.EXPORT_PUPIL, Outcome.SHOWN, city.pupils["a_pa"], A, None),
            (Action.VIEW_PUPIL_LIST, Outcome.SHOWN, "", A, 2),
            (Action.EXPORT_PUPIL_LIST, Outcome.SHOWN, "", A, 2),
        ]
        assert all(e.username == "officer" and e.at for e in AuditEvent.objects.all())

    def test_aggregate_pages_are_not_logged_as_pupil_views(self, client_as) -> None:
        c = client_as("scrutiny")
        c.get(reverse("school", args=[A]))
        c.get(reverse("la_overview"))
        assert not AuditEvent.objects.exists()


@pytest.mark.django_db
class TestScopedData:
    def test_school_user_sees_only_their_pupils(self, client_as, city) -> None:
        """School A's page lists A's absent pupils by name; B's user sees no names from A."""
        page = client_as("school_a").get(reverse("school", args=[A])).content.decode()
        assert "A Severe Testchild" in page and "A Pa Testchild" in page
        cohort = client_as("school_b").get(reverse("cohorts")).content.decode()
        assert "Testchild" not in cohort

    def test_scrutiny_never_sees_a_pupil_name(self, client_as) -> None:
        c = client_as("scrutiny")
        for name, args in [("la_overview", []), ("school", [A]), ("cohorts", []), ("schools", [])]:
            page = c.get(reverse(name, args=args)).content.decode()
            assert "Testchild" not in page, name

    def test_virtual_school_cohort_is_its_children_only(self, client_as) -> None:
        """The Virtual School's cohort figures count the looked-after child and the child in need: two."""
        data = client_as("virtual_school").get(reverse("api_la_measures")).json()
        assert data["rows"][0]["enrolments"] == 2

    def test_assigned_officer_api_counts_only_their_schools(self, client_as) -> None:
        everything = client_as("officer").get(reverse("api_la_measures")).json()["rows"][0]["enrolments"]
        client_as.client.logout()
        assigned = client_as("officer_a").get(reverse("api_la_measures")).json()["rows"][0]["enrolments"]
        assert (everything, assigned) == (15, 7)


@pytest.mark.django_db
def test_the_case_store_is_the_database_asked_for() -> None:
    """`make test` runs the web suite a second time on PostgreSQL: make sure that run really is on PostgreSQL."""
    import os

    from django.db import connection

    asked = os.environ.get("ATTENDWISE_TEST_DATABASE_URL", "sqlite://")
    expected = "postgresql" if asked.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_the_matrix_covers_every_page() -> None:
    """A new page, export or API answer cannot land without its row in the matrix above."""
    from attendwise.web.urls import urlpatterns

    named = {p.name for p in urlpatterns if getattr(p, "name", None)}
    open_to_all = {"home", "healthz", "login", "logout"}  # home redirects by role; the rest hold no data
    assert named - open_to_all - {name for name, _, _ in MATRIX} == set()
