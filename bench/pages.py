"""Median server time of the board, charts, workspace, milestone page and the xlsx export.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qd_board .venv/bin/python bench/pages.py [--runs 15] [--port 8017]

Needs the large demo in that database (``manage.py seed_demo --size large``: at least 20,000
milestones and 200,000 reports); migrates first. Starts ONE gunicorn worker
(``gunicorn qdsasac.wsgi -w 1 -b 127.0.0.1:8017``, or ``--port``) in production mode (DEBUG off, static files
collected first, not timed; the big tables vacuumed and analysed (no FULL), as autovacuum would), signs
in as SASAC staff through a session made here, warms each page up (3 requests), then times
``--runs`` (25) requests per page (a fifth of that for the export) over one keep-alive
connection and prints the median, the minimum and the load average. Targets from issue 5:
board ≤ 40 ms default, every filter and sort ≤ 50 ms, charts ≤ 80 ms, milestone page ≤ 80 ms,
xlsx export of 20,000 rows ≤ 1.2 s. From issue 10: the busiest enterprise's workspace ≤ 80 ms and
≤ 200 KB of HTML, for SASAC and for the enterprise's liaison.
"""

import argparse
import http.client
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
WORKSPACE_TARGET_MS, WORKSPACE_MAX_BYTES = 80, 200 * 1024
BENCH_ENV = {"SECRET_KEY": "qdsasac-bench-only-not-a-secret", "DEBUG": "false", "ALLOWED_HOSTS": HOST}


def _setup_django():
    os.environ.update(BENCH_ENV)
    import django

    django.setup()


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
        ("board default", "/board/", 40),
        ("board filtered: overdue (red)", "/board/?health=red", 50),
        ("board filtered: chemicals + new-infra", "/board/?sector=chemicals&category=new_infrastructure", 50),
        ("board filtered: free text", "/board/?q=%E5%B9%B3%E5%8F%B0", 50),
        ("board sorted: due date desc", "/board/?sort=-due_date", 50),
        ("board sorted: health", "/board/?sort=health", 50),
        ("board sorted: progress, page 20", "/board/?sort=progress&page=20", 50),
        ("board filtered: at risk (forecast)", "/board/?at_risk=true", 50),
        ("board sorted: latest report", "/board/?sort=-latest_report", 50),
        ("board sorted: review state", "/board/?sort=review_state", 50),
        ("board filtered: extended", "/board/?extended=true", 50),
        ("charts", "/charts/", 80),
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
    pages.append(("enterprise workspace", f"/enterprises/{busiest.code}/", WORKSPACE_TARGET_MS))
    # As its liaison sees it: the report buttons and 本月待报送 (issue 10: ≤ 80 ms, ≤ 200 KB).
    liaison = f"enterprise workspace as liaison-{busiest.code}"
    pages.append((liaison, f"/enterprises/{busiest.code}/", WORKSPACE_TARGET_MS))
    milestone = Milestone.objects.annotate(n=Count("reports")).order_by("-n").only("pk").first()
    pages.append(("milestone page", f"/milestones/{milestone.pk}/", 80))
    pages.append(("xlsx export, all rows", "/board/export.xlsx", 1200))
    return pages


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
        for _attempt in range(100):
            try:
                http.client.HTTPConnection(HOST, args.port, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection(HOST, args.port, timeout=120)
        print(f"{'page':42} {'status':>6} {'median ms':>10} {'min ms':>8} {'target':>8}  bytes")
        failures = 0
        for label, path, target in pages:
            runs = max(3, args.runs // 5) if "export" in path else args.runs
            as_user = label.partition(" as ")[2]
            page_cookie = _session_cookie(as_user) if as_user else cookie
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
            print(f"{label:42} {status:>6} {median:>10.1f} {min(timings):>8.1f} {target_text:>8}  {size:,} {verdict}")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 1 if failures else 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
