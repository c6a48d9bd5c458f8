"""Load check for the web app: concurrent signed-in users on the LA overview, school and pupil pages, and
the first view of every period a user can choose.

Starts ``attendwise serve --demo`` on a store (by default the demo city), signs in N officers, and
has each request the LA overview, a school page and a pupil page in turn for a number of rounds. Then,
with the same users still at work, one user opens the LA overview and a school page for each period of
the period list in turn: each period's first view. Prints the median, 95th percentile and worst response
times per page, and the errors, against the targets (pupil page under 300 ms at p95, a period's first
view under 2 s). A script, not a timed test: the figures depend on the machine.

    python benchmarks/load_web.py --store ~/.local/share/attendwise/demo/demo.duckdb --users 20 --rounds 25

``--no-warm-periods`` starts the app without its background computing of every period
(``ATTENDWISE_WARM_PERIODS=false``), to time a period nobody has asked for yet.
"""

from __future__ import annotations

import argparse
import html
import http.cookiejar
import os
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


def start_server(
    store: Path, port: int, threads: int, log: Path, *, warm_periods: bool = True
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    code = (
        "from attendwise.web.commands import serve;"
        f"serve.main(args=['--demo', '--port', '{port}', '--threads', '{threads}'], obj={{'store': r'{store}'}})"
    )
    out = log.open("w")
    env = {**os.environ, "ATTENDWISE_WARM_PERIODS": "true" if warm_periods else "false"}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT, env=env)
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
    if warm_periods:  # users arrive once the app has computed every period in the background, as in a day's use
        while "ahead of time" not in log.read_text() and time.perf_counter() - started < 1800:
            if proc.poll() is not None:
                raise SystemExit(log.read_text()) from None
            time.sleep(1)
        print(f"every period computed in the background by {time.perf_counter() - started:.1f} s")
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
        seconds, status, _ = self.read(path)
        return seconds, status

    def read(self, path: str) -> tuple[float, int, str]:
        started = time.perf_counter()
        body = ""
        try:
            with self.opener.open(self.base + path, timeout=120) as response:
                body = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        return time.perf_counter() - started, status, body


def report(name: str, values: list[float], target: float | None = None) -> None:
    values = sorted(values)
    p95 = values[int(0.95 * (len(values) - 1))]
    verdict = "" if target is None else ("   within target" if p95 <= target else f"   OVER the {target:.1f} s target")
    print(
        f"  {name:<18} median {1000 * statistics.median(values):6.0f} ms   p95 {1000 * p95:6.0f} ms"
        f"   worst {1000 * values[-1]:6.0f} ms   ({len(values)} requests){verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path.home() / ".local/share/attendwise/demo/demo.duckdb")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=25, help="LA overview + school page requests per user")
    parser.add_argument("--threads", type=int, default=8, help="server request threads")
    parser.add_argument("--periods", type=int, default=12, help="periods of the list whose first view is timed")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each user reads a page before the next (0: none)"
    )
    parser.add_argument(
        "--no-warm-periods", action="store_true", help="no background computing of every period (time them cold)"
    )
    args = parser.parse_args()

    port = free_port()
    log = Path(f"/tmp/attendwise-load-{port}.log")
    proc, logins = start_server(args.store, port, args.threads, log, warm_periods=not args.no_warm_periods)
    base = f"http://127.0.0.1:{port}"
    try:
        # The schools, from the officer's schools page.
        first = Client(base, "officer", logins["officer"])
        page = first.opener.open(base + "/schools/").read().decode()
        schools = sorted(set(re.findall(r'href="(/schools/\d+/)"', page)))
        # Pupils, from every school page's lists (a page an officer opens them from).
        pupils: list[str] = []
        for path in ["/la/", *schools]:
            _, _, body = first.read(path)
            pupils += re.findall(r'href="(/pupils/\d+/)"', body)
        pupils = sorted(set(pupils))
        _, _, la_page = first.read("/la/")
        periods = [html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', la_page)][1 : 1 + args.periods]
        print(f"{args.users} users, {args.rounds} rounds each, {len(schools)} schools, {len(pupils)} pupils")
        clients = [Client(base, "officer", logins["officer"]) for _ in range(args.users)]
        alone = [first.get(p)[0] for p in pupils[-20:]]
        report("pupil page, alone", alone, 0.3)
        times: dict[str, list[float]] = {"LA overview": [], "school page": [], "pupil page": []}
        errors: list[tuple[str, int]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(args.users)

        def work(i: int, client: Client) -> None:
            barrier.wait()
            for r in range(args.rounds):
                for name, path in (
                    ("LA overview", "/la/"),
                    ("school page", schools[(i + r) % len(schools)]),
                    ("pupil page", pupils[(i * args.rounds + r) % len(pupils)]),
                ):
                    seconds, status = client.get(path)
                    with lock:
                        times[name].append(seconds)
                        if status != 200:
                            errors.append((path, status))
                    if args.think:
                        time.sleep(args.think)

        first_views: list[float] = []

        def periods_work() -> None:
            # One user opens each period of the list for the first time, while the others work on.
            barrier.wait()
            for n, period in enumerate(periods):
                query = "?period=" + urllib.parse.quote(period)
                for path in ("/la/", schools[n % len(schools)]):
                    seconds, status = first.get(path + query)
                    with lock:
                        first_views.append(seconds)
                        if status != 200:
                            errors.append((path + query, status))

        barrier = threading.Barrier(args.users + 1)
        started = time.perf_counter()
        workers = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
        workers.append(threading.Thread(target=periods_work))
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - started
        total = sum(len(v) for v in times.values()) + len(first_views)
        print(f"{total} requests in {elapsed:.1f} s ({total / elapsed:.0f} per second), {len(errors)} errors")
        targets = {"pupil page": 0.3}
        for name, values in times.items():
            report(name, values, targets.get(name))
        if first_views:
            report("period, first view", first_views, 2.0)
        if errors:
            print("errors:", errors[:10])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
