"""The Celery worker checks its own configuration at start, and tells the container it is alive.

Each test starts a real ``celery -A qdsasac worker`` on the embedded defaults (SQLite and the
file-system broker in a temporary directory), so nothing shared is touched.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")


def worker_env(tmp_path: Path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "EMAIL_BACKEND", "SECRET_KEY", "DEBUG"}
    }
    return env | {"DJANGO_SETTINGS_MODULE": "qdsasac.settings", "QDSASAC_VAR_DIR": str(tmp_path)} | extra


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(CELERY), "-A", "qdsasac", "worker", "-c", "1", "-l", "INFO", "--without-gossip", "--without-mingle"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 9)
    process.wait(timeout=10)


def test_a_worker_whose_send_deadline_does_not_fit_the_lease_refuses_to_start(tmp_path):
    log = tmp_path / "worker.log"
    process = start_worker(
        worker_env(tmp_path, REMINDER_DELIVERY_LEASE_SECONDS="30", REMINDER_SEND_DEADLINE_SECONDS="25"), log
    )
    try:
        code = process.wait(timeout=60)
    finally:
        stop(process)
    output = log.read_text(errors="replace")
    assert code != 0
    assert "qdsasac.E002" in output and "refuses to start" in output
    assert "ready." not in output


def test_a_running_worker_keeps_its_heartbeat_fresh_and_the_health_check_reads_it(tmp_path):
    heartbeat = tmp_path / "alive"
    env = worker_env(tmp_path, WORKER_HEARTBEAT_FILE=str(heartbeat))
    check = [sys.executable, str(BASE_DIR / "scripts" / "worker_healthcheck.py")]
    assert subprocess.run(check, env=env, capture_output=True).returncode == 1  # no worker yet
    process = start_worker(env, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 60
        while not heartbeat.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert heartbeat.exists(), (tmp_path / "worker.log").read_text(errors="replace")[-2000:]
        assert subprocess.run(check, env=env, capture_output=True).returncode == 0
    finally:
        stop(process)
    old = time.time() - 120
    os.utime(heartbeat, (old, old))
    result = subprocess.run(check, env=env, capture_output=True, text=True)
    assert result.returncode == 1 and "old" in result.stderr


@pytest.mark.parametrize("value", ["", "not-a-number"])
def test_the_health_check_is_unhealthy_without_a_usable_setting(tmp_path, value):
    env = worker_env(tmp_path, WORKER_HEARTBEAT_FILE=value)
    args = [sys.executable, str(BASE_DIR / "scripts" / "worker_healthcheck.py")]
    assert subprocess.run(args, env=env, capture_output=True).returncode == 1


def test_a_check_silenced_by_the_operator_does_not_stop_the_worker(tmp_path):
    """The demo runs with DEBUG off on http://127.0.0.1 and silences qdsasac.E001 on purpose."""
    log = tmp_path / "worker.log"
    env = worker_env(
        tmp_path,
        SECRET_KEY="a-test-secret-key-of-some-length",
        DEBUG="false",
        SITE_URL="http://127.0.0.1:8000",
        SILENCED_SYSTEM_CHECKS="qdsasac.E001,qdsasac.W001",
    )
    process = start_worker(env, log)
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in log.read_bytes() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert process.poll() is None, log.read_text(errors="replace")[-2000:]
    finally:
        stop(process)
