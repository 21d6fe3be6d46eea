"""Fixtures for the ledger workflow tests."""

from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence goes to a private temporary directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def directive(db):
    return factories.DirectiveFactory(title="推动中小企业上云", source_text="推动市属企业带动中小企业上云上平台。")


@pytest.fixture
def indicator(directive):
    return factories.IndicatorFactory(
        directive=directive, name="上云中小企业数", unit="家", min_value=Decimal(0), max_value=Decimal(500)
    )


@pytest.fixture
def assignment(enterprise, directive):
    return factories.AssignmentFactory(enterprise=enterprise, directive=directive)


@pytest.fixture
def milestone(assignment):
    return factories.MilestoneFactory(assignment=assignment, title="上线工业互联网平台一期", progress=20)


@pytest.fixture
def other_milestone(other_enterprise):
    return factories.MilestoneFactory(assignment__enterprise=other_enterprise, title="化工平台建设")


# --- reminders: local receivers and what was queued ---


@pytest.fixture
def http_receiver():
    from tests.receivers import HTTPReceiver

    receiver = HTTPReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp_receiver(settings):
    """A local SMTP server, with the settings pointing Django's SMTP backend at it."""
    from tests.receivers import SMTPReceiver

    receiver = SMTPReceiver()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = receiver.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield receiver
    receiver.close()


@pytest.fixture
def local_webhooks(settings):
    """Let the outbound policy through to the tests' own receivers on 127.0.0.1 (plain http)."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def queued(monkeypatch):
    """The tasks put on the broker, as (task name, args, queue), instead of publishing them."""
    from progress.reminders import delivery

    sent: list[tuple[str, list, str | None]] = []

    def send_task(name, args=None, queue=None, **options):
        sent.append((name, list(args or []), queue))

    monkeypatch.setattr(delivery.app, "send_task", send_task)
    return sent


@pytest.fixture
def public_dns(monkeypatch):
    """Host names under .example resolve to a public address, as if on the internet (nothing connects there)."""
    from progress.reminders import outbound

    real = outbound.resolve

    def resolve(host, port, timeout):
        if host.endswith(".example") or host in ("qyapi.weixin.qq.com", "oapi.dingtalk.com"):
            return ["93.184.215.14"]
        return real(host, port, timeout)

    monkeypatch.setattr(outbound, "resolve", resolve)


@pytest.fixture
def approved(enterprise, liaison, sasac):
    """The enterprise's implementation plan, approved: from now on its commitments change only
    through requests SASAC decides."""
    from progress.services import ledger as services

    plan = services.plan_save(
        enterprise=enterprise,
        by=liaison,
        expected_version=None,
        title="青啤示范落实方案",
        roadmap="一期上云",
        timetable="按季度",
        responsibility="总经理牵头",
    )
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    return services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)
