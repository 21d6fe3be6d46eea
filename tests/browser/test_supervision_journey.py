"""Issue 9's journey in a real browser, as a liaison and a SASAC officer at their own desks live it:
an extension changes nothing until SASAC approves it in the queue; a figure filed counts for leaders
only once accepted; closure is asked for, counted on SASAC's home page, verified with a note and
keeps the real progress; a closed month exports the same file before and after all of it."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from progress.models import Milestone, MilestoneRequest, ProgressReport
from progress.services import ledger as services
from tests.browser.conftest import SCREENSHOTS
from tests.factories import PASSWORD, AssignmentFactory, MilestoneFactory, ProgressReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def committed(enterprise, liaison, sasac):
    """An approved plan; its milestone overdue since yesterday, 20 % accepted last month."""
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="青啤示范实施方案")
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)
    milestone = MilestoneFactory(
        assignment=AssignmentFactory(enterprise=enterprise),
        title="建成酿造工业互联网平台",
        start_date=TODAY - datetime.timedelta(days=120),
        due_date=TODAY - datetime.timedelta(days=1),
        progress=0,
    )
    report = ProgressReportFactory(milestone=milestone, period=LAST_MONTH, progress=20, work_done="完成选型")
    services.report_accept(report=report, by=sasac, expected_version=report.version)
    return Milestone.objects.get(pk=milestone.pk)


@pytest.fixture
def desk(browser):
    """A second person at another desk: their own browser session."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def sign_in(page, live_server, username):
    page.context.clear_cookies()  # whoever sat at this desk before signs out
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def board_progress(page, live_server, milestone) -> str:
    page.goto(f"{live_server.url}/board/")
    row = page.locator("tr", has=page.locator(f'a[href="/milestones/{milestone.pk}/"]'))
    return row.locator("[role=progressbar]").get_attribute("aria-valuenow")


def ledger_of_last_month(page, live_server) -> tuple[bytes, list]:
    month = LAST_MONTH.strftime("%Y-%m")
    csv = page.request.get(f"{live_server.url}/ledger.csv?period={month}").body()
    xlsx = page.request.get(f"{live_server.url}/enterprises/qdbeer/ledger.xlsx?period={month}").body()
    # Below the title row: the header, then the rows.
    return csv, list(openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows(min_row=2, values_only=True))


def desk_screenshot(page, name: str) -> None:
    """The SASAC desk's page as screenshots/<name>.png, for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_requests_decisions_accepted_figures_and_a_frozen_month(
    page, desk, live_server, liaison, sasac, leader, committed, screenshot
):
    milestone, original_due = committed, committed.due_date
    page.on("dialog", lambda dialog: dialog.accept())

    # SASAC closes last month: its ledger is stored as it stands.
    sign_in(desk, live_server, sasac.username)
    desk.goto(f"{live_server.url}/periods/")
    desk.locator(f"tr[data-month='{LAST_MONTH:%Y-%m}']").get_by_role("link", name="关账").click()
    desk.check("input[name=confirm]")
    desk.get_by_role("button", name="确认关账").click()
    desk.wait_for_load_state()
    frozen = ledger_of_last_month(desk, live_server)
    assert frozen[1][1][9] == "进行中(20%)"

    # The liaison asks for an extension: nothing moves until SASAC approves.
    sign_in(page, live_server, liaison.username)
    page.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    page.get_by_role("link", name="申请延期").click()
    new_due = TODAY + datetime.timedelta(days=60)
    page.fill("input[name=due_date]", new_due.isoformat())
    page.fill("textarea[name=reason]", "设备供应商交付推迟两个月")
    page.get_by_role("button", name="提交延期申请").click()
    page.wait_for_load_state()
    assert "延期申请已提交" in page.content()
    assert page.locator("[data-testid=due-dates]").inner_text().startswith(
        f"{milestone.start_date:%Y-%m-%d} — {milestone.due_date:%Y-%m-%d}"
    )
    assert Milestone.objects.get(pk=milestone.pk).due_date == original_due

    # The liaison files this month at 40 %: leaders still see the accepted 20 %.
    page.get_by_role("link", name="报送进展").click()
    page.fill("input[name=progress]", "40")
    page.fill("textarea[name=work_done]", "完成平台部署")
    page.locator("form button[type=submit]", has_text="报送").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    assert page.locator("[data-testid=pending-progress]").inner_text().startswith("待审核 40%")
    sign_in(desk, live_server, leader.username)
    assert board_progress(desk, live_server, milestone) == "20"

    # SASAC decides both from its queue, in one step each.
    sign_in(desk, live_server, sasac.username)
    assert desk.locator("[data-testid=queue-total]").inner_text() == "2"
    desk.goto(f"{live_server.url}/reviews/?tab=requests")
    card = desk.locator("[data-testid=request-card]", has_text=milestone.title)
    card.locator("textarea[name=comment]").fill("同意,请倒排工期")
    card.locator("button.btn-success").click()  # 同意 (不同意 is the other button)
    card.wait_for(state="detached")
    desk.goto(f"{live_server.url}/reviews/?tab=reports")
    desk.locator("[data-testid=review-item]", has_text=milestone.title).get_by_role("button", name="通过").click()
    desk.wait_for_function("() => !document.querySelector('[data-testid=review-item]')")
    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.original_due_date, milestone.extension_count) == (
        new_due,
        original_due,
        1,
    )
    assert board_progress(desk, live_server, milestone) == "40"

    # The liaison asks for closure; SASAC sees it counted on its home page.
    page.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    page.get_by_role("link", name="申请销号").click()
    page.fill("textarea[name=reason]", "平台一期已上线,二期并入新任务")
    page.get_by_role("button", name="提交销号申请").click()
    page.wait_for_load_state()
    screenshot("supervision-liaison-closure-requested")
    desk.goto(f"{live_server.url}/")
    assert desk.locator("[data-queue=closures] .fs-3").inner_text() == "1"
    desk_screenshot(desk, "supervision-sasac-home")

    # No note, no closure; with the note and the reason for 40 %, closed at its real 40 %.
    desk.locator("[data-queue=closures]").click()
    card = desk.locator("[data-testid=request-card]", has_text=milestone.title)
    card.get_by_role("button", name="核实销号").click()
    # Refused: the page reloads to show why, and the request still waits.
    assert "核实销号须填写核验意见" in desk.locator(".alert-danger").inner_text()
    card = desk.locator("[data-testid=request-card]", has_text=milestone.title)
    card.locator("textarea[name=comment]").fill("经现场核验,一期平台运行正常")
    card.locator("textarea[name=shortfall_reason]").fill("二期工作已并入新的时间节点")
    card.get_by_role("button", name="核实销号").click()
    card.wait_for(state="detached")
    desk.goto(f"{live_server.url}/milestones/{milestone.pk}/")
    assert desk.locator("[data-testid=milestone-status]").inner_text().strip() == "已销号"
    assert desk.locator("[data-testid=progress] [role=progressbar]").get_attribute("aria-valuenow") == "40"
    history = desk.locator("[data-testid=history]").inner_text()
    for step in ("同意延期申请:同意,请倒排工期", "核实销号:经现场核验,一期平台运行正常", "采纳"):
        assert step in history
    desk_screenshot(desk, "supervision-milestone-closed")
    assert MilestoneRequest.objects.filter(state="approved").count() == 2
    assert ProgressReport.objects.get(milestone=milestone, period=TODAY.replace(day=1)).review_state == "accepted"

    # The closed month exports exactly as it stood before all of it.
    assert ledger_of_last_month(desk, live_server) == frozen
