"""Logins are throttled, audited and end when idle, and no attacker can lock an officer out for good."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from qdsasac import security
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.LOGIN_FAILURE_LIMIT
ADDRESS_LIMIT = settings.LOGIN_ADDRESS_FAILURE_LIMIT


def fail(client, username, times, address="203.0.113.7"):
    responses = [
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
        for _ in range(times)
    ]
    return responses[-1]


def log_in(client, username, address="203.0.113.7", path="/accounts/login/"):
    return client.post(path, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)


def pass_the_cool_off():
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(1))


def test_limit_and_cool_off_are_meant_for_an_internet_facing_site():
    assert 3 <= LIMIT <= 30 and LIMIT < ADDRESS_LIMIT <= 100
    assert datetime.timedelta(minutes=1) <= settings.AXES_COOLOFF_TIME <= datetime.timedelta(hours=1)


def test_after_the_limit_even_the_right_password_is_refused_with_a_translated_page(client, sasac):
    response = fail(client, "sasac", LIMIT - 1)
    assert response.status_code == 200  # the login page with its error, still open

    response = fail(client, "sasac", 1)
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录已暂停" in body and f"连续 {LIMIT} 次登录失败" in body
    assert f"请 {int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)} 分钟后再试" in body

    response = log_in(client, "sasac")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_thirty_wrong_passwords_then_the_right_one_works_after_the_cool_off(client, sasac):
    assert fail(client, "sasac", 30).status_code == 429
    assert log_in(client, "sasac").status_code == 429

    pass_the_cool_off()

    response = log_in(client, "sasac")
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == sasac.pk


def test_failures_while_locked_out_do_not_extend_the_cool_off(client, sasac):
    fail(client, "sasac", LIMIT)
    locked_at = AccessAttempt.objects.get().attempt_time
    assert fail(client, "sasac", 20).status_code == 429  # the attacker keeps trying...
    # ...and the cool-off still runs from the moment of the lockout.
    assert AccessAttempt.objects.get().attempt_time == locked_at
    pass_the_cool_off()
    assert log_in(client, "sasac").status_code == 302


def test_a_username_is_locked_from_every_address(client, sasac):
    fail(client, "sasac", LIMIT, address="203.0.113.7")
    assert log_in(client, "sasac", address="198.51.100.20").status_code == 429


def test_one_officers_mistakes_do_not_lock_colleagues_at_the_same_address(client, sasac, leader):
    fail(client, "leader", LIMIT, address="203.0.113.7")
    assert log_in(client, "leader", address="203.0.113.7").status_code == 429
    assert log_in(client, "sasac", address="203.0.113.7").status_code == 302


def test_an_address_trying_many_usernames_is_locked_for_all_of_them(client, sasac, leader):
    for number in range(ADDRESS_LIMIT - 1):
        client.post("/accounts/login/", {"username": f"guess{number}", "password": "x"}, REMOTE_ADDR="203.0.113.7")
    assert log_in(client, "leader", address="203.0.113.7").status_code == 302
    client.logout()
    for number in range(ADDRESS_LIMIT):
        client.post("/accounts/login/", {"username": f"spray{number}", "password": "x"}, REMOTE_ADDR="203.0.113.7")
    response = log_in(client, "leader", address="203.0.113.7")
    assert response.status_code == 429
    assert f"连续 {ADDRESS_LIMIT} 次登录失败" in response.content.decode()
    # The same officer from another desk is not affected.
    assert log_in(client, "leader", address="198.51.100.20").status_code == 302


def test_a_successful_login_clears_the_failures(client, sasac):
    fail(client, "sasac", LIMIT - 1)
    assert log_in(client, "sasac").status_code == 302
    client.logout()
    assert fail(client, "sasac", LIMIT - 1).status_code == 200


def test_the_admin_login_is_locked_too(client):
    User.objects.create_superuser("itadmin", "it@example.com", PASSWORD)
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "itadmin", "password": "wrong"}, REMOTE_ADDR="203.0.113.7")
    response = log_in(client, "itadmin", path="/admin/login/")
    assert response.status_code == 429
    assert "登录已暂停" in response.content.decode()


def test_logins_logouts_and_failures_are_recorded_with_time_user_and_address(client, sasac):
    before = timezone.now()
    fail(client, "sasac", 1, address="203.0.113.7")
    log_in(client, "sasac", address="198.51.100.20")
    client.post("/accounts/logout/", REMOTE_ADDR="198.51.100.20")

    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address) == ("sasac", "203.0.113.7")
    assert failure.attempt_time >= before
    login = AccessLog.objects.get()
    assert (login.username, login.ip_address) == ("sasac", "198.51.100.20")
    assert login.attempt_time >= before and login.logout_time >= login.attempt_time


def test_it_reads_the_login_audit_in_the_admin(client, sasac):
    fail(client, "sasac", 1)
    admin = User.objects.create_superuser("itadmin", "it@example.com", PASSWORD)
    client.force_login(admin)
    for page in ("/admin/axes/accesslog/", "/admin/axes/accessfailurelog/", "/admin/axes/accessattempt/"):
        response = client.get(page)
        assert response.status_code == 200, page
    assert "203.0.113.7" in client.get("/admin/axes/accessfailurelog/").content.decode()


def test_the_address_comes_from_the_proxy_header_only_when_one_is_configured(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.20")
    assert security.client_ip(request) == "10.0.0.2"
    with override_settings(CLIENT_IP_HEADER="X-Real-IP"):
        assert security.client_ip(request) == "198.51.100.20"


def test_a_session_lasts_the_idle_time_not_two_weeks(client, sasac):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 <= 2 * 60 * 60
    response = log_in(client, "sasac")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert remaining <= datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_idle_session_ends_and_the_next_page_asks_to_sign_in(client, sasac):
    log_in(client, "sasac")
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_active_session_is_kept_alive(client, sasac, monkeypatch):
    log_in(client, "sasac")
    first_expiry = Session.objects.get().expire_date
    later = security.time.time() + 120
    monkeypatch.setattr(security.time, "time", lambda: later)
    Session.objects.update(expire_date=first_expiry - datetime.timedelta(minutes=5))
    assert client.get("/").status_code == 200
    assert Session.objects.get().expire_date > first_expiry - datetime.timedelta(minutes=1)
