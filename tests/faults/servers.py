"""Servers the fault drill owns: a PostgreSQL cluster and a Redis server on free loopback ports in a
temporary directory, and the Celery workers and beats it starts, kills and restarts. Nothing here
touches the machine's shared PostgreSQL or Redis."""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def die_with_parent() -> None:
    """In the child, before exec: the kernel kills it when the test process dies, so an interrupted
    drill leaves no worker, beat or server behind (Linux; elsewhere nothing happens)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A throw-away cluster. initdb and postgres refuse to run as root, so as root they run as the
    ``postgres`` user (initdb through runuser; postgres as our own child that drops to that user),
    in a directory that user owns. The postmaster is a direct child of the test process, so it
    dies with it, and the drill stops it with the signals ``pg_ctl`` would send.

    fsync is off (the drill kills processes, not the machine: the OS keeps what was written);
    commits stay synchronous, as in production, so a commit a client saw survives a crash.
    """

    # pg_ctl's shutdown modes as the signals it sends the postmaster.
    SHUTDOWN = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}

    def __init__(self, root: Path):
        self.bin = postgres_bin()
        self.root = root / "pg"
        self.root.mkdir()
        self.data = self.root / "data"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")

    def _run(self, *command, check=True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], capture_output=True, text=True, check=check, timeout=60)

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "-N",
        )

    def _become_postgres(self) -> None:
        if os.geteuid() == 0:
            record = pwd.getpwnam("postgres")
            os.setgroups([])
            os.setgid(record.pw_gid)
            os.setuid(record.pw_uid)
        die_with_parent()  # after the user change, which clears the parent-death signal

    def start(self) -> None:
        log = open(self.root / "log", "ab")  # stays open as long as the server
        self.process = subprocess.Popen(
            [
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.root),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=self._become_postgres,
        )
        wait_for(self._answers, 30, "PostgreSQL to answer")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError((self.root / "log").read_text(errors="replace")[-2000:])
        ready = subprocess.run(
            [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True
        )
        return ready.returncode == 0

    def stop(self, mode: str = "fast") -> None:
        """``immediate`` ends every backend at once (like a crash); ``fast`` disconnects clients and shuts down."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(self.SHUTDOWN[mode])
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def createdb(self, name: str) -> None:
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


class RedisServer:
    """Queued messages survive a restart (append-only file), as in docker-compose.yml."""

    def __init__(self, root: Path):
        self.dir = root / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.dir),
                "--logfile",
                str(self.dir / "log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        wait_for(self._answers, 10, "redis to answer")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def stop(self) -> None:
        """SIGTERM: redis writes its append-only file and exits, as on ``docker compose restart``."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)

    def flush(self) -> None:
        self.client().flushall()


class Processes:
    """Celery workers and beats, each in its own session so a kill takes its pool children too."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen] = {}

    def _spawn(self, name: str, arguments: list[str], env: dict) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # stays open as long as the process
        process = subprocess.Popen(
            [str(CELERY), "-A", "qdsasac", *arguments],
            cwd=BASE_DIR,
            env=self.env | env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        self.running[name] = process
        return process

    def worker(self, name: str, queues: str | None = None, concurrency: int = 2, **env) -> None:
        arguments = [
            "worker",
            "-n",
            f"{name}@drill",
            "-c",
            str(concurrency),
            "-l",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "-P",
            "prefork",
        ]
        if queues:
            arguments += ["-Q", queues]
        self._spawn(name, arguments, env)

    def beat(self, name: str) -> None:
        self._spawn(name, ["beat", "-l", "INFO", "-s", str(self.log_dir / f"{name}.schedule")], {})

    def wait_ready(self, *names: str, timeout: float = 60) -> None:
        for name in names:
            wait_for(
                lambda n=name: b"ready." in self.log(n) or self.running[n].poll() is not None, timeout, f"{name} ready"
            )
            assert self.running[name].poll() is None, self.log(name).decode(errors="replace")[-3000:]

    def log(self, name: str) -> bytes:
        return (self.log_dir / f"{name}.log").read_bytes()

    def alive(self, name: str) -> bool:
        return self.running[name].poll() is None

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name)
