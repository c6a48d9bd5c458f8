"""Accounts, roles and the audit log: the only pupil-related data kept outside the register store.

A user's role and schools live on :class:`Profile` and :class:`SchoolAccess`; what a role may see
is decided in :mod:`attendwise.web.rules`, never here.  :class:`AuditEvent` records every view or
export of a pupil's record (and every refused attempt), with who, when and what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    LA_ADMIN = "la_admin", "LA administrator"
    OFFICER = "officer", "LA attendance officer"
    SCHOOL = "school", "School user"
    VIRTUAL_SCHOOL = "virtual_school", "Virtual School"
    SCRUTINY = "scrutiny", "Scrutiny member"


class Profile(models.Model):
    """A user's role in the service."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=Role.choices)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class SchoolAccess(models.Model):
    """A school a user works with: a school user's own school(s), or an officer's assigned schools.

    An LA attendance officer with no rows here works with every school.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_access")
    urn = models.PositiveIntegerField("URN")

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "urn"), name="unique_school_access"),)
        verbose_name_plural = "school access"

    def __str__(self) -> str:
        return f"{self.user} - {self.urn}"


class Action(models.TextChoices):
    VIEW_PUPIL = "view_pupil", "Viewed a pupil's record"
    EXPORT_PUPIL = "export_pupil", "Exported a pupil's record"
    API_PUPIL = "api_pupil", "Read a pupil's record through the API"
    VIEW_PUPIL_LIST = "view_pupil_list", "Viewed a list of pupils"
    EXPORT_PUPIL_LIST = "export_pupil_list", "Exported a list of pupils"


class Outcome(models.TextChoices):
    SHOWN = "shown", "Shown"
    NOT_FOUND = "not_found", "Refused: not one of the user's pupils, or no such record"
    FORBIDDEN = "forbidden", "Refused: the user's role may not see pupils"


class AuditEvent(models.Model):
    """One view or export of pupil data, or one refused attempt."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, db_index=True)
    role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    enrolment_id = models.BigIntegerField(null=True, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    school_urn = models.PositiveIntegerField("school URN", null=True, blank=True)
    pupils = models.PositiveIntegerField("pupils listed", null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = (models.Index(fields=("action", "at")),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.outcome}"
