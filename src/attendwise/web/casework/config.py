"""The LA's stage model and casework configuration, as the settings name them (loaded once per process)."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from attendwise.casework.settings import CaseworkConfig, load_casework_config
from attendwise.casework.stages import StageModel, load_stage_model

__all__ = ["casework_config", "stage_model"]


@cache
def _stage_model(name: str) -> StageModel:
    return load_stage_model(name)


@cache
def _config(path: str) -> CaseworkConfig:
    return load_casework_config(path or None)


def stage_model() -> StageModel:
    """The staged model (``ATTENDWISE_STAGE_MODEL``)."""
    return _stage_model(str(settings.ATTENDWISE_STAGE_MODEL))


def casework_config() -> CaseworkConfig:
    """The casework configuration (``ATTENDWISE_CASEWORK_CONFIG``, over the shipped one)."""
    return _config(str(settings.ATTENDWISE_CASEWORK_CONFIG or ""))
