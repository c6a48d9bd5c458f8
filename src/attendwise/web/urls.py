from __future__ import annotations

from django.contrib import admin
from django.urls import path

from attendwise.web.views import accounts, api, pages, tsm

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", accounts.SignOutView.as_view(), name="logout"),
    path("la/", pages.la_overview, name="la_overview"),
    path("la/schools.csv", pages.la_schools_csv, name="la_schools_csv"),
    path("schools/", pages.schools, name="schools"),
    path("schools/<int:urn>/", pages.school, name="school"),
    path("schools/<int:urn>/pupils.csv", pages.school_pupils_csv, name="school_pupils_csv"),
    path("cohorts/", pages.cohorts, name="cohorts"),
    path("cohorts.csv", pages.cohorts_csv, name="cohorts_csv"),
    path("pupils/<int:enrolment_id>/", pages.pupil, name="pupil"),
    path("pupils/<int:enrolment_id>/marks.csv", pages.pupil_marks_csv, name="pupil_marks_csv"),
    path("tsm/", tsm.term_view, name="tsm_term"),
    path("schools/<int:urn>/tsm/", tsm.latest_pack, name="tsm_latest"),
    path("schools/<int:urn>/tsm/<str:term>/", tsm.pack, name="tsm_pack"),
    path("schools/<int:urn>/tsm/<str:term>/pack.xlsx", tsm.pack_xlsx, name="tsm_pack_xlsx"),
    path("schools/<int:urn>/tsm/<str:term>/pack.html", tsm.pack_printable, name="tsm_pack_html"),
    path("schools/<int:urn>/tsm/<str:term>/meeting", tsm.record_meeting, name="tsm_meeting"),
    path("schools/<int:urn>/tsm/<str:term>/pupils", tsm.add_pupil, name="tsm_discuss"),
    path("schools/<int:urn>/tsm/<str:term>/actions", tsm.add_action, name="tsm_action"),
    path("schools/<int:urn>/tsm/<str:term>/actions/<int:action_id>/done", tsm.complete_action, name="tsm_action_done"),
    path("uploads/", pages.uploads, name="uploads"),
    path("audit/", pages.audit, name="audit"),
    path("api/v1/la/measures", api.la_measures, name="api_la_measures"),
    path("api/v1/schools/<int:urn>/measures", api.school_measures, name="api_school_measures"),
    path("api/v1/pupils/<int:enrolment_id>", api.pupil, name="api_pupil"),
    path("admin/", admin.site.urls),
]
