"""The web app's settings, declared once as data: environment variable, default and help.

``docs/web.md`` documents each one (a test checks it), and the Django settings modules read
them through :func:`env`, twelve-factor style.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from attendwise.store import DEFAULT_STORE_SHOWN

__all__ = ["SETTINGS", "Setting", "env", "env_bool", "env_int", "env_list"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ATTENDWISE_STORE",
        DEFAULT_STORE_SHOWN,
        "The register store (DuckDB file) the app reads and imports uploads into.",
    ),
    Setting(
        "ATTENDWISE_STORE_READ_ONLY",
        "false",
        "Open the store read-only: uploads are switched off, and several app processes (and the CLI's "
        "read-only commands) may share the file.",
    ),
    Setting(
        "DATABASE_URL",
        "sqlite:///<store folder>/web.sqlite3",
        "Accounts, roles and the audit log. SQLite beside the store by default; PostgreSQL with "
        "postgres://USER:PASSWORD@HOST:5432/NAME.",
    ),
    Setting(
        "ATTENDWISE_SECRET_KEY",
        "",
        "Django's secret key. Required in production; locally one is generated once and kept beside "
        "the store (web-secret-key, readable only by its owner).",
    ),
    Setting(
        "ATTENDWISE_ALLOWED_HOSTS",
        "localhost,127.0.0.1,[::1]",
        "Host names the app answers to, comma-separated.",
    ),
    Setting(
        "ATTENDWISE_CSRF_TRUSTED_ORIGINS",
        "",
        "Extra trusted origins for CSRF checks behind a proxy, e.g. https://attendance.example.gov.uk.",
    ),
    Setting(
        "ATTENDWISE_BEHIND_TLS_PROXY",
        "false",
        "The app is behind a reverse proxy that terminates TLS: believe its X-Forwarded-Proto (so production "
        "knows a request came over HTTPS) and X-Forwarded-For (the client's address, for the audit log and "
        "sign-in throttling), from ATTENDWISE_TRUSTED_PROXY only.",
    ),
    Setting(
        "ATTENDWISE_TRUSTED_PROXY",
        "127.0.0.1",
        "With ATTENDWISE_BEHIND_TLS_PROXY: the IP address the proxy connects to the app from. Proxy headers "
        "from any other address are removed. * believes every address: only where nothing but the proxy can "
        "reach the app.",
    ),
    Setting(
        "ATTENDWISE_SUPPRESSION_THRESHOLD",
        "5",
        "Counts from 1 to this number less one (and rates built on them) are suppressed for scrutiny "
        "members and in exports for sharing outside the team.",
    ),
    Setting(
        "ATTENDWISE_BAND_SCHEME",
        "five-categories",
        "The attendance band scheme: a preset (five-categories, three-stages) or the path of an LA's TOML file.",
    ),
    Setting(
        "ATTENDWISE_STAGE_MODEL",
        "three-stages",
        "The LA's staged intervention model for casework: a preset (three-stages) or the path of an LA's TOML file.",
    ),
    Setting(
        "ATTENDWISE_CASEWORK_CONFIG",
        "",
        "The path of the LA's casework file (TOML): its settings, intervention types, family support criteria and "
        "closure outcomes; by default the shipped ones.",
    ),
    Setting(
        "ATTENDWISE_LEGAL_CONFIG",
        "",
        "The path of the LA's legal pathway settings file (TOML, its [legal] table: amounts, periods, the reading of "
        "the three years); by default the 2024 national rules (docs/legal.md).",
    ),
    Setting(
        "ATTENDWISE_REGISTERS_CONFIG",
        "",
        "The path of the LA's registers file (TOML): the registers' settings and lists (CME reasons, removal "
        "grounds, home-education reasons, ...); by default the shipped ones (docs/registers.md).",
    ),
    Setting(
        "ATTENDWISE_COHORTS",
        "default",
        "The LA's priority cohorts (TOML): their keys, labels, who may see who is in them, and which each TSM "
        "pack shows; a preset (default: the demo city's two) or the path of the LA's file.",
    ),
    Setting(
        "ATTENDWISE_UPLOAD_MAX_MB",
        "200",
        "Largest register upload accepted, in megabytes (all files together, and unpacked zip contents).",
    ),
    Setting(
        "ATTENDWISE_LOGIN_FAILURE_LIMIT",
        "5",
        "Failed sign-ins for one user name from one address before sign-in is locked.",
    ),
    Setting(
        "ATTENDWISE_LOGIN_COOLOFF_MINUTES",
        "15",
        "How long a locked sign-in stays locked.",
    ),
    Setting(
        "ATTENDWISE_SESSION_MINUTES",
        "60",
        "A signed-in session ends after this many minutes without a request.",
    ),
    Setting(
        "ATTENDWISE_LA_NAME",
        "",
        "The local authority's name in the header (default: the name in the store's schools).",
    ),
    Setting(
        "ATTENDWISE_WARM_PERIODS",
        "true",
        "After starting, compute the figures of every period a user can choose, newest first, in the "
        "background, so the first view of any period is answered from the cache.",
    ),
    Setting(
        "ATTENDWISE_TEAM_NAME",
        "School Attendance Support Team",
        "The team that runs the service, as the contact, privacy and accessibility pages name it.",
    ),
    Setting(
        "ATTENDWISE_CONTACT_EMAIL",
        "attendance@example.gov.uk",
        "The team's email address, on the contact, privacy and accessibility pages.",
    ),
    Setting(
        "ATTENDWISE_CONTACT_PHONE",
        "",
        'The team\'s telephone number, with its hours if wanted ("01234 567890, Monday to Friday 9am to 5pm").',
    ),
    Setting(
        "ATTENDWISE_CONTACT_ADDRESS",
        "",
        "The LA's postal address for the team, lines separated by semicolons.",
    ),
    Setting(
        "ATTENDWISE_DPO_EMAIL",
        "dpo@example.gov.uk",
        "The LA's data protection officer's email address, on the privacy notice.",
    ),
    Setting(
        "ATTENDWISE_PRIVACY_URL",
        "",
        "The LA's own privacy notice for attendance and education welfare, linked from the privacy notice.",
    ),
    Setting(
        "ATTENDWISE_ACCESSIBILITY_TESTED",
        "1 December 2026",
        "When the service was last tested for accessibility, as the accessibility statement says it.",
    ),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


def env(name: str) -> str:
    """The setting's value from the environment, else its default."""
    return os.environ.get(name, _DEFAULTS[name])


def env_bool(name: str) -> bool:
    return env(name).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str) -> int:
    return int(env(name))


def env_list(name: str) -> list[str]:
    return [part.strip() for part in env(name).split(",") if part.strip()]
