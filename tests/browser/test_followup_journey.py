"""The follow-up journey in a real browser: a leader instructs from a chart bar, SASAC turns it into
a supervision order, the liaison signs and answers with evidence, SASAC closes it, the leader sees
it done, and SASAC drafts the month's circular."""

import datetime

import pytest
from django.utils import timezone

from progress.models import Circular, Instruction, OrderStatus, SupervisionOrder
from tests.factories import PASSWORD, AssignmentFactory, MilestoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence and the circular's files go to a private temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def milestone(enterprise):
    return MilestoneFactory(
        assignment=AssignmentFactory(enterprise=enterprise),
        title="建成5G全连接工厂",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
        due_date=timezone.localdate() - datetime.timedelta(days=5),
        progress=30,
    )


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_leader_instructs_from_a_chart_bar_and_sees_it_carried_out(
    page, live_server, leader, sasac, liaison, milestone, tmp_path, screenshot
):
    page.on("dialog", lambda dialog: dialog.accept())

    # The leader clicks the enterprise's bar on the completion chart and instructs on it.
    sign_in(page, live_server, leader.username)
    page.goto(f"{live_server.url}/charts/")
    bar = page.locator('[data-testid="chart-completion"] .point path').first
    bar.wait_for()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 3)
    page.locator("#bar-modal").wait_for(state="visible")
    screenshot("followup-01-leader-bar")
    page.get_by_test_id("bar-instruct").click()
    page.wait_for_load_state()
    page.fill("textarea[name=text]", "请青啤示范加快5G项目进度,月底前报送整改措施")
    page.get_by_role("button", name="提交批示").click()
    page.wait_for_load_state()
    instruction = Instruction.objects.get()
    assert instruction.enterprise == milestone.assignment.enterprise
    assert f"enterprise={milestone.assignment.enterprise_id}" in instruction.selection

    # SASAC turns it into a numbered order for the enterprise.
    sign_in(page, live_server, sasac.username)
    page.goto(f"{live_server.url}/instructions/{instruction.pk}/")
    page.get_by_role("link", name="转督办单").click()
    page.wait_for_load_state()
    page.check(f"input[name=milestones][value='{milestone.pk}']")
    page.fill("input[name=contact_phone]", "0532-85911234")
    screenshot("followup-02-sasac-order-form")
    page.get_by_test_id("order-issue").click()
    page.wait_for_load_state()
    order = SupervisionOrder.objects.get()
    assert order.number in page.content()
    screenshot("followup-03-order-issued")

    # The liaison signs for it and answers with evidence.
    evidence = tmp_path / "整改措施.txt"
    evidence.write_text("一、加快设备安装;二、月底前完成验收。", encoding="utf-8")
    sign_in(page, live_server, liaison.username)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.get_by_test_id("order-sign").click()
    page.wait_for_load_state()
    page.fill("textarea[name=text]", "已制定整改措施,设备本月安装完毕")
    page.set_input_files("input[name=evidence]", str(evidence))
    page.get_by_test_id("order-answer-submit").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED
    screenshot("followup-04-liaison-answered")

    # SASAC closes the order and then the instruction.
    sign_in(page, live_server, sasac.username)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.get_by_test_id("order-close").click()
    page.wait_for_load_state()
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    page.goto(f"{live_server.url}/instructions/{instruction.pk}/")
    page.fill("form[action$='/close/'] textarea[name=text]", "企业已落实整改措施")
    page.locator("form[action$='/close/'] button[type=submit]").click()
    page.wait_for_load_state()

    # The leader sees it done, with the enterprise's answer.
    sign_in(page, live_server, leader.username)
    page.goto(f"{live_server.url}/instructions/")
    card = page.locator('[data-testid="instruction"]').first
    assert "已办结" in card.inner_text()
    assert "设备本月安装完毕" in card.inner_text()
    screenshot("followup-05-leader-done")

    # SASAC drafts the month's circular.
    sign_in(page, live_server, sasac.username)
    page.goto(f"{live_server.url}/circulars/")
    page.select_option("select[name=kind]", "month")
    page.fill("input[name=month]", timezone.localdate().strftime("%Y-%m"))
    page.get_by_test_id("circular-draft").click()
    page.wait_for_load_state()
    circular = Circular.objects.get()
    assert circular.docx and circular.pdf
    assert page.get_by_test_id("circular-docx").is_visible()
    screenshot("followup-06-circular-draft")
