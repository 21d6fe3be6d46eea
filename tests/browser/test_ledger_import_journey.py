"""The monthly ledger in Excel, as a liaison does it: export, fill in, import, preview, commit; SASAC reviews."""

import datetime
import shutil

import openpyxl
import pytest
from django.utils import timezone

from progress.models import ProgressReport, ReviewState
from progress.selectors.ledger_form import COLUMN_INDEX
from progress.services import ledger as services
from tests.factories import PASSWORD, AssignmentFactory, DirectiveFactory, MilestoneFactory
from tests.libreoffice import convert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER_ROW = 3


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def ledger(enterprise, liaison, sasac):
    assignment = AssignmentFactory(
        enterprise=enterprise, directive=DirectiveFactory(number="二(2)", title="打造垂直领域平台")
    )
    last_month = (this_month() - datetime.timedelta(days=1)).replace(day=1)
    milestones = []
    for n in range(8):
        milestone = MilestoneFactory(
            assignment=assignment,
            title=f"酿造平台第{n + 1}项工作",
            start_date=timezone.localdate() - datetime.timedelta(days=120),
            due_date=timezone.localdate() + datetime.timedelta(days=60 + n),
        )
        report = services.report_file(
            milestone=milestone, by=liaison, period=last_month, progress=20 + n, work_done=f"上月第{n + 1}项进展"
        )
        services.report_accept(report=report, by=sasac, expected_version=report.version)
        milestones.append(milestone)
    return milestones


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def upload(page, live_server, code, path):
    page.goto(f"{live_server.url}/enterprises/{code}/ledger/import/")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()


def test_liaison_fills_in_the_month_in_excel_and_sasac_gets_five_reports(
    page, browser, live_server, enterprise, liaison, sasac, ledger, tmp_path, screenshot
):
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, liaison.username)
    page.goto(f"{live_server.url}/enterprises/{enterprise.code}/")
    assert "本月待报送" in page.locator("[data-testid=due-this-month]").inner_text()

    # Export the month's ledger from the workspace.
    with page.expect_download() as download:
        page.get_by_role("link", name="导出台账").click()
    exported = tmp_path / "exported.xlsx"
    download.value.save_as(exported)

    # Fill it in: five progress cells and one text; then save it as an office program would.
    workbook = openpyxl.load_workbook(exported)
    sheet = workbook.active
    lines = {sheet.cell(row, 1).value: row for row in range(HEADER_ROW + 1, sheet.max_row + 1)}
    for n, milestone in enumerate(ledger[:5]):
        sheet.cell(lines[milestone.pk], COLUMN_INDEX["progress"] + 1).value = 50 + n
    sheet.cell(lines[ledger[0].pk], COLUMN_INDEX["work_done"] + 1).value = "酿造平台一期上线试运行"
    edited = tmp_path / "edited" / "台账.xlsx"
    edited.parent.mkdir()
    workbook.save(edited)
    filled = convert(edited, "xlsx:Calc MS Excel 2007 XML", tmp_path / "saved")

    # Import: the preview says what will happen, and nothing is filed yet.
    upload(page, live_server, enterprise.code, filled)
    assert page.locator("[data-testid=count-reports]").inner_text() == "5"
    assert page.locator("[data-testid=count-unchanged]").inner_text() == "3"
    assert page.locator("[data-testid=count-refused]").inner_text() == "0"
    assert "酿造平台一期上线试运行" in page.locator("[data-testid=ledger-import-reports]").inner_text()
    assert not ProgressReport.objects.filter(period=this_month()).exists()
    screenshot("ledger-import-preview")

    # Commit: five reports for the month, waiting in SASAC's queue.
    page.locator("[data-testid=ledger-import-commit]").click()
    page.wait_for_url(f"{live_server.url}/enterprises/{enterprise.code}/")
    assert "报送 5 条进展" in page.content()
    filed = ProgressReport.objects.filter(period=this_month())
    assert filed.count() == 5
    assert set(filed.values_list("review_state", flat=True)) == {ReviewState.PENDING}
    assert filed.get(milestone=ledger[0]).work_done == "酿造平台一期上线试运行"
    screenshot("ledger-import-done")

    reviewer = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    sign_in(reviewer, live_server, sasac.username)
    reviewer.goto(f"{live_server.url}/reviews/")
    queue = reviewer.locator("[data-testid=review-item]")
    assert queue.count() == 5
    assert all(f"酿造平台第{n + 1}项工作" in reviewer.content() for n in range(5))
    reviewer.context.close()

    # The same file again: nothing to import, nothing happens.
    again = tmp_path / "again.xlsx"
    shutil.copy(filled, again)
    upload(page, live_server, enterprise.code, again)
    assert page.locator("[data-testid=count-reports]").inner_text() == "0"
    assert "没有需要导入的内容" in page.locator("[data-testid=ledger-import-nothing]").inner_text()
    assert page.locator("[data-testid=ledger-import-commit]").count() == 0
    assert ProgressReport.objects.filter(period=this_month()).count() == 5
    screenshot("ledger-import-again")


def test_a_hostile_file_is_refused_at_once_with_a_message(page, live_server, enterprise, liaison, ledger, tmp_path):
    from tests.progress.hostile_files import declared_whole_sheet

    content, message = declared_whole_sheet()
    hostile = tmp_path / "台账.xlsx"
    hostile.write_bytes(content)
    sign_in(page, live_server, liaison.username)

    upload(page, live_server, enterprise.code, hostile)

    assert message in page.locator("[data-testid=ledger-import-errors]").inner_text()
    assert page.locator("[data-testid=ledger-import-commit]").count() == 0
    assert not ProgressReport.objects.filter(period=this_month()).exists()
