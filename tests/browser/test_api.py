"""The API as a new user meets it: a token made on the page lets a program file a report, and
revoking it shuts the program out; the OpenAPI document opens in the local docs page, under
the site's Content-Security-Policy (no inline script)."""

import datetime
from urllib.parse import urlparse

import pytest
import requests
from django.utils import timezone

from progress.models import ProgressReport
from tests.factories import AssignmentFactory, MilestoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def milestones(enterprise, other_enterprise):
    today = timezone.localdate()
    dates = {"start_date": today - datetime.timedelta(days=30), "due_date": today + datetime.timedelta(days=60)}
    own = MilestoneFactory(assignment=AssignmentFactory(enterprise=enterprise), title="接入卡奥斯平台", **dates)
    other = MilestoneFactory(assignment=AssignmentFactory(enterprise=other_enterprise), title="化工平台", **dates)
    return own, other


def test_token_made_on_the_page_files_a_report_until_it_is_revoked(
    page, live_server, log_in, screenshot, liaison, milestones
):
    own, other = milestones
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(liaison.username, "test-pass-123")

    page.locator("nav .dropdown-toggle", has_text=liaison.username).click()
    page.get_by_role("link", name="API 令牌").click()
    page.fill("input[name=name]", "COSMOPlat 台账同步")
    page.get_by_role("button", name="创建令牌").click()
    key = page.locator("[data-testid=new-token-key]").input_value()
    screenshot("api-token-created")

    program = requests.Session()
    program.headers["Authorization"] = f"Bearer {key}"
    api = f"{live_server.url}/api/v1"
    filed = program.post(f"{api}/milestones/{own.pk}/reports/", json={"progress": 60, "work_done": "接口报送"})
    assert filed.status_code == 201, filed.text
    assert ProgressReport.objects.get().submitted_by == liaison
    refused = program.post(f"{api}/milestones/{other.pk}/reports/", json={"progress": 60, "work_done": "越权"})
    assert refused.status_code == 404
    assert ProgressReport.objects.count() == 1

    page.goto(f"{live_server.url}/api/tokens/")
    assert page.locator("[data-testid=last-used]").inner_text() != "从未使用"
    page.get_by_role("button", name="撤销").click()
    page.wait_for_load_state()
    assert "已撤销令牌“COSMOPlat 台账同步”" in page.content()
    screenshot("api-token-revoked")

    shut_out = program.get(f"{api}/me/")
    assert shut_out.status_code == 401
    assert shut_out.json()["detail"] == "该 API 令牌已撤销。"


def test_docs_page_shows_the_document_from_the_app_alone_under_the_sites_csp(
    page, live_server, log_in, screenshot, liaison, milestones
):
    requested, failed, console = [], [], []
    page.on("request", lambda req: requested.append(req.url))
    page.on("response", lambda res: res.status >= 400 and failed.append(f"{res.status} {res.url}"))
    page.on("console", lambda message: console.append((message.text, message.location.get("url", ""))))

    log_in(liaison.username, "test-pass-123")
    docs = page.goto(f"{live_server.url}/api/v1/docs/")
    policy = docs.headers["content-security-policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    page.locator(".swagger-ui .opblock").first.wait_for()
    page.wait_for_load_state("networkidle")

    assert page.locator(".swagger-ui .info .title").inner_text().startswith("qdsasac API")
    assert page.locator(".swagger-ui .opblock").count() >= 20
    # "Try it out" runs as the signed-in liaison, through the session.
    me = page.locator(".opblock-get", has=page.locator("[data-path='/api/v1/me/']"))
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    me.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
    assert liaison.username in me.locator(".live-responses-table .microlight").first.inner_text()
    screenshot("api-docs")

    host = urlparse(live_server.url).hostname
    assert host == "localhost" or host.startswith("127.")
    outside = [url for url in requested if urlparse(url).scheme in ("http", "https") and urlparse(url).hostname != host]
    assert outside == []
    assert failed == []
    assert [text for text, _where in console if "Content Security Policy" in text] == []
