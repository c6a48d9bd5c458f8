"""The legal pathway's records: each request and notice as the rules' record (JSON), with the columns a list
filters on beside it, and every decision, allowed or refused, appended and never changed."""

from __future__ import annotations

from django.db import models

__all__ = ["DecisionRecord", "NoticeRecord", "RequestRecord"]


class RequestRecord(models.Model):
    """A school's request for a penalty notice (``record``: a ``NoticeRequest`` of the rules)."""

    enrolment_id = models.BigIntegerField(db_index=True)
    upn = models.CharField("UPN", max_length=13, db_index=True)
    urn = models.PositiveIntegerField("school URN", db_index=True)
    status = models.CharField(max_length=20, default="requested")
    requested_at = models.DateTimeField()
    requested_by = models.CharField(max_length=150)
    version = models.PositiveIntegerField(default=1)
    record = models.JSONField()

    class Meta:
        ordering = ("-requested_at", "-id")


class NoticeRecord(models.Model):
    """A penalty notice to one parent for one child (``record``: a ``PenaltyNotice``), issued here or imported."""

    request = models.ForeignKey(RequestRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    contact_id = models.CharField(max_length=64, db_index=True)
    upn = models.CharField("UPN", max_length=13, db_index=True)
    urn = models.PositiveIntegerField("school URN", null=True, blank=True)
    issued_on = models.DateField()
    status = models.CharField(max_length=40)
    imported = models.BooleanField(default=False)
    record = models.JSONField()

    class Meta:
        ordering = ("issued_on", "id")


class DecisionRecord(models.Model):
    """One decision on a request or notice: who, when, the rule, allowed or refused. Append-only."""

    request = models.ForeignKey(RequestRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(NoticeRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    who = models.CharField(max_length=150)
    at = models.DateTimeField()
    action = models.CharField(max_length=200)
    allowed = models.BooleanField()
    rule = models.TextField()
    reason = models.TextField()
    record = models.JSONField()

    class Meta:
        ordering = ("at", "id")

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("a decision is never changed once recorded")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("a decision is never deleted")
