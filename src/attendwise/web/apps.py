from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "attendwise.web"
    label = "web"
    verbose_name = "attendwise"
    default_auto_field = "django.db.models.BigAutoField"
