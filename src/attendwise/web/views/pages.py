"""The pages of the service."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from attendwise.documents.spreadsheets import table_csv
from attendwise.documents.tables import data_table
from attendwise.web import audit as audit_log
from attendwise.web import rules, upload_problems
from attendwise.web.casework.moves import follow_pupils
from attendwise.web.casework.services.links import pupil_casework, school_cases_link
from attendwise.web.forms import AuditSearchForm, CohortForm, UploadForm
from attendwise.web.legal.views import legal_link
from attendwise.web.models import Action, AuditEvent, Outcome, Role
from attendwise.web.services import cohorts as cohort_service
from attendwise.web.services import overview, periods
from attendwise.web.services import pupil as pupil_service
from attendwise.web.services import schools as school_service
from attendwise.web.services.figures import period_rows
from attendwise.web.services.uploads import import_history, import_upload
from attendwise.web.views.common import (
    BadPeriod,
    NoData,
    access,
    csv_response,
    not_found,
    period_for,
    pupil_link,
    require,
    school_link_for,
    suppress_export,
    threshold,
)

if TYPE_CHECKING:
    from attendwise.core.calendar import Period


def _no_data(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "attendwise/pages/no_data.html", {"message": message}, status=200)


def _period_choices(acc: Any) -> list[periods.PeriodChoice]:
    return acc.cached(("period-choices",), lambda: periods.period_choices(acc.store()))


def _period_context(request: HttpRequest, acc: Any, period: Any) -> dict[str, Any]:
    return {
        "period": period,
        "period_error": None,
        "period_choices": _period_choices(acc),
        "period_value": request.GET.get("period", ""),
    }


def _period(request: HttpRequest, acc: Any, title: str, keep: tuple[str, ...] = ()) -> Period | HttpResponse:
    """The period asked for, or the page's answer when it has none to show (return it).

    With no registers yet, the page says so; asked for a period it cannot read, it answers 400 with the
    error in the error summary and the period form (keeping the ``keep`` choices), and no figures: never
    another period's figures under the page's title.
    """
    try:
        return period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
    except BadPeriod as exc:
        context = {
            "title": title,
            "period_error": str(exc),
            "period_choices": _period_choices(acc),
            "period_value": "",
            "extra_fields": [(name, request.GET[name]) for name in keep if request.GET.get(name)],
        }
        return render(request, "attendwise/pages/bad_period.html", context, status=400)


def _render_body(
    request: HttpRequest, acc: Any, key: tuple[Any, ...], name: str, context: dict[str, Any]
) -> HttpResponse:
    """Render ``pages/NAME.html`` around a body rendered once per data version and ``key``.

    The body (``includes/NAME_body.html``) depends only on the page's figures and the period asked
    for, never on the request, so users who share a scope share it; only the frame (header,
    navigation, sign-out form) is rendered for each request.
    """
    cache_key = (f"html-{name}", *key, context["period_value"])
    body = acc.cached(cache_key, lambda: render_to_string(f"attendwise/includes/{name}_body.html", context))
    return render(request, f"attendwise/pages/{name}.html", {**context, "body": mark_safe(body)})


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    scope = rules.scope_for(request.user)
    if rules.can_view_la_overview(request.user):
        return redirect("la_overview")
    if scope.role == Role.SCHOOL and scope.schools:
        return redirect("school", urn=min(scope.schools))
    return render(request, "attendwise/pages/no_role.html", status=403)


def la_overview(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_la_overview(request.user))
    acc = access()
    period = _period(request, acc, "Attendance across the local authority")
    if isinstance(period, HttpResponse):
        return period
    scope = rules.scope_for(request.user)
    # The page's figures depend only on the period and the user's scope: built once per data version.
    page = acc.cached(
        ("page-la", period, scope, threshold()),
        lambda: overview.la_overview(acc, scope, period, threshold=threshold(), school_link=school_link_for(request)),
    )
    return _render_body(
        request,
        acc,
        (period, scope, threshold()),
        "la_overview",
        {
            "page": page,
            # the body is kept per scope, and each of these is the scope's
            "pupil_search": scope.pupil_level,
            "can_view_schools": rules.can_view_schools(request.user),
            "can_view_virtual_school": rules.can_view_virtual_school(request.user),
            **_period_context(request, acc, period),
        },
    )


def la_schools_csv(request: HttpRequest) -> HttpResponse:
    """Every school's DfE measures for the period (aggregates; suppressed when shared outside the team)."""
    require(rules.can_view_la_overview(request.user))
    acc = access()
    period = _period(request, acc, "Every school's measures", keep=("suppress",))
    if isinstance(period, HttpResponse):
        return period
    frame = school_service.schools_frame(
        acc, rules.scope_for(request.user), period, suppress=suppress_export(request), threshold=threshold()
    )
    frame = frame.copy()
    frame.insert(0, "time_identifier", period.label)
    return csv_response(table_csv(data_table(frame)), f"schools-{period.label.replace('/', '-').replace(' ', '-')}.csv")


