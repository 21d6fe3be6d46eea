import logging
import os
import sys
import time
from pathlib import Path

from celery import Celery, bootsteps, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qdsasac.settings")

logger = logging.getLogger(__name__)

app = Celery("qdsasac")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Reminder tasks live in progress/reminders/, one level below the app.
app.autodiscover_tasks(["progress.reminders"])

HEARTBEAT_SECONDS = 10


@signals.worker_init.connect
def refuse_a_misconfigured_worker(sender=None, **kwargs):
    """Run the system checks in the worker itself: a worker whose send deadline does not fit its
    lease (qdsasac.E002), or that no queue would reach, must not start and send twice."""
    from django.core import checks

    serious = [message for message in checks.run_checks() if message.is_serious() and not message.is_silenced()]
    if serious:
        for message in serious:
            logger.critical("%s", message)
            print(f"worker refuses to start: {message}", file=sys.stderr)
        sys.exit(1)


class Heartbeat(bootsteps.StartStopStep):
    """While the consumer is connected and its loop turns, touch ``WORKER_HEARTBEAT_FILE`` every
    few seconds; ``scripts/worker_healthcheck.py`` finds the worker unhealthy when the file is stale."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        name = os.environ.get("WORKER_HEARTBEAT_FILE", "")
        self.path = Path(name) if name else None
        self.timer = None

    def start(self, parent):
        if self.path is None:
            return
        self.touch()
        self.timer = parent.timer.call_repeatedly(HEARTBEAT_SECONDS, self.touch, priority=10)

    def stop(self, parent):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def touch(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()
        os.utime(self.path, (time.time(), time.time()))


app.steps["consumer"].add(Heartbeat)
