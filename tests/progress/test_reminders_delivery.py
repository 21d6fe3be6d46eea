"""send_reminders, e-mail content, the webhook channel against a real local server, retries and quiet hours."""

import datetime
import hashlib
import hmac
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from progress.models import Delivery, Notification, ReminderRule
from progress.reminders import services as reminders
from progress.reminders.models import DeliveryStatus
from tests import factories

D = datetime.date
DUE = D(2026, 6, 10)


@pytest.fixture
def milestone(enterprise, liaison):
    return factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="建成工业互联网平台", start_date=D(2026, 1, 1), due_date=DUE
    )


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_send_reminders_twice_sends_nothing_the_second_time(milestone, liaison, settings):
    settings.SITE_URL = "http://qdsasac.example"
    first = run("--date", "2026-06-03")
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert "sent email to liaison-qdbeer@example.com" in first
    message = mail.outbox[0]
    assert message.to == ["liaison-qdbeer@example.com"]
    assert "建成工业互联网平台" in message.subject
    assert f"http://qdsasac.example/milestones/{milestone.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="http://qdsasac.example/milestones/{milestone.pk}/"' in html

    second = run("--date", "2026-06-03")
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert "0 notice(s) made, 0 delivery(ies) sent" in second


def test_dry_run_prints_and_writes_nothing(milestone, liaison):
    out = run("--date", "2026-06-03", "--dry-run")
    assert "would notify user" in out
    assert "建成工业互联网平台" in out
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_bad_date_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", "03/06/2026")


def test_monday_run_includes_the_digest(milestone, sasac, leader):
    run("--date", "2026-06-08")
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2 and all("每周督办摘要" in s for s in subjects)


def test_quiet_hours_hold_mail_until_a_run_outside_them(milestone, liaison):
    ReminderRule.objects.update(quiet_hours_start=datetime.time(0, 0), quiet_hours_end=datetime.time(23, 59, 59))
    out = run("--date", "2026-06-03")
    assert mail.outbox == []
    assert Notification.objects.count() == 1  # the in-app notice is there at once
    assert "quiet hours" in out
    assert Delivery.objects.get().status == DeliveryStatus.PENDING
    ReminderRule.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    run("--date", "2026-06-03")
    assert len(mail.outbox) == 1


def test_quiet_hours_wrap_midnight():
    rule = ReminderRule(quiet_hours_start=datetime.time(22, 0), quiet_hours_end=datetime.time(7, 0))
    assert rule.in_quiet_hours(datetime.time(23, 30))
    assert rule.in_quiet_hours(datetime.time(6, 59))
    assert not rule.in_quiet_hours(datetime.time(7, 0))
    assert not rule.in_quiet_hours(datetime.time(12, 0))


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received = []
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_webhook_posts_signed_json_to_a_local_server(milestone, liaison, webhook_server):
    secret = "s3cret-签名"
    ReminderRule.objects.update(
        webhook_url=f"http://127.0.0.1:{webhook_server.server_port}/hook", webhook_secret=secret
    )
    run("--date", "2026-06-03")
    [(headers, body)] = webhook_server.received
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Qdsasac-Signature"] == expected
    data = json.loads(body)
    assert data["event"] == "due_soon"
    assert data["milestone_id"] == milestone.pk
    assert data["recipient"]["username"] == "liaison-qdbeer"
    assert data["url"].endswith(f"/milestones/{milestone.pk}/")
    assert headers["X-Qdsasac-Delivery"] == Notification.objects.get().dedupe_key
    assert set(Delivery.objects.values_list("channel", "status")) == {("email", "sent"), ("webhook", "sent")}
    run("--date", "2026-06-03")
    assert len(webhook_server.received) == 1


def test_failing_webhook_backs_off_then_fails_for_good_where_sasac_sees_it(
    milestone, liaison, sasac, client, webhook_server
):
    webhook_server.status = 500
    ReminderRule.objects.update(webhook_url=f"http://127.0.0.1:{webhook_server.server_port}/", webhook_secret="x")
    reminders.run_scan(today=D(2026, 6, 3), enqueue=False)
    delivery = Delivery.objects.get(channel="webhook")
    now = timezone.now()
    waits = []
    for _attempt in range(1, reminders.MAX_ATTEMPTS):
        with pytest.raises(reminders.RetryLater) as later:
            reminders.deliver(delivery_id=delivery.pk, now=now)
        waits.append(later.value.seconds)
        # a duplicate task during the backoff does nothing
        assert reminders.deliver(delivery_id=delivery.pk, now=now) == reminders.Outcome.SKIPPED
        now += datetime.timedelta(seconds=later.value.seconds)
    assert waits == [30, 60, 120, 240]
    assert reminders.deliver(delivery_id=delivery.pk, now=now) == reminders.Outcome.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, reminders.MAX_ATTEMPTS)
    assert "500" in delivery.last_error
    assert len(webhook_server.received) == reminders.MAX_ATTEMPTS
    client.force_login(sasac)
    page = client.get("/reminders/rules/").content.decode()
    assert "已尝试 5 次" in page


def test_send_task_claims_once(milestone, liaison):
    from progress.reminders import tasks

    reminders.run_scan(today=D(2026, 6, 3), enqueue=False)
    delivery = Delivery.objects.get()
    assert tasks.send_delivery.apply(args=[delivery.pk]).get() == "sent"
    assert tasks.send_delivery.apply(args=[delivery.pk]).get() == "skipped"
    assert len(mail.outbox) == 1


def test_scan_queues_sends_only_after_commit(milestone, liaison, django_capture_on_commit_callbacks, monkeypatch):
    from progress.reminders import tasks

    queued = []
    monkeypatch.setattr(tasks.send_delivery, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.run_scan(today=D(2026, 6, 3))
        assert queued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [Delivery.objects.get().pk]


def test_send_reminders_counts_and_prints_a_delivery_that_failed_for_good(milestone, liaison, monkeypatch):
    def refuse(delivery):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(reminders.channels, "send_email", refuse)
    reminders.run_scan(today=D(2026, 6, 3), enqueue=False)
    Delivery.objects.update(attempts=reminders.MAX_ATTEMPTS - 1)
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", "--date", "2026-06-03", stdout=out, stderr=err)
    assert "0 delivery(ies) sent, 1 failed." in out.getvalue()
    assert "failed for good: ConnectionRefusedError: mail server down" in err.getvalue()


def test_scan_queues_only_the_deliveries_it_wrote(milestone, liaison, django_capture_on_commit_callbacks, monkeypatch):
    from progress.reminders import tasks

    older = factories.MilestoneFactory(
        assignment__enterprise=milestone.assignment.enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 6, 5)
    )
    reminders.run_scan(today=D(2026, 6, 4), enqueue=False)  # leaves one pending delivery for the sweep
    waiting = Delivery.objects.get(notification__milestone=older).pk
    queued = []
    monkeypatch.setattr(tasks.send_delivery, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_scan(today=D(2026, 6, 3))
    assert waiting not in queued
    assert queued == [Delivery.objects.get(notification__milestone=milestone).pk]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_pending_deliveries()
    assert waiting in queued


def test_urge_from_an_english_ui_is_written_in_chinese(client, sasac, liaison, milestone, settings):
    client.force_login(sasac)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(f"/milestones/{milestone.pk}/urge/", {"message": "请本周内报送"})
    told = Notification.objects.get(recipient=liaison)
    assert told.subject == f"【催办】{milestone.title}"
    assert "国资委" in told.body
    assert told.payload["url"].endswith(f"/milestones/{milestone.pk}/")
