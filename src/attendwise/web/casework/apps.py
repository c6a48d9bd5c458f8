from __future__ import annotations

from django.apps import AppConfig


class CaseworkAppConfig(AppConfig):
    name = "attendwise.web.casework"
    label = "casework"
    verbose_name = "Casework"
    default_auto_field = "django.db.models.BigAutoField"
