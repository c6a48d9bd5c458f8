"""WSGI entry point (``attendwise serve`` runs it under waitress)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendwise.web.settings.local")
application = get_wsgi_application()
