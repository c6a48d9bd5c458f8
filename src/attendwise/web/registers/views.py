"""The registers' pages: the LA's page for each register, a school's removal notifications (the form and the
CSV import), a pupil's register entries, and the counts.

Every view asks :mod:`attendwise.web.registers.rules` first: 403 for a role that may never see the kind of
page, 404 (audited) for a school or pupil outside the user's scope. Every page that names children writes
one audit row; every notification stored writes one, and a row of the registers' change log per entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from attendwise.core.calendar import AcademicYear
from attendwise.core.identifiers import IdentifierError, parse_urn
from attendwise.measures.pupils import Enrolment
from attendwise.web import audit as audit_log
from attendwise.web import rules
from attendwise.web.models import Action, Outcome, Role
from attendwise.web.registers import counts, exclusion_imports, imports, lists, notifications
from attendwise.web.registers import models as m
from attendwise.web.registers import rules as register_rules
from attendwise.web.registers.config import registers_config
from attendwise.web.registers.forms import RemovalForm
from attendwise.web.services import pupil as pupil_service
from attendwise.web.views.common import access, not_found, require, threshold

REGISTERS = {
    "cme": ("Children missing education", m.CmeReferral, {"closed_on__isnull": True}, "reason", "cme_reason"),
    "ehe": ("Elective home education", m.EheEntry, {"ended_on__isnull": True}, "reason", "ehe_reason"),
    "exclusions": ("Suspensions and permanent exclusions", m.ExclusionRecord, {}, None, None),
    "timetables": ("Part-time timetables", m.PartTimeTimetable, {"ended_on__isnull": True}, None, None),
    "removals": ("Removals from roll", m.RemovalNotification, {}, "ground", "removal_ground"),
    "panels": ("Extended non-attendance panel", m.PanelReferral, {"outcome": ""}, "decision", "panel_decision"),
}


def _today() -> dt.date:
    return timezone.localdate()


def _link(request: HttpRequest):
    def link(enrolment_id: int | None) -> str | None:
        return reverse("pupil_registers", args=[enrolment_id]) if enrolment_id is not None else None

    return link


def _filters(request: HttpRequest, reason_list: str | None) -> lists.Filters:
    """The filters asked for; a value that is not one of the choices is ignored, never guessed at."""
    school: int | None = None
    try:
        school = parse_urn(request.GET.get("school", "").strip()) if request.GET.get("school") else None
    except IdentifierError:
        school = None
    status = request.GET.get("status", "open")
    status = status if status in {"open", "closed", "all"} else "open"
    reason = request.GET.get("reason", "")
    if reason_list is None or reason not in {c.key for c in registers_config().choices(reason_list)}:
        reason = ""
    return lists.Filters(school, status, reason)


def _page(request: HttpRequest, key: str, f: lists.Filters, *, whole: bool = True) -> tuple[lists.Page, list]:
    """A register's page for the user; ``whole=False`` leaves out the reconciliations (the summary's counts)."""
    _title, model, open_q, reason_field, _ = REGISTERS[key]
    acc, config, today = access(), registers_config(), _today()
    store = acc.store()
    qs = lists._filtered(model.objects.all(), f, open_q=open_q, reason=reason_field)
    rows = lists.visible(request.user, qs, store)
    link = _link(request)

    def entry_link(pk: int) -> str:
        return reverse("register_entry", args=[key, pk])

    if key == "cme":
        return lists.cme_page(rows, store=store, config=config, today=today, link=link, entry_link=entry_link), rows
    if key == "ehe":
        start = AcademicYear.containing(store.latest_mark() or today).start
        # Every school's deregistrations are compared; a user sees the rows of their own schools.
        scope = rules.scope_for(request.user)
        shown = None if scope.schools is None and not scope.social_care_only else (scope.schools or frozenset())
        page = lists.ehe_page(
            rows,
            store=store,
            config=config,
            today=today,
            link=link,
            watch_from=start,
            all_entries=m.EheEntry.objects.all(),
            entry_link=entry_link,
            watch_shown=shown,
        )
        return page, rows
    if key == "exclusions":
        page = lists.exclusions_page(rows, store=store, config=config, today=today, link=link, reconcile=whole)
        scope = rules.scope_for(request.user)
        if whole and not scope.social_care_only:
            known = {e.enrolment_id for _, e in rows if e is not None}
            urns = [f.school] if f.school else (sorted(scope.schools) if scope.schools is not None else None)
            extra = lists.e_marks_without_records(store, urns, known, link)
            page = lists.Page((*page.tables, extra), page.entries, page.due)
        return page, rows
    if key == "timetables":
        scope = rules.scope_for(request.user)
        urns = [f.school] if f.school else (sorted(scope.schools) if scope.schools is not None else None)
        c2 = False if scope.social_care_only or not whole else urns
        return lists.timetables_page(rows, store=store, config=config, today=today, link=link, c2_schools=c2), rows
    if key == "panels":
        return lists.panels_page(rows, store=store, config=config, today=today, link=link), rows
    return lists.removals_page(rows, store=store, config=config, link=link), rows


def _refuse_registers(request: HttpRequest, what: str) -> None:
    if not register_rules.can_view_registers(request.user):
        audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.FORBIDDEN, detail=f"registers: {what}")
        require(False)


def index(request: HttpRequest) -> HttpResponse:
    """Every register: its open entries and what is due."""
    _refuse_registers(request, "all")
    summary = []
    for key, (title, *_rest) in REGISTERS.items():
        page, _rows = _page(request, key, lists.Filters(), whole=False)
        summary.append(
            {
                "key": key,
                "title": title,
                "entries": page.entries,
                "due": page.due,
                "href": reverse("register", args=[key]),
            }
        )
    audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.SHOWN, detail="registers: summary")
    can_count = register_rules.can_view_register_counts(request.user)  # no link that would answer 403
    return render(request, "registers/index.html", {"summary": summary, "can_view_counts": can_count})


def register(request: HttpRequest, key: str) -> HttpResponse:
    """One register for the LA, filtered, with its deadlines due."""
    if key not in REGISTERS:
        raise not_found()
    _refuse_registers(request, key)
    title, _model, open_q, _field, reason_list = REGISTERS[key]
    f = _filters(request, reason_list)
    page, rows = _page(request, key, f)
    audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.SHOWN, pupils=len(rows), detail=f"registers: {key}")
    schools = [s for s in access().store().schools() if rules.can_view_school(request.user, s.urn)]
    reasons = registers_config().choices(reason_list) if reason_list else ()
    context = {
        "title": title,
        "key": key,
        "page": page,
        "filters": f,
        "schools": schools,
        "reasons": reasons,
        "has_status": bool(open_q),
        "can_refer": _can_record(request),
    }
    return render(request, "registers/register.html", context)


# -- a school's notifications --------------------------------------------------------------------------------
def _school_access(request: HttpRequest, urn: int | None, what: str) -> int:
    scope = rules.scope_for(request.user)
    if scope.role not in {Role.LA_ADMIN, Role.OFFICER, Role.SCHOOL}:
        audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.FORBIDDEN, school_urn=urn, detail=what)
        require(False)
    if (
        urn is None
        or not register_rules.can_view_school_removals(request.user, urn)
        or access().store().school(urn) is None
    ):
        audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.NOT_FOUND, school_urn=urn, detail=what)
        raise not_found()
    return urn


def _school_context(request: HttpRequest, urn: int, **extra: Any) -> dict[str, Any]:
    store = access().store()
    qs = m.RemovalNotification.objects.filter(urn=urn)
    rows = lists.visible(request.user, qs, store)
    page = lists.removals_page(rows, store=store, config=registers_config(), link=_link(request))
    return {
        "school": store.school(urn),
        "page": page,
        "rows": rows,
        "columns": imports.COLUMNS,
        "exclusion_columns": exclusion_imports.COLUMNS,
        "grounds": registers_config().choices("removal_ground"),
        **extra,
    }


def school_removals(request: HttpRequest, urn: int | None) -> HttpResponse:
    """A school's own removal notifications, with the form's link and the CSV import."""
    urn = _school_access(request, urn, "registers: school removals")
    context = _school_context(request, urn)
    audit_log.record(
        request,
        Action.VIEW_PUPIL_LIST,
        Outcome.SHOWN,
        school_urn=urn,
        pupils=len(context["rows"]),
        detail="registers: school removals",
    )
    return render(request, "registers/school_removals.html", context)


def _date_parts(form: RemovalForm, name: str) -> dict[str, str]:
    return {p: form.data.get(f"{name}_{p}", "") if form.is_bound else "" for p in ("day", "month", "year")}


@require_http_methods(["GET", "POST"])
def notify_removal(request: HttpRequest, urn: int | None) -> HttpResponse:
    """The school's secure notification of a removal from roll (GOV.UK form, errors by field)."""
    urn = _school_access(request, urn, "registers: notify a removal")
    config = registers_config()
    form = RemovalForm(request.POST if request.method == "POST" else None, config=config)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = notifications.check(access().store(), urn, form.cleaned_data, config)
            if isinstance(result, list):
                for problem in result:
                    form.add_error(problem.field, problem.message)
            else:
                [removal] = notifications.store_removal(
                    [result], user=request.user, username=request.user.get_username(), config=config, sources=["form"]
                )
                audit_log.record(
                    request,
                    Action.IMPORT,
                    Outcome.IMPORTED,
                    enrolment=result.enrolment,
                    detail=f"registers: removal {removal.pk} notified",
                )
                return redirect(reverse("school_removals", args=[urn]) + f"?notified={removal.pk}")
        status = 400
    return render(
        request,
        "registers/notify.html",
        {
            "form": form,
            "school": access().store().school(urn),
            "removal_date": _date_parts(form, "removal_date"),
            "cnis": config.settings.cnis_fields,
        },
        status=status,
    )


