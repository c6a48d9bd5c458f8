from __future__ import annotations

from django.apps import AppConfig


class LegalAppConfig(AppConfig):
    name = "attendwise.web.legal"
    label = "legal"
    verbose_name = "Legal pathway"
    default_auto_field = "django.db.models.BigAutoField"
