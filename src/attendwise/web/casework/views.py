"""Casework's pages: caseloads, a school's cases, the case page and its changes, opening a case, and the counts.

Every view asks :mod:`attendwise.web.casework.rules` before it reads anything, answers a role that may
never see cases with 403 and a case outside the user's scope (or an identifier of nothing) with 404,
and writes one audit row for each view of a case or list of cases, shown or refused. A change to a case
is one event through :func:`attendwise.web.casework.store.record`; a change made from a page opened
before someone else's change is refused (409) with who changed it and when, the person's entry kept in
the form.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from attendwise.analysis.early_warning import heading_into_pa
from attendwise.casework import commands
from attendwise.casework.case import Case, CasePupil, CaseRuleError
from attendwise.casework.events import CaseEvent, OpeningReason
from attendwise.casework.figures import suggestions_for
from attendwise.core.errors import AttendwiseError
from attendwise.documents.letter_fields import MERGE_FIELDS, Meeting, Sender
from attendwise.documents.letters import MAX_TEMPLATE_BYTES, shipped_templates
from attendwise.measures.pupils import Enrolment
from attendwise.web import audit as audit_log
from attendwise.web import rules
from attendwise.web.casework import forms as f
from attendwise.web.casework import rules as case_rules
from attendwise.web.casework import store
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseRecord, InterventionRecord, LetterTemplateRecord, case_files
from attendwise.web.casework.services import family as family_service
from attendwise.web.casework.services import letters as letter_service
from attendwise.web.casework.services import lists, page, tsm_link
from attendwise.web.casework.services.counts import case_counts
from attendwise.web.models import Action, AgreedAction, Outcome, Role
from attendwise.web.services import figures
from attendwise.web.services import pupil as pupil_service
from attendwise.web.services import schools as school_service
from attendwise.web.services.early_warning import la_risk
from attendwise.web.views.common import access, not_found, pupil_link, require, threshold

Build = Callable[[Case, dict[str, Any], str, dt.datetime], CaseEvent]


def _today() -> dt.date:
    return timezone.localdate()


# -- refusals ----------------------------------------------------------------------------------------------
def _case_access(request: HttpRequest, case_id: int | None) -> tuple[store.Loaded, Enrolment]:
    """The case and its enrolment if the user may see it: else 403 for a role that never sees cases, 404
    (audited) for a case outside their scope or none (``case_id`` None: the address held no id)."""
    if not case_rules.can_view_cases(request.user):
        audit_log.record(request, Action.VIEW_CASE, Outcome.FORBIDDEN, detail=f"case {case_id}")
        require(False)
    loaded = store.load(case_id) if case_id is not None else None
    enrolment = (
        pupil_service.visible_enrolment(access(), rules.scope_for(request.user), loaded.record.enrolment_id)
        if loaded is not None
        else (None, False)
    )
    if loaded is None or enrolment[0] is None or not case_rules.can_view_case(request.user, enrolment[0]):
        audit_log.record(request, Action.VIEW_CASE, Outcome.NOT_FOUND, detail=f"case {case_id}")
        raise not_found()
    return loaded, enrolment[0]


def _pupil_access(request: HttpRequest, enrolment_id: int | None) -> Enrolment:
    """The pupil a case may be opened for: 403 for a role that never opens cases, 404 outside the scope."""
    if not case_rules.can_record_on_cases(request.user):
        audit_log.record(request, Action.VIEW_PUPIL, Outcome.FORBIDDEN, enrolment_id=enrolment_id, detail="open a case")
        require(False)
    enrolment, allowed = (
        (None, False)
        if enrolment_id is None
        else pupil_service.visible_enrolment(access(), rules.scope_for(request.user), enrolment_id)
    )
    if enrolment is None or not allowed or not case_rules.can_open_case(request.user, enrolment):
        audit_log.record(request, Action.VIEW_PUPIL, Outcome.NOT_FOUND, enrolment_id=enrolment_id, detail="open a case")
        raise not_found()
    return enrolment


# -- the case page -----------------------------------------------------------------------------------------
def _officers(urn: int) -> list[tuple[str, str]]:
    return page.officers_for(urn)


def _make(name: str, data: Any, loaded: store.Loaded) -> Any:
    """The case page's form ``name``, bound to ``data`` (or unbound, from the case as it is)."""
    model, config = stage_model(), casework_config()
    case = loaded.case
    initial = {"version": loaded.record.version}
    today = _today().isoformat()
    made: dict[str, Callable[[], Any]] = {
        "stage": lambda: f.StageForm(data, model=model, initial=initial),
        "people": lambda: f.PeopleForm(
            data,
            model=model,
            officers=_officers(loaded.record.urn),
            initial={
                **initial,
                "lead": case.lead,
                "lead_practitioner": case.lead_practitioner,
                "attendance_champion": case.attendance_champion,
                "la_officer": case.la_officer,
            },
        ),
        "review": lambda: f.ReviewForm(data, initial={**initial, "review_date": case.review_date}),
        "intervention": lambda: f.InterventionForm(data, config=config, initial={**initial, "date": today}),
        "eha_offer": lambda: f.EhaOfferForm(data, initial={**initial, "date": today}),
        "eha_answer": lambda: f.EhaAnswerForm(data, initial={**initial, "date": today}),
        "taf": lambda: f.TafForm(data, initial={**initial, "start": today}),
        "criteria": lambda: f.CriteriaForm(
            data, config=config, initial={**initial, "criteria": list(case.criteria_met), "date": today}
        ),
        "referral": lambda: f.ReferralForm(data, initial={**initial, "date": today}),
        "referral_outcome": lambda: f.ReferralOutcomeForm(data, initial={**initial, "date": today}),
        "note": lambda: f.NoteForm(data, initial=initial),
        "close": lambda: f.CloseForm(data, config=config, initial={**initial, "date": today}),
        "intervention_review": lambda: f.InterventionReviewForm(data, initial={**initial, "date": today}),
        "taf_left": lambda: f.TafLeftForm(data, initial={**initial, "date": today}),
        "letter": lambda: _letter_form(data, loaded, initial),
        "tsm_action": lambda: f.TsmActionForm(data, initial=initial),
    }
    return made[name]()


