"""Configuration an LA writes as TOML: a shipped preset by name, or the LA's own file.

Band schemes (:mod:`attendwise.measures.bands`), casework stage models (:mod:`attendwise.casework.stages`)
and the LA's priority cohorts (:mod:`attendwise.core.cohorts`) are all read through :func:`read_preset_or_file`,
so a name that is neither, a missing file and TOML that does not parse are refused the same way everywhere.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["read_preset_or_file"]


def read_preset_or_file(
    name_or_path: str | Path,
    presets: dict[str, str],
    package: str,
    error: type[Exception],
    what: tuple[str, str] = ("preset", "file"),
) -> tuple[dict[str, Any], str]:
    """The TOML table of a shipped preset (by name, from ``package``) or of an LA's file, and its source's name.

    ``error`` is raised, naming the source, for an unknown name, a missing file or TOML that does not parse;
    ``what`` names a preset and a file in its message.
    """
    key = str(name_or_path)
    if key in presets:
        text = resources.files(package).joinpath(presets[key]).read_text(encoding="utf-8")
        source = key
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise error(f"{key!r} is neither a {what[0]} ({', '.join(presets)}) nor a {what[1]}")
        text, source = path.read_text(encoding="utf-8"), path.name
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: {exc}") from None
