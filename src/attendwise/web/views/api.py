"""The JSON API: the same services and the same rules as the pages."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from attendwise.measures.absence import MeasureError
from attendwise.web import audit as audit_log
from attendwise.web import rules
from attendwise.web.middleware import api_error
from attendwise.web.models import Action, Outcome
from attendwise.web.services import cohorts as cohort_service
from attendwise.web.services import figures
from attendwise.web.services import schools as school_service
from attendwise.web.services.pupil import visible_cohorts
from attendwise.web.views.common import (
    BadPeriod,
    NoData,
    access,
    not_found,
    period_for,
    require,
    suppress_export,
    threshold,
)
from attendwise.web.views.pages import _visible_pupil


def _records(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(api_error(message, status), status=status)


@require_GET
def la_measures(request: HttpRequest) -> JsonResponse:
    """The DfE measures LA-wide, grouped by ``?by=`` (e.g. ``phase,fsm``), within the user's scope."""
    require(rules.can_view_la_overview(request.user))
    acc = access()
    suppress = suppress_export(request)
    hidden = lambda cohort: not rules.can_see_cohort_membership(request.user, cohort)  # noqa: E731
    try:
        period = period_for(request, acc)
        _, frame = cohort_service.cohort_frame(
            acc,
            rules.scope_for(request.user),
            period,
            request.GET.get("by", ""),
            school=None,
            suppress=suppress,
            threshold=threshold(),
            hidden=hidden,
        )
        # A priority cohort whose membership the caller may not see is suppressed as scrutiny's figures are.
        suppress = cohort_service.grouping_of(request.GET.get("by", ""), suppress, hidden)[2]
    except (NoData, BadPeriod, MeasureError) as exc:
        return _error(str(exc))
    return JsonResponse(
        {"period": period.label, "suppressed": suppress, **_threshold(suppress), "rows": _records(frame)}
    )


def _threshold(suppress: bool) -> dict[str, int]:
    return {"suppression_threshold": threshold()} if suppress else {}


@require_GET
def school_measures(request: HttpRequest, urn: int | None) -> JsonResponse:
    require(rules.can_view_schools(request.user))
    if urn is None or not rules.can_view_school(request.user, urn):
        raise not_found()
    acc = access()
    if school_service.school_info(acc, urn) is None:
        raise not_found()
    suppress = suppress_export(request)
    hidden = lambda cohort: not rules.can_see_cohort_membership(request.user, cohort)  # noqa: E731
    try:
        period = period_for(request, acc)
        _, frame = cohort_service.cohort_frame(
            acc,
            rules.scope_for(request.user),
            period,
            request.GET.get("by", ""),
            school=urn,
            suppress=suppress,
            threshold=threshold(),
            hidden=hidden,
        )
        # A priority cohort whose membership the caller may not see is suppressed as scrutiny's figures are.
        suppress = cohort_service.grouping_of(request.GET.get("by", ""), suppress, hidden)[2]
    except (NoData, BadPeriod, MeasureError) as exc:
        return _error(str(exc))
    return JsonResponse(
        {"period": period.label, "urn": urn, "suppressed": suppress, **_threshold(suppress), "rows": _records(frame)}
    )


@require_GET
def pupil(request: HttpRequest, enrolment_id: int | None) -> JsonResponse:
    enrolment = _visible_pupil(request, enrolment_id, Action.API_PUPIL)
    from attendwise.measures.pupils import pupil_record

    record = pupil_record(access().store(), enrolment.enrolment_id, scheme=figures.band_scheme())
    assert record is not None
    audit_log.record(request, Action.API_PUPIL, Outcome.SHOWN, enrolment=enrolment)
    band = record.current_band
    return JsonResponse(
        {
            "enrolment_id": enrolment.enrolment_id,
            "school_urn": enrolment.urn,
            "year": record.year.label,
            "sess_possible": record.sess_possible,
            "sess_overall": record.sess_overall,
            "attendance_percent": record.attendance_percent,
            "band": band.band_key if band else None,
            # Only the priority cohorts whose membership the caller may see (never la_only for a school).
            "cohorts": [
                {"cohort": label, "start_date": start.isoformat(), "end_date": end.isoformat() if end else None}
                for label, start, end in visible_cohorts(
                    access(), enrolment.upn, lambda cohort: rules.can_see_cohort_membership(request.user, cohort)
                )
            ],
            "marks": [
                {"date": m.date.isoformat(), "session": m.session, "code": m.code, "category": m.category.name.lower()}
                for m in record.marks
            ],
        }
    )
