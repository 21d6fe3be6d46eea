"""The channels against local receivers that check the exact payload: the generic webhook, the
WeCom group robot, the DingTalk robot with its signed timestamp; how each answer is classed; the
send's hard deadline against receivers that answer slowly."""

import base64
import datetime
import hashlib
import hmac
import json
import time
from urllib.parse import unquote_plus

import pytest
from django.conf import settings as django_settings

from enterprises.names import person_name
from progress.models import ChannelConfig, Delivery, Notification
from progress.reminders import channels, delivery, outbox
from progress.reminders.channels.robots import markdown_message
from progress.reminders.models import DeliveryStatus, ErrorKind
from tests import factories

D = datetime.date
SCAN_DAY = D(2026, 6, 3)

pytestmark = pytest.mark.usefixtures("local_webhooks")


@pytest.fixture
def milestone(enterprise, liaison, settings):
    settings.SITE_URL = "http://qdsasac.example"
    return factories.MilestoneFactory(
        assignment__enterprise=enterprise, title="建成工业互联网平台", start_date=D(2026, 1, 1), due_date=D(2026, 6, 10)
    )


def configure(channel: str, url: str, secret: str = "") -> ChannelConfig:
    return ChannelConfig.objects.create(channel=channel, enabled=True, url=url, secret=secret)


def send_all(channel: str) -> list[str]:
    outbox.run_scan(today=SCAN_DAY, queue=False)
    return [delivery.deliver(delivery_id=row.pk) for row in Delivery.objects.filter(channel=channel).order_by("id")]


def test_every_outside_channel_has_one_class_and_a_declared_queue():
    assert set(channels.CHANNELS) == {"inapp", *Delivery.Channel.values}
    declared = {queue.name for queue in django_settings.CELERY_TASK_QUEUES}
    assert {channel.queue for channel in channels.outside()} <= declared
    assert len({channel.queue for channel in channels.outside()}) == len(channels.outside())
    assert channels.get("inapp").queue is None


def test_webhook_posts_the_signed_json_body_to_each_recipient(milestone, liaison, http_receiver):
    secret = "s3cret-签名"
    configure("webhook", http_receiver.url("/hook"), secret)
    liaison.profile.phone = "13800000000"
    liaison.profile.save()
    assert send_all("webhook") == ["sent"]
    [request] = http_receiver.received
    notice = Notification.objects.get()
    assert request.path == "/hook"
    assert (
        request.headers["X-Qdsasac-Signature"]
        == "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    )
    assert request.headers["X-Qdsasac-Delivery"] == notice.dedupe_key
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.json() == {
        "event": "due_soon",
        "dedupe_key": notice.dedupe_key,
        "subject": notice.subject,
        "text": notice.body,
        "url": f"http://qdsasac.example/milestones/{milestone.pk}/",
        "milestone_id": milestone.pk,
        "due_on": "2026-06-10",
        "recipient": {
            "username": "liaison-qdbeer",
            "name": person_name(liaison),
            "email": liaison.email,
            "phone": "13800000000",
        },
        "payload": notice.payload,
    }
    assert request.body == json.dumps(request.json(), ensure_ascii=False, sort_keys=True).encode()


def expected_markdown(notice: Notification, milestone) -> str:
    return (
        f"**{notice.subject}**\n\n{notice.body}\n\n"
        "> 企业:青啤示范\n\n"
        "> 时间节点:建成工业互联网平台\n\n"
        "> 到期日:2026-06-10\n\n"
        f"[查看详情](http://qdsasac.example/milestones/{milestone.pk}/)\n\n"
        "青岛市国资委 · 工业互联网任务督办系统"
    )


def test_wecom_robot_gets_one_markdown_message_in_its_documented_format(milestone, liaison, http_receiver):
    factories.liaison_user(milestone.assignment.enterprise, username="liaison-2")
    configure("wecom", http_receiver.url("/cgi-bin/webhook/send?key=robot-key"))
    assert send_all("wecom") == ["sent"]  # two liaisons told, one message in the group
    [request] = http_receiver.received
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": ["robot-key"]}
    notice = Notification.objects.order_by("id").first()
    assert request.json() == {"msgtype": "markdown", "markdown": {"content": expected_markdown(notice, milestone)}}


def test_dingtalk_robot_gets_markdown_with_a_signed_timestamp(milestone, liaison, http_receiver):
    secret = "SEC0123456789abcdef"
    configure("dingtalk", http_receiver.url("/robot/send?access_token=tok"), secret)
    before = int(time.time() * 1000)
    assert send_all("dingtalk") == ["sent"]
    after = int(time.time() * 1000)
    [request] = http_receiver.received
    assert request.path == "/robot/send"
    assert request.query["access_token"] == ["tok"]
    timestamp = int(request.query["timestamp"][0])
    assert before <= timestamp <= after
    signature = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    # parse_qs decoded the URL-encoded signature once, as DingTalk does
    assert request.query["sign"] == [signature]
    notice = Notification.objects.get()
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {"title": notice.subject, "text": expected_markdown(notice, milestone)},
    }


