"""attendwise: see every child who is missing school early enough to help."""

from __future__ import annotations

__version__ = "0.1.0"