@require_POST
def import_removals(request: HttpRequest, urn: int | None) -> HttpResponse:
    """A CSV file of removals: every row checked; any problem refuses the file, with nothing stored."""
    urn = _school_access(request, urn, "registers: import removals")
    config = registers_config()
    upload = request.FILES.get("file")
    if upload is None:
        problems = [imports.FileProblem("the file", None, None, "Choose a CSV file of removals")]
        checked: list = []
    elif upload.size > 5 * 1024 * 1024:
        problems, checked = [imports.FileProblem(upload.name, None, None, "is larger than 5 MB")], []
    else:
        checked, sources, problems = imports.read_removals(access().store(), urn, upload.name, upload.read(), config)
    if problems:
        audit_log.record(
            request,
            Action.IMPORT,
            Outcome.REFUSED,
            school_urn=urn,
            detail=f"registers: removals file refused, {len(problems)} problems",
        )
        context = _school_context(
            request, urn, problems=[str(p) for p in problems[:200]], more=max(0, len(problems) - 200)
        )
        return render(request, "registers/school_removals.html", context, status=400)
    stored = notifications.store_removal(
        checked, user=request.user, username=request.user.get_username(), config=config, sources=sources
    )
    audit_log.record(
        request,
        Action.IMPORT,
        Outcome.IMPORTED,
        school_urn=urn,
        pupils=len(stored),
        detail=f"registers: {len(stored)} removals imported from {upload.name}"[:1000],
    )
    return redirect(reverse("school_removals", args=[urn]) + f"?imported={len(stored)}")


