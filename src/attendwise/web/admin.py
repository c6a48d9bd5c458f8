"""Django admin for LA administrators: users, roles and school access; the audit log read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from attendwise.web.models import AuditEvent, Profile, SchoolAccess

admin.site.site_header = "attendwise administration"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role")
    list_filter = ("role",)


@admin.register(SchoolAccess)
class SchoolAccessAdmin(admin.ModelAdmin):
    list_display = ("user", "urn")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "outcome", "enrolment_id", "school_urn")
    list_filter = ("action", "outcome")
    search_fields = ("username", "upn")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
