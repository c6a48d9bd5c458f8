"""The legal pathway's addresses, spliced into :data:`attendwise.web.urls.addresses`."""

from __future__ import annotations

from django.urls import path

from attendwise.web import converters  # noqa: F401 - registers the identifiers' converters these addresses use
from attendwise.web.legal import views

REQUEST = "legal/requests/<record_id:request_id>/"
NOTICE = "legal/notices/<record_id:notice_id>/"

addresses = [
    path("legal/requests/", views.queue, name="legal_queue"),
    path("legal/counts/", views.counts, name="legal_counts"),
    path(REQUEST, views.request_page, name="legal_request"),
    path(REQUEST + "support", views.record_support, name="legal_support"),
    path(REQUEST + "social-worker", views.record_social_worker, name="legal_social_worker"),
    path(REQUEST + "letter", views.record_letter, name="legal_letter"),
    path(REQUEST + "issue", views.issue, name="legal_issue"),
    path(REQUEST + "certificate.pdf", views.certificate, name="legal_certificate"),
    path(NOTICE, views.notice_page, name="legal_notice"),
    path(NOTICE + "payment", views.notice_payment, name="legal_notice_payment"),
    path(NOTICE + "withdraw", views.notice_withdraw, name="legal_notice_withdraw"),
    path(NOTICE + "unpaid", views.notice_unpaid, name="legal_notice_unpaid"),
    path("pupils/<enrolment_id:enrolment_id>/legal/request", views.request_notice, name="legal_request_new"),
]