# -- a pupil's entries, and the counts -----------------------------------------------------------------------
def pupil_registers(request: HttpRequest, enrolment_id: int | None) -> HttpResponse:
    """Every register entry of the pupil the enrolment is for, at any school the user may see."""
    scope = rules.scope_for(request.user)
    if not scope.pupil_level:
        audit_log.record(request, Action.VIEW_PUPIL, Outcome.FORBIDDEN, enrolment_id=enrolment_id, detail="registers")
        require(False)
    enrolment: Enrolment | None = None
    if enrolment_id is not None:
        enrolment, allowed = pupil_service.visible_enrolment(access(), scope, enrolment_id)
        enrolment = enrolment if allowed else None
    if enrolment is None:
        audit_log.record(request, Action.VIEW_PUPIL, Outcome.NOT_FOUND, enrolment_id=enrolment_id, detail="registers")
        raise not_found()
    store, config, today, link = access().store(), registers_config(), _today(), _link(request)
    tables = []
    for key, (_title, model, _open, _f, _l) in REGISTERS.items():
        rows = lists.visible(request.user, model.objects.filter(upn=enrolment.upn), store)
        if not rows:
            continue
        if key == "cme":
            page = lists.cme_page(rows, store=store, config=config, today=today, link=link)
        elif key == "ehe":
            page = lists.ehe_page(
                rows, store=store, config=config, today=today, link=link, watch_from=today, all_entries=[]
            )
            page = lists.Page(page.tables[:1], page.entries, page.due)
        elif key == "exclusions":
            page = lists.exclusions_page(rows, store=store, config=config, today=today, link=link)
        elif key == "timetables":
            page = lists.timetables_page(rows, store=store, config=config, today=today, link=link)
        elif key == "panels":
            page = lists.panels_page(rows, store=store, config=config, today=today, link=link)
        else:
            page = lists.removals_page(rows, store=store, config=config, link=link)
        tables += page.tables
    audit_log.record(request, Action.VIEW_PUPIL, Outcome.SHOWN, enrolment=enrolment, detail="registers")
    names = store.pupil_names([enrolment.upn]).get(enrolment.upn, (None, None))
    return render(
        request,
        "registers/pupil.html",
        {
            "enrolment": enrolment,
            "tables": tables,
            "name": " ".join(n for n in names if n) or enrolment.upn,
            "back": reverse("pupil", args=[enrolment.enrolment_id]),
        },
    )


