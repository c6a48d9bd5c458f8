"""The legal pathway's pages: requesting a notice from a pupil's page, the LA's queue, a request with its checks,
decisions and notices (each parent's notices with their three-year count), and the counts for scrutiny.

Every view asks :mod:`attendwise.web.legal.rules` first: 403 for a role that never sees such a page, 404
(audited) for a pupil or request outside the user's scope. Every view of a request and every change is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from attendwise.casework.legal import notices as pn
from attendwise.casework.legal.decisions import LegalRuleError
from attendwise.casework.legal.records import from_json
from attendwise.documents.certificate import Certificate, certificate_pdf
from attendwise.documents.letters import PdfError
from attendwise.measures.penalty_threshold import ThresholdRules, penalty_threshold, period_marks
from attendwise.measures.pupils import Enrolment
from attendwise.web import audit as audit_log
from attendwise.web import rules
from attendwise.web.casework.store import now, who_of
from attendwise.web.legal import forms as f
from attendwise.web.legal import rules as legal_rules
from attendwise.web.legal import store
from attendwise.web.legal.counts import notice_counts
from attendwise.web.legal.models import DecisionRecord, NoticeRecord, RequestRecord
from attendwise.web.models import Action, Outcome
from attendwise.web.services import pupil as pupil_service
from attendwise.web.views.common import access, not_found, require, threshold


def _today() -> dt.date:
    return timezone.localdate()


def _pupil(request: HttpRequest, enrolment_id: int | None) -> Enrolment:
    if not legal_rules.can_request_notice(request.user):
        audit_log.record(
            request, Action.VIEW_PUPIL, Outcome.FORBIDDEN, enrolment_id=enrolment_id, detail="request a penalty notice"
        )
        require(False)
    enrolment, allowed = (
        (None, False)
        if enrolment_id is None
        else pupil_service.visible_enrolment(access(), rules.scope_for(request.user), enrolment_id)
    )
    if enrolment is None or not allowed:
        audit_log.record(
            request, Action.VIEW_PUPIL, Outcome.NOT_FOUND, enrolment_id=enrolment_id, detail="request a penalty notice"
        )
        raise not_found()
    return enrolment


def _request(request: HttpRequest, request_id: int | None) -> tuple[store.Loaded, Enrolment]:
    if not legal_rules.can_view_requests(request.user):
        audit_log.record(request, Action.VIEW_CASE, Outcome.FORBIDDEN, detail=f"notice request {request_id}")
        require(False)
    loaded = store.load(request_id) if request_id is not None else None
    enrolment = (
        pupil_service.visible_enrolment(access(), rules.scope_for(request.user), loaded.row.enrolment_id)[0]
        if loaded
        else None
    )
    if loaded is None or enrolment is None or not legal_rules.can_view_request(request.user, enrolment):
        audit_log.record(request, Action.VIEW_CASE, Outcome.NOT_FOUND, detail=f"notice request {request_id}")
        raise not_found()
    return loaded, enrolment


def _window(enrolment: Enrolment) -> tuple[list[pn.Session], dt.date | None, int]:
    """The pupil's countable sessions in their window as at their latest mark (locked sessions left out)."""
    st = access().store()
    as_at = st.latest_mark(enrolment_ids=[enrolment.enrolment_id])
    if as_at is None:
        return [], None, 0
    locked = pn.locked_sessions(n for _, n in store.notices_for(enrolment.upn))
    rows = penalty_threshold(st, as_at, school=enrolment.urn, locked=locked, rules=ThresholdRules(sessions=1))[1]
    mine = rows[rows.enrolment_id == enrolment.enrolment_id]
    sessions = [pn.Session(r.date, r.session, r.code) for r in mine.itertuples()]
    return sessions, as_at, ThresholdRules().sessions


