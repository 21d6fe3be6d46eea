"""How the API answers whatever it is sent: JSON errors, session with CSRF, a rate limit per token,
and its OpenAPI document at /api/v1/openapi.json."""

import json
import socket
import uuid

import pytest
from django.core.cache import caches
from django.test import Client
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from progress.models import ProgressReport

pytestmark = pytest.mark.django_db


def test_unknown_path_under_the_api_is_a_json_404(api_as, sasac):
    response = api_as(sasac).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "接口地址不存在。"


def test_wrong_method_is_a_json_405(api_as, sasac):
    response = api_as(sasac).delete("/api/v1/reports/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_malformed_json_is_a_400(api_as, liaison, milestone):
    response = api_as(liaison).post(
        f"/api/v1/milestones/{milestone.pk}/reports/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_errors_speak_english_when_asked(api_as, sasac):
    response = api_as(sasac).get("/api/v1/milestones/", {"health": "purple"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"].startswith("Health (health): Select a valid choice.")


def test_anonymous_caller_is_told_to_authenticate(db):
    response = APIClient().get("/api/v1/milestones/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_user_without_a_role_is_refused(api_as):
    from tests import factories

    response = api_as(factories.UserFactory(username="nobody")).get("/api/v1/enterprises/")
    assert response.status_code == 403
    assert "尚未分配角色" in response.json()["detail"]


def test_browser_session_reads_and_writes_with_its_csrf_token(liaison, milestone):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(liaison)
    assert browser.get("/api/v1/me/").json()["token"] is None
    body = json.dumps({"progress": 50, "work_done": "页面试用"})
    url = f"/api/v1/milestones/{milestone.pk}/reports/"

    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not ProgressReport.objects.exists()

    browser.get("/api/v1/docs/")  # the docs page sets the CSRF cookie and carries the token
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_each_token_has_its_own_rate_limit(api_as, liaison, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/minute"}}
    first, second = api_as(liaison), api_as(liaison)
    for _ in range(3):
        assert first.get("/api/v1/me/").status_code == 200

    limited = first.get("/api/v1/me/")

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["code"] == "throttled"
    assert second.get("/api/v1/me/").status_code == 200


def test_rate_limit_counts_in_redis_across_processes(api_as, liaison, settings, redis_url):
    """Production counts in Redis, which every web process shares."""
    prefix = f"qdsasac-api-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": prefix},
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "2/minute"}}
    api = api_as(liaison)
    try:
        assert [api.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
        import redis

        assert redis.Redis.from_url(redis_url).keys(f"{prefix}:*")
    finally:
        import redis

        connection = redis.Redis.from_url(redis_url)
        for key in connection.scan_iter(f"{prefix}:*"):
            connection.delete(key)


def test_a_dead_rate_limit_store_does_not_take_the_api_down(api_as, liaison, settings):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "api": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    assert api_as(liaison).get("/api/v1/me/").status_code == 200
    assert caches["api"]  # still configured: the next request tries again


def test_openapi_document_is_served_at_its_exact_path_and_is_valid(db):
    response = APIClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.content)
    validate_schema(document)
    paths = document["paths"]
    for path in [
        "/api/v1/summary/",
        "/api/v1/enterprises/",
        "/api/v1/directives/",
        "/api/v1/assignments/",
        "/api/v1/milestones/",
        "/api/v1/milestones/{milestone_id}/reports/",
        "/api/v1/reports/{report_id}/",
        "/api/v1/reports/{report_id}/accept/",
        "/api/v1/notifications/",
    ]:
        assert path in paths
    assert set(document["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
    board_filters = {p["name"] for p in paths["/api/v1/milestones/"]["get"]["parameters"]}
    assert {"q", "enterprise", "sector", "category", "directive", "health", "status", "due_from", "due_to"} <= (
        board_filters
    )
    assert {"at_risk", "sort", "page", "per_page"} <= board_filters
    post = paths["/api/v1/milestones/{milestone_id}/reports/"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"400", "401", "403", "404", "409", "429"} <= set(post["responses"])


def test_api_root_says_where_the_document_and_docs_are(db):
    body = APIClient().get("/api/v1/").json()
    assert body["openapi"].endswith("/api/v1/openapi.json")
    assert body["docs"].endswith("/api/v1/docs/")
    assert body["tokens"].endswith("/api/tokens/")


def test_docs_page_needs_a_signed_in_user_with_a_role(client, liaison):
    assert client.get("/api/v1/docs/").status_code == 302
    client.force_login(liaison)
    page = client.get("/api/v1/docs/").content.decode()
    assert 'data-schema-url="/api/v1/openapi.json"' in page
    assert "swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "<script>" not in page and " onclick=" not in page


@pytest.mark.parametrize(("rate", "ok"), [("300/minute", True), ("5/s", True), ("300", False), ("x/minute", False)])
def test_a_malformed_rate_limit_is_refused_at_start(settings, rate, ok):
    from api.checks import check_rate_limit

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": rate}}
    assert [m.id for m in check_rate_limit(None)] == ([] if ok else ["api.E001"])


def test_the_sites_guards_answer_the_api_in_json(api_as, liaison, milestone, settings):
    """A NUL byte in the query and an over-long body are refused before any view, as JSON here."""
    api = api_as(liaison)
    nul = api.get("/api/v1/milestones/?q=a%00b")
    assert nul.status_code == 400 and nul.json()["code"] == "invalid"
    settings.REQUEST_BODY_MAX_BYTES = 1000
    big = api.post(f"/api/v1/milestones/{milestone.pk}/reports/", {"work_done": "x" * 2000}, format="json")
    assert big.status_code == 413 and "超过上限" in big.json()["detail"]
    assert not ProgressReport.objects.exists()


def test_an_unexpected_error_is_a_json_500(api_as, liaison, monkeypatch):
    from api.views import account

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(account, "role_of", broken)
    client = api_as(liaison)
    client.raise_request_exception = False
    response = client.get("/api/v1/me/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_the_docs_page_keeps_the_sites_own_error_page(client):
    from tests import factories

    client.force_login(factories.UserFactory(username="nobody"))
    response = client.get("/api/v1/docs/")
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
