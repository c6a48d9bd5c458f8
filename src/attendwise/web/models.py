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
    IMPORT = "import", "Uploaded registers"
    VIEW_CASE = "view_case", "Viewed a case"
    VIEW_CASE_LIST = "view_case_list", "Viewed a list of cases"
    CASE_DOCUMENT = "case_document", "Opened a case document"
    EXPORT_AUDIT = "export_audit", "Exported the audit log"


class Outcome(models.TextChoices):
    SHOWN = "shown", "Shown"
    NOT_FOUND = "not_found", "Refused: not one of the user's pupils, or no such record"
    FORBIDDEN = "forbidden", "Refused: the user's role may not see pupils"
    IMPORTED = "imported", "Imported"
    REFUSED = "refused", "Refused: nothing was stored"


class AuditEvent(models.Model):
    """One view or export of pupil data, one upload of registers, or one refused attempt."""

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
    detail = models.CharField(max_length=1000, blank=True)
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ("-at", "-id")
        indexes = (models.Index(fields=("action", "at")),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.outcome}"

    @property
    def role_label(self) -> str:
        """The role as people read it ("Virtual School", not ``virtual_school``)."""
        return Role(self.role).label if self.role in Role.values else self.role


# -- Targeting Support Meetings ------------------------------------------------------------------
class TargetingMeeting(models.Model):
    """A Targeting Support Meeting: the LA's termly meeting with one school, and what was agreed in it.

    One per school per term (``term`` is a period label such as ``2024/25-autumn``). The pack the
    meeting works from is computed from the registers (:mod:`attendwise.reports.tsm`); only what people
    decide is kept here.
    """

    urn = models.PositiveIntegerField("URN", db_index=True)
    term = models.CharField(max_length=32)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scheduled_for = models.DateField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True)
    attendees = models.TextField(blank=True, help_text="Who came: a name and role a line.")
    notes = models.TextField(blank=True)
    pack_generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("urn", "term"), name="one_tsm_per_school_term"),)
        ordering = ("term", "urn")

    def __str__(self) -> str:
        return f"TSM {self.urn} {self.term}"


class DiscussedPupil(models.Model):
    """A pupil on a meeting's agenda: asked for by the school beforehand, or raised in the meeting."""

    meeting = models.ForeignKey(TargetingMeeting, on_delete=models.CASCADE, related_name="pupils")
    enrolment_id = models.BigIntegerField()
    upn = models.CharField("UPN", max_length=13)
    requested_by_school = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text="Why the school asks to discuss this pupil.")
    lead_practitioner = models.CharField(max_length=150, blank=True)
    discussed = models.BooleanField(default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("meeting", "enrolment_id"), name="pupil_once_per_tsm"),)
        ordering = ("added_at", "id")

    def __str__(self) -> str:
        return f"{self.meeting} enrolment {self.enrolment_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


class AgreedAction(models.Model):
    """An action agreed at a meeting: for one pupil, or for the school as a whole.

    Everyone in the meeting records their own actions: ``owner`` is the user who will do it.
    """

    meeting = models.ForeignKey(TargetingMeeting, on_delete=models.CASCADE, related_name="actions")
    enrolment_id = models.BigIntegerField(null=True, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True)
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    owner_name = models.CharField(max_length=150)
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("due_date", "id")
        indexes = (models.Index(fields=("status", "due_date")),)

    def __str__(self) -> str:
        return f"{self.meeting}: {self.description[:40]}"
