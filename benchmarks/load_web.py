"""Load check for the web app: concurrent signed-in users on the LA overview and school pages.

Starts ``attendwise serve --demo`` on a store (by default the demo city), signs in N officers, and
has each request the LA overview and a school page in turn for a number of rounds.  Prints the
median, 95th percentile and worst response times per page, and the errors.  A script, not a timed
test: the figures depend on the machine.

    python benchmarks/load_web.py --store ~/.local/share/attendwise/demo/demo.duckdb --users 20 --rounds 25
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int, threads: int, log: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    code = (
        "from attendwise.web.commands import serve;"
        f"serve.main(args=['--demo', '--port', '{port}', '--threads', '{threads}'], obj={{'store': r'{store}'}})"
    )
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT)
    started = time.perf_counter()
    while time.perf_counter() - started < 900:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(log.read_text()) from None
            time.sleep(1)
    print(f"server ready in {time.perf_counter() - started:.1f} s (includes computing the LA's figures)")
    logins = dict(re.findall(r"^\s+([a-z-]+)\s+([a-z]+-[a-z]+-[a-z]+-\d+)\s", log.read_text(), re.MULTILINE))
    return proc, logins


class Client:
    """One signed-in user with their own cookies."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(base + "/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(base + "/accounts/login/", data=data, headers={"Referer": base + "/"})
        self.opener.open(request).read()

    def get(self, path: str) -> tuple[float, int]:
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        return time.perf_counter() - started, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path.home() / ".local/share/attendwise/demo/demo.duckdb")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25, help="LA overview + school page requests per user")
    parser.add_argument("--threads", type=int, default=8, help="server request threads")
    args = parser.parse_args()

    port = free_port()
    log = Path(f"/tmp/attendwise-load-{port}.log")
    proc, logins = start_server(args.store, port, args.threads, log)
    base = f"http://127.0.0.1:{port}"
    try:
        # The schools, from the officer's schools page.
        first = Client(base, "officer", logins["officer"])
        page = first.opener.open(base + "/schools/").read().decode()
        schools = sorted(set(re.findall(r'href="(/schools/\d+/)"', page)))
        print(f"{args.users} users, {args.rounds} rounds each, {len(schools)} schools")
        clients = [Client(base, "officer", logins["officer"]) for _ in range(args.users)]
        # Warm-up: one of each page, as a user would, so the first-ever school page is not timed.
        for path in ["/la/", *schools]:
            first.get(path)
        times: dict[str, list[float]] = {"LA overview": [], "school page": []}
        errors: list[tuple[str, int]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.users)

        def work(i: int, client: Client) -> None:
            barrier.wait()
            for r in range(args.rounds):
                for name, path in (("LA overview", "/la/"), ("school page", schools[(i + r) % len(schools)])):
                    seconds, status = client.get(path)
                    with lock:
                        times[name].append(seconds)
                        if status != 200:
                            errors.append((path, status))

        started = time.perf_counter()
        workers = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        total = sum(len(v) for v in times.values())
        print(f"{total} requests in {elapsed:.1f} s ({total / elapsed:.0f} per second), {len(errors)} errors")
        for name, values in times.items():
            values.sort()
            p95 = values[int(0.95 * (len(values) - 1))]
            print(
                f"  {name:<12} median {1000 * statistics.median(values):6.0f} ms   p95 {1000 * p95:6.0f} ms"
                f"   worst {1000 * values[-1]:6.0f} ms   ({len(values)} requests)"
            )
        if errors:
            print("errors:", errors[:10])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
