"""Django settings, split by where the app runs (``local``, ``production``, ``test``), all from ``base``."""

from __future__ import annotations
