"""Settings for a deployment behind HTTPS: secure cookies, HSTS, and no default secret or hosts."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from attendwise.web.settings.base import *  # noqa: F403
from attendwise.web.settings.base import ALLOWED_HOSTS, ATTENDWISE_BEHIND_TLS_PROXY, SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("set ATTENDWISE_SECRET_KEY (a long random string) for production")
if not ALLOWED_HOSTS or set(ALLOWED_HOSTS) <= {"localhost", "127.0.0.1", "[::1]"}:
    raise ImproperlyConfigured("set ATTENDWISE_ALLOWED_HOSTS to the service's host name for production")

SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
if ATTENDWISE_BEHIND_TLS_PROXY:
    # `attendwise serve` (waitress) removes the header unless the trusted proxy sent it (commands.waitress_options).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