def schools(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_schools(request.user))
    acc = access()
    period = _period(request, acc, "Schools")
    if isinstance(period, HttpResponse):
        return period
    scope = rules.scope_for(request.user)
    table = school_service.schools_index(
        acc, scope, period, threshold=threshold(), school_link=school_link_for(request)
    )
    return render(
        request,
        "attendwise/pages/schools.html",
        {
            "table": table,
            "suppressed": scope.suppress,
            "threshold": threshold(),
            **_period_context(request, acc, period),
        },
    )


def _school_or_404(request: HttpRequest, acc: Any, urn: int | None) -> Any:
    """The school, if the user may see it (``urn`` is None where the address held no URN)."""
    require(rules.can_view_schools(request.user))
    allowed = urn is not None and rules.can_view_school(request.user, urn)
    info = school_service.school_info(acc, urn) if allowed else None
    if info is None:
        if rules.scope_for(request.user).pupil_level:  # the page would have listed the school's pupils
            audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.NOT_FOUND, school_urn=urn, detail="school page")
        raise not_found()
    return info


def school(request: HttpRequest, urn: int | None) -> HttpResponse:
    acc = access()
    info = _school_or_404(request, acc, urn)
    urn = info.urn
    period = _period(request, acc, info.name)
    if isinstance(period, HttpResponse):
        return period
    scope = rules.scope_for(request.user)
    page = acc.cached(
        ("page-school", urn, period, scope, threshold()),
        lambda: school_service.school_page(
            acc,
            scope,
            info,
            period,
            threshold=threshold(),
            pupil_link=pupil_link,
            outside_team=scope.role in {Role.SCHOOL, Role.SCRUTINY},
        ),
    )
    if page.pupils is not None:
        audit_log.record(
            request,
            Action.VIEW_PUPIL_LIST,
            Outcome.SHOWN,
            school_urn=urn,
            pupils=page.pupils_count,
            detail=f"persistently or severely absent pupils, {period.label}",
        )
    tsm_link = reverse("tsm_latest", args=[urn]) if rules.can_view_tsm_pack(request.user, urn) else None
    cases_link = school_cases_link(request.user, urn)
    return _render_body(
        request,
        acc,
        (urn, period, scope, threshold()),
        "school",
        {"page": page, "tsm_link": tsm_link, "cases_link": cases_link, **_period_context(request, acc, period)},
    )


def school_pupils_csv(request: HttpRequest, urn: int | None) -> HttpResponse:
    acc = access()
    if not rules.can_see_pupils(request.user):
        audit_log.record(request, Action.EXPORT_PUPIL_LIST, Outcome.FORBIDDEN, school_urn=urn)
        require(False)
    info = school_service.school_info(acc, urn) if urn is not None else None
    if urn is None or info is None or not rules.can_view_school_pupils(request.user, urn):
        audit_log.record(request, Action.EXPORT_PUPIL_LIST, Outcome.NOT_FOUND, school_urn=urn)
        raise not_found()
    period = _period(request, acc, f"{info.name}: persistently and severely absent pupils")
    if isinstance(period, HttpResponse):
        return period
    rows = period_rows(acc, period)
    absent, _ = school_service.pupil_list(acc, rows[rows.school_urn == urn], pupil_link=pupil_link)
    audit_log.record(
        request,
        Action.EXPORT_PUPIL_LIST,
        Outcome.SHOWN,
        school_urn=urn,
        pupils=len(absent),
        detail=f"persistently or severely absent pupils, {period.label}",
    )
    cols = [
        "upn",
        "pupil",
        "nc_year",
        "sess_possible",
        "sess_overall",
        "sess_unauthorised",
        "attendance_percent",
        "band_name",
    ]
    return csv_response(table_csv(data_table(absent.reindex(columns=cols))), f"school-{urn}-pupils.csv")


#: The cohort form's choices, kept when only the period must be chosen again.
COHORT_CHOICES = ("by", "then", "school")


def _cohort_inputs(request: HttpRequest, acc: Any) -> tuple[CohortForm, list[str] | None, int | None]:
    """The cohort form, the characteristics and the school it asks for (``None``: the form has errors)."""
    scope = rules.scope_for(request.user)
    schools = sorted(acc.store().schools(), key=lambda s: s.name)
    choices = [(s.urn, s.name) for s in schools if scope.allows_school(s.urn)] if not scope.social_care_only else []
    form = CohortForm(request.GET or None, schools=choices)
    if not form.is_bound:
        return form, ["fsm"], None
    if not form.is_valid():
        return form, None, None
    by = [form.cleaned_data["by"]] + ([form.cleaned_data["then"]] if form.cleaned_data.get("then") else [])
    return form, by, form.cleaned_data.get("school")


