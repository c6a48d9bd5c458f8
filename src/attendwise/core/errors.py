"""The attendwise error hierarchy: every error a user can cause says what, where and why."""

from __future__ import annotations

__all__ = ["AttendwiseError"]


class AttendwiseError(Exception):
    """Base of every error attendwise raises on purpose (the CLI shows these without a traceback)."""
