"""Targeting Support Meetings: the LA's term view, each school's pack, and what the meeting agreed."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

from csp.decorators import csp_update
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from attendwise.core.identifiers import show
from attendwise.documents.html import PRINT_CSS
from attendwise.measures.pupils import enrolments_of
from attendwise.reports.tsm import TSMError, TSMPack, pack_filename, render_html
from attendwise.web import audit as audit_log
from attendwise.web import rules
from attendwise.web.casework.services.tsm_link import pack_casework
from attendwise.web.forms import ActionForm, DiscussForm, MeetingForm
from attendwise.web.models import (
    Action,
    ActionStatus,
    AgreedAction,
    DiscussedPupil,
    Outcome,
    Role,
    TargetingMeeting,
)
from attendwise.web.services import schools as school_service
from attendwise.web.services import tsm as tsm_service
from attendwise.web.views.common import access, not_found, pupil_link, require


def _term_or_404(slug: str) -> str:
    term = tsm_service.term_label(slug)
    if term is None:
        raise not_found()
    return term


def _pack_access(request: HttpRequest, urn: int | None, action: Action) -> int:
    """The school's URN if the user may see its packs; else 403 for a role that never sees packs, and
    404 (audited) for a school outside the user's scope, or none (``urn`` None: the address held no URN)."""
    if not rules.can_view_tsm_packs(request.user):
        audit_log.record(request, action, Outcome.FORBIDDEN, school_urn=urn)
        require(False)
    if (
        urn is None
        or not rules.can_view_tsm_pack(request.user, urn)
        or school_service.school_info(access(), urn) is None
    ):
        audit_log.record(request, action, Outcome.NOT_FOUND, school_urn=urn)
        raise not_found()
    return urn


def _audit_pack(request: HttpRequest, action: Action, pack: TSMPack, term: str) -> None:
    """One audit row for a pack shown or downloaded, counting the pupils its lists name."""
    listed = len(pack.severely_absent) + len(pack.persistently_absent) + len(pack.at_risk)
    audit_log.record(request, action, Outcome.SHOWN, school_urn=pack.urn, pupils=listed, detail=f"TSM pack {term}")


def pack_url(urn: int, term: str) -> str:
    return reverse("tsm_pack", args=[urn, tsm_service.term_slug(term)])


def term_view(request: HttpRequest) -> HttpResponse:
    """Every school's TSM for a term, and every severely absent pupil with the plan agreed for them."""
    require(rules.can_view_tsm_term(request.user))
    acc = access()
    terms = tsm_service.available_terms(acc)
    if not terms:
        return render(request, "attendwise/pages/no_data.html", {"message": "The store holds no marks yet."})
    term = request.GET.get("term") or terms[0]
    if term not in terms:  # never another term's meetings under the term asked for
        error = f"Choose a term from the list: there are no marks for {show(term)}"
        context = {"page": None, "terms": terms, "term": None, "term_error": error}
        return render(request, "attendwise/pages/tsm_term.html", context, status=400)
    page = tsm_service.term_overview(
        acc,
        rules.scope_for(request.user),
        term,
        pack_link=lambda urn: pack_url(urn, term),
        pupil_link=pupil_link,
    )
    audit_log.record(
        request,
        Action.VIEW_PUPIL_LIST,
        Outcome.SHOWN,
        pupils=len(page.severe.rows),
        detail=f"severely absent pupils across schools, TSM {term}",
    )
    return render(request, "attendwise/pages/tsm_term.html", {"page": page, "terms": terms, "term": term})


def _officers(urn: int) -> list[tuple[int, str]]:
    """The LA staff who may hold this school's meeting: administrators, and officers with the school."""
    user_model = get_user_model()
    staff = user_model.objects.filter(is_active=True, profile__role__in=[Role.LA_ADMIN, Role.OFFICER]).prefetch_related(
        "school_access", "profile"
    )
    out = []
    for u in staff.order_by("username"):
        urns = {a.urn for a in u.school_access.all()}
        if u.profile.role == Role.LA_ADMIN or not urns or urn in urns:
            out.append((u.pk, u.get_full_name() or u.get_username()))
    return out


