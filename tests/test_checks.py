"""System checks refuse a production configuration that would start but misbehave."""

from django.test import override_settings

from qdsasac import checks


def ids(messages):
    return [m.id for m in messages]


@override_settings(DEBUG=False, SITE_URL="http://127.0.0.1:8000")
def test_production_with_a_localhost_site_url_is_refused():
    assert ids(checks.check_site_url()) == ["qdsasac.E001"]


@override_settings(DEBUG=False, SITE_URL="http://localhost")
def test_production_with_localhost_by_name_is_refused():
    assert ids(checks.check_site_url()) == ["qdsasac.E001"]


@override_settings(DEBUG=False, SITE_URL="https://qdsasac.example.cn")
def test_production_with_a_real_site_url_passes():
    assert checks.check_site_url() == []


@override_settings(DEBUG=True, SITE_URL="http://127.0.0.1:8000", EMAIL_HOST="")
def test_development_with_defaults_passes():
    assert checks.check_site_url() == [] and checks.check_email_host() == []


@override_settings(DEBUG=False, EMAIL_HOST="")
def test_production_without_a_mail_server_warns():
    assert ids(checks.check_email_host()) == ["qdsasac.W001"]


@override_settings(DEBUG=False, EMAIL_HOST="smtp.example.cn")
def test_production_with_a_mail_server_passes():
    assert checks.check_email_host() == []


@override_settings(EMAIL_TIMEOUT=300, REMINDER_DELIVERY_LEASE_SECONDS=300)
def test_mail_timeout_not_below_the_delivery_lease_is_refused():
    assert ids(checks.check_email_timeout()) == ["qdsasac.E002"]


@override_settings(EMAIL_TIMEOUT=30, REMINDER_DELIVERY_LEASE_SECONDS=300)
def test_mail_timeout_below_the_delivery_lease_passes():
    assert checks.check_email_timeout() == []


def test_checks_run_at_start():
    from django.core.checks import registry

    registered = registry.registry.get_checks()
    assert {checks.check_site_url, checks.check_email_host, checks.check_email_timeout} <= set(registered)
