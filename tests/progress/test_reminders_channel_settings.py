"""SASAC sets up the WeCom and DingTalk robots and the webhook on the rules page, sees failed
deliveries counted by channel and error, and resends them with one click."""

import datetime

import pytest

from progress.models import ChannelConfig, Delivery, NotificationKind, ReminderRule
from progress.reminders import outbox
from progress.reminders.models import DeliveryStatus, ErrorKind
from tests import factories

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abc123"


@pytest.fixture
def page(client, sasac):
    client.force_login(sasac)
    return client


def save(client, channel: str, **data):
    fields = {f"{channel}-{name}": value for name, value in data.items()}
    return client.post(f"/reminders/channels/{channel}/", fields, follow=True)


def test_sasac_configures_a_wecom_robot(page, sasac, public_dns):
    response = save(page, "wecom", enabled="on", url=WECOM, kinds=[NotificationKind.OVERDUE, NotificationKind.URGE])
    assert response.redirect_chain[-1][0].endswith("/reminders/rules/#channel-wecom")
    assert "“企业微信群机器人”已启用" in response.content.decode()
    config = ChannelConfig.objects.get(channel="wecom")
    assert (config.enabled, config.url, config.kinds, config.updated_by) == (
        True,
        WECOM,
        ["overdue", "urge"],
        sasac,
    )


def test_sasac_configures_a_dingtalk_robot_whose_secret_is_kept_and_never_shown(page, public_dns):
    save(page, "dingtalk", enabled="on", url=DINGTALK, secret="SECsecret-value")
    assert ChannelConfig.objects.get(channel="dingtalk").secret == "SECsecret-value"
    page_html = page.get("/reminders/rules/").content.decode()
    assert "SECsecret-value" not in page_html
    assert "已设置(留空保持不变)" in page_html
    save(page, "dingtalk", enabled="on", url=DINGTALK, secret="")  # blank keeps the secret
    assert ChannelConfig.objects.get(channel="dingtalk").secret == "SECsecret-value"


def test_dingtalk_needs_its_signing_secret(page, public_dns):
    response = save(page, "dingtalk", enabled="on", url=DINGTALK)
    assert "启用此渠道须设置密钥" in response.content.decode()
    assert not ChannelConfig.objects.filter(channel="dingtalk").exists()


@pytest.mark.parametrize(
    ("channel", "url", "message"),
    [
        ("webhook", "http://127.0.0.1:6379/", "只允许 https 地址"),
        ("webhook", "https://127.0.0.1:6379/", "指向本机(127.0.0.1)"),
        ("webhook", "https://169.254.169.254/latest/meta-data/", "云服务器元数据地址(169.254.169.254)"),
        ("webhook", "https://[::1]:22/", "指向本机(::1)"),
        ("webhook", "https://10.1.2.3/hook", "WEBHOOK_ALLOWED_HOSTS"),
        ("webhook", "ftp://files.example/x", "只允许 https 地址"),
        ("webhook", "https://no-such-host.invalid/", "无法解析主机名 no-such-host.invalid"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "须带有 key 参数"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "须带有 access_token 参数"),
    ],
)
def test_unsafe_or_wrong_addresses_are_refused_with_a_message(page, public_dns, channel, url, message):
    response = save(page, channel, enabled="on", url=url, secret="SECx")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "的设置未保存" in html
    assert not ChannelConfig.objects.filter(channel=channel).exists()


def test_enabling_without_an_address_is_refused(page):
    response = save(page, "wecom", enabled="on", url="")
    assert "启用前须填写地址" in response.content.decode()
    assert not ChannelConfig.objects.filter(channel="wecom").exists()


def test_disabling_keeps_the_address_for_later(page, public_dns):
    save(page, "wecom", enabled="on", url=WECOM)
    save(page, "wecom", url=WECOM)
    config = ChannelConfig.objects.get(channel="wecom")
    assert (config.enabled, config.url) == (False, WECOM)


@pytest.mark.parametrize("who, status", [("leader", 403), ("liaison", 403)])
def test_only_sasac_configures_channels(client, request, who, status, public_dns):
    client.force_login(request.getfixturevalue(who))
    assert client.post("/reminders/channels/wecom/", {"wecom-enabled": "on", "wecom-url": WECOM}).status_code == status
    assert client.post("/reminders/failed/resend/").status_code == status
    assert not ChannelConfig.objects.exists()


