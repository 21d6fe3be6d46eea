"""Exactly once with a real Redis broker and two real Celery worker processes, counted in the database.

The workers are ``celery -A qdsasac worker`` subprocesses on the PostgreSQL test database
(passed to them through DATABASE_URL) and on Redis database 5. Every wait is bounded; the
workers are killed at the end of each test.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import connection

from progress.models import Delivery, Notification, ReminderRule
from progress.reminders import tasks
from progress.reminders.models import DeliveryStatus
from qdsasac.celery import app as celery_app
from tests import factories

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_DB = 5
SCAN_DAY = "2026-06-03"  # a Wednesday: milestones due 06-10 get their 7-day reminder
CELERY = Path(sys.executable).with_name("celery")
BASE_DIR = Path(__file__).resolve().parents[2]


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def broker_url(redis_url):
    """Our own Redis database, so parallel runs and other suites do not share queues."""
    import redis

    url = re.sub(r"/\d*$", "", redis_url.rstrip("/")) + f"/{REDIS_DB}"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def database_url(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a PostgreSQL test database they can reach (set DATABASE_URL)")
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Workers:
    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, **extra_env) -> None:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                "qdsasac",
                "worker",
                "-n",
                f"{name}@%h",
                "-c",
                "1",
                "-l",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-P",
                "prefork",
            ],
            cwd=BASE_DIR,
            env=self.env | extra_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: b"ready." in self.log(name) or self.processes[name].poll() is not None, 60, f"{name} ready")
        assert self.processes[name].poll() is None, self.log(name).decode(errors="replace")[-3000:]

    def log(self, name: str) -> bytes:
        return (self.log_dir / f"{name}.log").read_bytes()

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name)


@pytest.fixture
def workers(database_url, broker_url, tmp_path):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "qdsasac.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "QDSASAC_VAR_DIR": str(tmp_path),
        "CONN_MAX_AGE": "0",
    }
    env.pop("EMAIL_HOST", None)
    env.pop("EMAIL_BACKEND", None)
    pool = Workers(env, tmp_path)
    yield pool
    pool.stop_all()


def enqueue(broker_url: str, task, *args) -> None:
    with celery_app.connection_for_write(broker_url) as conn:
        task.apply_async(args=args, connection=conn)


def mail_message_ids(var_dir: Path) -> list[str]:
    ids = []
    for path in (var_dir / "mail").glob("*.log"):
        ids += re.findall(r"^Message-ID: (\S+)$", path.read_text(errors="replace"), flags=re.M)
    return ids


def test_two_workers_scanning_at_once_send_each_reminder_once(workers, broker_url, tmp_path, enterprise):
    for n in range(2):
        factories.liaison_user(enterprise, username=f"liaison-{n}")
    for _ in range(30):
        factories.MilestoneFactory(
            assignment__enterprise=enterprise, start_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 6, 10)
        )
    workers.start("w1")
    workers.start("w2")
    for _ in range(4):  # two scans per worker, running side by side
        enqueue(broker_url, tasks.run_reminder_scan, SCAN_DAY)

    expected = 30 * 2
    wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() >= expected, 90, "all deliveries sent")
    # Duplicate send messages for every delivery: the claim lets none of them through.
    for delivery_id in Delivery.objects.values_list("id", flat=True):
        enqueue(broker_url, tasks.send_delivery, delivery_id)
    enqueue(broker_url, tasks.run_reminder_scan, SCAN_DAY)
    time.sleep(3)
    wait_for(
        lambda: b"run_reminder_scan" in workers.log("w1") and b"run_reminder_scan" in workers.log("w2"),
        30,
        "both workers ran a scan",
    )

    assert Notification.objects.count() == expected
    assert Delivery.objects.count() == expected
    assert list(Delivery.objects.values_list("status", "attempts").distinct()) == [(DeliveryStatus.SENT, 1)]
    message_ids = mail_message_ids(tmp_path)
    assert len(message_ids) == expected
    assert len(set(message_ids)) == expected
    assert workers.log("w1").count(b"run_reminder_scan") and workers.log("w2").count(b"run_reminder_scan")


class HangingReceiver(BaseHTTPRequestHandler):
    """The first request hangs (the worker is killed while waiting); later ones succeed."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        with server.lock:
            server.received.append((self.headers.get("X-Qdsasac-Delivery"), body))
            first = len(server.received) == 1
        if first:
            server.first_arrived.set()
            server.release.wait(60)
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
        with server.lock:
            server.answered += 1

    def log_message(self, *args):
        pass


@pytest.fixture
def hanging_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), HangingReceiver)
    server.daemon_threads = True
    server.received, server.answered, server.lock = [], 0, threading.Lock()
    server.first_arrived, server.release = threading.Event(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_worker_killed_mid_send_is_taken_over_and_sends_once(workers, broker_url, enterprise, hanging_server):
    factories.liaison_user(enterprise, username="liaison-webhook", email="")  # webhook only, no e-mail
    factories.MilestoneFactory(
        assignment__enterprise=enterprise, start_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 6, 10)
    )
    ReminderRule.objects.update_or_create(
        pk=ReminderRule.current().pk,
        defaults={"webhook_url": f"http://127.0.0.1:{hanging_server.server_port}/", "webhook_secret": "k"},
    )
    workers.start("doomed", REMINDER_DELIVERY_LEASE_SECONDS="2")
    enqueue(broker_url, tasks.run_reminder_scan, SCAN_DAY)
    assert hanging_server.first_arrived.wait(60), workers.log("doomed").decode(errors="replace")[-3000:]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)
    workers.kill("doomed")  # SIGKILL the whole worker while the POST waits for an answer

    workers.start("rescuer", REMINDER_DELIVERY_LEASE_SECONDS="2")
    time.sleep(2.5)  # let the dead worker's claim expire
    enqueue(broker_url, tasks.send_pending_deliveries)
    wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).exists(), 60, "the delivery taken over")
    enqueue(broker_url, tasks.send_pending_deliveries)
    enqueue(broker_url, tasks.run_reminder_scan, SCAN_DAY)
    enqueue(broker_url, tasks.send_delivery, delivery.pk)
    time.sleep(3)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert hanging_server.answered == 1
    keys = {key for key, _ in hanging_server.received}
    assert keys == {Notification.objects.get().dedupe_key}  # both tries carry one idempotency key
    assert len(hanging_server.received) == 2
