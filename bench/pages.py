"""Median server time of the pages people open all day, beside the raw SQL time of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qd_board [REDIS_URL=redis://127.0.0.1:6379/7] \
        .venv/bin/python bench/pages.py [--runs 15] [--port 8017]

Needs the large demo in that database (``manage.py seed_demo --size large``: at least 20,000
milestones and 200,000 reports); migrates first. Starts ONE gunicorn worker
(``gunicorn qdsasac.wsgi -w 1 -b 127.0.0.1:8017``, or ``--port``) in production mode (DEBUG off, static files
collected first, not timed; the big tables vacuumed and analysed (no FULL), as autovacuum would), signs
in as SASAC staff through a session made here, warms each page up (3 requests), then times
``--runs`` (25) requests per page (a fifth of that for the export) over one keep-alive
connection and prints the median, the minimum and the load average.

Beside each figure, measured in this process through Django's test client on the same database:
``sql ms`` is the limit, the summed time of the SQL that page runs as served (each SELECT captured
with ``CaptureQueriesContext`` and run again, the median of 5 runs each), and ``miss ms`` / ``miss
sql`` the page made afresh, as its first reader after a write to the ledger sees it (the cached
figures of ``progress.ledger_cache`` missed on purpose). Targets from issue 15: board (default,
filtered, sorted) ≤ 20 ms, charts ≤ 50 ms, each role's home page ≤ 30 ms, milestone page ≤ 30 ms,
the busiest enterprise's workspace ≤ 60 ms and ≤ 150 KB of HTML (for SASAC and for its liaison),
xlsx export of 20,000 rows ≤ 800 ms.
"""

import argparse
import http.client
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qdsasac.settings")

HOST = "127.0.0.1"
BOARD_MS, WORKSPACE_TARGET_MS, WORKSPACE_MAX_BYTES = 20, 60, 150 * 1024
BENCH_ENV = {"SECRET_KEY": "qdsasac-bench-only-not-a-secret", "DEBUG": "false", "ALLOWED_HOSTS": HOST}


def _setup_django():
    os.environ.update(BENCH_ENV)
    import django

    django.setup()
    # The cache-miss timings sign in through the test client: axes would log every sign-in here.
    logging.getLogger("axes").setLevel(logging.WARNING)