def test_unknown_or_unconfigurable_channel_is_not_found(page):
    assert page.post("/reminders/channels/sms/", {}).status_code == 404
    assert page.post("/reminders/channels/email/", {}).status_code == 404
    assert page.get("/reminders/channels/wecom/").status_code == 405


@pytest.fixture
def failed(enterprise, liaison):
    """Three deliveries that failed for good: two webhooks (HTTP 500), one e-mail (recipient refused)."""
    for _ in range(2):
        factories.MilestoneFactory(
            assignment__enterprise=enterprise, start_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 6, 10)
        )
    ChannelConfig.objects.create(channel="webhook", enabled=True, url="https://hooks.example/in", secret="k")
    outbox.run_scan(today=datetime.date(2026, 6, 3), queue=False)
    Delivery.objects.filter(channel="webhook").update(
        status=DeliveryStatus.FAILED, attempts=5, error_kind=ErrorKind.TRANSIENT, error_code="http:500"
    )
    refused = Delivery.objects.filter(channel="email").order_by("id").first()
    Delivery.objects.filter(pk=refused.pk).update(
        status=DeliveryStatus.FAILED, attempts=1, error_kind=ErrorKind.PERMANENT, error_code="smtp:550"
    )
    return Delivery.objects.filter(status=DeliveryStatus.FAILED)


def test_rules_page_counts_failures_by_channel_and_error(page, failed):
    html = page.get("/reminders/rules/").content.decode()
    assert 'data-testid="failure-groups"' in html
    assert "接收方回复 HTTP 500" in html and "邮件服务器回复 550" in html
    assert "需修正" in html and "多次重试未成功" in html
    assert 'data-confirm="确认重新发送这 2 条Webhook提醒?"' in html


def test_one_click_resends_a_group_and_only_that_group(page, failed, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            "/reminders/failed/resend/",
            {"channel": "webhook", "one_error": "on", "error_code": "http:500"},
            follow=True,
        )
    assert "已重新发送 2 条提醒(Webhook 2)" in response.content.decode()
    assert set(Delivery.objects.filter(channel="webhook").values_list("status", "attempts")) == {
        (DeliveryStatus.PENDING, 0)
    }
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 1
    assert sorted(queue for _name, _args, queue in queued) == ["reminders.webhook", "reminders.webhook"]


def test_resend_all_in_quiet_hours_waits_for_them_to_end(page, failed, queued, django_capture_on_commit_callbacks):
    ReminderRule.objects.update(quiet_hours_start=datetime.time(0, 0), quiet_hours_end=datetime.time(23, 59, 59))
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post("/reminders/failed/resend/", follow=True)
    assert "免打扰时段结束后发出" in response.content.decode()
    assert not Delivery.objects.filter(status=DeliveryStatus.FAILED).exists()
    assert queued == []


def test_resend_with_nothing_failed_says_so(page):
    response = page.post("/reminders/failed/resend/", follow=True)
    assert "没有需要重新发送的提醒" in response.content.decode()


def test_a_forged_resend_request_changes_nothing(page, failed):
    response = page.post("/reminders/failed/resend/", {"channel": "carrier-pigeon"}, follow=True)
    assert "无法识别要重新发送的提醒" in response.content.decode()
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 3


def test_rules_page_query_count_does_not_grow_with_failures(page, failed, django_assert_num_queries):
    # session, user, profile, unread count, decision queue count, rule, channel settings, failure
    # groups, recent failures, counts by channel and status
    with django_assert_num_queries(10):
        assert page.get("/reminders/rules/").status_code == 200
    factories.MilestoneFactory(
        assignment__enterprise=failed.first().notification.milestone.assignment.enterprise,
        start_date=datetime.date(2026, 1, 1),
        due_date=datetime.date(2026, 6, 10),
    )
    outbox.run_scan(today=datetime.date(2026, 6, 3), queue=False)
    Delivery.objects.update(status=DeliveryStatus.FAILED, error_code="connect", error_kind=ErrorKind.TRANSIENT)
    with django_assert_num_queries(10):
        assert page.get("/reminders/rules/").status_code == 200
