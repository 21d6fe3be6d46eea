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


@override_settings(REMINDER_SEND_DEADLINE_SECONDS=61, REMINDER_DELIVERY_LEASE_SECONDS=120)
def test_a_send_deadline_over_half_the_lease_is_refused():
    assert ids(checks.check_reminder_timing()) == ["qdsasac.E002"]


@override_settings(REMINDER_SEND_DEADLINE_SECONDS=30, REMINDER_DELIVERY_LEASE_SECONDS=120)
def test_the_default_timing_passes():
    assert checks.check_reminder_timing() == []


@override_settings(
    REDIS_URL="redis://redis:6379/0",
    CELERY_BROKER_TRANSPORT_OPTIONS={"visibility_timeout": 100},
    REMINDER_DELIVERY_LEASE_SECONDS=120,
    REMINDER_SEND_DEADLINE_SECONDS=30,
)
def test_a_visibility_timeout_shorter_than_two_leases_is_refused():
    assert ids(checks.check_reminder_timing()) == ["qdsasac.E007"]


def test_every_channel_queue_is_declared():
    assert checks.check_reminder_queues() == []


@override_settings(CELERY_TASK_QUEUES=[])
def test_a_channel_whose_queue_no_worker_consumes_is_refused():
    assert set(ids(checks.check_reminder_queues())) == {"qdsasac.E006"}


def test_checks_run_at_start():
    from django.core.checks import registry

    registered = registry.registry.get_checks()
    assert {
        checks.check_site_url,
        checks.check_email_host,
        checks.check_reminder_timing,
        checks.check_reminder_queues,
    } <= set(registered)


def test_links_in_emails_default_to_the_port_this_machine_serves():
    """The run command's PORT reaches SITE_URL's default, so e-mail links open the running server."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | {"PORT": "8175"}
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        env=env | {"DJANGO_SETTINGS_MODULE": "qdsasac.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "http://127.0.0.1:8175"


@override_settings(LONG_SILENT_MONTHS=0)
def test_a_long_silence_of_no_months_is_refused():
    assert ids(checks.check_long_silence()) == ["qdsasac.E008"]


def test_the_default_long_silence_passes():
    assert checks.check_long_silence() == []
