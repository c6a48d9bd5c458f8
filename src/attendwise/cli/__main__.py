"""``python -m attendwise.cli``: the same as the ``attendwise`` command."""

from __future__ import annotations

from attendwise.cli import main

main()
