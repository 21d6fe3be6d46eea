"""Accessibility in a real browser: axe-core finds no serious or critical violation on the main pages,
the report form works by keyboard alone, and the Content-Security-Policy blocks nothing the pages need.

axe-core comes from the npm registry (package.json devDependencies) and is evaluated into each
page by the test through DevTools, which the page's CSP does not govern.
"""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from progress.models import Milestone, ProgressReport
from progress.services import ledger as services
from progress.services import requests as request_services
from tests import factories
from tests.factories import PASSWORD
from tests.progress.ledger_helpers import last_month, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def ledger(enterprise, liaison, sasac, leader):
    directive = factories.DirectiveFactory(title="推动中小企业上云")
    factories.IndicatorFactory(directive=directive, name="上云中小企业数", unit="家")
    milestone = factories.MilestoneFactory(
        assignment=factories.AssignmentFactory(enterprise=enterprise, directive=directive),
        title="接入卡奥斯平台仓储物流模块",
        start_date=timezone.localdate() - datetime.timedelta(days=120),
        due_date=timezone.localdate() + datetime.timedelta(days=60),
    )
    overdue = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="已逾期的节点",
        start_date=timezone.localdate() - datetime.timedelta(days=200),
        due_date=timezone.localdate() - datetime.timedelta(days=5),
    )
    # A closure request waiting for SASAC: the queue's closure tab and the decision card.
    request_services.request_file(
        milestone=overdue, by=liaison, kind="closure", reason="交付成果已验收", expected_version=overdue.version
    )
    services.report_file(
        milestone=milestone, by=liaison, period=last_month(), progress=40, work_done="完成对接测试",
        at_risk=True, evidence_files=[pdf()],
    )  # fmt: skip
    return milestone


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def serious_violations(page) -> list[dict]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/test.sh (npm ci installs axe-core).")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG + ["best-practice"]
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


PAGES = [
    ("home", "sasac", "/"),
    ("board", "sasac", "/board/"),
    ("charts", "leader", "/charts/"),
    ("workspace", "liaison", "/enterprises/{code}/"),
    ("milestone", "liaison", "/milestones/{milestone}/"),
    ("review-queue", "sasac", "/reviews/"),
    ("review-closures", "sasac", "/reviews/?tab=closures"),
    ("milestone-decision", "sasac", "/milestones/{requested}/"),
    ("closure-form", "liaison", "/milestones/{milestone}/request-closure/"),
    ("report-form", "liaison", "/milestones/{milestone}/reports/new/"),
    ("login", None, "/accounts/login/"),
]


@pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_no_serious_violation(request, page, live_server, ledger, screenshot, name, role, path):
    csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and csp_errors.append(message.text))
    if role:
        sign_in(page, live_server, request.getfixturevalue(role).username)
    requested = Milestone.objects.get(title="已逾期的节点").pk
    page.goto(
        live_server.url + path.format(code=ledger.assignment.enterprise.code, milestone=ledger.pk, requested=requested)
    )
    if name == "charts":
        page.wait_for_selector("#chart-completion .main-svg")
    violations = serious_violations(page)
    screenshot(f"a11y-{name}")
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert csp_errors == []


def test_the_charts_draw_under_the_content_security_policy(page, live_server, leader, ledger):
    csp_errors = []
    page.on("console", lambda message: "Content Security Policy" in message.text and csp_errors.append(message.text))
    sign_in(page, live_server, leader.username)
    page.goto(f"{live_server.url}/charts/")
    page.wait_for_selector("#chart-completion .main-svg")
    assert page.locator(".plotly-graph-div .main-svg").count() >= 3
    assert csp_errors == []
    # A click on a bar still opens the board filtered to its rows (static/js/charts.js); a leader
    # is first offered the board or an instruction (批示) on the bar.
    bar = page.locator("#chart-completion .point path").first.bounding_box()
    page.mouse.click(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] - 3)
    page.locator("#bar-modal [data-bar-board]").click()
    page.wait_for_url(f"**/board/?enterprise={ledger.assignment.enterprise_id}")


def test_a_liaison_files_a_report_by_keyboard_alone(page, live_server, liaison, ledger, screenshot):
    sign_in(page, live_server, liaison.username)
    page.goto(f"{live_server.url}/milestones/{ledger.pk}/")

    def tab_to(predicate: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => {{ const el = document.activeElement; return {predicate}; }}"):
                return
        pytest.fail(f"Tab never reached: {predicate}")

    # From the milestone page to the report form, by keyboard.
    tab_to("el.tagName === 'A' && el.textContent.includes('报送进展')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/reports/new/" in page.url

    tab_to("el.name === 'progress'")
    page.keyboard.press("Control+A")
    page.keyboard.type("55")
    tab_to("el.name === 'work_done'")
    page.keyboard.type("完成仓储模块对接测试(键盘填报)")
    tab_to("el.name === 'at_risk'")
    page.keyboard.press("Space")
    # Focus is always visible: the browser draws an outline or Bootstrap its focus ring.
    assert page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
    )
    tab_to("el.type === 'submit'")
    screenshot("a11y-report-form-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    report = ProgressReport.objects.get(milestone=ledger, work_done="完成仓储模块对接测试(键盘填报)")
    assert (report.progress, report.at_risk) == (55, True)


def test_the_review_queue_shows_a_refusal_beside_its_card(page, live_server, sasac, ledger, screenshot):
    sign_in(page, live_server, sasac.username)
    page.goto(f"{live_server.url}/reviews/")
    card = page.locator("[data-testid=review-item]", has_text=ledger.title)
    card.get_by_role("button", name="退回").click()
    error = card.locator("[data-testid=review-error]")
    error.wait_for()
    assert "退回报送须填写审核意见" in error.inner_text()
    assert page.locator(".alert-danger").count() == 1  # beside the card, not at the top of the page
    screenshot("review-queue-error-beside-card")
    # The card still works: with a comment the report is returned.
    card.locator("textarea[name=comment]").fill("请补充出入库数据截图")
    card.get_by_role("button", name="退回").click()
    page.wait_for_function("() => !document.querySelector('[data-testid=review-error]')")
    assert ProgressReport.objects.get(milestone=ledger).review_state == "returned"
