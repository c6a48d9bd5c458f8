"""Casework's addresses, spliced into :data:`attendwise.web.urls.addresses` (so every identifier is read by the
app's strict converters, and every other spelling is answered as an identifier of nothing)."""

from __future__ import annotations

from django.urls import path

from attendwise.web import converters  # noqa: F401 - registers the identifiers' converters these addresses use
from attendwise.web.casework import views

CASE = "cases/<record_id:case_id>/"

addresses = [
    path("cases/", views.caseload, name="caseload"),
    path("cases/counts/", views.counts, name="case_counts"),
    path(CASE, views.case, name="case"),
    path(CASE + "stage", views.change_stage, name="case_stage"),
    path(CASE + "people", views.set_people, name="case_people"),
    path(CASE + "review", views.set_review, name="case_review"),
    path(CASE + "interventions", views.log_intervention, name="case_intervention"),
    path(CASE + "interventions/<record_id:ref>/review", views.review_intervention, name="case_intervention_review"),
    path(CASE + "interventions/<record_id:ref>/document", views.document, name="case_document"),
    path(CASE + "early-help/offer", views.offer_eha, name="case_eha_offer"),
    path(CASE + "early-help/answer", views.answer_eha, name="case_eha_answer"),
    path(CASE + "early-help/criteria", views.record_criteria, name="case_criteria"),
    path(CASE + "early-help/referral", views.refer_family_support, name="case_referral"),
    path(CASE + "early-help/referral-outcome", views.referral_outcome, name="case_referral_outcome"),
    path(CASE + "taf", views.add_taf_member, name="case_taf"),
    path(CASE + "taf/<record_id:ref>/left", views.taf_member_left, name="case_taf_left"),
    path(CASE + "notes", views.add_note, name="case_note"),
    path(CASE + "letters", views.write_letter, name="case_letter"),
    path(CASE + "tsm-action", views.record_tsm_action, name="case_tsm_action"),
    path(CASE + "close", views.close_case, name="case_close"),
    path("pupils/<enrolment_id:enrolment_id>/cases/new", views.open_case, name="case_open"),
    path("pupils/<enrolment_id:enrolment_id>/family/", views.pupil_family, name="pupil_family"),
    path("pupils/<enrolment_id:enrolment_id>/family/link", views.link_family, name="family_link"),
    path("schools/<urn:urn>/cases/", views.school_cases, name="school_cases"),
    path("letters/templates/", views.letter_templates, name="letter_templates"),
]
