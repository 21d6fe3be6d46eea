"""Median server time of the API's milestone list (50 a page, with the board's filters) and of a
report filed through the API, against the large demo.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qdsasac_api REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/api.py [--runs 25]

Needs the large demo in that database (``manage.py seed_demo --size large``); migrates first.
Starts ONE gunicorn worker (``-w 1 --threads 1``) in production mode (DEBUG off), with the rate
limit counted in Redis when REDIS_URL is set, as in production (its limit raised so that the
benchmark is not throttled). Vacuums and analyses the big tables first, as pages.py does. Makes
an API token for SASAC staff and one for the liaison of the enterprise with the most open
milestones (through the token service, as the token page does), warms each request up (3
requests), then times ``--runs`` requests over one keep-alive connection and prints the median,
the minimum and the load average.

Targets from issue 13: the milestone list, 50 a page with filters, ≤ 40 ms median; a report
filed through the API (JSON) ≤ 50 ms median. Each timed filing is a new report, for this
month, on an open milestone that had none: the demo database keeps them (re-seed to drop them).
A filing with a PDF (multipart) is measured too, without a target.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qdsasac.settings")

HOST, PORT = "127.0.0.1", 8151
BENCH_ENV = {
    "SECRET_KEY": "qdsasac-bench-only-not-a-secret",
    "DEBUG": "false",
    "ALLOWED_HOSTS": HOST,
    "API_RATE_LIMIT": "1000000/minute",
}
# A PDF that libmagic reads as one (the evidence check types uploads by content), as the tests' sample.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\nxref\n0 1\n0000000000 65535 f \ntrailer <<>>\nstartxref\n9\n%%EOF\n"


def _setup_django():
    os.environ.update(BENCH_ENV)
    import django

    django.setup()


def _key(username: str, made: list) -> str:
    from django.contrib.auth.models import User

    from api import services

    user = User.objects.get(username=username)
    token, key = services.token_create(owner=user, name=f"bench {uuid.uuid4().hex[:6]}", by=user)
    made.append(token)
    return key


def _revoke(tokens: list) -> None:
    from django.utils import timezone

    from api import services

    for token in tokens:
        services.token_revoke(token=token, by=token.user, now=timezone.now())


def _liaison_and_milestones(count: int) -> tuple[str, list[int]]:
    """The liaison of the enterprise with the most open milestones without a report this month."""
    from django.db.models import Count

    from enterprises.models import Profile
    from progress.models import Milestone, MilestoneStatus, ProgressReport
    from progress.services.ledger import current_period

    reported = ProgressReport.objects.filter(period=current_period()).values("milestone_id")
    open_ = Milestone.objects.filter(status=MilestoneStatus.OPEN).exclude(pk__in=reported)
    busiest = (
        open_.values("assignment__enterprise_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["assignment__enterprise_id"]
    )
    liaison = Profile.objects.filter(enterprise_id=busiest, role="liaison").select_related("user").first().user
    ids = list(open_.filter(assignment__enterprise_id=busiest).order_by("pk").values_list("pk", flat=True)[:count])
    return liaison.username, ids


def _request(conn, method, path, key, body=None, content_type="application/json") -> tuple[int, float, bytes]:
    headers = {"Authorization": f"Bearer {key}", "Host": HOST}
    if body is not None:
        headers["Content-Type"] = content_type
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, (time.perf_counter() - started) * 1000, data


def _multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _report(label, timings, status, target) -> bool:
    median = statistics.median(timings)
    verdict = "" if not target else ("ok" if median <= target and status in (200, 201) else "OVER")
    target_text = f"≤{target}" if target else "-"
    print(f"{label:50} {status:>6} {median:>10.1f} {min(timings):>8.1f} {target_text:>8} {verdict}")
    return verdict == "OVER" or status not in (200, 201)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database holding the large demo.", file=sys.stderr)
        return 2
    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from progress.models import Milestone, ProgressReport

    call_command("migrate", verbosity=0)
    milestones, reports = Milestone.objects.count(), ProgressReport.objects.count()
    print(f"data: {milestones:,} milestones, {reports:,} reports")
    if milestones < 20_000 or reports < 200_000:
        print("Load the large demo first: manage.py seed_demo --size large", file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        for table in ("progress_milestone", "progress_progressreport", "progress_indicatorvalue"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    tokens = []
    sasac_key = _key("sasac", tokens)
    liaison, open_ids = _liaison_and_milestones(2 * (args.runs + 3))
    if len(open_ids) < 2 * (args.runs + 3):
        print("Not enough open milestones without a report this month: re-seed the demo.", file=sys.stderr)
        return 2
    liaison_key = _key(liaison, tokens)
    connection.close()
    print(f"rate limit counted in: {'Redis' if os.environ.get('REDIS_URL') else 'process memory'}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")

    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "qdsasac.wsgi",
            "-w",
            "1",
            "--threads",
            "1",
            "-b",
            f"{HOST}:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **BENCH_ENV},
    )
    try:
        for _attempt in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
        print(f"{'request':50} {'status':>6} {'median ms':>10} {'min ms':>8} {'target':>8}")
        failures = 0
        lists = [
            ("milestones: default", ""),
            ("milestones: overdue (red)", "?health=red"),
            ("milestones: chemicals + new-infra", "?sector=chemicals&category=new_infrastructure"),
            ("milestones: free text", "?q=%E5%B9%B3%E5%8F%B0"),
            ("milestones: open, due in 2026, by due date desc", "?status=open&due_from=2026-01-01&sort=-due_date"),
            ("milestones: sorted by health", "?sort=health"),
            ("milestones: by progress, page 20", "?sort=progress&page=20"),
            ("milestones: at risk (forecast)", "?at_risk=true"),
            ("milestones: by latest report", "?sort=-latest_report"),
        ]
        for label, query in lists:
            path = f"/api/v1/milestones/{query}"
            for _warm in range(3):
                status, _ms, _body = _request(conn, "GET", path, sasac_key)
            timings = []
            for _run in range(args.runs):
                status, ms, body = _request(conn, "GET", path, sasac_key)
                timings.append(ms)
            rows = len(json.loads(body)["results"])
            assert rows == 50 or rows == json.loads(body)["count"], label
            failures += _report(label, timings, status, 40)

        json_ids, pdf_ids = open_ids[: args.runs + 3], open_ids[args.runs + 3 :]
        body = json.dumps({"progress": 50, "work_done": "接口报送:完成阶段性工作", "next_steps": "继续推进"})
        timings = []
        for index, milestone_id in enumerate(json_ids):
            status, ms, data = _request(conn, "POST", f"/api/v1/milestones/{milestone_id}/reports/", liaison_key, body)
            if status != 201:
                print(data.decode()[:300], file=sys.stderr)
            if index >= 3:
                timings.append(ms)
        failures += _report("report filed (JSON)", timings, status, 50)
        timings = []
        for index, milestone_id in enumerate(pdf_ids):
            data, content_type = _multipart({"progress": 50, "work_done": "接口报送"}, "进展说明.pdf", PDF)
            status, ms, _data = _request(
                conn, "POST", f"/api/v1/milestones/{milestone_id}/reports/", liaison_key, data, content_type
            )
            if index >= 3:
                timings.append(ms)
        failures += _report("report filed with a PDF (multipart)", timings, status, 0)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return 1 if failures else 0
    finally:
        server.terminate()
        server.wait(timeout=10)
        _revoke(tokens)


if __name__ == "__main__":
    sys.exit(main())