def register_counts(request: HttpRequest) -> HttpResponse:
    """Counts for a scrutiny report; suppressed for scrutiny members."""
    if not register_rules.can_view_register_counts(request.user):
        require(False)
    scope = rules.scope_for(request.user)
    limit = threshold() if scope.suppress else None
    tables = counts.count_tables(access().store(), registers_config(), today=_today(), threshold=limit)
    return render(
        request, "registers/counts.html", {"tables": tables, "suppressed": scope.suppress, "threshold": threshold()}
    )


# -- one entry, and what the LA records on it ----------------------------------------------------------------
DATE_BOXES = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))
ENTRY_FORMS = {
    "cme": (("enquiry", "Record an enquiry", "Record the enquiry"), ("outcome", "Escalation and outcome", "Save")),
    "ehe": (("update", "Contact, visits, suitability and notices", "Save"),),
}


def _entry_access(request: HttpRequest, key: str, entry_id: int | None) -> tuple[Any, Enrolment | None]:
    """The entry if the user may see it: 403 for a role that never sees register pages, 404 (audited) else."""
    if key not in ENTRY_FORMS:
        raise not_found()
    _refuse_registers(request, f"{key} entry {entry_id}")
    model = REGISTERS[key][1]
    entry = model.objects.filter(pk=entry_id).first() if entry_id is not None else None
    rows = lists.visible(request.user, model.objects.filter(pk=entry.pk), access().store()) if entry else []
    if not rows:
        audit_log.record(
            request,
            Action.VIEW_PUPIL,
            Outcome.NOT_FOUND,
            enrolment_id=entry.enrolment_id if entry else None,
            detail=f"registers: {key} entry {entry_id}",
        )
        raise not_found()
    return rows[0]


def _can_record(request: HttpRequest) -> bool:
    return rules.scope_for(request.user).role in {Role.LA_ADMIN, Role.OFFICER}


def _entry_form(key: str, name: str, entry: Any, data: Any = None) -> Any:
    from attendwise.web.registers import forms as f

    if key == "cme" and name == "enquiry":
        return f.EnquiryForm(data, prefix="enquiry")
    if key == "cme":
        initial = {
            "escalated_on": entry.escalated_on,
            "outcome": entry.outcome,
            "closed_on": entry.closed_on,
            "whereabouts_known": entry.whereabouts_unknown_since is None,
        }
        return f.CmeOutcomeForm(data, config=registers_config(), prefix="outcome", initial=initial)
    fields = (
        "first_contact_on",
        "last_visit_on",
        "suitability",
        "consent_given_on",
        "notice_served_on",
        "sao_served_on",
        "ended_on",
    )
    return f.EheUpdateForm(data, prefix="update", initial={k: getattr(entry, k) for k in fields})