def _parent_label(c: Any) -> str:
    flags = "" if c.lives_with else ", does not live with the pupil"
    return f"{c.contact.name} ({c.relationship}{flags})"


def _letter_form(data: Any, loaded: store.Loaded, initial: dict[str, Any]) -> f.LetterForm:
    """The letter form: the templates offered, and the pupil's parents with parental responsibility (all ticked)."""
    parents = letter_service.parents(access(), loaded.case.pupil.upn)
    choices = [(c.contact.contact_id, _parent_label(c)) for c in parents]
    return f.LetterForm(
        data,
        templates=[(t.key, t.label) for t in letter_service.template_choices()],
        parents=choices,
        initial={**initial, "contacts": [k for k, _ in choices]},
    )


@dataclass(frozen=True)
class ItemForm:
    """A form about one item of the case (an intervention's review, a member leaving): its id prefix and the form."""

    name: str
    form: Any


FORMS = (
    "stage",
    "people",
    "review",
    "intervention",
    "eha_offer",
    "eha_answer",
    "taf",
    "criteria",
    "referral",
    "note",
    "close",
    "letter",
)


#: Forms about one item of the case, shown beside the item (their errors are summarised with it).
_ITEM_FORMS = {"intervention_review", "taf_left", "referral_outcome"}


def _render_case(
    request: HttpRequest,
    loaded: store.Loaded,
    enrolment: Enrolment,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
    bound_ref: int | None = None,
    stale: str | None = None,
) -> HttpResponse:
    bound = bound or {}
    acc = access()
    scope = rules.scope_for(request.user)
    built = page.case_page(
        acc,
        scope,
        loaded,
        enrolment,
        today=_today(),
        can_see=lambda e: case_rules.can_view_case(request.user, e),
    )
    can_record = case_rules.can_record_on_case(request.user, enrolment) and loaded.case.is_open
    forms = {name: bound[name] if name in bound else _make(name, None, loaded) for name in FORMS} if can_record else {}
    # A refused change to a case that can no longer take it (closed since) still says why, in the summary.
    # So does a change made from another page (a TSM action recorded from the pack).
    forms.update({name: form for name, form in bound.items() if name not in _ITEM_FORMS})

    def item_form(kind: str, ref: int, prefix: str) -> ItemForm:
        form = bound[kind] if bound_ref == ref and kind in bound else _make(kind, None, loaded)
        return ItemForm(f"{prefix}-{ref}", form)

    reviews = {
        e.item.ref: item_form("intervention_review", e.item.ref, "review")
        for e in built.interventions
        if can_record and not e.item.ended and (e.timetable or e.item.review_date)
    }
    leaving = {m.ref: item_form("taf_left", m.ref, "left") for m in built.taf if can_record and m.current}
    outcomes = {
        r.ref: item_form("referral_outcome", r.ref, "outcome")
        for r in loaded.case.family_support
        if can_record and not r.outcome
    }
    for ref, item in outcomes.items():
        item.form.initial["ref"] = ref
    audit_log.record(request, Action.VIEW_CASE, Outcome.SHOWN, enrolment=enrolment, detail=f"case {loaded.record.pk}")
    context = {
        "page": built,
        "forms": forms,
        "reviews": reviews,
        "leaving": leaving,
        "outcomes": outcomes,
        "item_forms": [*reviews.values(), *leaving.values(), *outcomes.values()],
        "can_record": can_record,
        "stale": stale,
        "back": reverse("school_cases", args=[enrolment.urn])
        if case_rules.can_view_school_cases(request.user, enrolment.urn)
        else reverse("caseload"),
    }
    return render(request, "casework/case.html", context, status=status)


