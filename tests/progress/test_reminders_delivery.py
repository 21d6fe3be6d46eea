"""Sending: send_reminders, e-mail content, claims, retries and permanent failures, the mark after a
send, the sweep, SASAC's resend and quiet hours."""

import datetime
import io
import uuid
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.db.models.functions import Now

from progress.models import ChannelConfig, Delivery, Notification, ReminderRule
from progress.reminders import delivery, outbox
from progress.reminders.channels import EmailChannel, TransientError
from progress.reminders.models import DeliveryStatus, ErrorKind
from tests import factories

D = datetime.date
DUE = D(2026, 6, 10)
SCAN_DAY = D(2026, 6, 3)  # 7 days before DUE


@pytest.fixture
def milestone(enterprise, liaison):
    return factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="建成工业互联网平台", start_date=D(2026, 1, 1), due_date=DUE
    )


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def scan():
    return outbox.run_scan(today=SCAN_DAY, queue=False)


def webhook(url: str, **values) -> ChannelConfig:
    return ChannelConfig.objects.create(channel="webhook", enabled=True, url=url, secret="k", **values)


def expire_claim(delivery_id: int) -> None:
    Delivery.objects.filter(pk=delivery_id).update(claimed_at=Now() - delivery.lease() - datetime.timedelta(seconds=1))


def test_send_reminders_twice_sends_nothing_the_second_time(milestone, liaison, settings):
    settings.SITE_URL = "http://qdsasac.example"
    first, _err = run("--date", "2026-06-03")
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert "sent email to liaison-qdbeer@example.com" in first
    assert "1 notice(s) made, 1 delivery(ies) sent, 0 failed." in first
    message = mail.outbox[0]
    assert message.to == ["liaison-qdbeer@example.com"]
    assert message.extra_headers["Message-ID"] == f"<notice-{Notification.objects.get().pk}@qdsasac.example>"
    assert "建成工业互联网平台" in message.subject
    assert f"http://qdsasac.example/milestones/{milestone.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="http://qdsasac.example/milestones/{milestone.pk}/"' in html

    second, _err = run("--date", "2026-06-03")
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    assert "0 notice(s) made, 0 delivery(ies) sent" in second


def test_dry_run_prints_and_writes_nothing(milestone, liaison):
    out, _err = run("--date", "2026-06-03", "--dry-run")
    assert "would notify user" in out
    assert "建成工业互联网平台" in out
    assert "1 notice(s) would be made" in out
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
    out, _err = run("--date", "2026-06-03")
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


def test_a_second_sender_is_turned_away_by_the_claim(milestone, liaison):
    scan()
    delivery_id = Delivery.objects.get().pk
    assert delivery.deliver(delivery_id=delivery_id) == delivery.Outcome.SENT
    assert delivery.deliver(delivery_id=delivery_id) == delivery.Outcome.SKIPPED
    assert len(mail.outbox) == 1
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.claim, row.error_code) == (DeliveryStatus.SENT, 1, None, "")


def test_transient_failures_back_off_then_fail_for_good_where_sasac_sees_it(milestone, liaison, monkeypatch):
    monkeypatch.setattr(EmailChannel, "send", mock.Mock(side_effect=TransientError("connect", "mail server down")))
    scan()
    row = Delivery.objects.get()
    waits = []
    for attempt in range(1, 5):
        assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.RETRY
        row.refresh_from_db()
        assert (row.status, row.attempts, row.error_kind) == (DeliveryStatus.PENDING, attempt, ErrorKind.TRANSIENT)
        # a duplicate task during the backoff does nothing
        assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.SKIPPED
        waits.append(delivery.backoff_seconds(attempt))
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=Now())
    assert waits == [30, 60, 120, 240]  # a quarter of the default 120 s lease, doubling
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error_code) == (DeliveryStatus.FAILED, 5, "connect")
    assert row.last_error == "mail server down"


