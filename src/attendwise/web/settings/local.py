"""Settings for ``attendwise serve`` on one machine (http://localhost): the defaults work as they are."""

from __future__ import annotations

from attendwise.web.settings.base import *  # noqa: F403
from attendwise.web.settings.base import ATTENDWISE_DATA_DIR, SECRET_KEY, local_secret_key

SECRET_KEY = SECRET_KEY or local_secret_key(ATTENDWISE_DATA_DIR)