def test_dingtalk_signature_is_url_encoded_base64():
    robot = channels.get("dingtalk")
    url = robot.signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", 1700000000000)
    raw = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    timestamp, sign = url.split("&timestamp=", 1)[1].split("&sign=")
    assert timestamp == "1700000000000"
    assert "+" not in sign and "/" not in sign and "=" not in sign  # URL-encoded
    assert unquote_plus(sign) == base64.b64encode(raw).decode()


def test_text_users_typed_cannot_become_markdown_links(milestone, liaison, http_receiver):
    milestone.title = "[点此验证](http://evil.example/x) **加急** <@all>"
    milestone.save()
    configure("wecom", http_receiver.url("/send?key=k"))
    send_all("wecom")
    content = http_receiver.received[0].json()["markdown"]["content"]
    assert "](http://evil.example" not in content and "[点此验证]" not in content and "<@all>" not in content
    assert "［点此验证］" in content and "＜@all＞" in content


def test_a_long_notice_stays_within_the_robots_byte_limit(milestone, liaison):
    configure("wecom", "http://127.0.0.1:9/send?key=k")
    outbox.run_scan(today=SCAN_DAY, queue=False)
    row = Delivery.objects.get(channel="wecom")
    row.notification.body = "很长的正文。" * 2000
    _title, content = markdown_message(row, 4096)
    assert len(content.encode()) <= 4096
    assert content.endswith("青岛市国资委 · 工业互联网任务督办系统")


@pytest.mark.parametrize(
    ("status", "outcome", "kind", "code"),
    [
        (500, "retry", ErrorKind.TRANSIENT, "http:500"),
        (503, "retry", ErrorKind.TRANSIENT, "http:503"),
        (429, "retry", ErrorKind.TRANSIENT, "http:429"),
        (404, "failed", ErrorKind.PERMANENT, "http:404"),
        (401, "failed", ErrorKind.PERMANENT, "http:401"),
        (302, "failed", ErrorKind.PERMANENT, "http:302"),
    ],
)
def test_http_answers_are_classed_transient_or_permanent(
    milestone, liaison, http_receiver, status, outcome, kind, code
):
    http_receiver.status = status
    http_receiver.extra_headers = {"Location": http_receiver.url("/elsewhere")}
    http_receiver.body = b"internal detail: db password=hunter2"
    configure("webhook", http_receiver.url("/hook"), "k")
    assert send_all("webhook") == [outcome]
    row = Delivery.objects.get(channel="webhook")
    assert (row.error_kind, row.error_code) == (kind, code)
    assert "hunter2" not in row.last_error  # the receiver's answer is never kept or shown
    assert [r.path for r in http_receiver.received] == ["/hook"]  # a redirect is not followed


@pytest.mark.parametrize(
    ("channel", "url", "errcode", "outcome", "kind"),
    [
        ("wecom", "/send?key=k", 45009, "retry", ErrorKind.TRANSIENT),  # 20 messages a minute
        ("wecom", "/send?key=k", -1, "retry", ErrorKind.TRANSIENT),  # system busy
        ("wecom", "/send?key=k", 93000, "failed", ErrorKind.PERMANENT),  # invalid webhook URL
        ("dingtalk", "/robot/send?access_token=t", 130101, "retry", ErrorKind.TRANSIENT),  # send too fast
        ("dingtalk", "/robot/send?access_token=t", 310000, "failed", ErrorKind.PERMANENT),  # bad signature
        ("dingtalk", "/robot/send?access_token=t", -1, "retry", ErrorKind.TRANSIENT),  # system busy
    ],
)
def test_robot_error_codes_are_classed(milestone, liaison, http_receiver, channel, url, errcode, outcome, kind):
    http_receiver.body = json.dumps({"errcode": errcode, "errmsg": "secret internal text"}).encode()
    configure(channel, http_receiver.url(url), "SECx")
    assert send_all(channel) == [outcome]
    row = Delivery.objects.get(channel=channel)
    assert (row.error_kind, row.error_code) == (kind, f"robot:{errcode}")
    assert "secret internal text" not in row.last_error