def _parents(upn: str) -> list[pn.Parent]:
    contacts = access().store().pupil_contacts([upn]).get(upn, [])
    return [
        pn.Parent(c.contact.contact_id, c.contact.name, ", ".join(c.contact.address_lines), c.parental_responsibility)
        for c in contacts
    ]


def named_parent_id(name: str) -> str:
    """A parent the school names who is not among the pupil's contacts: known by their name, so their notices
    for this child still count together."""
    return "named:" + " ".join(name.lower().split())


def _name(upn: str) -> str:
    forename, surname = access().store().pupil_names([upn]).get(upn, (None, None))
    return " ".join(p for p in (forename, surname) if p) or upn


def legal_link(user: Any, enrolment: Enrolment) -> str | None:
    """The pupil page's link to request a notice, for those who may."""
    if legal_rules.can_request_notice(user, enrolment):
        return reverse("legal_request_new", args=[enrolment.enrolment_id])
    return None


@require_http_methods(["GET", "POST"])
def request_notice(request: HttpRequest, enrolment_id: int | None) -> HttpResponse:
    """A school's request for a penalty notice, showing the window's marks and asking for the evidence."""
    enrolment = _pupil(request, enrolment_id)
    sessions, as_at, needed = _window(enrolment)
    parents = _parents(enrolment.upn)
    choices = [
        (p.contact_id, p.name + ("" if p.parental_responsibility else " (no parental responsibility)")) for p in parents
    ]
    form = f.RequestForm(request.POST if request.method == "POST" else None, parents=choices)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and not sessions:
            form.add_error(None, "The pupil has no unauthorised absence in their window to request a notice for")
        elif form.is_valid():
            d = form.cleaned_data
            named = [p for p in parents if p.contact_id in d["parents"]]
            for other, address in d["other_parents"]:
                named.append(pn.Parent(named_parent_id(other), other, address))
            who, _ = who_of(request.user)
            try:
                made, _ = pn.request_notice(
                    ref=f"{enrolment.urn}-{enrolment.upn}-{now():%Y%m%d%H%M%S}",
                    upn=enrolment.upn,
                    school_urn=enrolment.urn,
                    sessions=sessions,
                    parents=named,
                    who=who,
                    at=now(),
                    support_offered=d["support_offered"],
                    support_not_appropriate=d["support_not_appropriate"],
                    letter_sent_on=d["letter_sent_on"],
                    child_in_need=enrolment.cin,
                    protection_plan=enrolment.cpp,
                )
            except LegalRuleError as exc:
                form.add_error(None, str(exc))
            else:
                row = store.create(made, enrolment.enrolment_id)
                audit_log.record(
                    request,
                    Action.VIEW_CASE,
                    Outcome.SHOWN,
                    enrolment=enrolment,
                    detail=f"requested penalty notice {row.pk}",
                )
                return redirect("legal_request", request_id=row.pk)
    audit_log.record(request, Action.VIEW_PUPIL, Outcome.SHOWN, enrolment=enrolment, detail="request a penalty notice")
    context = {
        "form": form,
        "enrolment": enrolment,
        "name": _name(enrolment.upn),
        "sessions": sessions,
        "as_at": as_at,
        "meets": len(sessions) >= needed,
        "needed": needed,
        "back": reverse("pupil", args=[enrolment.enrolment_id]),
    }
    return render(request, "legal/request_new.html", context, status=status)


def queue(request: HttpRequest) -> HttpResponse:
    """The requests the user may see, newest first, each with its checks passed or failed."""
    if not legal_rules.can_view_requests(request.user):
        audit_log.record(request, Action.VIEW_CASE_LIST, Outcome.FORBIDDEN, detail="notice requests")
        require(False)
    scope = rules.scope_for(request.user)
    rows = RequestRecord.objects.all()
    if scope.schools is not None:
        rows = rows.filter(urn__in=scope.schools)
    settings, today = store.legal_settings(), _today()
    shown = []
    for row in rows[:500]:
        enrolment = pupil_service.visible_enrolment(access(), scope, row.enrolment_id)
        if enrolment[0] is None or not enrolment[1]:
            continue
        loaded = store.load(row.pk)
        assert loaded is not None
        checks = pn.request_checks(loaded.request, settings, today=today)
        failed = [c.label for c in checks if c.blocking and not c.passed]
        shown.append({"row": row, "name": _name(row.upn), "failed": failed, "request": loaded.request})
    audit_log.record(request, Action.VIEW_CASE_LIST, Outcome.SHOWN, pupils=len(shown), detail="notice requests")
    return render(request, "legal/queue.html", {"requests": shown})