def test_backoff_is_capped_at_five_leases(settings):
    settings.REMINDER_DELIVERY_LEASE_SECONDS = 8
    assert [delivery.backoff_seconds(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 40, 40]


def test_refused_recipient_is_not_retried_but_shown(milestone, liaison, smtp_receiver):
    smtp_receiver.refuse[liaison.email] = 550
    scan()
    row = Delivery.objects.get()
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error_kind, row.error_code) == (
        DeliveryStatus.FAILED,
        1,
        ErrorKind.PERMANENT,
        "smtp:550",
    )
    assert smtp_receiver.messages == []


def test_a_mail_server_busy_for_now_is_retried(milestone, liaison, smtp_receiver):
    smtp_receiver.refuse[liaison.email] = 451
    scan()
    row = Delivery.objects.get()
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.RETRY
    row.refresh_from_db()
    assert (row.status, row.error_kind, row.error_code) == (DeliveryStatus.PENDING, ErrorKind.TRANSIENT, "smtp:451")


def test_smtp_delivery_carries_the_same_message_id_on_every_try(milestone, liaison, smtp_receiver, settings):
    settings.SITE_URL = "https://duban.example"
    scan()
    row = Delivery.objects.get()
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.SENT
    [accepted] = smtp_receiver.messages
    assert accepted.recipients == [liaison.email]
    assert accepted.message_id == f"<notice-{row.notification_id}@duban.example>"


def test_marking_sent_survives_a_database_outage_and_is_not_a_failed_send(milestone, liaison, monkeypatch):
    scan()
    row = Delivery.objects.get()
    real = delivery.mark_sent
    failures = iter([OperationalError("server closed the connection"), OperationalError("no connection")])

    def flaky(delivery_id, token):
        error = next(failures, None)
        if error is not None:
            raise error
        return real(delivery_id, token)

    monkeypatch.setattr(delivery, "mark_sent", flaky)
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 1)
    assert len(mail.outbox) == 1


def test_a_mark_that_cannot_land_in_time_goes_to_the_broker_not_back_to_pending(
    milestone, liaison, monkeypatch, queued
):
    scan()
    row = Delivery.objects.get()
    monkeypatch.setattr(delivery, "mark_sent", mock.Mock(side_effect=OperationalError("database is down")))
    assert delivery.deliver(delivery_id=row.pk, mark_patience=0.3) == delivery.Outcome.MARK_PENDING
    [(name, args, _queue)] = queued
    assert name == "progress.tasks.mark_delivery_sent"
    assert args[0] == row.pk
    monkeypatch.undo()
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENDING and str(row.claim) == args[1]  # still ours, not failed
    from progress.reminders import tasks

    assert tasks.mark_delivery_sent(*args) == delivery.Outcome.SENT
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_a_claim_lost_to_another_sender_is_not_reported_as_success(milestone, liaison, caplog):
    scan()
    row = Delivery.objects.get()
    Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.SENDING, claim=uuid.uuid4())
    assert delivery.mark_sent(row.pk, uuid.uuid4()) == delivery.Outcome.CLAIM_LOST
    assert "may get it twice" in caplog.text
    assert Delivery.objects.get().status == DeliveryStatus.SENDING


def test_a_dead_senders_claim_is_taken_over_after_the_lease(milestone, liaison, queued):
    scan()
    row = Delivery.objects.get()
    Delivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING, claim=uuid.uuid4(), claimed_at=Now(), attempts=1
    )
    assert delivery.sweep() == 0  # the claim is young: its sender may be alive
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.SKIPPED
    expire_claim(row.pk)
    assert delivery.sweep() == 1
    assert queued == [("progress.tasks.send_delivery", [row.pk], "reminders.email")]
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)


def test_sweep_queues_a_pending_delivery_again_only_after_a_lease(milestone, liaison, queued):
    scan()  # queue=False: never queued
    row = Delivery.objects.get()
    assert delivery.sweep() == 1
    assert delivery.sweep() == 0  # its message is on the broker; a hung channel gets no pile of copies
    Delivery.objects.filter(pk=row.pk).update(enqueued_at=Now() - delivery.lease() - datetime.timedelta(seconds=1))
    assert delivery.sweep() == 1  # that message was lost
    assert [args for _name, args, _queue in queued] == [[row.pk], [row.pk]]