def _pack_context(request: HttpRequest, urn: int, term: str, **forms: Any) -> dict[str, Any]:
    acc = access()
    page = tsm_service.pack_page(acc, urn, term)
    return {
        "page": page,
        "urn": urn,
        "term": term,
        "slug": tsm_service.term_slug(term),
        "can_record": rules.can_record_tsm(request.user, urn),
        "meeting_form": forms.get("meeting_form")
        or MeetingForm(
            officers=_officers(urn),
            initial={
                "officer": page.meeting.officer_id if page.meeting and page.meeting.officer_id else request.user.pk,
                "scheduled_for": page.meeting.scheduled_for if page.meeting else None,
                "held_on": page.meeting.held_on if page.meeting else None,
                "attendees": page.meeting.attendees if page.meeting else "",
                "notes": page.meeting.notes if page.meeting else "",
            },
        ),
        "discuss_form": _offering(forms.get("discuss_form") or DiscussForm(), page),
        "action_form": _offering(forms.get("action_form") or ActionForm(), page),
        "term_slugs": [(t, tsm_service.term_slug(t)) for t in page.terms],
        "user_id": request.user.pk,
        "casework": pack_casework(acc, request.user, page.pack, [a for a, _ in page.actions]),
    }


def _offering(form: DiscussForm | ActionForm, page: Any) -> DiscussForm | ActionForm:
    """The form with the pack's pupils to pick from."""
    form.offer(tsm_service.pack_pupils(page.pack))
    return form


def _render_pack(request: HttpRequest, urn: int, term: str, status: int = 200, **forms: Any) -> HttpResponse:
    try:
        context = _pack_context(request, urn, term, **forms)
    except TSMError as exc:
        return render(request, "attendwise/pages/no_data.html", {"message": str(exc)}, status=404)
    pack = context["page"].pack
    _audit_pack(request, Action.VIEW_PUPIL_LIST, pack, term)
    return render(request, "attendwise/pages/tsm_pack.html", context, status=status)


def latest_pack(request: HttpRequest, urn: int | None) -> HttpResponse:
    """The school's pack for the latest term with marks."""
    urn = _pack_access(request, urn, Action.VIEW_PUPIL_LIST)
    terms = tsm_service.available_terms(access())
    if not terms:
        raise not_found()
    return redirect(pack_url(urn, terms[0]))


def pack(request: HttpRequest, urn: int | None, term: str) -> HttpResponse:
    """A school's pack for a term, with the meeting's record."""
    urn = _pack_access(request, urn, Action.VIEW_PUPIL_LIST)
    return _render_pack(request, urn, _term_or_404(term))


