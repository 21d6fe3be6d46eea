"""The fault drill's world: its own PostgreSQL and Redis, a migrated database with a small data set,
local SMTP and webhook receivers, Celery workers per queue and beat, all started once per session.

Each scenario starts from empty outbox tables and an empty broker, runs the daily scan of
``SCAN_DAY`` through the broker, breaks something, and counts what arrived at the receivers.
"""

import dataclasses
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest

from tests.faults.servers import BASE_DIR, PostgresServer, Processes, RedisServer, postgres_bin, wait_for
from tests.receivers import HTTPReceiver, SMTPReceiver

LEASE = 8  # seconds: short, so that takeovers happen within the drill's time
DEADLINE = 3
SITE = "qdsasac.drill"

# The data set: by default 15 milestones due a week after SCAN_DAY, two liaisons each (30 notices,
# 60 deliveries: quick enough for CI). QDSASAC_DRILL_DATA=demo runs the drill on the small demo
# instead (seed_demo --size small: 318 notices on its scan day, 636 deliveries), as issue 11 did.
DATA = os.environ.get("QDSASAC_DRILL_DATA", "drill")
SCAN_DAY = datetime.date(2026, 11, 27) if DATA == "demo" else datetime.date(2026, 6, 3)

SEED = (
    {
        "drill": """
import datetime
from tests import factories

enterprise = factories.EnterpriseFactory(code="drill", short_name="演练企业")
for n in range(2):
    factories.liaison_user(enterprise, username=f"liaison-drill-{n}")
for n in range(15):
    factories.MilestoneFactory(assignment__enterprise=enterprise, title=f"演练节点{n:02d}",
        start_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 6, 10))
""",
        "demo": """
from django.core.management import call_command
call_command("load_notice", verbosity=0)
call_command("seed_demo", size="small", verbosity=0)
""",
    }[DATA]
    + """
from django_celery_beat.models import PeriodicTask
from progress.models import ChannelConfig

# The drill scans SCAN_DAY on purpose; beat must not make up the real today's scan on its own.
PeriodicTask.objects.filter(task__startswith="progress.tasks.").exclude(
    task="progress.tasks.send_pending_deliveries").update(enabled=False)
ChannelConfig.objects.create(channel="webhook", enabled=True, url=WEBHOOK_URL, secret="drill")
"""
)


@dataclasses.dataclass
class Tally:
    fault: str
    mail_expected: int
    webhook_expected: int
    mail_duplicates: int
    webhook_duplicates: int
    mail_lost: int
    webhook_lost: int
    duplicate_keys: list[str]
    seconds: float
    note: str = ""

    @property
    def expected(self) -> int:
        return self.mail_expected + self.webhook_expected


REPORT: list[Tally] = []


