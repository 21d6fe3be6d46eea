"""The circular (督办通报) drafted for the large demo, and the leader's instructions page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qd_board .venv/bin/python bench/followups.py [--runs 25]

Needs the large demo in that database (``manage.py seed_demo --size large``); migrates first,
vacuums and analyses the big tables (as bench/pages.py does), and adds follow-up work once if
the leader has little: 80 instructions on the most overdue milestones, half handled by SASAC,
half turned into orders (a third of those answered). Then:

- the circular: ``circular_draft`` for last month (figures, Word with its chart images, PDF by
  LibreOffice, both files stored) run 5 times; prints the median and the split of one run.
  Target from issue 14: ≤ 5 s, Word and PDF together.
- the leader's "我的批示落实情况" (/instructions/) and the all-instructions view, served by ONE
  gunicorn worker in production mode (DEBUG off) on 127.0.0.1:8143, signed in as ``leader``;
  3 warm-up requests, then the median of ``--runs``. Target: ≤ 80 ms.
"""

import argparse
import datetime
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qdsasac.settings")

from pages import BENCH_ENV, _get, _session_cookie  # noqa: E402

HOST, PORT = "127.0.0.1", 8143
INSTRUCTIONS = 80


def _follow_up_work() -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from progress.health import RED, annotate_health
    from progress.instructions import services as instructions
    from progress.models import Instruction, Milestone
    from progress.orders import services as orders
    from progress.reminders.selectors import liaisons_by_enterprise

    leader, sasac = User.objects.get(username="leader"), User.objects.get(username="sasac")
    if Instruction.objects.filter(author=leader).count() >= INSTRUCTIONS:
        return
    liaisons = liaisons_by_enterprise()
    due = timezone.localdate() + datetime.timedelta(days=20)
    overdue = (
        annotate_health(Milestone.objects.select_related("assignment__enterprise"))
        .filter(health=RED)
        .order_by("due_date", "id")[:INSTRUCTIONS]
    )
    for n, milestone in enumerate(overdue):
        instruction = instructions.instruction_create(
            author=leader,
            text=f"请{milestone.assignment.enterprise.short_name}加快“{milestone.title}”,月底前报送整改措施。",
            milestone=milestone,
        )
        if n % 2:
            instructions.instruction_assign(instruction=instruction, by=sasac, handler=sasac, due_date=due)
            continue
        order = orders.order_issue(
            by=sasac,
            enterprise=milestone.assignment.enterprise,
            title=f"关于加快推进“{milestone.title}”的督办",
            requirement=instruction.text,
            answer_due=due,
            contact_name="督办处",
            contact_phone="0532-00000000",
            milestones=[milestone],
            instruction=instruction,
        )
        liaison = liaisons.get(milestone.assignment.enterprise_id)
        if n % 3 == 0 and liaison:
            orders.order_answer(order=order, by=User.objects.get(pk=liaison[0]), text="已制定整改措施,正在落实。")


def _circular(runs: int) -> float:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from progress.circulars import documents, services
    from progress.circulars.figures import Period, circular_data

    sasac = User.objects.get(username="sasac")
    period = Period.month(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    started = time.perf_counter()
    data = circular_data(period)
    figures = time.perf_counter()
    docx = documents.circular_docx(data, number="", dated=timezone.localdate())
    word = time.perf_counter()
    pdf = documents.docx_to_pdf(docx)
    done = time.perf_counter()
    print(
        f"one run split: figures {figures - started:.2f} s, Word {word - figures:.2f} s, PDF {done - word:.2f} s"
        f" ({len(docx):,} bytes .docx, {len(pdf):,} bytes .pdf)"
    )
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        _circular_row, problem = services.circular_draft(period=period, by=sasac)
        timings.append(time.perf_counter() - started)
        if problem:
            print(problem)
    median = statistics.median(timings)
    print(f"circular draft, Word + PDF stored: median {median:.2f} s, min {min(timings):.2f} s (≤ 5 s target)")
    return median


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database holding the large demo.", file=sys.stderr)
        return 2
    os.environ.update(BENCH_ENV)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from progress.models import Milestone, ProgressReport

    call_command("migrate", verbosity=0)
    if Milestone.objects.count() < 20_000 or ProgressReport.objects.count() < 200_000:
        print("Load the large demo first: manage.py seed_demo --size large", file=sys.stderr)
        return 2
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        for table in ("progress_milestone", "progress_progressreport", "progress_indicatorvalue"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    _follow_up_work()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    circular = _circular(5)
    cookie = _session_cookie("leader")
    connection.close()
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
    failures = int(circular > 5)
    try:
        for _attempt in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
        for label, path in (
            ("leader: my instructions", "/instructions/"),
            ("leader: all instructions", "/instructions/?all=1"),
        ):
            for _warm in range(3):
                _get(conn, path, cookie)
            timings, status, size = [], 0, 0
            for _run in range(args.runs):
                status, ms, size = _get(conn, path, cookie)
                timings.append(ms)
            median = statistics.median(timings)
            verdict = "ok" if median <= 80 and status == 200 else "OVER"
            failures += verdict == "OVER"
            print(
                f"{label:28} {status} median {median:.1f} ms, min {min(timings):.1f} ms (≤ 80 ms)"
                f" {size:,} bytes {verdict}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
