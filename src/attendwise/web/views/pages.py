"""The pages of the service."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from attendwise.web import audit as audit_log
from attendwise.web import rules
from attendwise.web.forms import AuditSearchForm, CohortForm, UploadForm
from attendwise.web.models import Action, AuditEvent, Outcome, Role
from attendwise.web.services import cohorts as cohort_service
from attendwise.web.services import overview, periods
from attendwise.web.services import pupil as pupil_service
from attendwise.web.services import schools as school_service
from attendwise.web.services.figures import period_rows
from attendwise.documents.tables import Column, table_from_frame
from attendwise.web.services.uploads import import_upload
from attendwise.web.views.common import (
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


def _no_data(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "attendwise/pages/no_data.html", {"message": message}, status=200)


def _period_context(request: HttpRequest, acc: Any, period: Any, error: str | None) -> dict[str, Any]:
    return {
        "period": period,
        "period_error": error,
        "period_choices": acc.cached(("period-choices",), lambda: periods.period_choices(acc.store())),
        "period_value": request.GET.get("period", "") if not error else "",
    }


def _render_body(
    request: HttpRequest, acc: Any, key: tuple[Any, ...], name: str, context: dict[str, Any]
) -> HttpResponse:
    """Render ``pages/NAME.html`` around a body rendered once per data version and ``key``.

    The body (``includes/NAME_body.html``) depends only on the page's figures and the period asked
    for, never on the request, so users who share a scope share it; only the frame (header,
    navigation, sign-out form) is rendered for each request.
    """
    cache_key = (f"html-{name}", *key, context["period_value"], context["period_error"])
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
    try:
        period, error = period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
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
        {"page": page, **_period_context(request, acc, period, error)},
    )


def la_schools_csv(request: HttpRequest) -> HttpResponse:
    """Every school's DfE measures for the period (aggregates; suppressed when shared outside the team)."""
    require(rules.can_view_la_overview(request.user))
    acc = access()
    try:
        period, _ = period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
    frame = school_service.schools_frame(
        acc, rules.scope_for(request.user), period, suppress=suppress_export(request), threshold=threshold()
    )
    frame = frame.copy()
    frame.insert(0, "time_identifier", period.label)
    return csv_response(frame.to_csv(index=False), f"schools-{period.label.replace('/', '-').replace(' ', '-')}.csv")


def schools(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_schools(request.user))
    acc = access()
    try:
        period, error = period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
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
            **_period_context(request, acc, period, error),
        },
    )


def _school_or_404(request: HttpRequest, acc: Any, urn: int) -> Any:
    require(rules.can_view_schools(request.user))
    if not rules.can_view_school(request.user, urn):
        raise not_found()
    info = school_service.school_info(acc, urn)
    if info is None:
        raise not_found()
    return info


def school(request: HttpRequest, urn: int) -> HttpResponse:
    acc = access()
    info = _school_or_404(request, acc, urn)
    try:
        period, error = period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
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
    return _render_body(
        request,
        acc,
        (urn, period, scope, threshold()),
        "school",
        {"page": page, "tsm_link": tsm_link, **_period_context(request, acc, period, error)},
    )


def school_pupils_csv(request: HttpRequest, urn: int) -> HttpResponse:
    acc = access()
    if not rules.can_see_pupils(request.user):
        audit_log.record(request, Action.EXPORT_PUPIL_LIST, Outcome.FORBIDDEN, school_urn=urn)
        require(False)
    if not rules.can_view_school_pupils(request.user, urn) or school_service.school_info(acc, urn) is None:
        audit_log.record(request, Action.EXPORT_PUPIL_LIST, Outcome.NOT_FOUND, school_urn=urn)
        raise not_found()
    try:
        period, _ = period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
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
    return csv_response(absent.reindex(columns=cols).to_csv(index=False), f"school-{urn}-pupils.csv")


def _cohort_inputs(request: HttpRequest, acc: Any, period: Any) -> tuple[CohortForm, list[str], int | None]:
    scope = rules.scope_for(request.user)
    names = acc.store().con.execute("SELECT urn, name FROM schools ORDER BY name").fetchall()
    choices = [(u, n) for u, n in names if scope.allows_school(u)] if not scope.social_care_only else []
    form = CohortForm(request.GET or None, schools=choices)
    by, school = ["fsm"], None
    if form.is_bound and form.is_valid():
        by = [form.cleaned_data["by"]] + ([form.cleaned_data["then"]] if form.cleaned_data.get("then") else [])
        school = form.cleaned_data.get("school")
    return form, by, school


def cohorts(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_cohorts(request.user))
    acc = access()
    try:
        period, error = period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
    scope = rules.scope_for(request.user)
    form, by, school = _cohort_inputs(request, acc, period)
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
        acc, scope, period, by, school=school, suppress=scope.suppress, threshold=threshold(), scope_label=str(label)
    )
    template = (
        "attendwise/includes/cohort_results.html"
        if request.headers.get("HX-Request")
        else ("attendwise/pages/cohorts.html")
    )
    return render(
        request,
        template,
        {"page": page, "form": form, "query": request.GET.urlencode(), **_period_context(request, acc, period, error)},
    )


