"""The demo city's tuning: the knobs calibrated against the national 2023/24 absence figures.

Rates and multipliers used by the schools, the pupils and above all the marks simulation; the figures the
default city lands on are in :mod:`attendwise.demo`.  Imports nothing of attendwise.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    """The knobs (see the module docstring); the generator uses one instance, :data:`TUNING`."""

    # Illness (fraction of days) and ordinary unauthorised absence by NC year (R=0 .. 13), mainstream.
    ill_primary: tuple[float, ...] = (0.040, 0.036, 0.033, 0.030, 0.029, 0.029, 0.030)
    ill_secondary: tuple[float, ...] = (0.027, 0.030, 0.032, 0.032, 0.030, 0.031, 0.031)
    ill_special: float = 0.074
    unauth_primary: tuple[float, ...] = (0.0043, 0.0043, 0.0038, 0.0036, 0.0036, 0.0037, 0.0042)
    unauth_secondary: tuple[float, ...] = (0.0035, 0.0076, 0.0096, 0.0106, 0.0106, 0.0092, 0.0106)
    unauth_special: float = 0.0095
    # How the pupil's risk score (log scale) feeds illness and unauthorised absence.
    sigma_latent: float = 0.3
    ill_elasticity: float = 0.45
    ill_noise: float = 0.25
    unauth_elasticity: float = 1.0
    unauth_noise: float = 0.45
    latent_rho: float = 0.65
    # A smoothed step in the latent: pupils above it (about a quarter) are markedly more absent
    # (without it a lognormal puts too little mass at 10-30% and too much beyond 50%).
    step_at: tuple[float, float, float] = (0.75, 0.25, 0.45)  # by phase
    step_width: float = 0.2
    step_cov: float = 0.35
    ill_step: float = 2.1
    unauth_step: float = 3.0
    # Log multipliers of the risk score.
    fsm: float = 0.75
    sen_support: float = 0.30
    ehc: float = 0.35
    cla: float = 0.25
    cin: float = 0.45
    cpp: float = 0.15
    school_sd: float = 0.13
    school_deprivation: float = 0.08
    # Other reasons.
    medical_per_day: float = 0.0095
    auth_other_per_day: float = 0.0036
    holiday_takers: float = 0.13
    late_per_am: float = 0.022
    late_after_share: float = 0.045
    suspension_rate: tuple[float, float, float] = (0.02, 0.2, 0.08)
    refuser_rate: tuple[float, float, float] = (0.0065, 0.038, 0.018)
    initial_refusers: tuple[float, float, float] = (0.0042, 0.024, 0.017)
    never_attends: float = 0.0012
    long_illness: float = 0.005
    part_time: float = 0.0025
    dual_registered: float = 0.003
    no_reason_share: float = 0.07


TUNING = Tuning()
