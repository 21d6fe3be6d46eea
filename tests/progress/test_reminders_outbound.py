"""Outbound webhooks are safe to point at: https to public addresses only, checked when saved and
again before each send, connected to the address that was checked, no redirects, no echo."""

import datetime

import pytest

from progress.models import ChannelConfig, Delivery
from progress.reminders import delivery, outbound, outbox
from progress.reminders.channels import Deadline, TransientError
from progress.reminders.models import ErrorKind
from tests import factories


def refused(url: str) -> str:
    with pytest.raises(outbound.OutboundRefused) as error:
        outbound.check(url)
    return error.value.reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:6379/", "scheme_http"),
        ("https://127.0.0.1:6379/", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://[::1]:22/", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://100.100.100.200/latest/meta-data/", "metadata"),  # Alibaba Cloud's metadata service
        ("https://[fd00:ec2::254]/", "metadata"),
        ("https://[fe80::1]/", "metadata"),
        ("https://10.0.0.5/hook", "private"),
        ("https://172.16.3.4/hook", "private"),
        ("https://192.168.1.10/hook", "private"),
        ("https://100.64.0.1/hook", "private"),  # carrier-grade NAT, shared address space
        ("https://0.0.0.0/", "private"),
        ("https://224.0.0.1/", "private"),
        ("https://[fc00::1]/", "private"),
        ("https://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped
        ("https://[::ffff:a00:1]/", "private"),
        ("https://[64:ff9b::a9fe:a9fe]/", "metadata"),  # NAT64 of 169.254.169.254
        ("https://[2002:c0a8:101::1]/", "private"),  # 6to4 of 192.168.1.1
        ("ftp://files.example/hook", "scheme"),
        ("gopher://127.0.0.1:6379/", "scheme"),
        ("https://user:pass@hooks.example/", "credentials"),
        ("https://hooks.example:99999/", "invalid"),
    ],
)
def test_addresses_inside_the_server_network_are_refused(url, reason, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    assert refused(url) == reason


def test_a_public_https_address_passes(public_dns):
    target = outbound.check("https://hooks.example:8443/path?key=1")
    assert (target.scheme, target.host, target.port, target.path, target.addresses) == (
        "https",
        "hooks.example",
        8443,
        "/path?key=1",
        ("93.184.215.14",),
    )


def test_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch, settings):
    monkeypatch.setattr(outbound, "resolve", lambda host, port, timeout: ["93.184.215.14", "10.1.2.3"])
    assert refused("https://sneaky.example/") == "private"


def test_http_needs_the_intranet_setting(settings, public_dns):
    assert refused("http://gateway.example/") == "scheme_http"
    settings.WEBHOOK_ALLOW_HTTP = True
    assert outbound.check("http://gateway.example/").port == 80


def test_the_allow_list_lets_a_named_intranet_gateway_through(settings, monkeypatch):
    monkeypatch.setattr(outbound, "resolve", lambda host, port, timeout: ["10.8.0.20"])
    assert refused("https://sms-gw.intranet/") == "private"
    settings.WEBHOOK_ALLOWED_HOSTS = ["sms-gw.intranet"]
    assert outbound.check("https://sms-gw.intranet/").addresses == ("10.8.0.20",)
    assert refused("https://other.intranet/") == "private"


def test_the_allow_list_takes_networks_but_never_opens_metadata(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["10.8.0.0/16", "169.254.0.0/16", "127.0.0.1"]
    assert outbound.check("https://10.8.1.2/").addresses == ("10.8.1.2",)
    assert outbound.check("https://127.0.0.1:8080/").port == 8080
    assert refused("https://10.9.0.1/") == "private"
    assert refused("https://169.254.169.254/") == "metadata"


def test_a_name_that_does_not_resolve_is_a_transient_failure_at_send_time():
    with pytest.raises(TransientError) as error:
        outbound.check("https://no-such-host.invalid/")
    assert error.value.code == "dns"


def test_the_send_connects_to_the_address_it_checked(monkeypatch, settings, http_receiver):
    """DNS rebinding: the name answers a public address for the check; the connection must go to
    that very address, not to whatever a second lookup would say."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    lookups = []

    def resolve(host, port, timeout):
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(outbound, "resolve", resolve)
    connected = []
    real = outbound.socket.create_connection

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(outbound.socket, "create_connection", create_connection)
    with Deadline(5) as deadline:
        answer = outbound.post(
            f"http://hooks.local.test:{http_receiver.port}/hook", b"{}", headers={}, deadline=deadline
        )
    assert answer.status == 200
    assert lookups == ["hooks.local.test"]  # resolved once, by the check
    assert connected == [("127.0.0.1", http_receiver.port)]
    assert http_receiver.received[0].headers["Host"] == f"hooks.local.test:{http_receiver.port}"


@pytest.mark.django_db
def test_a_saved_url_that_turns_private_is_refused_at_send_time(enterprise, liaison, monkeypatch):
    factories.MilestoneFactory(
        assignment__enterprise=enterprise, start_date=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 6, 10)
    )
    ChannelConfig.objects.create(channel="webhook", enabled=True, url="https://hooks.example/in", secret="k")
    monkeypatch.setattr(outbound, "resolve", lambda host, port, timeout: ["10.0.0.7"])  # DNS now points inside
    outbox.run_scan(today=datetime.date(2026, 6, 3), queue=False)
    row = Delivery.objects.get(channel="webhook")
    assert delivery.deliver(delivery_id=row.pk) == delivery.Outcome.FAILED
    row.refresh_from_db()
    assert (row.error_kind, row.error_code) == (ErrorKind.PERMANENT, "blocked:private")
