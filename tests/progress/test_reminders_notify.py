"""Workflow events reach the people who must act next, once, in-app and by mail."""

import pytest
from django.core import mail

from progress.models import Delivery, Notification, NotificationKind
from progress.reminders import services as reminders
from progress.reminders import tasks
from tests import factories


@pytest.fixture
def milestone(enterprise):
    return factories.MilestoneFactory(assignment__enterprise=enterprise, title="建成工业互联网平台")


@pytest.fixture
def queued(monkeypatch):
    ids: list[int] = []
    monkeypatch.setattr(tasks.send_delivery, "delay", ids.append)
    return ids


def event(milestone, recipients, key):
    return reminders.notify(
        recipient_ids=recipients,
        kind=NotificationKind.URGE,
        key=key,
        subject="【测试】事件",
        body="正文",
        milestone=milestone,
    )


def test_notify_tells_each_recipient_once_in_app_and_by_mail(
    milestone, liaison, sasac, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event(milestone, [liaison.pk, liaison.pk, sasac.pk], "test-event-1")
    assert Notification.objects.filter(recipient=liaison).count() == 1
    assert Notification.objects.filter(recipient=sasac).count() == 1
    assert Notification.objects.get(recipient=liaison).payload["milestone_title"] == "建成工业互联网平台"
    emails = Delivery.objects.filter(channel=Delivery.Channel.EMAIL).values_list("pk", flat=True)
    assert sorted(queued) == sorted(emails)
    assert len(queued) == 2
    for delivery_id in queued:
        reminders.deliver(delivery_id=delivery_id)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([liaison.email, sasac.email])


def test_notify_twice_with_the_same_key_adds_nothing(milestone, liaison, queued, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            event(milestone, [liaison.pk], "test-event-2")
    assert Notification.objects.count() == 1
    assert len(queued) == 1