def _parent_counts(loaded: store.Loaded) -> list[dict[str, Any]]:
    """Each parent named, their notices for this child and where their three-year count stands today."""
    s, today = store.legal_settings(), _today()
    existing = store.notices_for(loaded.request.upn)
    every = [n for _, n in existing]
    out = []
    for p in loaded.request.parents:
        sequence, counted = pn.notice_sequence(every, p.contact_id, loaded.request.upn, today, s)
        theirs = [(r, n) for r, n in existing if n.parent_id == p.contact_id]
        out.append({"parent": p, "notices": theirs, "counted": len(counted), "next": sequence})
    return out


def _forms(loaded: store.Loaded, data: Any = None, which: str = "") -> dict[str, Any]:
    v = {"version": loaded.row.version}
    today = _today().isoformat()
    choices = [(p.contact_id, p.name) for p in loaded.request.parents]
    made = {
        "support": lambda d: f.SupportForm(d, initial=v),
        "social_worker": lambda d: f.SocialWorkerForm(d, initial={**v, "agreed_on": today}),
        "letter": lambda d: f.LetterForm(d, initial={**v, "sent_on": today}),
        "issue": lambda d: f.IssueForm(
            d, parents=choices, initial={**v, "posted_on": today, "parents": [c for c, _ in choices]}
        ),
    }
    return {name: build(data if name == which else None) for name, build in made.items()}


def _render(
    request: HttpRequest,
    loaded: store.Loaded,
    enrolment: Enrolment,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
    problem: str = "",
) -> HttpResponse:
    s = store.legal_settings()
    locked = pn.locked_sessions(
        n for _, n in store.notices_for(loaded.request.upn) if n.request_ref != loaded.request.ref
    )
    checks = pn.request_checks(loaded.request, s, today=_today(), locked=locked)
    open_ = loaded.request.status == "requested"
    forms = {**_forms(loaded), **(bound or {})} if open_ else {}
    decisions = DecisionRecord.objects.filter(Q(request=loaded.row) | Q(notice__request=loaded.row)).order_by(
        "at", "id"
    )
    audit_log.record(
        request, Action.VIEW_CASE, Outcome.SHOWN, enrolment=enrolment, detail=f"notice request {loaded.row.pk}"
    )
    context = {
        "loaded": loaded,
        "req": loaded.request,
        "name": _name(loaded.request.upn),
        "enrolment": enrolment,
        "checks": checks,
        "decisions": decisions,
        "parents": _parent_counts(loaded),
        "forms": forms,
        "can_evidence": open_ and legal_rules.can_add_evidence(request.user, enrolment),
        "can_decide": open_ and legal_rules.can_decide(request.user, enrolment),
        "can_certificate": legal_rules.can_add_evidence(request.user, enrolment),
        "social_care": loaded.request.child_in_need or loaded.request.protection_plan,
        "problem": problem,
        "settings": s,
        **{
            f"req_{k}": reverse(f"legal_{v}", args=[loaded.row.pk])
            for k, v in (("support", "support"), ("letter", "letter"), ("sw", "social_worker"), ("issue", "issue"))
        },
    }
    return render(request, "legal/request.html", context, status=status)


def request_page(request: HttpRequest, request_id: int | None) -> HttpResponse:
    loaded, enrolment = _request(request, request_id)
    return _render(request, loaded, enrolment)