def case(request: HttpRequest, case_id: int | None) -> HttpResponse:
    """A case: its summary, flags, the pupil's attendance, what has been done, and the timeline, newest first."""
    loaded, enrolment = _case_access(request, case_id)
    return _render_case(request, loaded, enrolment)


def _change(
    request: HttpRequest,
    case_id: int | None,
    name: str,
    build: Build,
    anchor: str,
    ref: int | None = None,
    item: Callable[[Case, int], bool] | None = None,
) -> HttpResponse:
    """Record one change from the form ``name``: refused (and the page shown again) if the form is wrong, the
    rules do not allow it (400), or the case changed since the form was made (409).

    A change about one item of the case (``item`` says whether the case has the item ``ref``) is answered
    404, audited, when it has none or the address held no ref (``ref`` None).
    """
    loaded, enrolment = _case_access(request, case_id)
    require(case_rules.can_record_on_case(request.user, enrolment))
    if item is not None and (ref is None or not item(loaded.case, ref)):
        audit_log.record(
            request,
            Action.VIEW_CASE,
            Outcome.NOT_FOUND,
            enrolment=enrolment,
            detail=f"case {loaded.record.pk}: no item {ref}",
        )
        raise not_found()
    form = _make(name, request.POST, loaded)
    if not form.is_valid():
        return _render_case(request, loaded, enrolment, status=400, bound={name: form}, bound_ref=ref)
    who, user_name = store.who_of(request.user)
    try:
        store.record(
            loaded.record.pk,
            form.cleaned_data["version"],
            lambda case: build(case, form.cleaned_data, who, store.now()),
            user_name,
        )
    except store.StaleCase as exc:
        fresh = store.load(loaded.record.pk)
        assert fresh is not None
        data = request.POST.copy()
        data["version"] = str(fresh.record.version)
        again = _make(name, data, fresh)
        return _render_case(request, fresh, enrolment, status=409, bound={name: again}, bound_ref=ref, stale=str(exc))
    except CaseRuleError as exc:
        form.add_error(None, str(exc))
        return _render_case(request, loaded, enrolment, status=400, bound={name: form}, bound_ref=ref)
    return redirect(reverse("case", args=[loaded.record.pk]) + f"#{anchor}")


def _suggestion(request: HttpRequest, enrolment: Enrolment, current: str) -> Any:
    """The stage the pupil's year so far suggests: what the page showed, from the same record."""
    record = page.pupil_figures(access(), rules.scope_for(request.user), enrolment).record
    return suggestions_for(stage_model(), current, record).year


@require_POST
def change_stage(request: HttpRequest, case_id: int | None) -> HttpResponse:
    enrolment = _case_access(request, case_id)[1]

    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.change_stage(
            case,
            stage_model(),
            casework_config(),
            stage=d["stage"],
            who=who,
            at=at,
            why=d["why"],
            suggestion=_suggestion(request, enrolment, case.stage),
        )

    return _change(request, case_id, "stage", build, "stage")


