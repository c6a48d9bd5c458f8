"""Small middleware of our own."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

#: What an API error says, by status (any other status says its HTTP phrase).
API_ERRORS = {
    400: "The request cannot be answered as it is",
    401: "Sign in first: this address answers only a signed-in user",
    403: "Your role does not include this",
    404: "There is nothing at this address that you may see",
    405: "This address does not answer this method",
    500: "Sorry, there is a problem with the service: try again later",
}


def api_error(message: str, status: int) -> dict[str, object]:
    """The body of every API error: ``{"error": ..., "status": ...}``."""
    return {"error": message, "status": status}


def _to_sign_in(response: HttpResponse) -> bool:
    """Whether ``response`` sends its visitor to the sign-in page."""
    return response.get("Location", "").split("?")[0] == resolve_url(settings.LOGIN_URL)


class NoStoreMiddleware:
    """Pages for signed-in users may hold pupil data: browsers and proxies must not keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
        return response


class ApiErrorsMiddleware:
    """Every error under ``/api/`` answers JSON with its status, whoever made it.

    Views answer their own errors in JSON (a period or grouping they cannot read); refusals (403,
    404), methods not allowed (405), failed CSRF checks, hosts not served (400) and failures (500)
    come from Django as HTML pages, and are rewritten here, keeping the status and the headers (such
    as ``Allow``). Outermost, so it sees every response, whichever layer made it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith("/api/"):
            return response
        if response.status_code == 302 and _to_sign_in(response) and not request.user.is_authenticated:
            # A program cannot follow a redirect to a sign-in form: it is told it is not signed in.
            response = HttpResponse(status=401)
            response["WWW-Authenticate"] = 'Session realm="attendwise"'
        if (
            response.status_code >= 400
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code = response.status_code
            message = API_ERRORS.get(code) or HTTPStatus(code).phrase
            response.content = json.dumps(api_error(message, code)).encode()
            response["Content-Type"] = "application/json"
        return response