def _change(request: HttpRequest, request_id: int | None, name: str, allowed: Any, apply: Any) -> HttpResponse:
    loaded, enrolment = _request(request, request_id)
    require(allowed(request.user, enrolment))
    form = _forms(loaded, request.POST, name)[name]
    if not form.is_valid():
        return _render(request, loaded, enrolment, status=400, bound={name: form})
    who, _ = who_of(request.user)
    try:
        changed, decisions, made = apply(loaded, form.cleaned_data, who)
        store.record(loaded, form.cleaned_data["version"], changed, decisions, made)
    except store.StaleRequest as exc:
        fresh = store.load(loaded.row.pk)
        assert fresh is not None
        return _render(request, fresh, enrolment, status=409, problem=str(exc))
    except LegalRuleError as exc:
        if exc.decision is not None:
            store.refused(loaded, exc.decision)
        fresh = store.load(loaded.row.pk)
        assert fresh is not None
        if exc.decision is not None and exc.decision.action == "decide the request":
            store.record(fresh, fresh.row.version, _refused(fresh.request, exc), [])
            fresh = store.load(loaded.row.pk)
            assert fresh is not None
        form.add_error(None, str(exc))
        return _render(request, fresh, enrolment, status=400, bound={name: form}, problem=str(exc))
    audit_log.record(
        request, Action.VIEW_CASE, Outcome.SHOWN, enrolment=enrolment, detail=f"notice request {loaded.row.pk}: {name}"
    )
    return redirect(reverse("legal_request", args=[loaded.row.pk]) + f"#{name}")


def _refused(req: pn.NoticeRequest, exc: LegalRuleError) -> pn.NoticeRequest:
    from dataclasses import replace

    return replace(req, status="refused", decisions=(*req.decisions, exc.decision))  # type: ignore[arg-type]


@require_POST
def record_support(request: HttpRequest, request_id: int | None) -> HttpResponse:
    def apply(loaded: store.Loaded, d: dict[str, Any], who: str) -> Any:
        changed, decision = pn.record_support(
            loaded.request, who=who, at=now(), offered=d["offered"], not_appropriate=d["not_appropriate"]
        )
        return changed, [decision], []

    return _change(request, request_id, "support", legal_rules.can_add_evidence, apply)


@require_POST
def record_social_worker(request: HttpRequest, request_id: int | None) -> HttpResponse:
    def apply(loaded: store.Loaded, d: dict[str, Any], who: str) -> Any:
        changed, decision = pn.record_social_worker_agreement(
            loaded.request, name=d["name"], agreed_on=d["agreed_on"], who=who, at=now()
        )
        return changed, [decision], []

    return _change(request, request_id, "social_worker", legal_rules.can_decide, apply)


@require_POST
def record_letter(request: HttpRequest, request_id: int | None) -> HttpResponse:
    def apply(loaded: store.Loaded, d: dict[str, Any], who: str) -> Any:
        changed, decision = pn.record_letter(loaded.request, sent_on=d["sent_on"], who=who, at=now())
        return changed, [decision], []

    return _change(request, request_id, "letter", legal_rules.can_add_evidence, apply)


@require_POST
def issue(request: HttpRequest, request_id: int | None) -> HttpResponse:
    def apply(loaded: store.Loaded, d: dict[str, Any], who: str) -> Any:
        existing = store.notices_for(loaded.request.upn)
        others = [n for _, n in existing]
        locked = pn.locked_sessions(others)
        refs = [f"PN{loaded.row.pk:06d}-{i}" for i in range(1, len(d["parents"]) + 1)]
        changed, made, decisions = pn.issue_notices(
            loaded.request,
            store.legal_settings(),
            notices=others,
            issued_on=_today(),
            issuer="this LA",
            who=who,
            at=now(),
            refs=refs,
            method=d["method"],
            posted_on=d["posted_on"],
            locked=locked,
            parents=d["parents"],
        )
        closing = changed.decisions[-1]
        return changed, [*[x for x in decisions if not x.allowed], closing], made

    return _change(request, request_id, "issue", legal_rules.can_decide, apply)