def pack_export(request: HttpRequest, urn: int | None, term: str, fmt: str) -> HttpResponse:
    """The pack as a workbook or a printable document; downloading it marks the pack as generated."""
    urn = _pack_access(request, urn, Action.EXPORT_PUPIL_LIST)
    label = _term_or_404(term)
    try:
        built = tsm_service.school_pack(access(), urn, label)
    except TSMError:
        raise not_found() from None
    _audit_pack(request, Action.EXPORT_PUPIL_LIST, built, label)
    meeting, _ = TargetingMeeting.objects.get_or_create(urn=urn, term=label)
    meeting.pack_generated_at = timezone.now()
    meeting.save(update_fields=["pack_generated_at", "updated_at"])
    if fmt == "xlsx":
        response = HttpResponse(
            tsm_service.pack_workbook(built),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(render_html(built), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = (
        f'{"attachment" if fmt == "xlsx" else "inline"}; filename="{pack_filename(built, fmt)}"'
    )
    return response


def pack_xlsx(request: HttpRequest, urn: int | None, term: str) -> HttpResponse:
    return pack_export(request, urn, term, "xlsx")


#: The printable pack is one self-contained document with its own stylesheet: allow exactly that stylesheet.
_PRINT_STYLE = "'sha256-" + base64.b64encode(hashlib.sha256(PRINT_CSS.encode()).digest()).decode() + "'"


@csp_update({"style-src": [_PRINT_STYLE]})
def pack_printable(request: HttpRequest, urn: int | None, term: str) -> HttpResponse:
    return pack_export(request, urn, term, "html")


def _pupil_on_roll(form: DiscussForm | ActionForm, urn: int) -> int | None:
    """The enrolment id at this school of the pupil a valid form names; the form's error if there is none."""
    upn = form.cleaned_data.get("upn") if form.is_valid() else None
    if not upn:
        return None
    for e in enrolments_of(access().store(), upn):
        if e.urn == urn:
            return e.enrolment_id
    form.add_error("upn", "There is no pupil with this UPN on the school's roll")
    return None


@require_POST
def record_meeting(request: HttpRequest, urn: int | None, term: str) -> HttpResponse:
    """Schedule the meeting, or record that it was held, who came and what was noted (LA staff)."""
    urn = _pack_access(request, urn, Action.VIEW_PUPIL_LIST)
    label = _term_or_404(term)
    require(rules.can_record_tsm(request.user, urn))
    form = MeetingForm(request.POST, officers=_officers(urn))
    if not form.is_valid():
        return _render_pack(request, urn, label, status=400, meeting_form=form)
    meeting, _ = TargetingMeeting.objects.get_or_create(urn=urn, term=label)
    for name in ("scheduled_for", "held_on", "attendees", "notes"):
        setattr(meeting, name, form.cleaned_data[name])
    meeting.officer_id = form.cleaned_data["officer"]
    meeting.save()
    return redirect(pack_url(urn, label) + "#meeting")


@require_POST
def add_pupil(request: HttpRequest, urn: int | None, term: str) -> HttpResponse:
    """Put a pupil on the meeting's agenda; a school user's request is marked as the school's."""
    urn = _pack_access(request, urn, Action.VIEW_PUPIL_LIST)
    label = _term_or_404(term)
    form = DiscussForm(request.POST)
    enrolment_id = _pupil_on_roll(form, urn)
    if not form.is_valid() or enrolment_id is None:
        return _render_pack(request, urn, label, status=400, discuss_form=form)
    meeting, _ = TargetingMeeting.objects.get_or_create(urn=urn, term=label)
    entry, _ = DiscussedPupil.objects.get_or_create(
        meeting=meeting, enrolment_id=enrolment_id, defaults={"upn": form.cleaned_data["upn"], "added_by": request.user}
    )
    # Adding the same pupil again (an officer naming the lead practitioner, say) adds to the entry, never
    # wiping what the school wrote.
    entry.reason = form.cleaned_data["reason"] or entry.reason
    entry.lead_practitioner = form.cleaned_data["lead_practitioner"] or entry.lead_practitioner
    entry.requested_by_school = entry.requested_by_school or rules.scope_for(request.user).role == Role.SCHOOL
    entry.save()
    return redirect(pack_url(urn, label) + "#discuss")


@require_POST
def add_action(request: HttpRequest, urn: int | None, term: str) -> HttpResponse:
    """Record an action agreed at the meeting, owned by the person recording it."""
    urn = _pack_access(request, urn, Action.VIEW_PUPIL_LIST)
    label = _term_or_404(term)
    form = ActionForm(request.POST)
    enrolment_id = _pupil_on_roll(form, urn)  # None for a whole-school action
    if not form.is_valid():
        return _render_pack(request, urn, label, status=400, action_form=form)
    meeting, _ = TargetingMeeting.objects.get_or_create(urn=urn, term=label)
    user = request.user
    AgreedAction.objects.create(
        meeting=meeting,
        enrolment_id=enrolment_id,
        upn=form.cleaned_data["upn"],
        description=form.cleaned_data["description"],
        owner=user,
        owner_name=user.get_full_name() or user.get_username(),  # type: ignore[union-attr]
        due_date=form.cleaned_data["due_date"],
    )
    return redirect(pack_url(urn, label) + "#agreed")


@require_POST
def complete_action(request: HttpRequest, urn: int | None, term: str, action_id: int | None) -> HttpResponse:
    """Mark an action done (its owner, or LA staff with the school)."""
    urn = _pack_access(request, urn, Action.VIEW_PUPIL_LIST)
    label = _term_or_404(term)
    if action_id is None:  # the address held no record id: no such action
        raise not_found()
    action = get_object_or_404(AgreedAction, pk=action_id, meeting__urn=urn, meeting__term=label)
    require(rules.can_complete_action(request.user, urn, action.owner_id))
    action.status = ActionStatus.DONE
    action.completed_on = dt.date.today()
    action.save(update_fields=["status", "completed_on"])
    return redirect(pack_url(urn, label) + "#agreed")
