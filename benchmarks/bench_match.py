"""Time full match runs and the "my policies" latency under 20 concurrent clients.

    python benchmarks/bench_match.py [--sizes 6000 200000] [--requests 400]
        [--pg postgres://postgres@127.0.0.1:5432/lianzhang_bench_match]

For each database (SQLite, PostgreSQL) and city size: generate the demo city, import it,
load the policy library, and time one match run of the whole library (every policy in
force × every enterprise, with explanations stored for the matches that matter). Then
serve the demo-size city on 127.0.0.1 and send a bounded number of "my policies" requests
from 20 concurrent clients (each an enterprise user with its own API token); print p50
and p95 latency. Traffic goes to the loopback address only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

AS_OF = dt.date(2026, 6, 30)


def prepare(env: dict[str, str], enterprises: int, work: Path) -> dict[str, float]:
    """Generate, import and match in a child process (clean Django setup per database)."""
    code = f"""
import time, json, django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "lianzhang.settings"
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from pathlib import Path
from lianzhang.demo.generator import generate, write_city
from lianzhang.enterprises.services import import_file
from lianzhang.policies.matching import sync_library, run_match
import datetime as dt
t = time.perf_counter()
city = generate(seed=11, enterprises={enterprises})
out = Path({str(work)!r})
write_city(city, out, fmt="csv")
gen = time.perf_counter() - t
t = time.perf_counter()
for table in ("enterprises", "annual", "honours", "awards"):
    report = import_file(out / f"{{table}}.csv", table)
    assert report.written, report.errors[:3]
imp = time.perf_counter() - t
sync_library(year={AS_OF.year})
t = time.perf_counter()
run = run_match(dt.date.fromisoformat({AS_OF.isoformat()!r}))
match = time.perf_counter() - t
print(json.dumps({{"generate": gen, "import": imp, "match": match,
                  "eligible": run.eligible, "stored": run.matches.count()}}))
"""
    out = (
        subprocess.run(
            [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    import json

    return json.loads(out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tokens(env: dict[str, str], count: int) -> list[tuple[str, str, str]]:
    """(uscc, API token, session key) for ``count`` enterprise users made for the benchmark."""
    code = f"""
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "lianzhang.settings"
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from lianzhang.accounts.services import create_user, issue_token
from lianzhang.enterprises.models import Enterprise
for i, e in enumerate(Enterprise.objects.order_by("uscc")[:{count}]):
    user = create_user(f"bench{{i}}", "bench-password", "enterprise", uscc=e.uscc)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(e.uscc, issue_token(user, "bench"), session.session_key)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split("\n")
    return [tuple(line.split()) for line in out if line.strip()]  # type: ignore[misc]


def load(port: int, clients: list[tuple[str, str, str]], total: int, page: bool) -> list[float]:
    """Latencies of ``total`` requests spread over the clients, all running at once.

    page: the "my policies" web page (session cookie); else the API (bearer token).
    """
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = max(1, total // len(clients))

    def client(uscc: str, token: str, session: str) -> None:
        if page:
            url = f"http://127.0.0.1:{port}/policies/mine/"
            headers = {"Cookie": f"sessionid={session}"}
        else:
            url = f"http://127.0.0.1:{port}/api/v1/enterprises/{uscc}/policies?as_of={AS_OF}"
            headers = {"Authorization": f"Bearer {token}"}
        for _ in range(per_client):
            request = urllib.request.Request(url, headers=headers)
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                body = response.read()
                assert response.status == 200 and (not page or b"group-eligible" in body)
            with lock:
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client, args=c) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies)


def report(what: str, latencies: list[float], size: int) -> None:
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    print(
        f"{what}, 20 concurrent clients, {len(latencies)} requests ({size:,} enterprises, "
        f"SQLite): p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[6000, 200_000])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/lianzhang_bench_match")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="lz-bench-match-"))
    secret = secrets.token_urlsafe(40)
    admin_url = args.pg.rsplit("/", 1)[0] + "/postgres"
    db_name = args.pg.rsplit("/", 1)[1]
    print(
        f"{'database':<11} {'enterprises':>11} {'import s':>9} {'match s':>8} "
        f"{'eligible':>9} {'stored':>8}"
    )
    demo_env = None
    for size in args.sizes:
        for name in ("SQLite", "PostgreSQL"):
            env = {
                **os.environ,
                "LIANZHANG_DEBUG": "1",
                "LIANZHANG_DATA_DIR": str(base / f"{name}-{size}"),
                # one key for every child process, so the sessions made here log in there
                "SECRET_KEY": secret,
            }
            env.pop("DATABASE_URL", None)
            if name == "PostgreSQL":
                subprocess.run(
                    ["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {db_name}"], check=True
                )
                subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {db_name}"], check=True)
                env["DATABASE_URL"] = args.pg
            figures = prepare(env, size, base / f"files-{name}-{size}")
            print(
                f"{name:<11} {size:>11,} {figures['import']:>9.1f} {figures['match']:>8.1f} "
                f"{figures['eligible']:>9,} {figures['stored']:>8,}"
            )
            if name == "SQLite" and size == min(args.sizes):
                demo_env = env
    if demo_env is None:
        return
    pairs = tokens(demo_env, 20)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "lianzhang.cli", "serve", "--port", str(port)],
        env=demo_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # the server answers
            except OSError:
                time.sleep(0.2)
        load(port, pairs[:2], 4, page=True)  # warm up (imports, the library cache)
        print()
        report('"my policies" page', load(port, pairs, args.requests, page=True), min(args.sizes))
        report("my policies API", load(port, pairs, args.requests, page=False), min(args.sizes))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
