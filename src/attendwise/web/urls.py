"""Every address of the service. Identifiers are read by attendwise.web.converters, and nowhere else."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from attendwise.web.casework import urls as casework
from attendwise.web.converters import refused_spellings
from attendwise.web.legal import urls as legal
from attendwise.web.registers import urls as registers
from attendwise.web.views import accounts, api, info, pages, pupils, tsm

TSM = "schools/<urn:urn>/tsm/<str:term>/"

addresses = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("accessibility/", info.accessibility, name="accessibility"),
    path("privacy/", info.privacy, name="privacy"),
    path("contact/", info.contact, name="contact"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", accounts.SignOutView.as_view(), name="logout"),
    path("la/", pages.la_overview, name="la_overview"),
    path("la/schools.csv", pages.la_schools_csv, name="la_schools_csv"),
    path("schools/", pages.schools, name="schools"),
    path("schools/<urn:urn>/", pages.school, name="school"),
    path("schools/<urn:urn>/pupils.csv", pages.school_pupils_csv, name="school_pupils_csv"),
    path("cohorts/", pages.cohorts, name="cohorts"),
    path("cohorts.csv", pages.cohorts_csv, name="cohorts_csv"),
    path("pupils/", pupils.pupils, name="pupils"),
    path("virtual-school/", pupils.virtual_school, name="virtual_school"),
    path("pupils/<enrolment_id:enrolment_id>/", pages.pupil, name="pupil"),
    path("pupils/<enrolment_id:enrolment_id>/marks.csv", pages.pupil_marks_csv, name="pupil_marks_csv"),
    path("tsm/", tsm.term_view, name="tsm_term"),
    path("schools/<urn:urn>/tsm/", tsm.latest_pack, name="tsm_latest"),
    path(TSM, tsm.pack, name="tsm_pack"),
    path(TSM + "pack.xlsx", tsm.pack_xlsx, name="tsm_pack_xlsx"),
    path(TSM + "pack.html", tsm.pack_printable, name="tsm_pack_html"),
    path(TSM + "meeting", tsm.record_meeting, name="tsm_meeting"),
    path(TSM + "pupils", tsm.add_pupil, name="tsm_discuss"),
    path(TSM + "actions", tsm.add_action, name="tsm_action"),
    path(TSM + "actions/<record_id:action_id>/done", tsm.complete_action, name="tsm_action_done"),
    path("uploads/", pages.uploads, name="uploads"),
    *casework.addresses,
    *legal.addresses,
    *registers.addresses,
    path("audit/", pages.audit, name="audit"),
    path("audit/events.csv", pages.audit_csv, name="audit_csv"),
    path("api/v1/la/measures", api.la_measures, name="api_la_measures"),
    path("api/v1/schools/<urn:urn>/measures", api.school_measures, name="api_school_measures"),
    path("api/v1/pupils/<enrolment_id:enrolment_id>", api.pupil, name="api_pupil"),
    path("admin/", admin.site.urls),
]

# An identifier spelled any other way (0042, +104109, 1e5, far too large...) reaches the same view as
# None, which answers it as it answers an identifier of nothing: 403 or 404, audited the same way.
urlpatterns = [*addresses, *refused_spellings(addresses)]
