"""``attendwise serve``: the web app on the register store (register with ``main.add_command(serve)``)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

import click

from attendwise.core.identifiers import show

__all__ = ["serve", "waitress_options"]

#: The headers a trusted proxy may set: the scheme the client used, and the client's address.
PROXY_HEADERS = frozenset({"x-forwarded-proto", "x-forwarded-for"})


def setup_django(store: Path, settings_module: str) -> None:
    """Point Django at the store and settings, and start it."""
    os.environ["ATTENDWISE_STORE"] = str(store)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()


def waitress_options(behind_proxy: bool, proxy: str) -> dict[str, Any]:
    """How waitress treats proxy headers (``X-Forwarded-Proto``, ``X-Forwarded-For``, ``Forwarded``...).

    Never believed unless ``ATTENDWISE_BEHIND_TLS_PROXY`` says a proxy terminates TLS, and then only
    from the one address ``ATTENDWISE_TRUSTED_PROXY`` names: waitress sets the request's scheme and
    client address from them, and removes proxy headers from anyone else, so nobody can claim HTTPS,
    or another address, by sending the header themselves.

    >>> waitress_options(False, "127.0.0.1")
    {'clear_untrusted_proxy_headers': True}
    >>> waitress_options(True, "10.0.0.5")["trusted_proxy"]
    '10.0.0.5'
    """
    if not behind_proxy:
        return {"clear_untrusted_proxy_headers": True}
    if proxy != "*":
        try:
            ipaddress.ip_address(proxy)
        except ValueError:
            raise click.UsageError(
                f"ATTENDWISE_TRUSTED_PROXY must be the proxy's IP address (or *), not {show(proxy)}"
            ) from None
    return {
        "trusted_proxy": proxy,
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": set(PROXY_HEADERS),
        "clear_untrusted_proxy_headers": True,
    }


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads (one process owns the store).")
@click.option("--demo", is_flag=True, help="Create one demo account per role, with fresh passwords, and print them.")
@click.option(
    "--production",
    is_flag=True,
    help="Use the production settings (HTTPS, secure cookies; needs ATTENDWISE_SECRET_KEY and "
    "ATTENDWISE_ALLOWED_HOSTS; behind a TLS proxy, ATTENDWISE_BEHIND_TLS_PROXY and ATTENDWISE_TRUSTED_PROXY).",
)
@click.option("--no-migrate", is_flag=True, help="Do not create or update the accounts database first.")
@click.option("--no-warm", is_flag=True, help="Do not compute the LA's figures before answering requests.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    threads: int,
    demo: bool,
    production: bool,
    no_migrate: bool,
    no_warm: bool,
) -> None:
    """Serve the web app for the LA attendance team and schools on the register store.

    One process owns the store read-write (DuckDB allows one writer) and answers requests on
    several threads; uploads are imported through it. Accounts and the audit log are kept in
    SQLite beside the store, or in PostgreSQL when DATABASE_URL is set.
    """
    from attendwise.store import default_store_path

    store_path = Path((ctx.obj or {}).get("store") or default_store_path())
    setup_django(store_path, "attendwise.web.settings.production" if production else "attendwise.web.settings.local")
    from django.conf import settings
    from django.core.management import call_command

    proxy_options = waitress_options(settings.ATTENDWISE_BEHIND_TLS_PROXY, settings.ATTENDWISE_TRUSTED_PROXY)

    if not no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    from attendwise.web.services.data import get_access

    access = get_access()
    logins = []
    if demo:
        from attendwise.web.demo import ensure_demo_accounts

        logins = ensure_demo_accounts(access.store())
        if access.exists():
            from attendwise.web.casework.demo import seed_demo_cases

            seeded = seed_demo_cases(access)
            if seeded:
                click.echo(f"Seeded {seeded:,} demo cases, consistent with the marks.", err=True)
            from attendwise.web.legal.demo import seed_demo_legal

            requests = seed_demo_legal(access)
            if requests:
                click.echo(f"Seeded {requests:,} penalty notice requests, consistent with the marks.", err=True)

            from attendwise.web.registers.demo import seed_demo_registers

            if entries := seed_demo_registers(access):
                click.echo(f"Seeded {entries:,} demo register entries, consistent with the marks.", err=True)
    if not no_warm and access.exists():
        click.echo("Computing the LA's figures...", err=True)
        from attendwise.web.services.warm import warm

        warm(access)
        if settings.ATTENDWISE_WARM_PERIODS:
            import threading

            from attendwise.web.services.warm import warm_periods

            threading.Thread(target=warm_periods, args=(access,), name="warm-periods", daemon=True).start()
    url = f"http://{'localhost' if host in {'127.0.0.1', '0.0.0.0'} else host}:{port}/"
    click.echo(f"\nattendwise is serving {store_path} at {url}")
    if logins:
        click.echo("Sign in as (passwords are new each start):")
        for login in logins:
            click.echo(f"  {login.username:<15} {login.password:<32} {login.role.label}: {login.note}")
    click.echo("Press Ctrl+C to stop.\n")
    from waitress import serve as waitress_serve

    from attendwise.web.wsgi import application

    waitress_serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="attendwise",
        max_request_body_size=int(os.environ.get("ATTENDWISE_UPLOAD_MAX_MB", "200")) * 1024 * 1024 + 65536,
        **proxy_options,
    )
