"""Production behind a TLS proxy, end to end: ``attendwise serve --production`` with a real reverse proxy in front.

Given the app runs with its production settings, behind a proxy that terminates TLS
When a request comes through the proxy, which says the client used HTTPS and gives the client's address
Then the app answers it (no redirect to https, which would loop), with HSTS, and knows the client's address
And a request straight to the app, not from the proxy, is redirected to https whatever headers it sends.
"""

from __future__ import annotations

import http.client
import http.server
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import attendwise
from tests.web.served import free_port

pytestmark = pytest.mark.slow

HOST = "attendance.example.test"
#: The proxy connects to the app from this loopback address: the only one the app trusts.
PROXY_ADDRESS = "127.0.0.2"
CLIENT = "203.0.113.9"  # the address the proxy says the request came from


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: str


def _request(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"", **conn: object) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20, **conn)  # type: ignore[arg-type]
    try:
        connection.request(method, path, body=body or None, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        return Reply(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.headers.get_all("Set-Cookie") or [],
            response.read().decode(errors="replace"),
        )
    finally:
        connection.close()


class _Proxy(http.server.BaseHTTPRequestHandler):
    """Terminates "TLS" (the client is told it used https), forwards to the app from PROXY_ADDRESS."""

    app_port = 0

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in {"connection", "x-forwarded-for"}}
        headers |= {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT}
        reply = _request(self.app_port, self.command, self.path, headers, body, source_address=(PROXY_ADDRESS, 0))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            if name not in {"set-cookie", "connection", "transfer-encoding", "content-length"}:
                self.send_header(name, value)
        for cookie in reply.cookies:
            self.send_header("Set-Cookie", cookie)
        data = reply.body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int, Path]]:
    """The app (``attendwise serve --production``) and the proxy in front of it: their ports, and the app's folder."""
    folder = tmp_path_factory.mktemp("proxy")
    store = folder / "attendwise.duckdb"
    app_port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "PYTHONPATH": str(Path(attendwise.__file__).parents[1]),  # this checkout's attendwise
        "ATTENDWISE_SECRET_KEY": "proxy-test-" + "k" * 50,
        "ATTENDWISE_ALLOWED_HOSTS": HOST,
        "ATTENDWISE_BEHIND_TLS_PROXY": "true",
        "ATTENDWISE_TRUSTED_PROXY": PROXY_ADDRESS,
    }
    command = [sys.executable, "-c", "from attendwise.cli import main; main()", "--store", str(store)]
    command += ["serve", "--production", "--no-warm", "--port", str(app_port), "--threads", "2"]
    log = (folder / "serve.log").open("w")
    app = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    _Proxy.app_port = app_port
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        while True:
            try:
                _request(app_port, "GET", "/healthz", {})
                break
            except OSError:
                assert app.poll() is None, (folder / "serve.log").read_text()
                assert time.monotonic() - started < 120, (folder / "serve.log").read_text()
                time.sleep(0.3)
        yield app_port, proxy.server_address[1], folder
    finally:
        proxy.shutdown()
        app.terminate()
        app.wait(timeout=20)
        log.close()


def test_through_the_proxy_the_app_answers_with_hsts(deployed) -> None:
    _, proxy_port, _ = deployed
    home = _request(proxy_port, "GET", "/", {})
    assert (home.status, home.headers["location"]) == (302, "/accounts/login/?next=/")  # sign in, not https://
    assert home.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    login = _request(proxy_port, "GET", home.headers["location"], {})
    assert login.status == 200 and "Sign in" in login.body
    assert "strict-transport-security" in login.headers
    assert any(c.startswith("__Host-csrftoken=") and "Secure" in c for c in login.cookies)


def test_the_app_sees_the_clients_address_the_proxy_gives(deployed) -> None:
    """Sign-in throttling (and the audit log) see the client's address, not the proxy's."""
    _, proxy_port, folder = deployed
    login = _request(proxy_port, "GET", "/accounts/login/", {})
    cookie = next(c.split(";")[0] for c in login.cookies if c.startswith("__Host-csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.body)
    assert token, login.body
    form = f"csrfmiddlewaretoken={token[1]}&username=nobody&password=not-the-password".encode()
    headers = {
        "Cookie": cookie,
        "Origin": f"https://{HOST}",
        "Referer": f"https://{HOST}/accounts/login/",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(form)),
    }
    refused = _request(proxy_port, "POST", "/accounts/login/", headers, form)
    assert refused.status == 200 and "Enter a correct user name and password" in refused.body
    with sqlite3.connect(folder / "web.sqlite3") as db:
        addresses = {row[0] for row in db.execute("SELECT ip_address FROM axes_accessattempt")}
    assert addresses == {CLIENT}


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Forwarded-Proto": "https"}, {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT}],
    ids=["plain", "claims-https", "claims-https-and-an-address"],
)
def test_straight_to_the_app_is_redirected_to_https(deployed, headers: dict[str, str]) -> None:
    """Not from the trusted proxy: its proxy headers are removed, so claiming HTTPS gets the redirect."""
    app_port, _, _ = deployed
    direct = _request(app_port, "GET", "/accounts/login/", headers)
    assert (direct.status, direct.headers["location"]) == (301, f"https://{HOST}/accounts/login/")
    assert "strict-transport-security" not in direct.headers


def test_proxy_headers_are_believed_only_from_the_proxy_named() -> None:
    import click

    from attendwise.web.commands import waitress_options
    from attendwise.web.config import env

    assert waitress_options(False, "127.0.0.1") == {"clear_untrusted_proxy_headers": True}
    trusted = waitress_options(True, env("ATTENDWISE_TRUSTED_PROXY"))
    assert trusted["trusted_proxy"] == "127.0.0.1"  # the default: a proxy on the same machine
    assert trusted["trusted_proxy_headers"] == {"x-forwarded-proto", "x-forwarded-for"}
    assert trusted["clear_untrusted_proxy_headers"] is True
    with pytest.raises(click.UsageError, match="must be the proxy's IP address"):
        waitress_options(True, "proxy.example.test")