def counts(request: HttpRequest) -> HttpResponse:
    """Notices by status: LA staff see the figures for their schools, scrutiny members with small numbers hidden."""
    if not legal_rules.can_view_legal_counts(request.user):
        require(False)
    scope = rules.scope_for(request.user)
    table = notice_counts(scope, threshold=threshold())
    return render(
        request, "legal/counts.html", {"table": table, "suppressed": scope.suppress, "threshold": threshold()}
    )


# -- a notice ------------------------------------------------------------------------------------------------
def _notice(request: HttpRequest, notice_id: int | None) -> tuple[NoticeRecord, pn.PenaltyNotice, Enrolment]:
    """A notice the user may see (the enrolment of its request, or the pupil's latest for an imported one)."""
    if not legal_rules.can_view_requests(request.user):
        audit_log.record(request, Action.VIEW_CASE, Outcome.FORBIDDEN, detail=f"penalty notice {notice_id}")
        require(False)
    row = NoticeRecord.objects.select_related("request").filter(pk=notice_id).first() if notice_id else None
    enrolment = None
    if row is not None and row.request is not None:
        enrolment = pupil_service.visible_enrolment(access(), rules.scope_for(request.user), row.request.enrolment_id)[
            0
        ]
    if enrolment is None or not legal_rules.can_view_request(request.user, enrolment):
        audit_log.record(request, Action.VIEW_CASE, Outcome.NOT_FOUND, detail=f"penalty notice {notice_id}")
        raise not_found()
    return row, from_json(pn.PenaltyNotice, row.record), enrolment  # type: ignore[union-attr]


def _notice_forms(bound: dict[str, Any] | None = None) -> dict[str, Any]:
    today = _today().isoformat()
    forms = {
        "payment": f.PaymentForm(initial={"paid_on": today}),
        "withdraw": f.WithdrawForm(grounds=store.legal_settings().withdrawal_grounds),
        "unpaid": f.UnpaidForm(),
    }
    return {**forms, **(bound or {})}


