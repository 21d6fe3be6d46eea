"""The ledger journey in a real browser: report with a PDF, returned, corrected, accepted, closure asked
for and verified."""

import datetime

import pytest
from django.utils import timezone

from progress.models import Milestone, ProgressReport
from tests.factories import PASSWORD, AssignmentFactory, MilestoneFactory
from tests.progress.ledger_helpers import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def milestone(enterprise):
    return MilestoneFactory(
        assignment=AssignmentFactory(enterprise=enterprise),
        title="接入卡奥斯平台仓储物流模块",
        start_date=timezone.localdate() - datetime.timedelta(days=60),
        due_date=timezone.localdate() + datetime.timedelta(days=60),
        progress=30,
    )


@pytest.fixture
def second_page(browser):
    """A second person at another desk: their own browser session."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_report_is_returned_corrected_accepted_and_the_milestone_closed(
    page, second_page, live_server, liaison, sasac, milestone, other_liaison, tmp_path, screenshot
):
    pdf = tmp_path / "进展说明.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.on("dialog", lambda dialog: dialog.accept())
    second_page.on("dialog", lambda dialog: dialog.accept())

    # The liaison files this month's report with a PDF.
    sign_in(page, live_server, liaison.username)
    page.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    page.get_by_role("link", name="报送进展").click()
    page.fill("input[name=progress]", "45")
    page.fill("textarea[name=work_done]", "完成仓储模块对接测试")
    page.set_input_files("input[name=evidence]", str(pdf))
    page.locator("form button[type=submit]", has_text="报送").click()
    page.wait_for_load_state()
    report = ProgressReport.objects.get(milestone=milestone)
    assert report.evidence.count() == 1

    # SASAC returns it with a comment from the review queue.
    sign_in(second_page, live_server, sasac.username)
    second_page.goto(f"{live_server.url}/reviews/")
    card = second_page.locator("[data-testid=review-item]", has_text=milestone.title)
    card.locator("textarea[name=comment]").fill("请补充出入库数据截图")
    card.get_by_role("button", name="退回").click()
    second_page.wait_for_function(
        "() => !document.body.innerText.includes('接入卡奥斯平台仓储物流模块')", timeout=10_000
    )
    report.refresh_from_db()
    assert report.review_state == "returned"

    # The liaison sees the comment in the workspace and corrects the report.
    page.goto(f"{live_server.url}/enterprises/{liaison.profile.enterprise.code}/")
    assert "请补充出入库数据截图" in page.locator("[data-testid=returned-reports]").inner_text()
    page.get_by_role("link", name="修改并重新报送").click()
    page.fill("textarea[name=work_done]", "完成仓储模块对接测试,已补充出入库数据截图")
    page.locator("form button[type=submit]", has_text="保存并报送").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.review_state == "pending"

    # SASAC accepts it; the liaison asks for closure; SASAC verifies it with a note.
    second_page.goto(f"{live_server.url}/reviews/")
    second_page.locator("[data-testid=review-item]", has_text=milestone.title).get_by_role(
        "button", name="通过"
    ).click()
    second_page.wait_for_function("() => !document.querySelector('[data-testid=review-item]')")
    page.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    page.get_by_role("link", name="申请销号").click()
    page.fill("textarea[name=reason]", "仓储模块已上线运行")
    page.get_by_role("button", name="提交销号申请").click()
    page.wait_for_load_state()
    second_page.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    second_page.fill("textarea[name=comment]", "经核验,出入库数据完整")
    second_page.fill("textarea[name=shortfall_reason]", "剩余工作并入二期")
    second_page.get_by_role("button", name="核实销号").click()
    second_page.wait_for_load_state()
    assert Milestone.objects.get(pk=milestone.pk).status == "closed"
    assert Milestone.objects.get(pk=milestone.pk).progress == 45  # closing never rewrites the progress
    report.refresh_from_db()
    assert report.review_state == "accepted"

    # The history shows every step, and the page says the milestone is closed.
    second_page.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    assert second_page.locator("[data-testid=milestone-status]").inner_text().strip() == "已销号"
    history = second_page.locator("[data-testid=history]").inner_text()
    for step in ("已退回", "已通过", "已销号"):
        assert step in history
    screenshot("journey-milestone-closed")

    # Another enterprise's liaison cannot open this milestone, its report or its evidence.
    page.context.clear_cookies()
    sign_in(page, live_server, other_liaison.username)
    evidence = report.evidence.get()
    for path in (f"/milestones/{milestone.pk}/", f"/reports/{report.pk}/edit/", f"/evidence/{evidence.pk}/"):
        assert page.goto(f"{live_server.url}{path}").status == 404
