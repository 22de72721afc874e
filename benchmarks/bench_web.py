"""Pages under load: "my policies", the enterprise list and detail, the bureau dashboard.

    python benchmarks/bench_web.py [--clients 20] [--requests 200] [--seconds 60]
        [--enterprises 6000] [--data-dir DIR] [--database-url postgres://…] [--port 0]

Loads the demo city (``lianzhang demo --no-serve``) into a temporary data directory (or
reuses ``--data-dir`` when it already holds one; SQLite unless ``--database-url`` or
``DATABASE_URL`` names a PostgreSQL database), starts the platform's own server
(``lianzhang serve``: waitress, as the README runs it) on 127.0.0.1, and logs every client
in through ``/login/`` with the demo logins (``qiye`` for "my policies", ``analyst`` for
the bureau's pages). Then, page by page, ``--clients`` threads send at most ``--requests``
requests between them (or stop after ``--seconds``) and the figures are printed: p50, p95
and max latency, errors (a status other than 200 or a page without its marker), the
ratio of each page's p95 to the enterprise-detail p95 of the same run, the load average
over the page's phase, and for "my policies" how many answers came from the latest match
run (``data-source="stored"``) or were computed live.

Pages (``--pages``): ``mine`` (/policies/mine/ as the demo enterprise), ``firm``
(/policies/mine/?uscc=… as the analyst, a different enterprise on every request),
``list`` (/enterprises/), ``detail`` (/enterprises/<uscc>/) and ``dashboard``
(/policies/dashboard/). Traffic goes to the loopback address only; only the Python
standard library is used on the client side.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

#: The demo logins (``lianzhang.demo.loader.DEMO_USERS``).
ENTERPRISE_LOGIN = ("qiye", "lianzhang-enterprise")
BUREAU_LOGIN = ("analyst", "lianzhang-analyst")
#: What a good answer of each page contains (a 200 with an error page is an error too).
MARKERS = {
    "mine": b'id="group-eligible"',
    "firm": b'id="group-eligible"',
    "list": b"/enterprises/",
    "detail": b"<h1",
    "dashboard": b"<h1",
}
PAGES = ("mine", "firm", "list", "detail", "dashboard")
USCC_LINK = re.compile(rb'href="/enterprises/([0-9A-Z]{18})/"')


@dataclass
class Phase:
    page: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    stored: int = 0
    live: int = 0
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before, after

    def p(self, q: float) -> float:
        data = sorted(self.latencies)
        return data[max(0, min(len(data) - 1, round(q * len(data)) - 1))] if data else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(env: dict[str, str], enterprises: int, seed: int) -> float:
    """Load the demo city (skipped by the loader when it is already there); seconds taken."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "lianzhang.cli",
            "demo",
            "--no-serve",
            "--enterprises",
            str(enterprises),
            "--seed",
            str(seed),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


class Client:
    """One logged-in browser: its own cookie jar, so its own session."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, timeout: float = 120) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def login(self, username: str, password: str) -> None:
        status, body = self.get("/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or found is None:
            raise RuntimeError(f"no login form at /login/ (HTTP {status})")
        data = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": found.group(1).decode(),
                "next": "/",
            }
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            if b'name="password"' in response.read():
                raise RuntimeError(f"login refused for {username}")


def wait_for(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode}")
        try:
            urllib.request.urlopen(base + "/login/", timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer in time")


def drive(page: str, clients: list[Client], paths: list[str], total: int, seconds: float) -> Phase:
    """``total`` requests (at most ``seconds``) spread over the clients, all at once."""
    phase = Phase(page)
    lock = threading.Lock()
    counter = itertools.count()
    deadline = time.monotonic() + seconds
    marker = MARKERS[page]

    def run(client: Client) -> None:
        while time.monotonic() < deadline:
            n = next(counter)
            if n >= total:
                return
            path = paths[n % len(paths)]
            start = time.perf_counter()
            try:
                status, body = client.get(path)
                ok = status == 200 and marker in body
            except OSError:
                ok, body = False, b""
            took = time.perf_counter() - start
            with lock:
                phase.latencies.append(took)
                phase.errors += not ok
                phase.stored += b'data-source="stored"' in body
                phase.live += b'data-source="live"' in body

    before = os.getloadavg()[0]
    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - start
    phase.load = (before, os.getloadavg()[0])
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients per page")
    parser.add_argument("--requests", type=int, default=200, help="requests per page (at most)")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per page")
    parser.add_argument("--enterprises", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--data-dir", help="reuse (or fill) this data directory")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    args = parser.parse_args()

    temporary = args.data_dir is None
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="lz-bench-web-"))
    env = {**os.environ, "LIANZHANG_DATA_DIR": str(data_dir)}
    env.pop("LIANZHANG_DEBUG", None)  # as deployed: no debug toolbar, no SQL log
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    database = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    try:
        took = prepare(env, args.enterprises, args.seed)
        print(f"demo city ready in {took:.0f} s ({database}, data dir {data_dir})")
        port = args.port or free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "lianzhang.cli", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(base, server)
            run_pages(args, base, database)
        finally:
            server.terminate()
            server.wait(20)
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def run_pages(args: argparse.Namespace, base: str, database: str) -> None:
    firms, bureau = [], []
    for _ in range(args.clients):
        firm, analyst = Client(base), Client(base)
        firm.login(*ENTERPRISE_LOGIN)
        analyst.login(*BUREAU_LOGIN)
        firms.append(firm)
        bureau.append(analyst)
    usccs: list[str] = []
    for number in range(1, 9):  # a few pages of the list: different enterprises
        _, body = bureau[0].get(f"/enterprises/?page={number}")
        usccs += [m.decode() for m in USCC_LINK.findall(body) if m.decode() not in usccs]
    if not usccs:
        raise RuntimeError("the enterprise list shows no enterprise")
    paths = {
        "mine": ["/policies/mine/"],
        "firm": [f"/policies/mine/?uscc={u}" for u in usccs],
        "list": ["/enterprises/", "/enterprises/?page=2", "/enterprises/?sort=-revenue"],
        "detail": [f"/enterprises/{u}/" for u in usccs],
        "dashboard": ["/policies/dashboard/"],
    }
    print(
        f"{args.clients} concurrent clients, at most {args.requests} requests or "
        f"{args.seconds:.0f} s per page, {args.enterprises:,} enterprises, {database}, "
        f"{os.cpu_count()} CPUs"
    )
    phases = {}
    for page in args.pages:
        clients = firms if page == "mine" else bureau
        for path in paths[page][:2]:  # warm up: imports, caches, compiled policies
            clients[0].get(path)
        phases[page] = drive(page, clients, paths[page], args.requests, args.seconds)
    reference = phases["detail"].p(0.95) if "detail" in phases else 0.0
    print(
        f"{'page':<10} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'errors':>6} {'p95/detail':>10} {'load before→after':>18} {'stored/live':>11}"
    )
    for page, phase in phases.items():
        n = len(phase.latencies)
        ratio = f"{phase.p(0.95) / reference:.2f}" if reference else "—"
        source = f"{phase.stored}/{phase.live}" if page in ("mine", "firm") else ""
        print(
            f"{page:<10} {n:>8} {n / phase.seconds:>6.1f} {phase.p(0.5) * 1000:>7.0f} "
            f"{phase.p(0.95) * 1000:>7.0f} {max(phase.latencies, default=0) * 1000:>7.0f} "
            f"{phase.errors:>6} {ratio:>10} "
            f"{phase.load[0]:>8.2f} → {phase.load[1]:<7.2f} {source:>11}"
        )
    print(f"load average now (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
