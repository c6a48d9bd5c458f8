"""The ``attendwise`` command group: the options every verb shares (the store, the memory it may use)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from attendwise.core.cohorts import DEFAULT_COHORTS
from attendwise.core.errors import AttendwiseError
from attendwise.store import DEFAULT_STORE_SHOWN, default_store_path, memory_size


@click.group()
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=default_store_path,
    show_default=f"$ATTENDWISE_STORE or {DEFAULT_STORE_SHOWN}",
    help="The register store (a DuckDB file).",
)
@click.option(
    "--memory-limit",
    envvar="ATTENDWISE_MEMORY_LIMIT",
    help="The most memory the store may use before spilling to disk, e.g. 2GB "
    "(default $ATTENDWISE_MEMORY_LIMIT, else 80% of RAM).",
)
@click.option(
    "--cohorts",
    envvar="ATTENDWISE_COHORTS",
    default=DEFAULT_COHORTS,
    show_default="$ATTENDWISE_COHORTS or default",
    help="The LA's priority cohorts: a preset (default) or the path of the LA's TOML file.",
)
@click.version_option(package_name="attendwise")
@click.pass_context
def main(ctx: click.Context, store: Path, memory_limit: str | None, cohorts: str) -> None:
    """attendwise: see every child who is missing school early enough to help."""
    if memory_limit:
        try:
            # Every store this process opens (the web app's too, under serve) uses it.
            os.environ["ATTENDWISE_MEMORY_LIMIT"] = memory_size(memory_limit)
        except AttendwiseError as exc:
            raise click.BadParameter(str(exc), param_hint="--memory-limit") from None
    ctx.obj = {"store": store, "cohorts": cohorts}  # read when a verb needs them (cli.common.cohorts_of)
