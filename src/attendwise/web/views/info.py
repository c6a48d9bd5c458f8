"""The pages every service has, signed in or not: the accessibility statement, the privacy notice and how to
contact the team. Their names and addresses are the LA's settings (``ATTENDWISE_TEAM_NAME`` and the rest)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def contact_details() -> dict[str, Any]:
    """The team's names and addresses, as the LA set them."""
    address = [line.strip() for line in settings.ATTENDWISE_CONTACT_ADDRESS.split(";") if line.strip()]
    return {
        "team": settings.ATTENDWISE_TEAM_NAME,
        "email": settings.ATTENDWISE_CONTACT_EMAIL,
        "phone": settings.ATTENDWISE_CONTACT_PHONE,
        "address": address,
        "dpo_email": settings.ATTENDWISE_DPO_EMAIL,
        "privacy_url": settings.ATTENDWISE_PRIVACY_URL,
        "tested": settings.ATTENDWISE_ACCESSIBILITY_TESTED,
    }


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "attendwise/pages/accessibility.html", {"contact": contact_details()})


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "attendwise/pages/privacy.html", {"contact": contact_details()})


@login_not_required
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "attendwise/pages/contact.html", {"contact": contact_details()})