@require_POST
def set_people(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.set_people(
            case,
            stage_model(),
            who=who,
            at=at,
            why=d["why"],
            lead=d["lead"],
            lead_practitioner=d["lead_practitioner"],
            attendance_champion=d["attendance_champion"],
            la_officer=d["la_officer"],
        )

    return _change(request, case_id, "people", build, "summary")


@require_POST
def set_review(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.set_review(case, review_date=d["review_date"], who=who, at=at, why=d["why"])

    return _change(request, case_id, "review", build, "summary")


@require_POST
def log_intervention(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.log_intervention(
            case,
            casework_config(),
            type=d["type"],
            date=d["date"],
            who=who,
            at=at,
            by=d["by"],
            notes=d["notes"],
            outcome=d["outcome"],
            next_step=d["next_step"],
            review_date=d["review_date"],
            end_date=d["end_date"],
        )

    return _change(request, case_id, "intervention", build, "interventions")


@require_POST
def review_intervention(request: HttpRequest, case_id: int | None, ref: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.review_intervention(
            case,
            casework_config(),
            ref=ref,
            date=d["date"],
            who=who,
            at=at,
            outcome=d["outcome"],
            next_review_date=d["next_review_date"],
            ended=d["ended"] == "yes",
        )

    return _change(
        request,
        case_id,
        "intervention_review",
        build,
        "interventions",
        ref=ref,
        item=lambda c, r: any(i.ref == r for i in c.interventions),
    )


@require_POST
def offer_eha(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.offer_eha(
            case, date=d["date"], offered_by=d["offered_by"], who=who, at=at, reference=d["reference"]
        )

    return _change(request, case_id, "eha_offer", build, "early-help")


@require_POST
def answer_eha(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.answer_eha(
            case, answer=d["answer"], date=d["date"], who=who, at=at, why=d["why"], reference=d["reference"]
        )

    return _change(request, case_id, "eha_answer", build, "early-help")


@require_POST
def add_taf_member(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.add_taf_member(
            case, agency=d["agency"], person=d["person"], role=d["role"], start=d["start"], who=who, at=at
        )

    return _change(request, case_id, "taf", build, "taf")


@require_POST
def taf_member_left(request: HttpRequest, case_id: int | None, ref: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.end_taf_membership(case, ref=ref, date=d["date"], who=who, at=at)

    return _change(
        request, case_id, "taf_left", build, "taf", ref=ref, item=lambda c, r: any(m.ref == r for m in c.taf)
    )


@require_POST
def record_criteria(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.record_criteria(case, casework_config(), criteria=d["criteria"], date=d["date"], who=who, at=at)

    return _change(request, case_id, "criteria", build, "early-help")


@require_POST
def refer_family_support(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.refer_family_support(case, date=d["date"], to=d["to"], who=who, at=at, why=d["why"])

    return _change(request, case_id, "referral", build, "early-help")


@require_POST
def referral_outcome(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.record_family_support_outcome(
            case, ref=d["ref"], outcome=d["outcome"], date=d["date"], who=who, at=at
        )

    return _change(request, case_id, "referral_outcome", build, "early-help", ref=_int(request.POST.get("ref", "")))


def _int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _agreed_action(request: HttpRequest, action_id: int | None, upn: str) -> AgreedAction | None:
    """An action agreed at a TSM about this pupil, at a meeting whose pack the user may see (else ``None``)."""
    if action_id is None:
        return None
    action = AgreedAction.objects.select_related("meeting").filter(pk=action_id, upn=upn).first()
    if action is None or not rules.can_view_tsm_pack(request.user, action.meeting.urn):
        return None
    return action


@require_POST
def record_tsm_action(request: HttpRequest, case_id: int | None) -> HttpResponse:
    """Record an action agreed at a Targeting Support Meeting on the pupil's open case (from the TSM pack)."""

    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        action = _agreed_action(request, d["action"], case.pupil.upn)
        if action is None:
            raise CaseRuleError("The action is not one agreed for this pupil at a meeting you may see")
        return commands.add_note(case, text=tsm_link.action_detail(action), who=who, at=at)

    return _change(request, case_id, "tsm_action", build, "timeline")


@require_POST
def add_note(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.add_note(case, text=d["text"], who=who, at=at)

    return _change(request, case_id, "note", build, "timeline")


@require_POST
def close_case(request: HttpRequest, case_id: int | None) -> HttpResponse:
    def build(case: Case, d: dict[str, Any], who: str, at: dt.datetime) -> CaseEvent:
        return commands.close_case(
            case, casework_config(), outcome=d["outcome"], date=d["date"], who=who, at=at, why=d["why"]
        )

    return _change(request, case_id, "close", build, "summary")


_SENDER_ROLES = {
    Role.LA_ADMIN: "School Attendance Support Team",
    Role.OFFICER: "Attendance Officer",
    Role.SCHOOL: "School attendance lead",
}


@require_POST
def write_letter(request: HttpRequest, case_id: int | None) -> HttpResponse:
    """Merge a letter to each parent chosen, keep its .docx and PDF on the case, and log each as a letter."""
    loaded, enrolment = _case_access(request, case_id)
    require(case_rules.can_record_on_case(request.user, enrolment))
    form = _make("letter", request.POST, loaded)
    if not form.is_valid():
        return _render_case(request, loaded, enrolment, status=400, bound={"letter": form})
    d = form.cleaned_data
    who, user_name = store.who_of(request.user)
    meeting = (
        Meeting(d["meeting_date"], d["meeting_time"], d["meeting_place"], d["meeting_with"])
        if any(d[k] for k in ("meeting_date", "meeting_time", "meeting_place", "meeting_with"))
        else None
    )
    sender = Sender(name=user_name, role=_SENDER_ROLES.get(rules.scope_for(request.user).role, ""))
    try:
        written = letter_service.write_case_letters(
            access(),
            loaded,
            expected_version=d["version"],
            key=d["template"],
            contact_ids=d["contacts"] or None,
            sender=sender,
            meeting=meeting,
            who=who,
            user_name=user_name,
            on=_today(),
        )
    except store.StaleCase as exc:
        fresh = store.load(loaded.record.pk)
        assert fresh is not None
        data = request.POST.copy()
        data["version"] = str(fresh.record.version)
        again = _make("letter", data, fresh)
        return _render_case(request, fresh, enrolment, status=409, bound={"letter": again}, stale=str(exc))
    except (CaseRuleError, LookupError, AttendwiseError) as exc:
        form.add_error(None, str(exc).strip("'\""))
        return _render_case(request, loaded, enrolment, status=400, bound={"letter": form})
    first = written.refs[0] if written.refs else None
    anchor = f"#letter-{first}" if first else "#interventions"
    return redirect(reverse("case", args=[loaded.record.pk]) + anchor)


def document(request: HttpRequest, case_id: int | None, ref: int | None) -> HttpResponse:
    """A document an intervention holds (a letter), opened through the case so the same rules and audit apply."""
    loaded, enrolment = _case_access(request, case_id)
    item = InterventionRecord.objects.filter(case=loaded.record, ref=ref).first() if ref is not None else None
    if item is None or not item.document:
        audit_log.record(
            request, Action.CASE_DOCUMENT, Outcome.NOT_FOUND, enrolment=enrolment, detail=f"case {loaded.record.pk}"
        )
        raise not_found()
    storage = case_files()
    # ?format=docx: a letter's Word file, kept beside its PDF.
    word = request.GET.get("format") == "docx" and bool(item.document_docx)
    stored = item.document_docx if word else item.document.name
    name = str(Path(item.document_name).with_suffix(".docx")) if word else item.document_name
    if not storage.exists(stored):
        raise not_found()
    audit_log.record(
        request,
        Action.CASE_DOCUMENT,
        Outcome.SHOWN,
        enrolment=enrolment,
        detail=f"case {loaded.record.pk}: {name}",
    )
    content_type = (
        (mimetypes.guess_type(name)[0] if word else item.document_content_type)
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream"
    )
    response = FileResponse(storage.open(stored, "rb"), content_type=content_type)
    inline = content_type == "application/pdf"
    safe = "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in "._- ")) or "document"
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{safe}"'
    return response


# -- opening a case ------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest, enrolment_id: int | None) -> HttpResponse:
    """Open a case for a pupil (from the pupil's page, their school's cases or an at-risk list), with why."""
    enrolment = _pupil_access(request, enrolment_id)
    existing = lists.open_case_for(enrolment.upn)
    if existing is not None:
        return redirect("case", case_id=existing.pk)
    model, config = stage_model(), casework_config()
    acc = access()
    record = page.pupil_figures(acc, rules.scope_for(request.user), enrolment).record
    suggested = suggestions_for(model, None, record).year
    officers = _officers(enrolment.urn)
    me = request.user.get_username()
    reason = request.GET.get("reason", "")
    action = _agreed_action(request, _int(request.GET.get("action", "")), enrolment.upn)
    initial = {
        "reason": OpeningReason.TSM_ACTION.value
        if action
        else (reason if reason in {r.value for r in OpeningReason} else ""),
        "detail": tsm_link.action_detail(action) if action else "",
        "stage": suggested.suggested.key if suggested else model.stages[0].key,
        "la_officer": me
        if rules.scope_for(request.user).role in {Role.OFFICER, Role.LA_ADMIN} and any(u == me for u, _ in officers)
        else "",
    }
    form = f.OpenCaseForm(
        request.POST if request.method == "POST" else None, model=model, officers=officers, initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            who, user_name = store.who_of(request.user)
            try:
                event = commands.open_case(
                    CasePupil(enrolment.enrolment_id, enrolment.upn, enrolment.urn),
                    model,
                    config,
                    reason=d["reason"],
                    stage=d["stage"],
                    who=who,
                    at=store.now(),
                    why=d["why"],
                    detail=d["detail"],
                    suggestion=suggested,
                    review_date=d["review_date"],
                    la_officer=d["la_officer"],
                )
                opened = store.open_case(event, user_name)
            except store.OpenCaseExists as exc:
                return redirect("case", case_id=exc.existing.pk)
            except CaseRuleError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("case", case_id=opened.record.pk)
        status = 400
    audit_log.record(request, Action.VIEW_PUPIL, Outcome.SHOWN, enrolment=enrolment, detail="open a case")
    context = {
        "form": form,
        "enrolment": enrolment,
        "record": record,
        "suggested": suggested,
        "back": reverse("pupil", args=[enrolment.enrolment_id]),
    }
    return render(request, "casework/open_case.html", context, status=status)


# -- lists -----------------------------------------------------------------------------------------------------
def caseload(request: HttpRequest) -> HttpResponse:
    """An officer's open cases (``?show=all``: every open case of their schools); a school's open cases; the
    Virtual School's: overdue first, then by risk."""
    if not case_rules.can_view_caseload(request.user):
        audit_log.record(request, Action.VIEW_CASE_LIST, Outcome.FORBIDDEN, detail="caseload")
        require(False)
    scope = rules.scope_for(request.user)
    mine = scope.role in {Role.OFFICER, Role.LA_ADMIN} and request.GET.get("show") != "all"
    records = CaseRecord.objects.filter(closed_on__isnull=True)
    if scope.schools is not None:
        records = records.filter(urn__in=scope.schools)
    if mine:
        records = records.filter(la_officer=request.user.get_username())
    every = _rows(scope, records)
    rows = Paginator(every, CASELOAD_PAGE).get_page(request.GET.get("page"))
    audit_log.record(
        request,
        Action.VIEW_CASE_LIST,
        Outcome.SHOWN,
        pupils=len(rows.object_list),
        detail="caseload"
        + ("" if mine else ", all")
        + (f", page {rows.number}" if rows.paginator.num_pages > 1 else ""),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": rows.object_list,
        "page_obj": rows,
        "total": len(every),
        "query": query.urlencode(),
        "mine": mine,
        "can_filter": scope.role in {Role.OFFICER, Role.LA_ADMIN},
        "can_count": case_rules.can_view_case_counts(request.user),
        "can_manage_templates": case_rules.can_manage_letter_templates(request.user),
        "role": scope.role,
    }
    return render(request, "casework/caseload.html", context)


#: Cases a caseload page lists (the rest on the next pages, in the same order).
CASELOAD_PAGE = 50


def _rows(scope: rules.Scope, records: Any) -> list[lists.CaseRow]:
    names = page.people_names(set(records.exclude(la_officer="").values_list("la_officer", flat=True)))
    return lists.case_rows(access(), scope, records, today=_today(), names=names)


def school_cases(request: HttpRequest, urn: int | None) -> HttpResponse:
    """A school's cases, open and closed this year, and its pupils to follow up who have no case yet."""
    if not case_rules.can_record_on_cases(request.user):
        audit_log.record(request, Action.VIEW_CASE_LIST, Outcome.FORBIDDEN, school_urn=urn, detail="school's cases")
        require(False)
    acc = access()
    info = (
        school_service.school_info(acc, urn)
        if urn is not None and case_rules.can_view_school_cases(request.user, urn)
        else None
    )
    if info is None:
        audit_log.record(request, Action.VIEW_CASE_LIST, Outcome.NOT_FOUND, school_urn=urn, detail="school's cases")
        raise not_found()
    scope = rules.scope_for(request.user)
    year_start = dt.date(_today().year - (1 if _today().month < 9 else 0), 9, 1)
    records = CaseRecord.objects.filter(urn=info.urn).exclude(closed_on__lt=year_start)
    rows = _rows(scope, records)
    open_rows = [r for r in rows if r.case.is_open]
    closed_rows = [r for r in rows if not r.case.is_open]
    with_case = {r.record.upn for r in open_rows}
    to_consider = _to_consider(acc, info.urn, with_case)
    audit_log.record(
        request,
        Action.VIEW_CASE_LIST,
        Outcome.SHOWN,
        school_urn=info.urn,
        pupils=len(rows) + len(to_consider),
        detail="school's cases",
    )
    context = {"school": info, "open_rows": open_rows, "closed_rows": closed_rows, "to_consider": to_consider}
    return render(request, "casework/school_cases.html", context)


def _to_consider(acc: Any, urn: int, with_case: set[str]) -> list[dict[str, Any]]:
    """The school's pupils heading into persistent absence (early warning) or already persistently absent
    this year, who have no open case: each with a link to open one for the reason."""
    return [
        p for p in acc.cached(("casework-to-consider", urn), lambda: _candidates(acc, urn)) if p["upn"] not in with_case
    ]


def _candidates(acc: Any, urn: int) -> list[dict[str, Any]]:
    """The school's pupils to follow up (once per data version): early warning's, then the persistently absent."""
    out: list[dict[str, Any]] = []
    scored = la_risk(acc)
    if scored is not None:
        heading = heading_into_pa(scored.frame)
        for r in heading[heading.urn == urn].head(30).itertuples(index=False):
            name = " ".join(p for p in (r.forename, r.surname) if isinstance(p, str) and p) or "Name not recorded"
            out.append(
                {
                    "upn": str(r.upn),
                    "pupil": name,
                    "why": "Heading into persistent absence: " + str(r.reasons),
                    "attendance": float(r.attendance_percent),
                    "open": reverse("case_open", args=[int(r.enrolment_id)]) + "?reason=early_warning",
                    "href": pupil_link(int(r.enrolment_id)),
                }
            )
    rows = figures.period_rows(acc, _year(acc)) if _year(acc) is not None else None
    if rows is not None:
        absent, _ = school_service.pupil_list(acc, rows[rows.school_urn == urn], pupil_link=pupil_link)
        for r in absent.itertuples(index=False):
            if any(o["href"] == pupil_link(int(r.enrolment_id)) for o in out):
                continue
            out.append(
                {
                    "upn": str(r.upn),
                    "pupil": r.pupil,
                    "why": f"{r.band_name} this year",
                    "attendance": float(r.attendance_percent),
                    "open": reverse("case_open", args=[int(r.enrolment_id)]) + "?reason=band_change",
                    "href": pupil_link(int(r.enrolment_id)),
                }
            )
    return out


def _year(acc: Any) -> Any:
    from attendwise.web.services.periods import resolve_period

    try:
        return acc.cached(("period", None), lambda: resolve_period(acc.store(), None))
    except Exception:  # no marks yet
        return None


def counts(request: HttpRequest) -> HttpResponse:
    """Open cases by stage and interventions by type: counts only, suppressed for scrutiny members."""
    require(case_rules.can_view_case_counts(request.user))
    scope = rules.scope_for(request.user)
    built = case_counts(scope, today=_today(), threshold=threshold())
    return render(request, "casework/counts.html", {"counts": built})


# -- the LA's letter templates --------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def letter_templates(request: HttpRequest) -> HttpResponse:
    """The letter templates officers write from; an LA administrator uploads a new version of one here, refused
    with every problem named (a field attendwise does not have, a placeholder it cannot read)."""
    require(case_rules.can_manage_letter_templates(request.user))
    form = f.TemplateUploadForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_TEMPLATE_BYTES:
                form.add_error("file", f"The template must be smaller than {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB")
            else:
                who, _ = store.who_of(request.user)
                row, problems = letter_service.upload_template(
                    upload.read(),
                    Path(upload.name or "template.docx").name,
                    name=form.cleaned_data["name"],
                    title=form.cleaned_data["title"],
                    who=who,
                    at=store.now(),
                )
                for problem in problems:
                    form.add_error("file", str(problem))
                if row is not None:
                    messages.success(
                        request, f"{row.title} ({row.name}) is stored as version {row.version}: officers now write it."
                    )
                    return redirect("letter_templates")
    context = {
        "form": form,
        "uploaded": LetterTemplateRecord.objects.order_by("name", "-version"),
        "shipped": [(name, letter_service.SHIPPED_TITLES.get(name, name)) for name in shipped_templates()],
        "fields": MERGE_FIELDS,
    }
    return render(request, "casework/letter_templates.html", context, status=status)


# -- the family view ------------------------------------------------------------------------------------------
def _family_access(request: HttpRequest, enrolment_id: int | None) -> Enrolment:
    """The pupil whose family the user asks for: 403 for a role that never sees cases, 404 outside the scope."""
    if not case_rules.can_view_cases(request.user):
        audit_log.record(request, Action.VIEW_CASE_LIST, Outcome.FORBIDDEN, enrolment_id=enrolment_id, detail="family")
        require(False)
    enrolment, allowed = (
        (None, False)
        if enrolment_id is None
        else pupil_service.visible_enrolment(access(), rules.scope_for(request.user), enrolment_id)
    )
    if enrolment is None or not allowed or not case_rules.can_view_case(request.user, enrolment):
        audit_log.record(request, Action.VIEW_CASE_LIST, Outcome.NOT_FOUND, enrolment_id=enrolment_id, detail="family")
        raise not_found()
    return enrolment


def _render_family(
    request: HttpRequest, enrolment: Enrolment, *, status: int = 200, error: str | None = None
) -> HttpResponse:
    built = family_service.family_page(
        access(),
        rules.scope_for(request.user),
        enrolment,
        can_open=lambda e: case_rules.can_open_case(request.user, e),
    )
    audit_log.record(
        request,
        Action.VIEW_CASE_LIST,
        Outcome.SHOWN,
        enrolment=enrolment,
        pupils=len(built.siblings),
        detail="family",
    )
    can_link = bool(built.linkable) and all(
        case_rules.can_record_on_case(request.user, s.enrolment) for s in built.siblings if s.case is not None
    )
    context = {
        "page": built,
        "can_link": can_link,
        "error": error,
        "back": reverse("pupil", args=[enrolment.enrolment_id]),
    }
    return render(request, "casework/family.html", context, status=status)


def pupil_family(request: HttpRequest, enrolment_id: int | None) -> HttpResponse:
    """Every sibling the user may see (pupils sharing a parent with parental responsibility, at any school),
    their attendance this year and their cases, side by side."""
    enrolment = _family_access(request, enrolment_id)
    return _render_family(request, enrolment)


@require_POST
def link_family(request: HttpRequest, enrolment_id: int | None) -> HttpResponse:
    """Link the family's open cases in one family case (one event on each), from the family view."""
    enrolment = _family_access(request, enrolment_id)
    require(case_rules.can_record_on_cases(request.user))
    built = family_service.family_page(access(), rules.scope_for(request.user), enrolment, can_open=lambda e: False)
    shown = {s.case.pk: s for s in built.siblings if s.case is not None}
    versions: dict[int, int] = {}
    for value in request.POST.getlist("case"):
        case_text, _, version_text = value.partition(":")
        case_id, version = _int(case_text), _int(version_text)
        if case_id in shown and version is not None:
            versions[case_id] = version
    if not built.linkable or set(versions) != {c.pk for c in built.linkable}:
        return _render_family(request, enrolment, status=400, error="Reload the page: the family's cases have changed")
    if not all(case_rules.can_record_on_case(request.user, shown[c].enrolment) for c in versions):
        require(False)
    who, user_name = store.who_of(request.user)
    try:
        family_service.link_family_cases(
            versions, who=who, user_name=user_name, at=store.now(), why=request.POST.get("why", "")[:500]
        )
    except store.StaleCase as exc:
        return _render_family(request, enrolment, status=409, error=str(exc))
    return redirect(reverse("pupil_family", args=[enrolment.enrolment_id]) + "#cases")