def test_each_channel_goes_to_its_own_queue(
    milestone, liaison, queued, local_webhooks, django_capture_on_commit_callbacks
):
    webhook("http://127.0.0.1:9/hook")
    ChannelConfig.objects.create(channel="wecom", enabled=True, url="http://127.0.0.1:9/send?key=k")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.run_scan(today=SCAN_DAY)
    queues = sorted(queue for _name, _args, queue in queued)
    assert queues == ["reminders.email", "reminders.webhook", "reminders.wecom"]


def test_scan_queues_sends_only_after_commit(milestone, liaison, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.run_scan(today=SCAN_DAY)
        assert queued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [("progress.tasks.send_delivery", [Delivery.objects.get().pk], "reminders.email")]


def test_send_reminders_counts_and_prints_a_delivery_that_failed_for_good(milestone, liaison, monkeypatch):
    monkeypatch.setattr(EmailChannel, "send", mock.Mock(side_effect=TransientError("connect", "mail server down")))
    scan()
    Delivery.objects.update(attempts=4)
    out, err = run("--date", "2026-06-03")
    assert "0 delivery(ies) sent, 1 failed." in out
    assert "failed for good: mail server down" in err


def test_sasac_resends_failed_deliveries_by_channel_and_error(
    milestone, liaison, queued, django_capture_on_commit_callbacks
):
    other = factories.MilestoneFactory(
        assignment__enterprise=milestone.assignment.enterprise, start_date=D(2026, 1, 1), due_date=DUE
    )
    scan()
    first, second = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=first.pk).update(
        status=DeliveryStatus.FAILED, attempts=5, error_kind=ErrorKind.TRANSIENT, error_code="connect"
    )
    Delivery.objects.filter(pk=second.pk).update(
        status=DeliveryStatus.FAILED, attempts=1, error_kind=ErrorKind.PERMANENT, error_code="smtp:550"
    )
    with django_capture_on_commit_callbacks(execute=True):
        resent = delivery.resend_failed(channel="email", error_code="connect")
    assert resent == [(first.pk, "email")]
    first.refresh_from_db()
    assert (first.status, first.attempts, first.error_code) == (DeliveryStatus.PENDING, 0, "")
    assert queued == [("progress.tasks.send_delivery", [first.pk], "reminders.email")]
    assert Delivery.objects.get(pk=second.pk).status == DeliveryStatus.FAILED
    assert delivery.deliver(delivery_id=first.pk) == delivery.Outcome.SENT
    assert other.notifications.exists()


def test_an_unexpected_error_puts_the_delivery_back_instead_of_leaving_it_claimed(milestone, liaison, monkeypatch):
    monkeypatch.setattr(EmailChannel, "send", mock.Mock(side_effect=KeyError("template variable")))
    scan()
    row = Delivery.objects.get()
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.RETRY
    row.refresh_from_db()
    assert (row.status, row.claim, row.error_code) == (DeliveryStatus.PENDING, None, "error")


def test_a_disabled_channel_fails_its_waiting_deliveries_visibly(milestone, liaison, local_webhooks):
    config = webhook("http://127.0.0.1:9/hook")
    scan()
    config.enabled = False
    config.save()
    row = Delivery.objects.get(channel="webhook")
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.FAILED
    row.refresh_from_db()
    assert (row.error_kind, row.error_code) == (ErrorKind.PERMANENT, "not_configured")


def test_urge_from_an_english_ui_is_written_in_chinese(client, sasac, liaison, milestone, settings):
    client.force_login(sasac)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(f"/milestones/{milestone.pk}/urge/", {"message": "请本周内报送"})
    told = Notification.objects.get(recipient=liaison)
    assert told.subject == f"【催办】{milestone.title}"
    assert "国资委" in told.body
    assert told.payload["url"].endswith(f"/milestones/{milestone.pk}/")
