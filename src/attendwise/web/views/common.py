"""Helpers the views share: the store, the period asked for, refusals and CSV responses."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from attendwise.core.calendar import Period, PeriodError
from attendwise.web import rules
from attendwise.web.services.data import StoreAccess, get_access
from attendwise.web.services.periods import resolve_period


class NoData(Exception):
    """The store has no marks yet."""


class BadPeriod(Exception):
    """The period asked for (``?period=``) cannot be read: the page says so and shows no figures."""


def access() -> StoreAccess:
    return get_access()


def period_for(request: HttpRequest, acc: StoreAccess) -> Period:
    """The period in ``?period=``, or the latest academic year with marks if none is asked for.

    Raises:
        NoData: the store holds no marks yet.
        BadPeriod: the period asked for cannot be read; never answered with another period's figures.
    """
    asked = (request.GET.get("period") or "").strip() or None  # ?period= (blank) is no period asked for

    def resolve(text: str | None) -> Period:  # once per data version and text (a refused text is not kept)
        return acc.cached(("period", text), lambda: resolve_period(acc.store(), text))

    try:
        return resolve(asked)
    except PeriodError as exc:
        if asked and asked.strip():
            try:
                resolve(None)
            except PeriodError:
                raise NoData(str(exc)) from None
            raise BadPeriod(str(exc)) from None
        raise NoData(str(exc)) from None


def threshold() -> int:
    return int(settings.ATTENDWISE_SUPPRESSION_THRESHOLD)


def require(allowed: bool) -> None:
    """403 unless allowed: for a kind of page the user's role may never see."""
    if not allowed:
        raise PermissionDenied


def not_found() -> Http404:
    return Http404("Page not found")


def school_link_for(request: HttpRequest):
    def link(urn: int) -> str | None:
        return reverse("school", args=[urn]) if rules.can_view_school(request.user, urn) else None

    return link


def pupil_link(enrolment_id: int) -> str:
    return reverse("pupil", args=[enrolment_id])


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def suppress_export(request: HttpRequest) -> bool:
    """Exports are suppressed for scrutiny members, and when marked for sharing outside the team."""
    return rules.scope_for(request.user).suppress or request.GET.get("suppress") == "1"
