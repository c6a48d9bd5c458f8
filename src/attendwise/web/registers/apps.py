from __future__ import annotations

from django.apps import AppConfig


class RegistersAppConfig(AppConfig):
    name = "attendwise.web.registers"
    label = "registers"
    verbose_name = "Registers of children absent from education"
    default_auto_field = "django.db.models.BigAutoField"
