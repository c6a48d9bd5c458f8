"""The LA's registers configuration, as the settings name it (loaded once per process)."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from attendwise.registers.settings import RegistersConfig, load_registers_config

__all__ = ["registers_config"]


@cache
def _config(path: str) -> RegistersConfig:
    return load_registers_config(path or None)


def registers_config() -> RegistersConfig:
    """The registers configuration (``ATTENDWISE_REGISTERS_CONFIG``, over the shipped one)."""
    return _config(str(getattr(settings, "ATTENDWISE_REGISTERS_CONFIG", "") or ""))