class Drill:
    def __init__(self, pg, redis, processes, smtp, http, database_url):
        self.pg, self.redis, self.processes, self.smtp, self.http = pg, redis, processes, smtp, http
        self.database_url = database_url
        self.started = time.monotonic()

    # --- the database, read by the drill itself ---

    def query(self, sql: str, params=()) -> list[tuple]:
        connection = psycopg2.connect(self.database_url, connect_timeout=3)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def database_answers(self) -> bool:
        try:
            self.query("SELECT 1")
        except psycopg2.OperationalError:
            return False
        return True

    def reset(self) -> None:
        wait_for(self.database_answers, 30, "the drill database")
        self.query("TRUNCATE progress_delivery, progress_notification, progress_reminderscan")
        self.redis.flush()
        self.smtp.reset()
        self.http.reset()
        self.started = time.monotonic()

    # --- the broker ---

    def enqueue(self, task: str, *args) -> None:
        from qdsasac.celery import app

        with app.connection_for_write(self.redis.url) as connection:
            app.send_task(task, args=list(args), connection=connection)

    def scan(self) -> None:
        self.enqueue("progress.tasks.run_reminder_scan", SCAN_DAY.isoformat())

    def manage(self, code: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=BASE_DIR,
            env=self.processes.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    # --- what should have arrived, and what did ---

    def deliveries(self) -> list[tuple]:
        return self.query(
            "SELECT d.id, d.channel, d.status, n.id, n.dedupe_key FROM progress_delivery d "
            "JOIN progress_notification n ON n.id = d.notification_id ORDER BY d.id"
        )

    def statuses(self) -> dict[str, int]:
        return dict(self.query("SELECT status, count(*) FROM progress_delivery GROUP BY status"))

    def scanned(self) -> bool:
        """The scan committed: its deliveries are all there (they commit with the scan record)."""
        return bool(self.query("SELECT 1 FROM progress_reminderscan WHERE kind = 'daily'"))

    def count(self, channel: str) -> int:
        return self.query("SELECT count(*) FROM progress_delivery WHERE channel = %s", (channel,))[0][0]

    def wait_scanned(self, timeout: float = 60) -> None:
        wait_for(lambda: self.database_answers() and self.scanned(), timeout, "the scan to commit")

    def wait_all_sent(self, timeout: float = 90) -> None:
        def done():
            if not self.database_answers() or not self.scanned():
                return False
            return all(row[2] == "sent" for row in self.deliveries())

        wait_for(
            done,
            timeout,
            "every delivery sent",
            interval=0.25,
        )

    def tally(self, fault: str, note: str = "") -> Tally:
        rows = self.deliveries()
        mail_keys = {
            f"<notice-{notification}@{SITE}>" for _id, channel, _s, notification, _k in rows if channel == "email"
        }
        hook_keys = {key for _id, channel, _s, _n, key in rows if channel == "webhook"}
        with self.smtp.lock:
            accepted_mail = [mail.message_id for mail in self.smtp.messages]
        with self.http.lock:
            accepted_hooks = [
                request.headers.get("X-Qdsasac-Delivery") for request, status in self.http.answered if status < 300
            ]
        duplicate_keys = sorted(
            {key for key in accepted_mail if accepted_mail.count(key) > 1}
            | {key for key in accepted_hooks if accepted_hooks.count(key) > 1}
        )
        result = Tally(
            fault=fault,
            mail_expected=len(mail_keys),
            webhook_expected=len(hook_keys),
            mail_duplicates=len(accepted_mail) - len(set(accepted_mail)),
            webhook_duplicates=len(accepted_hooks) - len(set(accepted_hooks)),
            mail_lost=len(mail_keys - set(accepted_mail)),
            webhook_lost=len(hook_keys - set(accepted_hooks)),
            duplicate_keys=duplicate_keys,
            seconds=round(time.monotonic() - self.started, 1),
            note=note,
        )
        assert set(accepted_mail) <= mail_keys and set(accepted_hooks) <= hook_keys
        REPORT.append(result)
        return result


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"the fault drill cannot run: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def world():
    _require(postgres_bin() is not None, "no PostgreSQL server binaries under /usr/lib/postgresql")
    _require(shutil.which("redis-server") is not None, "no redis-server")
    _require(os.geteuid() != 0 or shutil.which("runuser") is not None, "root needs runuser to start PostgreSQL")
    # Not under pytest's own temporary directory: its parents are closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="qdsasac-drill-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    pg, redis, receivers, processes = PostgresServer(root), RedisServer(root), [], None
    try:
        pg.init()
        pg.start()
        pg.createdb("drill")
        redis.start()
        smtp, http = SMTPReceiver(), HTTPReceiver()
        receivers += [smtp, http]
        logs = root / "logs"
        logs.mkdir()
        processes = Processes(drill_environment(pg, redis, smtp, root), logs)
        drill = Drill(pg, redis, processes, smtp, http, pg.url("drill"))
        drill.manage("from django.core.management import call_command; call_command('migrate', verbosity=0)")
        drill.manage(f"WEBHOOK_URL = {http.url('/hook')!r}\n" + SEED)
        processes.worker("default", "celery")
        processes.worker("mail", "reminders.email")
        processes.worker("webhook", "reminders.webhook")
        processes.beat("beat")
        processes.wait_ready("default", "mail", "webhook")
        yield drill
    finally:
        if processes is not None:
            processes.stop_all()
        for receiver in receivers:
            receiver.close()
        redis.stop()
        pg.stop("immediate")
        if os.environ.get("QDSASAC_DRILL_REPORT"):
            write_report(Path(os.environ["QDSASAC_DRILL_REPORT"]))
        if os.environ.get("QDSASAC_DRILL_KEEP"):
            print(f"\nfault drill directory (logs): {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def drill_environment(pg, redis, smtp, root: Path) -> dict:
    """What the workers, beat and management commands run with: the drill's servers and receivers,
    a short lease, and the outbound policy opened to 127.0.0.1 only."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"EMAIL_BACKEND", "SECRET_KEY", "DEBUG", "CONN_MAX_AGE", "WORKER_HEARTBEAT_FILE"}
    } | {
        "DJANGO_SETTINGS_MODULE": "qdsasac.settings",
        "DATABASE_URL": pg.url("drill"),
        "REDIS_URL": redis.url,
        "QDSASAC_VAR_DIR": str(root / "var"),
        "SITE_URL": f"http://{SITE}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "10",
        "REMINDER_DELIVERY_LEASE_SECONDS": str(LEASE),
        "REMINDER_SEND_DEADLINE_SECONDS": str(DEADLINE),
        "REMINDER_MAX_ATTEMPTS": "3",
        "WEBHOOK_ALLOW_HTTP": "true",
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def drill(world):
    world.reset()
    yield world
    # a scenario that stopped a server leaves it running again for the next one
    if not world.database_answers():
        world.pg.start()
    if world.redis.process is None or world.redis.process.poll() is not None:
        world.redis.start()


def write_report(path: Path) -> None:
    lines = [
        f"Data: {DATA}, scan of {SCAN_DAY}, lease {LEASE} s, send deadline {DEADLINE} s.",
        "",
        "| fault | deliveries | duplicates (mail + webhook) | lost (mail + webhook) | seconds | note |",
        "|---|---|---|---|---|---|",
    ]
    for row in REPORT:
        lines.append(
            f"| {row.fault} | {row.expected} | {row.mail_duplicates} + {row.webhook_duplicates} | "
            f"{row.mail_lost} + {row.webhook_lost} | {row.seconds} | {row.note} |"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (path.with_suffix(".json")).write_text(
        json.dumps([dataclasses.asdict(row) for row in REPORT], ensure_ascii=False, indent=1), encoding="utf-8"
    )
