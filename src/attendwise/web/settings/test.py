"""Settings for the test suite: base settings with a fast password hasher and a throwaway store."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from attendwise.store import STORE_SUFFIX
from attendwise.web.settings.base import *  # noqa: F403

SECRET_KEY = "attendwise-tests-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ATTENDWISE_STORE = Path(
    os.environ.get("ATTENDWISE_STORE", Path(tempfile.gettempdir()) / f"attendwise-test{STORE_SUFFIX}")
)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# ATTENDWISE_TEST_DATABASE_URL=postgres://... runs the suite against PostgreSQL (see docs/web.md).
_TEST_DB = os.environ.get("ATTENDWISE_TEST_DATABASE_URL", "sqlite:///:memory:")
DATABASES = {"default": dj_database_url.parse(_TEST_DB)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
ATTENDWISE_CASE_FILES = Path(tempfile.mkdtemp(prefix="attendwise-case-files-"))