def _cohort_template(request: HttpRequest) -> str:
    if request.headers.get("HX-Request"):
        return "attendwise/includes/cohort_results.html"
    return "attendwise/pages/cohorts.html"


def _cohort_errors(request: HttpRequest, acc: Any, form: CohortForm, period: Any) -> HttpResponse:
    """A cohort the form cannot show is an error beside the form, never some other cohort's figures."""
    return render(
        request,
        _cohort_template(request),
        {"page": None, "form": form, "query": "", **_period_context(request, acc, period)},
        status=400,
    )


def cohorts(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_cohorts(request.user))
    acc = access()
    period = _period(request, acc, "Cohorts", keep=COHORT_CHOICES)
    if isinstance(period, HttpResponse):
        return period
    scope = rules.scope_for(request.user)
    form, by, school = _cohort_inputs(request, acc)
    if by is None:
        return _cohort_errors(request, acc, form, period)
    label = (
        "children looked after or with a social worker"
        if scope.social_care_only
        else "your schools"
        if scope.schools is not None
        else "all schools"
    )
    if school is not None:
        label = dict(form.fields["school"].choices).get(school, label)  # type: ignore[attr-defined]
    page = cohort_service.cohort_page(
        acc,
        scope,
        period,
        by,
        school=school,
        suppress=scope.suppress,
        threshold=threshold(),
        scope_label=str(label),
        hidden=lambda cohort: not rules.can_see_cohort_membership(request.user, cohort),
    )
    return render(
        request,
        _cohort_template(request),
        {"page": page, "form": form, "query": request.GET.urlencode(), **_period_context(request, acc, period)},
    )


def cohorts_csv(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_cohorts(request.user))
    acc = access()
    period = _period(request, acc, "Cohorts", keep=(*COHORT_CHOICES, "suppress"))
    if isinstance(period, HttpResponse):
        return period
    scope = rules.scope_for(request.user)
    form, by, school = _cohort_inputs(request, acc)
    if by is None:
        return _cohort_errors(request, acc, form, period)
    _, frame = cohort_service.cohort_frame(
        acc,
        scope,
        period,
        by,
        school=school,
        suppress=suppress_export(request),
        threshold=threshold(),
        hidden=lambda cohort: not rules.can_see_cohort_membership(request.user, cohort),
    )
    frame = frame.copy()
    frame.insert(0, "time_identifier", period.label)
    return csv_response(table_csv(data_table(frame)), f"cohorts-{'-'.join(by)}.csv")


def _visible_pupil(request: HttpRequest, enrolment_id: int | None, action: Action) -> Any:
    """The enrolment if the user may see it; otherwise audit the attempt and refuse (403 or 404).

    ``enrolment_id`` is None where the address held no enrolment id: refused like an id of nothing.
    """
    if not rules.can_see_pupils(request.user):
        audit_log.record(request, action, Outcome.FORBIDDEN, enrolment_id=enrolment_id)
        require(False)
    enrolment, allowed = (
        (None, False)
        if enrolment_id is None
        else pupil_service.visible_enrolment(access(), rules.scope_for(request.user), enrolment_id)
    )
    if enrolment is None or not allowed:
        audit_log.record(request, action, Outcome.NOT_FOUND, enrolment_id=enrolment_id)
        raise not_found()
    return enrolment


def pupil(request: HttpRequest, enrolment_id: int | None) -> HttpResponse:
    enrolment = _visible_pupil(request, enrolment_id, Action.VIEW_PUPIL)
    page = pupil_service.pupil_page(
        access(),
        rules.scope_for(request.user),
        enrolment,
        pupil_link=pupil_link,
        may_see_cohort=lambda cohort: rules.can_see_cohort_membership(request.user, cohort),
    )
    audit_log.record(request, Action.VIEW_PUPIL, Outcome.SHOWN, enrolment=enrolment)
    back = reverse("school", args=[enrolment.urn]) if rules.can_view_school(request.user, enrolment.urn) else None
    casework = pupil_casework(request.user, enrolment)
    legal = legal_link(request.user, enrolment)
    context = {"page": page, "back": back, "casework": casework, "legal": legal}
    return render(request, "attendwise/pages/pupil.html", context)


def pupil_marks_csv(request: HttpRequest, enrolment_id: int | None) -> HttpResponse:
    enrolment = _visible_pupil(request, enrolment_id, Action.EXPORT_PUPIL)
    from attendwise.measures.pupils import pupil_record

    record = pupil_record(access().store(), enrolment.enrolment_id)
    assert record is not None
    audit_log.record(request, Action.EXPORT_PUPIL, Outcome.SHOWN, enrolment=enrolment, detail="marks CSV")
    return csv_response(table_csv(pupil_service.marks_table(record)), f"pupil-{enrolment.enrolment_id}-marks.csv")