def cohorts_csv(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_cohorts(request.user))
    acc = access()
    try:
        period, _ = period_for(request, acc)
    except NoData as exc:
        return _no_data(request, str(exc))
    scope = rules.scope_for(request.user)
    _, by, school = _cohort_inputs(request, acc, period)
    _, frame = cohort_service.cohort_frame(
        acc, scope, period, by, school=school, suppress=suppress_export(request), threshold=threshold()
    )
    frame = frame.copy()
    frame.insert(0, "time_identifier", period.label)
    return csv_response(frame.to_csv(index=False), f"cohorts-{'-'.join(by)}.csv")


def _visible_pupil(request: HttpRequest, enrolment_id: int, action: Action) -> Any:
    """The enrolment if the user may see it; otherwise audit the attempt and refuse (403 or 404)."""
    if not rules.can_see_pupils(request.user):
        audit_log.record(request, action, Outcome.FORBIDDEN, enrolment_id=enrolment_id)
        require(False)
    enrolment, allowed = pupil_service.visible_enrolment(access(), rules.scope_for(request.user), enrolment_id)
    if enrolment is None or not allowed:
        audit_log.record(request, action, Outcome.NOT_FOUND, enrolment_id=enrolment_id)
        raise not_found()
    return enrolment


def pupil(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _visible_pupil(request, enrolment_id, Action.VIEW_PUPIL)
    page = pupil_service.pupil_page(access(), rules.scope_for(request.user), enrolment, pupil_link=pupil_link)
    audit_log.record(request, Action.VIEW_PUPIL, Outcome.SHOWN, enrolment=enrolment)
    back = reverse("school", args=[enrolment.urn]) if rules.can_view_school(request.user, enrolment.urn) else None
    return render(request, "attendwise/pages/pupil.html", {"page": page, "back": back})


def pupil_marks_csv(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = _visible_pupil(request, enrolment_id, Action.EXPORT_PUPIL)
    from attendwise.measures.pupils import pupil_record

    record = pupil_record(access().store(), enrolment.enrolment_id)
    assert record is not None
    audit_log.record(request, Action.EXPORT_PUPIL, Outcome.SHOWN, enrolment=enrolment, detail="marks CSV")
    return csv_response(pupil_service.marks_table(record).to_csv(), f"pupil-{enrolment_id}-marks.csv")


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
        else:
            form = UploadForm(request.POST, files)
            if form.is_valid():
                outcome = import_upload(
                    acc,
                    form.cleaned_data["files"],
                    schools=scope.schools,
                    la_calendar=rules.can_upload_la_calendar(request.user),
                )
                if outcome.ok:
                    request.session["upload_result"] = {
                        "import_id": outcome.result.import_id,  # type: ignore[union-attr]
                        "marks_added": outcome.result.marks_added,  # type: ignore[union-attr]
                        "marks_changed": outcome.result.marks_changed,  # type: ignore[union-attr]
                        "marks_unchanged": outcome.result.marks_unchanged,  # type: ignore[union-attr]
                        "pupils_added": outcome.result.pupils_added,  # type: ignore[union-attr]
                        "enrolments_added": outcome.result.enrolments_added,  # type: ignore[union-attr]
                        "enrolments_changed": outcome.result.enrolments_changed,  # type: ignore[union-attr]
                        "marks_removed": outcome.result.marks_removed,  # type: ignore[union-attr]
                    }
                    return redirect("uploads")
    imports = None
    if scope.schools is None:
        frame = (
            acc.store()
            .con.execute(
                "SELECT import_id, imported_at, marks_read, marks_added, marks_changed, pupils_added FROM imports "
                "ORDER BY import_id DESC LIMIT 20"
            )
            .df()
        )
        imports = table_from_frame(
            frame.assign(imported_at=frame.imported_at.astype(str).str.slice(0, 16)),
            "Recent imports",
            [
                Column("import_id", "Import"),
                Column("imported_at", "When"),
                Column("marks_read", "Marks read", "count"),
                Column("marks_added", "Added", "count"),
                Column("marks_changed", "Corrected", "count"),
                Column("pupils_added", "New pupils", "count"),
            ],
            empty_message="Nothing imported yet.",
        )
    done = request.session.pop("upload_result", None)
    status = 400 if outcome is not None and not outcome.ok else 200
    return render(
        request,
        "attendwise/pages/uploads.html",
        {"form": form, "outcome": outcome, "done": done, "imports": imports, "read_only": acc.read_only},
        status=status,
    )


def audit(request: HttpRequest) -> HttpResponse:
    require(rules.can_view_audit(request.user))
    form = AuditSearchForm(request.GET or None)
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
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "attendwise/pages/audit.html", {"form": form, "page_obj": page, "query": query.urlencode()})
