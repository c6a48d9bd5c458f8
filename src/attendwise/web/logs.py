"""Logging that never carries a pupil's name or UPN.

URLs hold only opaque ids, and messages that could name a pupil are not logged; as a second line
of defence every log record passes through :class:`RedactPupilData`, which masks anything shaped
like a UPN (a letter and 12 characters, the last a digit or letter) wherever it appears in the
message, its arguments or an exception's text.  Names cannot be recognised by shape, so the
rule for names is never to log them: the audit table (``web.AuditEvent``) is the one place that
records which pupil was looked at.
"""

from __future__ import annotations

import logging
import re
import traceback

__all__ = ["UPN_PATTERN", "RedactPupilData", "redact"]

#: A UPN (or temporary UPN): check letter, 11 digits, then a digit or a letter.
UPN_PATTERN = re.compile(r"\b[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]\b")
MASK = "[UPN]"


def redact(text: str) -> str:
    """Mask anything shaped like a UPN.

    >>> redact("upn A999100024001 not found")
    'upn [UPN] not found'
    """
    return UPN_PATTERN.sub(MASK, text)


class RedactPupilData(logging.Filter):
    """Rewrite each record's message (with its arguments and traceback) with UPNs masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw text
            message = str(record.msg)
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info))
            record.exc_info = None
            record.exc_text = None
        record.msg = redact(message)
        record.args = None
        if hasattr(record, "request"):
            record.request = None  # Django attaches the request; its repr can hold form data
        return True