@require_http_methods(["GET", "POST"])
def uploads(request: HttpRequest) -> HttpResponse:
    require(rules.can_upload(request.user))
    acc = access()
    scope = rules.scope_for(request.user)
    outcome = None
    form = UploadForm()
    if request.method == "POST":
        files = request.FILES  # read the body now: the upload handler notes an upload over the limit
        if getattr(request, "upload_too_large", False) or (
            int(request.META.get("CONTENT_LENGTH") or 0) > settings.ATTENDWISE_UPLOAD_MAX_BYTES + 65536
        ):
            form = UploadForm()
            form.errors["files"] = form.error_class(["The upload is larger than the limit"])  # type: ignore[index]
            audit_log.record(request, Action.IMPORT, Outcome.REFUSED, detail="the upload is larger than the limit")
        else:
            form = UploadForm(request.POST, files)
            if form.is_valid():
                uploaded = form.cleaned_data["files"]
                outcome = import_upload(acc, uploaded, scope=rules.import_scope_for(request.user))
                names = ", ".join(sorted(f.name or "" for f in uploaded))
                if outcome.ok:
                    result = outcome.result
                    assert result is not None
                    audit_log.record(
                        request,
                        Action.IMPORT,
                        Outcome.IMPORTED,
                        school_urn=_one_school(result.schools_touched),
                        detail=f"import {result.import_id} of {names}: " + " ".join(result.changes()),
                    )
                    request.session["upload_result"] = {"import_id": result.import_id, "changes": result.changes()}
                    follow_pupils(acc)  # a pupil who moved school takes their open case with them
                    return redirect("uploads")
                audit_log.record(
                    request,
                    Action.IMPORT,
                    Outcome.REFUSED,
                    school_urn=_one_school(scope.schools or ()),
                    detail=f"{names}: {outcome.total_problems} problem{'s' if outcome.total_problems != 1 else ''}: "
                    + "; ".join(str(p) for p in upload_problems.shown(outcome.problems[:5])),
                )
    history = import_history(acc.store(), scope.schools)
    done = request.session.pop("upload_result", None)
    status = 400 if outcome is not None and not outcome.ok else 200
    return render(
        request,
        "attendwise/pages/uploads.html",
        {
            "form": form,
            "outcome": outcome,
            # never a server path (the upload's temporary folder) nor a long value, whatever the importer said
            "problems": upload_problems.shown(outcome.problems) if outcome is not None else [],
            "done": done,
            "imports": history,
            "read_only": acc.read_only,
        },
        status=status,
    )


def _one_school(urns: Iterable[int]) -> int | None:
    """The school an import was for, when it was for one school only."""
    urns = set(urns)
    return next(iter(urns)) if len(urns) == 1 else None


def _audit_events(form: AuditSearchForm) -> Any:
    """The audit events the search form asks for (every event if it asks nothing, or cannot be read)."""
    events = AuditEvent.objects.all()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            events = events.filter(username__icontains=data["username"])
        if data["upn"]:
            events = events.filter(upn=data["upn"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
    return events


def audit(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_audit(request.user))
    form = AuditSearchForm(request.GET or None)
    events = _audit_events(form)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    imports = import_history(access().store(), None, limit=50)
    return render(
        request,
        "attendwise/pages/audit.html",
        {"form": form, "page_obj": page, "query": query.urlencode(), "imports": imports},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


#: The audit log's columns in its CSV, as the table shows them.
AUDIT_COLUMNS = ("at", "username", "role", "action", "outcome", "enrolment_id", "upn", "school_urn", "pupils", "detail")


def audit_csv(request: HttpRequest) -> HttpResponse:
    """The audit events the search asks for, every one (not a page of them), as CSV: LA administrators only,
    and the export is itself an audit event."""
    if not rules.can_view_audit(request.user):
        audit_log.record(request, Action.EXPORT_AUDIT, Outcome.FORBIDDEN)
        require(False)
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return audit(request)
    import pandas as pd

    rows = list(_audit_events(form).values_list(*AUDIT_COLUMNS))
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame["at"] = [a.isoformat(timespec="seconds") for a in frame["at"]]
    frame["role"] = [AuditEvent(role=r).role_label for r in frame["role"]]
    frame["action"] = [Action(a).label if a in Action.values else a for a in frame["action"]]
    frame["outcome"] = [Outcome(o).label if o in Outcome.values else o for o in frame["outcome"]]
    searched = ", ".join(f"{k} {v}" for k, v in form.cleaned_data.items() if v) if form.is_bound else ""
    audit_log.record(
        request,
        Action.EXPORT_AUDIT,
        Outcome.SHOWN,
        detail=f"{len(frame)} events" + (f" ({searched})" if searched else ""),
    )
    return csv_response(table_csv(data_table(frame)), "audit-log.csv")
