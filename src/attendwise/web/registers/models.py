"""The registers' entries: one model a register, each naming the pupil (UPN and enrolment where known) and
the school it is in the scope of, and the append-only log of every change to them.

An entry's ``urn`` decides who sees it (the school, officers with the school, the LA); its ``enrolment_id``
lets the Virtual School see its children's entries. A CME referral for a child never on a roll here has
neither, and only LA staff with every school see it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class Entry(models.Model):
    """What every register entry has: the pupil, the school, who recorded it and when."""

    upn = models.CharField("UPN", max_length=13, blank=True, db_index=True)
    enrolment_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    urn = models.PositiveIntegerField("URN", null=True, blank=True, db_index=True)
    child_name = models.CharField(max_length=300, blank=True)
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class RemovalNotification(Entry):
    """A school's notification of a deletion from its admission register (SI 2024/208 reg 9 and 13)."""

    removal_date = models.DateField()
    ground = models.CharField(max_length=64)
    destination_urn = models.PositiveIntegerField(null=True, blank=True)
    destination_la = models.CharField(max_length=150, blank=True)
    destination_note = models.CharField(max_length=1000, blank=True)
    school_enquiry_failed = models.BooleanField(default=False)
    la_enquiry_failed = models.BooleanField(default=False)
    #: ``form``, or the CSV file's name and line it came from.
    source = models.CharField(max_length=300, default="form")

    class Meta:
        ordering = ("-removal_date", "-id")


class CmeReferral(Entry):
    """A child referred as missing education (:class:`attendwise.registers.cme.CmeReferral`)."""

    referred_on = models.DateField()
    source = models.CharField(max_length=64)
    reason = models.CharField(max_length=64)
    date_of_birth = models.DateField(null=True, blank=True)
    whereabouts_unknown_since = models.DateField(null=True, blank=True)
    ehc_plan = models.BooleanField(default=False)
    interim_provision = models.CharField(max_length=1000, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=64, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    removal = models.ForeignKey(RemovalNotification, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-referred_on", "-id")


class CmeEnquiry(models.Model):
    """One enquiry made about a referred child."""

    referral = models.ForeignKey(CmeReferral, on_delete=models.CASCADE, related_name="enquiries")
    date = models.DateField()
    agency = models.CharField(max_length=150)
    result = models.CharField(max_length=1000)

    class Meta:
        ordering = ("date", "id")


class EheEntry(Entry):
    """A child on the home-education register (:class:`attendwise.registers.ehe.EheEntry`)."""

    started_on = models.DateField()
    reason = models.CharField(max_length=64)
    education_by = models.CharField(max_length=300, blank=True)
    hours_by_parents = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    hours_by_others = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    first_contact_on = models.DateField(null=True, blank=True)
    last_visit_on = models.DateField(null=True, blank=True)
    suitability = models.CharField(max_length=32, default="not_assessed")
    child_protection_plan = models.BooleanField(default=False)
    special_school = models.BooleanField(default=False)
    consent_given_on = models.DateField(null=True, blank=True)
    notice_served_on = models.DateField("s437(1) notice served", null=True, blank=True)
    sao_served_on = models.DateField("School Attendance Order served", null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    removal = models.ForeignKey(RemovalNotification, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-started_on", "-id")


class ExclusionRecord(Entry):
    """A suspension or permanent exclusion (:class:`attendwise.registers.exclusions.Exclusion`)."""

    kind = models.CharField(max_length=16)
    start = models.DateField()
    length = models.DecimalField(max_digits=4, decimal_places=1, default=1)
    reasons = models.JSONField(default=list)
    notice_on = models.DateField(null=True, blank=True)
    board_met_on = models.DateField(null=True, blank=True)
    decision_notified_on = models.DateField(null=True, blank=True)
    irp_applied_on = models.DateField(null=True, blank=True)
    provision_from = models.DateField(null=True, blank=True)
    ehc_plan = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    fair_access = models.BooleanField(default=False)

    class Meta:
        ordering = ("-start", "-id")


class PartTimeTimetable(Entry):
    """A part-time timetable (:class:`attendwise.registers.timetables.Timetable`)."""

    start = models.DateField()
    planned_end = models.DateField()
    review_date = models.DateField()
    reason = models.CharField(max_length=1000)
    agreed_by = models.CharField(max_length=300)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("review_date", "id")


class PanelReferral(Entry):
    """A referral to the extended school non-attendance panel (:class:`attendwise.registers.panels.PanelReferral`)."""

    referred_on = models.DateField()
    school_actions = models.TextField(blank=True)
    panel_date = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=64, blank=True)
    provision = models.CharField(max_length=1000, blank=True)
    review_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ("-referred_on", "-id")


class AppendOnlyError(Exception):
    """An attempt to change or delete a row of the registers' change log."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("the registers' change log is appended, never changed or deleted")


class AppendOnlyQuerySet(models.QuerySet):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class RegisterChange(models.Model):
    """One change to a register entry: who, when, which entry, what (never changed or deleted)."""

    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    register = models.CharField(max_length=32)
    entry_id = models.BigIntegerField()
    what = models.CharField(max_length=300)
    upn = models.CharField("UPN", max_length=13, blank=True)
    urn = models.PositiveIntegerField(null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("-at", "-id")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse()
        super().save(*args, **{**kwargs, "force_insert": True})

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()
