"""The board under load: wrk, 16 connections, against gunicorn as the project configures it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qd_board [REDIS_URL=redis://127.0.0.1:6379/7] \
        .venv/bin/python bench/board_load.py [--seconds 30] [--connections 16] [--port 8162]

Needs the large demo in that database (``manage.py seed_demo --size large``) and wrk (Debian's
package ``wrk``: ``apt-get install -y wrk``; run as root, this script installs it when missing).
Starts gunicorn with ``gunicorn.conf.py`` (workers = min(2 x CPUs + 1, 8), 2 threads each; only the
address and the access log's destination are set here) in production mode (DEBUG off), signs in
as SASAC staff through a session made here, warms each page up for a few seconds (every worker
fills its connections; Redis or each worker's memory the cached figures), then runs wrk on the
board's default, filtered and sorted pages in turn and prints requests/s, the latency's p50 and
p99, the errors (socket errors and non-2xx responses) and the load average before and after each.
Targets (issue 15): ≥ 150 requests/s, p99 ≤ 300 ms, no errors.
"""

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import BENCH_ENV, HOST, _session_cookie, _setup_django, wait_for_port  # noqa: E402

TARGET_RPS, TARGET_P99_MS = 150, 300
PAGES = [
    ("board default", "/board/"),
    ("board filtered: overdue (red)", "/board/?health=red"),
    ("board sorted: due date desc", "/board/?sort=-due_date"),
]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)
        return shutil.which("wrk") or ""
    return ""


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    """Requests/s, p50 and p99 in ms, and the errors, from ``wrk --latency``'s report."""
    latency = {p: _ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)}
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": latency.get("50", 0.0),
        "p99": latency.get("99", 0.0),
        "errors": (sum(int(n) for n in socket.groups()) if socket else 0) + (int(non_2xx.group(1)) if non_2xx else 0),
        "error_detail": "; ".join(m.group(0) for m in (socket, non_2xx) if m),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before each measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--user", default="sasac")
    parser.add_argument("--port", type=int, default=8162)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database holding the large demo.", file=sys.stderr)
        return 2
    wrk = _wrk()
    if not wrk:
        print("wrk is missing: install Debian's package (apt-get install -y wrk) and run again.", file=sys.stderr)
        return 2
    _setup_django()
    from django.core.management import call_command

    from progress.models import Milestone

    call_command("migrate", verbosity=0)
    if Milestone.objects.count() < 20_000:
        print("Load the large demo first: manage.py seed_demo --size large", file=sys.stderr)
        return 2
    call_command("collectstatic", interactive=False, verbosity=0)
    cookie = _session_cookie(args.user)
    from django.db import connection

    connection.close()
    env = {**os.environ, **BENCH_ENV, "GUNICORN_BIND": f"{HOST}:{args.port}"}
    # gunicorn.conf.py as the production image runs it; its access log goes to stdout, dropped here.
    log = Path(tempfile.gettempdir()) / f"board_load-gunicorn-{args.port}.log"
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "qdsasac.wsgi", "-c", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        wait_for_port(args.port)
        cpus = os.cpu_count()
        workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * cpus + 1, 8)))
        print(f"gunicorn.conf.py: {workers} workers x {os.environ.get('GUNICORN_THREADS', '2')} threads, {cpus} CPUs")
        print(f"cache: {'Redis' if os.environ.get('REDIS_URL') else 'local memory (each worker its own)'}")
        print(f"wrk: {args.threads} threads, {args.connections} connections, {args.seconds} s a page")
        print(f"{'page':32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  load before -> after")
        failures = 0
        for label, path in PAGES:
            # wrk counts a redirect (to the login page) as a success: check the session first.
            probe = http.client.HTTPConnection(HOST, args.port, timeout=30)
            probe.request("GET", path, headers={"Cookie": cookie, "Host": HOST})
            status = probe.getresponse().status
            if status != 200:
                print(f"{label}: HTTP {status}, not 200", file=sys.stderr)
                return 1
            command = [wrk, f"-t{args.threads}", f"-c{args.connections}", "--latency", "-H", f"Cookie: {cookie}"]
            url = f"http://{HOST}:{args.port}{path}"
            subprocess.run([*command, f"-d{args.warmup}s", url], check=True, capture_output=True)
            before = _load()
            result = parse_wrk(
                subprocess.run([*command, f"-d{args.seconds}s", url], check=True, capture_output=True, text=True).stdout
            )
            if result["errors"]:
                print(f"  {result['error_detail']} (gunicorn's log: {log})")
            ok = result["rps"] >= TARGET_RPS and result["p99"] <= TARGET_P99_MS and not result["errors"]
            failures += not ok
            print(
                f"{label:32} {result['rps']:>8.1f} {result['p50']:>8.1f} {result['p99']:>8.1f} "
                f"{result['errors']:>7}  {before} -> {_load()} {'ok' if ok else 'OVER'}",
                flush=True,
            )
        print(f"targets: ≥ {TARGET_RPS} req/s, p99 ≤ {TARGET_P99_MS} ms, no errors")
        return 1 if failures else 0
    finally:
        server.terminate()
        server.wait(timeout=30)
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
