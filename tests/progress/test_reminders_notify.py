"""Workflow events reach the people who must act next, once, in-app and by every channel."""

import pytest
from django.core import mail

from progress.models import ChannelConfig, Delivery, Notification, NotificationKind
from progress.reminders import delivery
from progress.reminders import services as reminders
from tests import factories


@pytest.fixture
def milestone(enterprise):
    return factories.MilestoneFactory(assignment__enterprise=enterprise, title="建成工业互联网平台")


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
        ids = event(milestone, [liaison.pk, liaison.pk, sasac.pk], "test-event-1")
    assert Notification.objects.filter(recipient=liaison).count() == 1
    assert Notification.objects.filter(recipient=sasac).count() == 1
    assert Notification.objects.get(recipient=liaison).payload["milestone_title"] == "建成工业互联网平台"
    emails = Delivery.objects.filter(channel=Delivery.Channel.EMAIL).values_list("pk", flat=True)
    assert sorted(ids) == sorted(emails)
    assert sorted(args[0] for _name, args, _queue in queued) == sorted(emails)
    for delivery_id in ids:
        delivery.deliver(delivery_id=delivery_id)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([liaison.email, sasac.email])


def test_notify_twice_with_the_same_key_adds_nothing(milestone, liaison, queued, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            event(milestone, [liaison.pk], "test-event-2")
    assert Notification.objects.count() == 1
    assert len(queued) == 1


def test_a_group_robot_gets_one_message_per_event_not_one_per_recipient(milestone, liaison, sasac, leader):
    ChannelConfig.objects.create(
        channel="dingtalk", enabled=True, url="https://oapi.dingtalk.com/robot/send?access_token=t", secret="s"
    )
    event(milestone, [liaison.pk, sasac.pk, leader.pk], "test-event-3")
    event(milestone, [liaison.pk], "test-event-3")
    robots = Delivery.objects.filter(channel=Delivery.Channel.DINGTALK)
    assert robots.count() == 1
    assert robots.get().event_key == f"{milestone.pk}:urge:-:test-event-3"
    assert Delivery.objects.filter(channel=Delivery.Channel.EMAIL).count() == 3


def test_a_channel_carries_only_the_kinds_sasac_chose(milestone, liaison):
    ChannelConfig.objects.create(
        channel="wecom",
        enabled=True,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
        kinds=[NotificationKind.OVERDUE],
    )
    event(milestone, [liaison.pk], "test-event-4")
    assert not Delivery.objects.filter(channel=Delivery.Channel.WECOM).exists()