def test_an_answer_that_is_not_a_robots_is_a_permanent_failure(milestone, liaison, http_receiver):
    http_receiver.body = b"<html>login page</html>"
    configure("wecom", http_receiver.url("/send?key=k"))
    assert send_all("wecom") == ["failed"]
    assert Delivery.objects.get(channel="wecom").error_code == "robot:answer"


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_deadline(milestone, liaison, http_receiver, settings):
    settings.REMINDER_SEND_DEADLINE_SECONDS = 1
    http_receiver.drip_seconds = 0.3  # each byte in time for a per-read timeout; the whole answer takes ~15 s
    configure("webhook", http_receiver.url("/hook"), "k")
    started = time.monotonic()
    assert send_all("webhook") == ["retry"]
    assert time.monotonic() - started < 3
    row = Delivery.objects.get(channel="webhook")
    assert (row.status, row.error_code) == (DeliveryStatus.PENDING, "deadline")


def test_a_mail_server_answering_each_line_late_is_cut_off_at_the_deadline(milestone, liaison, smtp_receiver, settings):
    settings.REMINDER_SEND_DEADLINE_SECONDS = 1
    settings.EMAIL_TIMEOUT = 10  # each line comes within this; the deadline is what stops the send
    smtp_receiver.line_delay = 0.4
    started = time.monotonic()
    assert send_all("email") == ["retry"]
    assert time.monotonic() - started < 3
    assert Delivery.objects.get().error_code == "deadline"
    assert smtp_receiver.messages == []


def test_a_mail_server_that_never_greets_is_cut_off_at_the_deadline(milestone, liaison, smtp_receiver, settings):
    settings.REMINDER_SEND_DEADLINE_SECONDS = 1
    smtp_receiver.greets.clear()
    started = time.monotonic()
    assert send_all("email") == ["retry"]
    assert time.monotonic() - started < 3
    assert Delivery.objects.get().error_code == "deadline"


def test_a_robot_asking_to_slow_down_pauses_its_channel_without_using_up_tries(milestone, liaison, http_receiver):
    from django.utils import timezone

    for _ in range(2):
        factories.MilestoneFactory(
            assignment__enterprise=milestone.assignment.enterprise, start_date=D(2026, 1, 1), due_date=D(2026, 6, 10)
        )
    http_receiver.body = json.dumps({"errcode": 45009, "errmsg": "api freq out of limit"}).encode()
    configure("wecom", http_receiver.url("/send?key=k"))
    outbox.run_scan(today=SCAN_DAY, queue=False)
    first, *others = Delivery.objects.filter(channel="wecom").order_by("id")
    assert delivery.deliver(delivery_id=first.pk) == "retry"
    first.refresh_from_db()
    assert (first.attempts, first.error_code) == (0, "robot:45009")
    assert first.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    for row in others:  # the rest of the channel waits too, instead of hitting the limit again
        assert delivery.deliver(delivery_id=row.pk) == "skipped"
        row.refresh_from_db()
        assert row.next_attempt_at == first.next_attempt_at
    assert Delivery.objects.get(channel="email", notification=first.notification).status == DeliveryStatus.PENDING
    assert len(http_receiver.received) == 1


def test_a_monthly_report_reminder_names_the_enterprise_and_lists_its_milestones(enterprise, liaison, http_receiver):
    for n in range(12):
        factories.MilestoneFactory(
            assignment__enterprise=enterprise, title=f"节点{n:02d}", start_date=D(2026, 1, 1), due_date=D(2026, 12, 31)
        )
    configure("wecom", http_receiver.url("/send?key=k"))
    outbox.run_scan(today=D(2026, 6, 22), queue=False)  # 3 days before the 25th: June's report reminder
    row = Delivery.objects.get(channel="wecom", notification__kind="report_due")
    assert delivery.deliver(delivery_id=row.pk) == "sent"
    content = http_receiver.received[0].json()["markdown"]["content"]
    assert "> 企业:青啤示范" in content
    assert "- 节点00" in content and "- 节点09" in content and "节点10" not in content
    assert "- ……共 12 项" in content
