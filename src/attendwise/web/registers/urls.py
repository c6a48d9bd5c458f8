"""The registers' addresses, spliced into :data:`attendwise.web.urls.addresses` (identifiers read by the app's
strict converters)."""

from __future__ import annotations

from django.urls import path

from attendwise.web import converters  # noqa: F401 - registers the identifiers' converters these addresses use
from attendwise.web.registers import views

addresses = [
    path("registers/", views.index, name="registers"),
    path("registers/counts/", views.register_counts, name="register_counts"),
    path("registers/cme/new", views.new_cme_referral, name="cme_referral_new"),
    path("registers/<str:key>/", views.register, name="register"),
    path("registers/<str:key>/<record_id:entry_id>/", views.register_entry, name="register_entry"),
    path(
        "registers/<str:key>/<record_id:entry_id>/<str:what>", views.register_entry_change, name="register_entry_change"
    ),
    path("schools/<urn:urn>/removals/", views.school_removals, name="school_removals"),
    path("schools/<urn:urn>/removals/new", views.notify_removal, name="removal_notify"),
    path("schools/<urn:urn>/removals/import", views.import_removals, name="removal_import"),
    path("schools/<urn:urn>/suspensions/import", views.import_exclusions, name="exclusion_import"),
    path("pupils/<enrolment_id:enrolment_id>/registers/", views.pupil_registers, name="pupil_registers"),
]