def _render_notice(
    request: HttpRequest,
    row: NoticeRecord,
    notice: pn.PenaltyNotice,
    enrolment: Enrolment,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    today = _today()
    audit_log.record(request, Action.VIEW_CASE, Outcome.SHOWN, enrolment=enrolment, detail=f"penalty notice {row.pk}")
    context = {
        "row": row,
        "notice": notice,
        "name": _name(notice.upn),
        "due_today": pn.amount_due(notice, today),
        "decision_due": pn.decision_due(notice, today),
        "open": notice.status == pn.NoticeStatus.ISSUED,
        "can_decide": legal_rules.can_decide(request.user, enrolment),
        "forms": _notice_forms(bound),
        "decisions": DecisionRecord.objects.filter(notice=row).order_by("at", "id"),
        "back": reverse("legal_request", args=[row.request_id]) if row.request_id else reverse("legal_queue"),
        **{f"to_{k}": reverse(f"legal_notice_{k}", args=[row.pk]) for k in ("payment", "withdraw", "unpaid")},
    }
    return render(request, "legal/notice.html", context, status=status)


def notice_page(request: HttpRequest, notice_id: int | None) -> HttpResponse:
    """A notice: its particulars, the amount due today, its deadlines and every decision on it."""
    row, notice, enrolment = _notice(request, notice_id)
    return _render_notice(request, row, notice, enrolment)


def _notice_change(request: HttpRequest, notice_id: int | None, name: str, form: Any, apply: Any) -> HttpResponse:
    row, notice, enrolment = _notice(request, notice_id)
    require(legal_rules.can_decide(request.user, enrolment))
    if not form.is_valid():
        return _render_notice(request, row, notice, enrolment, status=400, bound={name: form})
    who, _ = who_of(request.user)
    try:
        changed, decision = apply(notice, form.cleaned_data, who)
    except LegalRuleError as exc:
        if exc.decision is not None:
            store.notice_refused(row, exc.decision)
        form.add_error(None, str(exc))
        return _render_notice(request, row, notice, enrolment, status=400, bound={name: form})
    try:
        store.notice_changed(row, changed, decision)
    except store.StaleRequest as exc:
        form.add_error(None, str(exc))
        fresh = NoticeRecord.objects.get(pk=row.pk)
        current = from_json(pn.PenaltyNotice, fresh.record)
        return _render_notice(request, fresh, current, enrolment, status=409, bound={name: form})
    audit_log.record(
        request, Action.VIEW_CASE, Outcome.SHOWN, enrolment=enrolment, detail=f"penalty notice {row.pk}: {name}"
    )
    return redirect("legal_notice", notice_id=row.pk)


@require_POST
def notice_payment(request: HttpRequest, notice_id: int | None) -> HttpResponse:
    def apply(notice: pn.PenaltyNotice, d: dict[str, Any], who: str) -> Any:
        return pn.record_payment(notice, paid_on=d["paid_on"], amount=d["amount"], who=who, at=now())

    return _notice_change(request, notice_id, "payment", f.PaymentForm(request.POST), apply)


@require_POST
def notice_withdraw(request: HttpRequest, notice_id: int | None) -> HttpResponse:
    def apply(notice: pn.PenaltyNotice, d: dict[str, Any], who: str) -> Any:
        return pn.withdraw(notice, store.legal_settings(), ground=d["ground"], who=who, at=now(), detail=d["detail"])

    form = f.WithdrawForm(request.POST, grounds=store.legal_settings().withdrawal_grounds)
    return _notice_change(request, notice_id, "withdraw", form, apply)


@require_POST
def notice_unpaid(request: HttpRequest, notice_id: int | None) -> HttpResponse:
    def apply(notice: pn.PenaltyNotice, d: dict[str, Any], who: str) -> Any:
        return pn.decide_unpaid(
            notice,
            store.legal_settings(),
            action=d["action"],
            who=who,
            at=now(),
            why=d["why"],
            prosecution_ref=d["prosecution_ref"],
        )

    return _notice_change(request, notice_id, "unpaid", f.UnpaidForm(request.POST), apply)


def certificate(request: HttpRequest, request_id: int | None) -> HttpResponse:
    """The certificate of attendance for the request's evidence period (its first to last session), as a PDF for
    the head teacher to verify and sign: LA staff with the school and the school itself."""
    loaded, enrolment = _request(request, request_id)
    require(legal_rules.can_add_evidence(request.user, enrolment))
    req = loaded.request
    st = access().store()
    details = st.pupil_details(req.upn)
    marks = period_marks(st, loaded.row.enrolment_id, req.offence_start, req.offence_end)
    made = Certificate(
        pupil_name=_name(req.upn),
        date_of_birth=details[2] if details else None,
        upn=req.upn,
        school_name=enrolment.school_name,
        urn=enrolment.urn,
        start=req.offence_start,
        end=req.offence_end,
        parents=tuple(p.name for p in req.parents if p.parental_responsibility),
        marks=tuple(marks),
    )
    try:
        pdf = certificate_pdf(made)
    except PdfError as exc:
        audit_log.record(request, Action.CASE_DOCUMENT, Outcome.REFUSED, enrolment=enrolment, detail=str(exc)[:200])
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    audit_log.record(
        request,
        Action.CASE_DOCUMENT,
        Outcome.SHOWN,
        enrolment=enrolment,
        detail=f"certificate of attendance, notice request {loaded.row.pk}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-of-attendance-{loaded.row.pk}.pdf"'
    return response