def _session_cookie(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _pages() -> list[tuple[str, str, float]]:
    """(label, path, target in ms); the workspace and milestone page are the busiest ones."""
    from django.db.models import Count

    from enterprises.models import Enterprise
    from progress.models import Milestone

    pages = [
        ("board default", "/board/", BOARD_MS),
        ("board filtered: overdue (red)", "/board/?health=red", BOARD_MS),
        ("board filtered: chemicals + new-infra", "/board/?sector=chemicals&category=new_infrastructure", BOARD_MS),
        ("board filtered: free text", "/board/?q=%E5%B9%B3%E5%8F%B0", BOARD_MS),
        ("board sorted: due date desc", "/board/?sort=-due_date", BOARD_MS),
        ("board sorted: health", "/board/?sort=health", BOARD_MS),
        ("board sorted: progress, page 20", "/board/?sort=progress&page=20", BOARD_MS),
        ("board filtered: at risk (forecast)", "/board/?at_risk=true", BOARD_MS),
        ("board sorted: latest report", "/board/?sort=-latest_report", BOARD_MS),
        ("board sorted: review state", "/board/?sort=review_state", BOARD_MS),
        ("board filtered: extended", "/board/?extended=true", BOARD_MS),
        ("charts", "/charts/", 50),
        ("home (SASAC)", "/", 30),
        ("home as leader", "/", 30),
        ("assessment", "/assessment/", 0),
        ("notice", "/notice/", 0),
        ("review queue: reports", "/reviews/", 0),
        ("review queue: closures", "/reviews/?tab=closures", 0),
        ("review queue: requests", "/reviews/?tab=requests", 0),
    ]
    directive = (
        Milestone.objects.values("assignment__directive__parent_id").annotate(n=Count("pk")).order_by("-n").first()
    )
    if directive and directive["assignment__directive__parent_id"]:
        pages.append(("directive page", f"/directives/{directive['assignment__directive__parent_id']}/", 0))
    busiest = Enterprise.objects.annotate(n=Count("assignments__milestones")).order_by("-n").first()
    pages.append((f"home as liaison-{busiest.code}", "/", 30))
    pages.append(("enterprise workspace", f"/enterprises/{busiest.code}/", WORKSPACE_TARGET_MS))
    # As its liaison sees it: the report buttons and 本月待报送.
    liaison = f"enterprise workspace as liaison-{busiest.code}"
    pages.append((liaison, f"/enterprises/{busiest.code}/", WORKSPACE_TARGET_MS))
    milestone = Milestone.objects.annotate(n=Count("reports")).order_by("-n").only("pk").first()
    pages.append(("milestone page", f"/milestones/{milestone.pk}/", 30))
    pages.append(("xlsx export, all rows", "/board/export.xlsx", 800))
    return pages


def wait_for_port(port: int) -> None:
    for _attempt in range(300):
        try:
            http.client.HTTPConnection(HOST, port, timeout=1).connect()
            return
        except OSError:
            time.sleep(0.1)


def sql_times(username: str, path: str) -> tuple[float, float, float, int]:
    """In this process: (SQL ms as served, miss ms, miss SQL ms, queries as served) for ``path`` as ``username``.

    The SQL time re-runs each captured SELECT 5 times and sums the medians: the database's own
    share, without Python. A miss is forced by a stamp no cached figure is stored under.
    """
    import uuid
    from unittest import mock

    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from progress import ledger_cache

    client = Client(HTTP_HOST=HOST)
    client.force_login(User.objects.get(username=username))

    def sql_ms(captured) -> float:
        total = 0.0
        with connection.cursor() as cursor:
            for query in captured:
                sql = query["sql"].lstrip()
                # The export reads through a server-side cursor: DECLARE ... CURSOR WITH HOLD FOR SELECT ...
                if sql.upper().startswith("DECLARE"):
                    sql = sql.split(" FOR ", 1)[1]
                if not sql.upper().startswith(("SELECT", "WITH")):
                    continue
                runs = []
                for _run in range(5):
                    started = time.perf_counter()
                    cursor.execute(sql)
                    cursor.fetchall()
                    runs.append((time.perf_counter() - started) * 1000)
                total += statistics.median(runs)
        return total

    client.get(path)
    client.get(path)
    with CaptureQueriesContext(connection) as served:
        client.get(path)
    # Now: the next request empties the connection's query log these captures read.
    served_sql, served_queries = sql_ms(served.captured_queries), len(served)
    misses = []
    with mock.patch.object(ledger_cache, "ledger_stamp", lambda: uuid.uuid4().hex):
        for _run in range(3 if "export" in path else 7):
            started = time.perf_counter()
            client.get(path)
            misses.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as missed:
            client.get(path)
    return served_sql, statistics.median(misses), sql_ms(missed.captured_queries), served_queries


def _get(conn: http.client.HTTPConnection, path: str, cookie: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Host": HOST})
    response = conn.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - started) * 1000, len(body)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--user", default="sasac")
    parser.add_argument("--port", type=int, default=8017, help="where the one gunicorn worker listens")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database holding the large demo.", file=sys.stderr)
        return 2
    _setup_django()
    from django.core.management import call_command

    from progress.models import Milestone, ProgressReport

    call_command("migrate", verbosity=0)
    milestones, reports = Milestone.objects.count(), ProgressReport.objects.count()
    print(f"data: {milestones:,} milestones, {reports:,} reports")
    if milestones < 20_000 or reports < 200_000:
        print("Load the large demo first: manage.py seed_demo --size large", file=sys.stderr)
        return 2
    call_command("collectstatic", interactive=False, verbosity=0)
    # After a bulk load: VACUUM ANALYZE refreshes the planner's statistics and the visibility map
    # (index-only scans) and marks the dead row versions of the load's updates reusable, as
    # autovacuum would shortly after; it does not compact. seed_demo TRUNCATEs the previous demo
    # on PostgreSQL, so a re-seed leaves no old rows behind to compact.
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("progress_milestone", "progress_progressreport", "progress_indicatorvalue"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    connection.close()
    cookie = _session_cookie(args.user)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    print(f"cache: {'Redis' if os.environ.get('REDIS_URL') else 'local memory'}")
    pages = _pages()

    env = {**os.environ, **BENCH_ENV}
    server = subprocess.Popen(
        # Flags override the production gunicorn.conf.py read from the working directory:
        # one worker, one thread, no access log.
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "qdsasac.wsgi",
            "-w",
            "1",
            "--threads",
            "1",
            "-b",
            f"{HOST}:{args.port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(args.port)
        conn = http.client.HTTPConnection(HOST, args.port, timeout=120)
        print(
            f"{'page':44} {'status':>6} {'median ms':>9} {'min ms':>7} {'target':>6} {'sql ms':>7} {'queries':>7} "
            f"{'miss ms':>8} {'miss sql':>8}  bytes"
        )
        failures = 0
        for label, path, target in pages:
            runs = max(3, args.runs // 5) if "export" in path else args.runs
            as_user = label.partition(" as ")[2]
            page_cookie = _session_cookie(as_user) if as_user else cookie
            sql, miss, miss_sql, queries = sql_times(as_user or args.user, path)
            status = 0
            for _warm in range(3):
                status, _ms, _size = _get(conn, path, page_cookie)
            timings = []
            for _run in range(runs):
                status, ms, size = _get(conn, path, page_cookie)
                timings.append(ms)
            median = statistics.median(timings)
            too_big = "workspace" in label and size > WORKSPACE_MAX_BYTES
            verdict = "" if not target else ("ok" if median <= target and status == 200 and not too_big else "OVER")
            failures += verdict == "OVER" or status != 200
            target_text = f"≤{target}" if target else "-"
            print(
                f"{label:44} {status:>6} {median:>9.1f} {min(timings):>7.1f} {target_text:>6} {sql:>7.1f} {queries:>7} "
                f"{miss:>8.1f} {miss_sql:>8.1f}  {size:,} {verdict}",
                flush=True,
            )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 1 if failures else 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
