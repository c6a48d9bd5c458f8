"""A small synthetic city served by a real ``attendwise serve --demo`` in its own process, for browser tests."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import attendwise


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served_city(folder: Path, spec: object) -> Iterator[tuple[str, dict[str, str], Path]]:
    """Generate the city ``spec`` (a :class:`attendwise.demo.CitySpec`) in ``folder``, import it, and serve it with
    one demo account per role: yields the base address, each role's password, and the folder (whose
    ``serve.log`` has the server's output). The server runs this checkout's code, not an installed copy."""
    from attendwise.demo import generate_city
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    generate_city(folder / "city", spec)  # type: ignore[arg-type]
    store = folder / "demo.duckdb"
    with Store(store) as s:
        import_folder(s, folder / "city")
    port = free_port()
    code = (
        "from attendwise.web.commands import serve;"
        f"serve.main(args=['--demo', '--port', '{port}', '--threads', '4'], obj={{'store': r'{store}'}})"
    )
    source = str(Path(attendwise.__file__).resolve().parents[1])
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "ATTENDWISE_STORE": str(store), "PYTHONPATH": source}
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=log, stderr=subprocess.STDOUT, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            started = time.monotonic()
            while time.monotonic() - started < 600:  # the warm-up trains the early-warning model first
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    assert proc.poll() is None, log_path.read_text()
                    time.sleep(0.5)
            text = log_path.read_text()
            logins = dict(re.findall(r"^\s+([a-z-]+)\s+([a-z]+-[a-z]+-[a-z]+-\d+)\s", text, re.MULTILINE))
            assert "officer" in logins, text
            yield base, logins, folder
        finally:
            proc.terminate()
            proc.wait(timeout=20)
