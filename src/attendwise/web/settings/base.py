"""Settings shared by every environment; everything that varies comes from the environment (config.py)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

from attendwise.store import default_store_path
from attendwise.web.config import env, env_bool, env_int, env_list

WEB_DIR = Path(__file__).resolve().parent.parent

# -- the register store --------------------------------------------------------------------------
ATTENDWISE_STORE = (
    Path(os.environ["ATTENDWISE_STORE"]).expanduser() if "ATTENDWISE_STORE" in os.environ else (default_store_path())
)
ATTENDWISE_STORE_READ_ONLY = env_bool("ATTENDWISE_STORE_READ_ONLY")
ATTENDWISE_DATA_DIR = ATTENDWISE_STORE.parent
ATTENDWISE_SUPPRESSION_THRESHOLD = env_int("ATTENDWISE_SUPPRESSION_THRESHOLD")
ATTENDWISE_BAND_SCHEME = env("ATTENDWISE_BAND_SCHEME")
ATTENDWISE_UPLOAD_MAX_BYTES = env_int("ATTENDWISE_UPLOAD_MAX_MB") * 1024 * 1024
ATTENDWISE_LA_NAME = env("ATTENDWISE_LA_NAME")
ATTENDWISE_COHORTS = env("ATTENDWISE_COHORTS")
ATTENDWISE_WARM_PERIODS = env_bool("ATTENDWISE_WARM_PERIODS")
ATTENDWISE_TEAM_NAME = env("ATTENDWISE_TEAM_NAME")
ATTENDWISE_CONTACT_EMAIL = env("ATTENDWISE_CONTACT_EMAIL")
ATTENDWISE_CONTACT_PHONE = env("ATTENDWISE_CONTACT_PHONE")
ATTENDWISE_CONTACT_ADDRESS = env("ATTENDWISE_CONTACT_ADDRESS")
ATTENDWISE_DPO_EMAIL = env("ATTENDWISE_DPO_EMAIL")
ATTENDWISE_PRIVACY_URL = env("ATTENDWISE_PRIVACY_URL")
ATTENDWISE_ACCESSIBILITY_TESTED = env("ATTENDWISE_ACCESSIBILITY_TESTED")
# -- casework: the staged model, the LA's casework file, and where case documents (letters) are kept ---
ATTENDWISE_STAGE_MODEL = env("ATTENDWISE_STAGE_MODEL")
ATTENDWISE_CASEWORK_CONFIG = env("ATTENDWISE_CASEWORK_CONFIG")
ATTENDWISE_REGISTERS_CONFIG = env("ATTENDWISE_REGISTERS_CONFIG")
ATTENDWISE_CASE_FILES = ATTENDWISE_DATA_DIR / "case-files"
ATTENDWISE_LEGAL_CONFIG = env("ATTENDWISE_LEGAL_CONFIG")


def local_secret_key(folder: Path) -> str:
    """A secret key generated once and kept beside the store, readable only by its owner."""
    path = folder / "web-secret-key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("ATTENDWISE_SECRET_KEY")
DEBUG = False  # never show tracebacks (they can hold pupil data); see docs/web.md
ALLOWED_HOSTS = env_list("ATTENDWISE_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("ATTENDWISE_CSRF_TRUSTED_ORIGINS")
# Behind a TLS proxy, `attendwise serve` (waitress) believes the proxy's headers from this address only.
ATTENDWISE_BEHIND_TLS_PROXY = env_bool("ATTENDWISE_BEHIND_TLS_PROXY")
ATTENDWISE_TRUSTED_PROXY = env("ATTENDWISE_TRUSTED_PROXY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "attendwise.web",
    "attendwise.web.casework",
    "attendwise.web.legal",
    "attendwise.web.registers",
]

MIDDLEWARE = [
    "attendwise.web.middleware.ApiErrorsMiddleware",  # first: it sees every response under /api/
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "attendwise.web.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "attendwise.web.urls"
WSGI_APPLICATION = "attendwise.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "attendwise.web.context.service",
            ],
        },
    }
]

# -- accounts and audit database (twelve-factor: DATABASE_URL) ----------------------------------
_DEFAULT_DB = f"sqlite:///{ATTENDWISE_DATA_DIR / 'web.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _DEFAULT_DB), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each request thread keeps its connection (opening one and setting WAL on every request cost ~1 ms).
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- authentication, sessions, throttling -------------------------------------------------------
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("ATTENDWISE_SESSION_MINUTES") * 60
SESSION_SAVE_EVERY_REQUEST = True  # the session ends after that long without a request
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env_int("ATTENDWISE_LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("ATTENDWISE_LOGIN_COOLOFF_MINUTES"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "attendwise/pages/locked_out.html"
AXES_VERBOSE = False

# -- headers ---------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# -- uploads ----------------------------------------------------------------------------------------
FILE_UPLOAD_HANDLERS = ["attendwise.web.services.uploads.LimitedTemporaryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every uploaded file goes to a temporary file, never held in memory
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# -- static files (vendored GOV.UK Frontend, Vega, htmx; served by WhiteNoise) -----------------------
STATIC_URL = "/static/"
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# -- logging: pupil names and UPNs never reach a log (attendwise.web.logs) ---------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "attendwise.web.logs.RedactPupilData"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