def _dates(form: Any) -> dict[str, dict[str, str]]:
    from attendwise.web.registers.forms import GovukDateField

    out = {}
    for name, field in form.fields.items():
        if isinstance(field, GovukDateField):
            html = form.add_prefix(name)
            if form.is_bound:
                out[name] = {p: form.data.get(f"{html}_{p}", "") for p in ("day", "month", "year")}
            else:
                value = form.initial.get(name)
                out[name] = (
                    {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
                    if isinstance(value, dt.date)
                    else {}
                )
    return out


def _render_entry(
    request: HttpRequest, key: str, entry: Any, enrolment: Enrolment | None, bound: dict[str, Any] | None = None
) -> HttpResponse:
    from attendwise.documents.tables import Column, Kind, Table

    config, bound = registers_config(), bound or {}
    details: list[tuple[str, Any]] = [
        ("Child", entry.child_name or entry.upn),
        ("UPN", entry.upn),
        ("School", entry.urn),
        ("Recorded by", entry.recorded_by),
    ]
    tables = []
    if key == "cme":
        details += [
            ("Referred", entry.referred_on),
            ("Source", config.name_of("referral_source", entry.source)),
            ("Reason", config.name_of("cme_reason", entry.reason)),
            ("Whereabouts unknown since", entry.whereabouts_unknown_since),
            ("EHC plan: interim provision", entry.interim_provision if entry.ehc_plan else ""),
            ("Escalated", entry.escalated_on),
            ("Outcome", config.name_of("cme_outcome", entry.outcome) if entry.outcome else ""),
            ("Closed", entry.closed_on),
        ]
        tables.append(
            Table(
                "Enquiries",
                (
                    Column("date", "Date", Kind.DATE),
                    Column("agency", "Agency"),
                    Column("result", "What it found", wide=True),
                ),
                [(q.date, q.agency, q.result) for q in entry.enquiries.all()],
                empty="No enquiries recorded yet.",
            )
        )
    else:
        from attendwise.registers.ehe import SUITABILITY, consent_needed

        needed = consent_needed(
            child_protection_plan=entry.child_protection_plan, s47_enquiry=False, special_school=entry.special_school
        )
        details += [
            ("Started", entry.started_on),
            ("Reason", config.name_of("ehe_reason", entry.reason)),
            ("Suitability", SUITABILITY.get(entry.suitability, entry.suitability)),
            ("LA consent needed", ", ".join(needed) if needed else "no"),
            ("Consent given", entry.consent_given_on),
            ("Last visit", entry.last_visit_on),
            ("s437(1) notice served", entry.notice_served_on),
            ("Ended", entry.ended_on),
        ]
    forms = []
    if _can_record(request):
        for name, title, button in ENTRY_FORMS[key]:
            form = bound.get(name) or _entry_form(key, name, entry)
            forms.append(
                {
                    "form": form,
                    "title": title,
                    "button": button,
                    "prefix": f"{name}-",
                    "action": reverse("register_entry_change", args=[key, entry.pk, name]),
                    "dates": _dates(form),
                }
            )
    audit_log.record(
        request,
        Action.VIEW_PUPIL,
        Outcome.SHOWN,
        enrolment=enrolment,
        enrolment_id=entry.enrolment_id,
        detail=f"registers: {key} entry {entry.pk}",
    )
    context = {
        "key": key,
        "register_title": REGISTERS[key][0],
        "title": entry.child_name or entry.upn or "A child",
        "details": details,
        "tables": tables,
        "forms": forms,
        "date_boxes": DATE_BOXES,
        "errors": any(f["form"].errors for f in forms),
    }
    return render(request, "registers/entry.html", context, status=400 if bound else 200)


def register_entry(request: HttpRequest, key: str, entry_id: int | None) -> HttpResponse:
    """One CME referral or home-education entry, with the forms the LA records on it."""
    entry, enrolment = _entry_access(request, key, entry_id)
    return _render_entry(request, key, entry, enrolment)


@require_POST
def register_entry_change(request: HttpRequest, key: str, entry_id: int | None, what: str) -> HttpResponse:
    """Record an enquiry, an escalation or outcome, or a home-education update: LA staff only (the Virtual
    School reads), each change a row of the registers' change log."""
    entry, enrolment = _entry_access(request, key, entry_id)
    if what not in {n for n, _t, _b in ENTRY_FORMS[key]}:
        raise not_found()
    require(_can_record(request))
    form = _entry_form(key, what, entry, request.POST)
    if not form.is_valid():
        return _render_entry(request, key, entry, enrolment, bound={what: form})
    data = form.cleaned_data
    if what == "enquiry":
        m.CmeEnquiry.objects.create(referral=entry, date=data["date"], agency=data["agency"], result=data["result"])
        change = f"enquiry of {data['agency']} on {data['date']:%d %b %Y}"
    elif key == "cme":
        entry.escalated_on, entry.outcome, entry.closed_on = data["escalated_on"], data["outcome"], data["closed_on"]
        if data["whereabouts_known"]:
            entry.whereabouts_unknown_since = None
        entry.save()
        change = f"escalated {entry.escalated_on}, outcome {entry.outcome or 'open'}, closed {entry.closed_on}"
    else:
        for name, value in data.items():
            setattr(entry, name, value if value != "" else getattr(entry, name))
        entry.save()
        change = "updated: " + ", ".join(f"{k} {v}" for k, v in data.items() if v)
    m.RegisterChange.objects.create(
        user=request.user,
        username=request.user.get_username(),
        register=key,
        entry_id=entry.pk,
        what=change[:300],
        upn=entry.upn,
        urn=entry.urn,
    )
    return redirect(reverse("register_entry", args=[key, entry.pk]))


@require_POST
def import_exclusions(request: HttpRequest, urn: int | None) -> HttpResponse:
    """A school's CSV file of suspensions and exclusions: refused whole with every problem, or stored."""
    urn = _school_access(request, urn, "registers: import suspensions")
    upload = request.FILES.get("file")
    if upload is None or upload.size > 5 * 1024 * 1024:
        why = "Choose a CSV file of suspensions" if upload is None else "is larger than 5 MB"
        rows, problems = [], [imports.FileProblem(upload.name if upload else "the file", None, None, why)]
    else:
        rows, problems = exclusion_imports.read_exclusions(
            access().store(), urn, upload.name, upload.read(), registers_config()
        )
    if problems:
        audit_log.record(
            request,
            Action.IMPORT,
            Outcome.REFUSED,
            school_urn=urn,
            detail=f"registers: suspensions file refused, {len(problems)} problems",
        )
        context = _school_context(
            request, urn, exclusion_problems=[str(p) for p in problems[:200]], more=max(0, len(problems) - 200)
        )
        return render(request, "registers/school_removals.html", context, status=400)
    stored = exclusion_imports.store_exclusions(
        rows, user=request.user, username=request.user.get_username(), source=upload.name
    )
    audit_log.record(
        request,
        Action.IMPORT,
        Outcome.IMPORTED,
        school_urn=urn,
        pupils=stored,
        detail=f"registers: {stored} suspensions imported from {upload.name}"[:1000],
    )
    return redirect(reverse("school_removals", args=[urn]) + f"?suspensions={stored}")


@require_http_methods(["GET", "POST"])
def new_cme_referral(request: HttpRequest) -> HttpResponse:
    """The single route of referral for a child missing education (another LA, an agency, the public): LA staff."""
    from attendwise.measures.pupils import enrolments_of
    from attendwise.web.registers.forms import CmeReferralForm

    _refuse_registers(request, "new CME referral")
    require(_can_record(request))
    form = CmeReferralForm(
        request.POST if request.method == "POST" else None, config=registers_config(), prefix="referral"
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enrolments = enrolments_of(access().store(), data["upn"]) if data["upn"] else []
        scope = rules.scope_for(request.user)
        enrolment = next((e for e in enrolments if scope.allows_enrolment(e)), None)
        if data["upn"] and enrolment is None:
            form.add_error("upn", "No pupil with this UPN is on the roll of a school you work with: leave it blank")
        else:
            referral = m.CmeReferral.objects.create(
                upn=data["upn"],
                enrolment_id=enrolment.enrolment_id if enrolment else None,
                urn=enrolment.urn if enrolment else None,
                child_name=data["child_name"],
                date_of_birth=data["date_of_birth"],
                referred_on=data["referred_on"],
                source=data["source"],
                reason=data["reason"],
                whereabouts_unknown_since=data["whereabouts_unknown_since"],
                ehc_plan=data["ehc_plan"],
                interim_provision=data["interim_provision"],
                recorded_by=request.user.get_username(),
            )
            m.RegisterChange.objects.create(
                user=request.user,
                username=request.user.get_username(),
                register="cme",
                entry_id=referral.pk,
                what=f"referred by {data['source']}",
                upn=referral.upn,
                urn=referral.urn,
            )
            return redirect(reverse("register_entry", args=["cme", referral.pk]))
    status = 400 if request.method == "POST" else 200
    context = {
        "key": "cme",
        "register_title": REGISTERS["cme"][0],
        "title": "Refer a child missing education",
        "details": [],
        "tables": [],
        "date_boxes": DATE_BOXES,
        "errors": bool(form.errors),
        "forms": [
            {
                "form": form,
                "title": "The child and the referral",
                "button": "Refer the child",
                "prefix": "referral-",
                "action": reverse("cme_referral_new"),
                "dates": _dates(form),
            }
        ],
    }
    return render(request, "registers/entry.html", context, status=status)
