"""The monthly ledger import on the large demo, and hostile uploads: time, queries, memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qdsasac_excel .venv/bin/python bench/ledger_import.py

Needs the large demo in that database (``manage.py seed_demo --size large``); migrates first and
vacuums/analyses the big tables (as autovacuum would after the load; not timed).

1. Round trip of the busiest enterprise, as its liaison, through the real views in this process
   (Django's test client, DEBUG off): export the monthly form; in openpyxl change the progress and
   the text of every open row and add key-less rows (new milestones, each with a report) up to 600
   rows; upload (read + check + stored plan), open the preview page, commit. Times and query counts
   of each step; the commit's queries per filed row. All of it runs inside one transaction that is
   rolled back at the end, so the demo stays as it was and the bench can run again.
   Target (issue 10): upload + preview + commit ≤ 3 s together; reading takes a fixed number of
   queries; the commit a fixed number per row (the ledger services' own writes).
2. Each hostile file of ``tests/progress/hostile_files.py``, uploaded through the import view in a
   fresh Python process: the time to the refusal and the growth of the process's peak memory
   (the peak resident size, VmHWM, reset just before the upload, minus the resident size then).
   Target: ≤ 1 s and ≤ 50 MB each.
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qdsasac.settings")
BENCH_ENV = {"SECRET_KEY": "qdsasac-bench-only-not-a-secret", "DEBUG": "false", "ALLOWED_HOSTS": "testserver"}
ROWS = 600
TARGET_SECONDS, HOSTILE_SECONDS, HOSTILE_MB = 3.0, 1.0, 50


def _setup_django():
    os.environ.update(BENCH_ENV)
    import django

    django.setup()


def _busiest():
    from django.contrib.auth.models import User
    from django.db.models import Count

    from enterprises.models import Enterprise

    enterprise = Enterprise.objects.annotate(n=Count("assignments__milestones")).order_by("-n").first()
    return enterprise, User.objects.get(profile__enterprise=enterprise, username__startswith="liaison-")


def _timed(label, call, results):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - started
    results.append((label, seconds, len(queries)))
    return response


def round_trip() -> int:
    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import Client

    from progress.models import LedgerImport, Milestone, MilestoneStatus
    from progress.selectors.ledger_form import COLUMN_INDEX

    enterprise, liaison = _busiest()
    milestones = Milestone.objects.filter(assignment__enterprise=enterprise).count()
    client = Client()
    client.force_login(liaison)
    base = f"/enterprises/{enterprise.code}/ledger"
    results: list = []
    with transaction.atomic():
        export = _timed("export (monthly form)", lambda: client.get(f"{base}.xlsx"), results)
        workbook = openpyxl.load_workbook(io.BytesIO(export.content))
        sheet = workbook.active
        header = 3
        open_label = str(MilestoneStatus.OPEN.label)
        changed = 0
        for row in range(header + 1, sheet.max_row + 1):
            if sheet.cell(row, COLUMN_INDEX["status"] + 1).value != open_label:
                continue
            progress = sheet.cell(row, COLUMN_INDEX["progress"] + 1)
            progress.value = 99 if (progress.value or 0) >= 99 else (progress.value or 0) + 1
            text = sheet.cell(row, COLUMN_INDEX["work_done"] + 1)
            text.value = f"{text.value or ''}(本月继续推进)"
            changed += 1
        keyed = sheet.max_row - header
        directive = sheet.cell(header + 1, COLUMN_INDEX["directive"] + 1).value
        stamp = time.strftime("%H%M%S")
        for n in range(ROWS - keyed):
            row = sheet.max_row + 1
            for name, value in {
                "directive": directive,
                "title": f"压测新增节点 {stamp}-{n}",
                "responsible_person": "压测",
                "due_date": "2027-06-30",
                "progress": 10,
                "work_done": "启动",
            }.items():
                sheet.cell(row, COLUMN_INDEX[name] + 1).value = value
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
        upload = _timed(
            "upload: read, check, store the plan",
            lambda: client.post(f"{base}/import/", {"file": SimpleUploadedFile("台账.xlsx", content)}),
            results,
        )
        assert upload.status_code == 302, upload.content[:500]
        preview = _timed("preview page", lambda: client.get(upload["Location"]), results)
        pending = LedgerImport.objects.latest("pk")
        plan = pending.plan
        assert not plan["refused"] and not plan["errors"], (plan["refused"][:5], plan["errors"])
        committed = _timed("commit (all or nothing)", lambda: client.post(f"{upload['Location']}commit/"), results)
        assert committed.status_code == 302 and preview.status_code == 200
        reports = len(plan["reports"]) + sum(1 for entry in plan["milestones"] if entry["report"])
        transaction.set_rollback(True)

    print(f"enterprise {enterprise.code}: {milestones} milestones; file of {ROWS} rows ({len(content):,} bytes)")
    print(
        f"plan: {len(plan['reports'])} reports on keyed rows ({changed} open rows changed), "
        f"{len(plan['milestones'])} new milestones with a report, {plan['unchanged']} unchanged"
    )
    print(f"{'step':40} {'seconds':>8} {'queries':>8}")
    for label, seconds, queries in results:
        print(f"{label:40} {seconds:>8.2f} {queries:>8}")
    together = sum(seconds for label, seconds, _q in results if not label.startswith("export"))
    commit_queries = results[-1][2]
    print(
        f"upload + preview + commit: {together:.2f} s (target ≤ {TARGET_SECONDS} s) "
        f"{'ok' if together <= TARGET_SECONDS else 'OVER'}"
    )
    print(f"commit: {commit_queries / reports:.1f} queries per filed report ({reports} reports)")
    return 0 if together <= TARGET_SECONDS else 1


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def hostile_one(name: str, path: str) -> None:
    """In a fresh process: upload one hostile file through the import view; print seconds and MB."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import Client

    enterprise, liaison = _busiest()
    client = Client()
    client.force_login(liaison)
    content = Path(path).read_bytes()
    client.get("/")  # warm up the middleware and templates
    # The peak resident size restarts here ("5" resets VmHWM; ru_maxrss would carry the parent's peak
    # across fork and exec), so the peak after the upload minus the size now is what the upload cost.
    Path("/proc/self/clear_refs").write_text("5")
    resident_kb = _status_kb("VmRSS")
    with transaction.atomic():
        started = time.perf_counter()
        response = client.post(
            f"/enterprises/{enterprise.code}/ledger/import/",
            {"file": SimpleUploadedFile("台账.xlsx", content)},
            follow=True,
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    growth_mb = (_status_kb("VmHWM") - resident_kb) / 1024
    refused = response.status_code == 400 and "ledger-import-errors" in response.content.decode()
    print(f"{seconds:.3f} {max(growth_mb, 0):.1f} {int(refused)}")


def hostile_all() -> int:
    from tests.progress.hostile_files import HOSTILE

    print(f"{'hostile file':36} {'bytes':>10} {'seconds':>8} {'MB':>6}  refused")
    failures = 0
    with tempfile.TemporaryDirectory() as directory:
        for name, build in HOSTILE.items():
            content, _message = build()
            path = Path(directory) / "hostile.xlsx"
            path.write_bytes(content)
            out = subprocess.run(
                [sys.executable, __file__, "--hostile", name, str(path)],
                capture_output=True,
                text=True,
                env={**os.environ, **BENCH_ENV},
                check=True,
            ).stdout.split()
            seconds, growth, refused = float(out[-3]), float(out[-2]), out[-1] == "1"
            ok = refused and seconds <= HOSTILE_SECONDS and growth <= HOSTILE_MB
            failures += not ok
            print(
                f"{name:36} {len(content):>10,} {seconds:>8.3f} {growth:>6.1f}  {'yes' if refused else 'NO'}"
                f" {'ok' if ok else 'OVER'}"
            )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hostile", nargs=2, metavar=("NAME", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database holding the large demo.", file=sys.stderr)
        return 2
    _setup_django()
    if args.hostile:
        hostile_one(*args.hostile)
        return 0
    from django.core.management import call_command
    from django.db import connection

    from progress.models import Milestone

    call_command("migrate", verbosity=0)
    if Milestone.objects.count() < 20_000:
        print("Load the large demo first: manage.py seed_demo --size large", file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        for table in ("progress_milestone", "progress_progressreport", "progress_indicatorvalue"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    status = round_trip() | hostile_all()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return status


if __name__ == "__main__":
    sys.exit(main())
