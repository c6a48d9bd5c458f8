"""Finding pupils: the search in every page's header, and every list of pupils, filtered, sorted and paged."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attendwise.web import audit as audit_log
from attendwise.web import rules
from attendwise.web.casework import rules as case_rules
from attendwise.web.forms import PupilListForm
from attendwise.web.models import Action, Outcome
from attendwise.web.services import pupil_lists
from attendwise.web.services import virtual_school as vs_service
from attendwise.web.views.common import access, pupil_link, require, school_link_for
from attendwise.web.views.pages import _period, _period_context


def _stages(request: HttpRequest) -> tuple[dict[str, str] | None, dict[str, str]]:
    """Each pupil's open case's stage by UPN, if the user sees casework; and the stages' labels."""
    if not case_rules.can_view_cases(request.user):
        return None, {}
    from attendwise.web.casework.config import stage_model
    from attendwise.web.casework.models import CaseRecord

    model = stage_model()
    labels = {s.key: s.label for s in model.stages}
    open_cases = CaseRecord.objects.filter(closed_on__isnull=True).values_list("upn", "stage")
    return dict(open_cases), labels


def pupils(request: HttpRequest) -> HttpResponse:
    """Pupils found by name or UPN within the user's scope, or one of the lists, narrowed by the filters.

    Every list shown is audited as a pupil list (how many it named, and what was asked for, never the
    search's words).
    """
    if not rules.can_see_pupils(request.user):
        audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.FORBIDDEN, detail="pupil list")
        require(False)
    acc = access()
    title = "Find a pupil"
    period = _period(request, acc, title, keep=("q", "list", "school", "year", "band", "fsm", "sen", "stage", "sort"))
    if isinstance(period, HttpResponse):
        return period
    scope = rules.scope_for(request.user)
    stages, stage_labels = _stages(request)
    lists = dict(pupil_lists.LISTS)  # every list, within the user's scope (the Virtual School's page links one)
    form = PupilListForm(
        request.GET or None,
        lists=lists,
        sorts={k: v[0] for k, v in pupil_lists.SORTS.items()},
        choices=pupil_lists.filter_choices(acc, scope, period),
        stages=None if stages is None else sorted(stage_labels.items(), key=lambda kv: kv[0]),
        initial={"list": "social_care" if scope.social_care_only else "all"},
    )
    context: dict[str, Any] = {"form": form, "title": title, "result": None, **_period_context(request, acc, period)}
    if form.is_bound and not form.is_valid():
        return render(request, "attendwise/pages/pupils.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = pupil_lists.PupilFilters(
        list=data.get("list") or ("social_care" if scope.social_care_only else "all"),
        q=(data.get("q") or "").strip(),
        school=data.get("school"),
        year=data.get("year") or "",
        band=data.get("band") or "",
        fsm=data.get("fsm") or "",
        sen=data.get("sen") or "",
        stage=data.get("stage") or "",
        sort=data.get("sort") or "",
        page=data.get("page") or 1,
    )
    result = pupil_lists.find_pupils(
        acc,
        scope,
        period,
        filters,
        pupil_link=pupil_link,
        stages=stages,
        stage_labels=stage_labels,
        school_link=school_link_for(request),
    )
    audit_log.record(
        request,
        Action.VIEW_PUPIL_LIST,
        Outcome.SHOWN,
        school_urn=filters.school,
        pupils=len(result.table.rows),
        detail=f"{filters.describe()}, {period.label}",
    )
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "result": result,
        "query": query.urlencode(),
        "title": lists[filters.list].split(" (")[0],
        "page_numbers": page_numbers(result.page, result.pages),
    }
    if filters.q:
        context["title"] = "Pupils found"
    return render(request, "attendwise/pages/pupils.html", context)


def virtual_school(request: HttpRequest) -> HttpResponse:
    """The Virtual School's children, by school: attendance, band and latest absence, each linked."""
    if not rules.can_view_virtual_school(request.user):
        audit_log.record(request, Action.VIEW_PUPIL_LIST, Outcome.FORBIDDEN, detail="Virtual School's children")
        require(False)
    acc = access()
    period = _period(request, acc, "Children looked after and with a social worker")
    if isinstance(period, HttpResponse):
        return period
    page = vs_service.children(
        acc, rules.scope_for(request.user), period, pupil_link=pupil_link, school_link=school_link_for(request)
    )
    audit_log.record(
        request,
        Action.VIEW_PUPIL_LIST,
        Outcome.SHOWN,
        pupils=page.children,
        detail=f"children looked after or with a social worker, {period.label}",
    )
    return render(
        request, "attendwise/pages/virtual_school.html", {"page": page, **_period_context(request, acc, period)}
    )


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The pages a GOV.UK pagination links: the first, the last and those beside this one (None: a gap).

    >>> page_numbers(1, 1), page_numbers(5, 9)
    ([1], [1, None, 4, 5, 6, None, 9])
    """
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out
