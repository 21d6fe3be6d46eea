"""The monthly ledger round trip: export the form, fill it in, upload, preview, commit — all or nothing, once."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from progress.models import (
    ImplementationPlan,
    IndicatorValue,
    LedgerImport,
    Milestone,
    PlanStatus,
    ProgressReport,
    ReminderRule,
    ReportingPeriod,
    ReviewState,
)
from progress.selectors.ledger_form import COLUMN_INDEX
from progress.services import ledger as ledger_services
from progress.services.ledger import LedgerError
from progress.services.ledger_import import ledger_import_commit, ledger_import_prepare, read_ledger_file
from tests import factories
from tests.progress.ledger_helpers import close_milestone

pytestmark = pytest.mark.django_db

EXPORT = "/enterprises/qdbeer/ledger.xlsx"
IMPORT = "/enterprises/qdbeer/ledger/import/"
HEADER_ROW = 3  # title, 填报单位 line, header


def column(name: str) -> int:
    """The 1-based sheet column of a form column."""
    return COLUMN_INDEX[name] + 1


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def last_month() -> datetime.date:
    return (this_month() - datetime.timedelta(days=1)).replace(day=1)


def exported(client) -> openpyxl.Workbook:
    response = client.get(EXPORT)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def row_of(sheet, milestone) -> int:
    for number in range(HEADER_ROW + 1, sheet.max_row + 1):
        if sheet.cell(number, column("key")).value == milestone.pk:
            return number
    raise AssertionError(f"milestone {milestone.pk} is not in the sheet")


def as_upload(workbook, name="台账.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, workbook, **data):
    """Post the file; follow to the preview page. Returns (preview response, LedgerImport)."""
    response = client.post(IMPORT, {"file": as_upload(workbook), **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response["Location"])
    return preview, LedgerImport.objects.latest("pk")


def commit(client, pending):
    return client.post(f"{IMPORT}{pending.token}/commit/", follow=True)


@pytest.fixture
def directive(db):
    return factories.DirectiveFactory(number="二(2)", title="打造垂直领域平台")


@pytest.fixture
def indicator(directive):
    return factories.IndicatorFactory(
        directive=directive, name="上云企业数", unit="家", min_value=Decimal(0), max_value=Decimal(500)
    )


@pytest.fixture
def assignment(enterprise, directive):
    return factories.AssignmentFactory(enterprise=enterprise, directive=directive)


@pytest.fixture
def ledger(assignment, liaison):
    """Eight open milestones, each with last month's accepted report; one closed."""
    start = timezone.localdate() - datetime.timedelta(days=120)
    milestones = []
    for n in range(8):
        milestone = factories.MilestoneFactory(
            assignment=assignment,
            title=f"节点{n}",
            start_date=start,
            due_date=timezone.localdate() + datetime.timedelta(days=90 + n),
        )
        report = ledger_services.report_file(
            milestone=milestone,
            by=liaison,
            period=last_month(),
            progress=10 + n,
            work_done=f"上月进展{n}",
            problems="资金到位慢",
        )
        ledger_services.report_accept(
            report=report, by=factories.sasac_user(username=f"s{n}"), expected_version=report.version
        )
        milestones.append(milestone)
    closed = factories.MilestoneFactory(assignment=assignment, title="已销号节点", start_date=start)
    close_milestone(closed, liaison=liaison, sasac=factories.sasac_user(username="closer"))
    return {"open": milestones, "closed": closed}


def test_export_is_the_monthly_reporting_form_in_office_layout(client, liaison, ledger, indicator):
    client.force_login(liaison)
    sheet = exported(client).active

    assert "青啤示范工业互联网任务推进台账" in sheet["A1"].value
    assert f"{this_month().year} 年 {this_month().month} 月" in sheet["A1"].value
    assert "A1" in [str(merged).split(":")[0] for merged in sheet.merged_cells.ranges]
    info = [cell.value for cell in sheet[2] if cell.value]
    assert [text.split(":")[0] for text in info] == ["填报单位", "填报人", "联系电话", "填报日期"]
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    assert headers[:3] == ["编号", "任务来源(条款)", "工作任务"]
    assert "进度(%)" in headers and "进展情况" in headers
    assert headers[-2:] == ["指标1", "数值1"]  # a slot per indicator of the row's task
    assert sheet.freeze_panes == "D4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.column_dimensions["J"].width >= 30  # 进展情况 fits Chinese text
    # Read-only columns are shaded; the editable ones are not.
    first = row_of(sheet, ledger["open"][0])
    assert sheet.cell(first, len(headers) - 1).value == "上云企业数(家)"
    assert sheet.cell(first, len(headers) - 1).fill.fgColor.rgb == "FFE7E6E6"
    assert sheet.cell(first, column("due_date")).fill.fgColor.rgb == "FFE7E6E6"
    assert sheet.cell(first, column("work_done")).fill.patternType is None
    # It shows last month's report to start from.
    assert sheet.cell(first, column("work_done")).value == "上月进展0"
    assert sheet.cell(first, column("progress")).value == 10
    validations = {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}
    progress_letter = openpyxl.utils.get_column_letter(column("progress"))
    assert validations[progress_letter].type == "whole"
    assert (validations[progress_letter].formula1, validations[progress_letter].formula2) == ("0", "100")
    risk_letter = openpyxl.utils.get_column_letter(column("at_risk"))
    assert validations[risk_letter].type == "list" and validations[risk_letter].formula1 == '"是,否"'


def test_five_changed_rows_are_filed_for_the_month_and_wait_for_review(client, liaison, ledger):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    for n, milestone in enumerate(ledger["open"][:5]):
        sheet.cell(row_of(sheet, milestone), column("progress")).value = 50 + n
    sheet.cell(row_of(sheet, ledger["open"][0]), column("work_done")).value = "完成平台一期上线"

    preview, pending = upload(client, workbook)

    page = preview.content.decode()
    assert preview.status_code == 200
    assert ProgressReport.objects.filter(period=this_month()).count() == 0  # the preview files nothing
    assert pending.plan["unchanged"] == 4  # three open rows and the closed one
    assert len(pending.plan["reports"]) == 5
    assert "完成平台一期上线" in page and 'data-testid="ledger-import-commit"' in page

    done = commit(client, pending)

    assert "报送 5 条进展" in done.content.decode()
    filed = ProgressReport.objects.filter(period=this_month()).order_by("milestone__title")
    assert [(r.milestone.title, r.progress, r.review_state) for r in filed] == [
        (f"节点{n}", 50 + n, ReviewState.PENDING) for n in range(5)
    ]
    first = filed[0]
    assert first.work_done == "完成平台一期上线"
    assert filed[1].work_done == "上月进展1" and filed[1].problems == "资金到位慢"  # started from last month
    assert first.submitted_by == liaison
    client.force_login(factories.sasac_user(username="reviewer"))
    queue = client.get("/reviews/").content.decode()
    assert all(f"节点{n}" in queue for n in range(5))


def test_importing_the_same_file_again_changes_nothing(client, liaison, ledger):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    sheet.cell(row_of(sheet, ledger["open"][2]), column("progress")).value = "60%"
    _preview, pending = upload(client, workbook)
    commit(client, pending)
    reports = ProgressReport.objects.count()
    history = ProgressReport.history.count()

    preview, again = upload(client, workbook)

    assert again.plan["reports"] == [] and again.plan["milestones"] == []
    assert "没有需要导入的内容" in preview.content.decode()
    assert 'data-testid="ledger-import-commit"' not in preview.content.decode()
    commit(client, again)
    assert ProgressReport.objects.count() == reports
    assert ProgressReport.history.count() == history


def test_a_preview_commits_only_once(client, liaison, ledger):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    sheet.cell(row_of(sheet, ledger["open"][0]), column("progress")).value = 70
    _preview, pending = upload(client, workbook)
    commit(client, pending)

    second = commit(client, pending)

    assert second.status_code == 404
    assert ProgressReport.objects.filter(period=this_month()).count() == 1


def test_changing_this_months_pending_report_updates_it(client, liaison, ledger):
    milestone = ledger["open"][3]
    report = ledger_services.report_file(milestone=milestone, by=liaison, progress=30, work_done="本月初稿")
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    line = row_of(sheet, milestone)
    assert sheet.cell(line, column("work_done")).value == "本月初稿"
    assert sheet.cell(line, column("review_state")).value == "待审核"
    sheet.cell(line, column("work_done")).value = "本月定稿"

    _preview, pending = upload(client, workbook)
    commit(client, pending)

    report.refresh_from_db()
    assert report.work_done == "本月定稿"
    assert ProgressReport.objects.filter(milestone=milestone).count() == 2


def test_an_accepted_report_of_the_month_is_refused_with_its_row(client, liaison, sasac, ledger):
    milestone = ledger["open"][4]
    report = ledger_services.report_file(milestone=milestone, by=liaison, progress=30, work_done="已审")
    ledger_services.report_accept(report=report, by=sasac, expected_version=report.version)
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    line = row_of(sheet, milestone)
    sheet.cell(line, column("progress")).value = 90

    preview, pending = upload(client, workbook)

    assert f"第 {line} 行:本月报送已审核通过,不能再修改。" in preview.content.decode()
    assert 'data-testid="ledger-import-commit"' not in preview.content.decode()
    assert commit(client, pending).status_code == 200
    report.refresh_from_db()
    assert report.progress == 30


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (150, "进度(%):150 不在 0–100 的整数范围内"),
        ("-5%", "进度(%):“-5%”不是 0–100 的整数进度"),
        (12.5, "进度(%):12.5 不在 0–100 的整数范围内"),
        ("四成", "进度(%):“四成”不是 0–100 的整数进度"),
    ],
)
def test_a_bad_progress_cell_is_refused_with_row_and_column(client, liaison, ledger, value, message):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    line = row_of(sheet, ledger["open"][1])
    sheet.cell(line, column("progress")).value = value
    sheet.cell(row_of(sheet, ledger["open"][2]), column("progress")).value = 40  # a good row

    preview, pending = upload(client, workbook)

    assert f"第 {line} 行 {message}" in preview.content.decode()
    assert 'data-testid="ledger-import-commit"' not in preview.content.decode()
    commit(client, pending)
    assert not ProgressReport.objects.filter(period=this_month()).exists()  # all or nothing


def test_a_cell_formatted_as_percent_reads_as_the_user_sees_it(client, liaison, ledger):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    cell = sheet.cell(row_of(sheet, ledger["open"][0]), column("progress"))
    cell.value, cell.number_format = 1, "0%"

    _preview, pending = upload(client, workbook)
    commit(client, pending)

    assert ProgressReport.objects.get(period=this_month()).progress == 100


def test_sasac_columns_are_not_imported_and_say_how_to_ask(client, liaison, ledger):
    milestone = ledger["open"][0]
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    line = row_of(sheet, milestone)
    sheet.cell(line, column("due_date")).value = datetime.date(2099, 12, 31)
    sheet.cell(line, column("status")).value = "已销号"
    sheet.cell(line, column("title")).value = "改过的名称"
    sheet.cell(line, column("review_state")).value = "已通过"

    preview, pending = upload(client, workbook)

    page = preview.content.decode()
    assert f"第 {line} 行 时间节点:时间节点由国资委确定,导入时不修改;如需延期" in page
    assert f"第 {line} 行 状态:状态由国资委确定" in page
    assert f"第 {line} 行 工作任务:该列为只读" in page
    assert f"第 {line} 行 本月报送:本月报送的审核状态由国资委审核决定" in page
    assert pending.plan["reports"] == []  # nothing else changed
    commit(client, pending)
    milestone.refresh_from_db()
    assert (milestone.title, milestone.status) == ("节点0", "open")
    assert milestone.due_date != datetime.date(2099, 12, 31)


def test_a_closed_milestone_row_is_refused_only_when_changed(client, liaison, ledger):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    line = row_of(sheet, ledger["closed"])

    _preview, unchanged = upload(client, workbook)
    sheet.cell(line, column("work_done")).value = "想再报一次"
    preview, _changed = upload(client, workbook)

    assert unchanged.plan["refused"] == []
    assert f"第 {line} 行:该时间节点已销号,不能再报送进展。" in preview.content.decode()


def test_keys_of_another_enterprise_or_repeated_are_refused(client, liaison, ledger, other_milestone):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    line = row_of(sheet, ledger["open"][0])
    sheet.cell(line, column("key")).value = other_milestone.pk
    sheet.cell(line, column("progress")).value = 99
    second = row_of(sheet, ledger["open"][1])
    sheet.cell(second, column("key")).value = ledger["open"][2].pk

    preview, _pending = upload(client, workbook)

    page = preview.content.decode()
    assert f"第 {line} 行 编号:“{other_milestone.pk}”不是本企业的时间节点编号" in page
    assert "编号相同" in page
    assert not ProgressReport.objects.filter(milestone=other_milestone).exists()


def test_rows_without_a_key_add_milestones_with_their_report(client, liaison, ledger, indicator):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    new = sheet.max_row + 1
    values = {
        "directive": "二(2)",
        "title": "新增:建成酿造平台",
        "responsible_person": "张伟",
        "due_date": "2027/6/30",
        "progress": 20,
        "work_done": "完成选型",
        "at_risk": "是",
    }
    for name, value in values.items():
        sheet.cell(new, column(name)).value = value
    name_column = [cell.value for cell in sheet[HEADER_ROW]].index("指标1") + 1
    sheet.cell(new, name_column).value = "上云企业数(家)"
    sheet.cell(new, name_column + 1).value = 120

    preview, pending = upload(client, workbook)
    assert "新增:建成酿造平台" in preview.content.decode()
    commit(client, pending)

    milestone = Milestone.objects.get(title="新增:建成酿造平台")
    assert milestone.due_date == datetime.date(2027, 6, 30)
    report = milestone.reports.get()
    assert (report.progress, report.work_done, report.at_risk, report.period) == (20, "完成选型", True, this_month())
    assert IndicatorValue.objects.get(report=report).value == Decimal("120.00")


def test_the_same_new_row_uploaded_twice_and_both_previews_confirmed_adds_it_once(client, liaison, ledger):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    new = sheet.max_row + 1
    values = {"directive": "二(2)", "title": "新增:建成酿造平台", "responsible_person": "张伟", "due_date": "2027/6/30"}
    for name, value in values.items():
        sheet.cell(new, column(name)).value = value
    _, first = upload(client, workbook)
    _, second = upload(client, workbook)  # a second tab, before the first was confirmed

    commit(client, first)
    page = commit(client, second).content.decode()

    assert "已有同名时间节点" in page
    assert Milestone.objects.filter(title="新增:建成酿造平台").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_date", "1999-12-31", "时间节点:日期 1999-12-31 不在 2000–2100 年之间"),
        ("due_date", datetime.date(2101, 1, 1), "时间节点:日期 2101-01-01 不在 2000–2100 年之间"),
        ("due_date", "明年", "时间节点:“明年”不是有效日期"),
        ("directive", "九(9)", "任务来源(条款):“九(9)”不是本企业承担的任务"),
        ("responsible_person", "", "责任人:未填写"),
        ("at_risk", "也许", "延期风险:请填写“是”或“否”"),
    ],
)
def test_a_new_row_with_a_bad_cell_is_refused(client, liaison, ledger, field, value, message):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    new = sheet.max_row + 1
    values = {"directive": "二(2)", "title": "新节点", "responsible_person": "李娜", "due_date": "2027-06-30"}
    values[field] = value
    for name, cell_value in values.items():
        sheet.cell(new, column(name)).value = cell_value or None

    preview, _pending = upload(client, workbook)

    assert f"第 {new} 行 {message}" in preview.content.decode()
    assert not Milestone.objects.filter(title="新节点").exists()


def test_indicator_values_are_checked_strictly(client, liaison, ledger, indicator):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    value_column = [cell.value for cell in sheet[HEADER_ROW]].index("数值1") + 1
    lines = [row_of(sheet, milestone) for milestone in ledger["open"][:6]]
    for line, value in zip(lines, ["-5", "600", "1.234", "1,200"], strict=False):
        sheet.cell(line, value_column).value = value
    sheet.cell(lines[4], value_column - 1).value = "别的指标(个)"
    sheet.cell(lines[4], value_column).value = 3
    sheet.cell(lines[5], value_column - 1).value = None
    sheet.cell(lines[5], value_column).value = 4

    preview, _pending = upload(client, workbook)

    page = preview.content.decode()
    assert f"第 {lines[0]} 行 上云企业数(家):-5 不在 0.00–500.00 之间" in page
    assert f"第 {lines[1]} 行 上云企业数(家):600 不在 0.00–500.00 之间" in page
    assert f"第 {lines[2]} 行 上云企业数(家):1.234 最多保留两位小数" in page
    assert f"第 {lines[3]} 行 上云企业数(家):1,200 不在 0.00–500.00 之间" in page
    assert f"第 {lines[4]} 行 指标1:“别的指标(个)”不是本行任务的指标" in page
    assert f"第 {lines[5]} 行 数值1:没有对应的指标名称" in page


def test_a_refusal_by_the_services_rolls_back_every_row(client, liaison, ledger, monkeypatch):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    for milestone in ledger["open"][:3]:
        sheet.cell(row_of(sheet, milestone), column("progress")).value = 77
    _preview, pending = upload(client, workbook)
    real, calls = ledger_services.report_file, []

    def refuse_second(**kwargs):
        calls.append(kwargs["milestone"].pk)
        if len(calls) == 2:
            raise LedgerError("报送期已关账")
        return real(**kwargs)

    monkeypatch.setattr("progress.services.ledger_import.report_file", refuse_second)
    response = commit(client, pending)

    assert "没有任何数据被导入" in response.content.decode() and "报送期已关账" in response.content.decode()
    assert not ProgressReport.objects.filter(period=this_month()).exists()
    pending.refresh_from_db()
    assert pending.committed_at is None  # the claim rolled back too


def test_a_month_closed_between_preview_and_commit_imports_nothing(client, liaison, sasac, ledger):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    sheet.cell(row_of(sheet, ledger["open"][0]), column("progress")).value = 66
    _preview, pending = upload(client, workbook)
    ReportingPeriod.objects.create(month=this_month(), closed_at=timezone.now(), closed_by=sasac)

    response = commit(client, pending)

    assert "报送期已关账" in response.content.decode()
    assert ProgressReport.objects.filter(progress=66).count() == 0


def test_a_preview_belongs_to_its_user_and_enterprise_and_expires(client, liaison, ledger, enterprise):
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    sheet.cell(row_of(sheet, ledger["open"][0]), column("progress")).value = 55
    _preview, pending = upload(client, workbook)

    colleague = factories.liaison_user(enterprise, username="liaison-qdbeer-2")
    client.force_login(colleague)
    assert client.get(f"{IMPORT}{pending.token}/").status_code == 404
    assert client.post(f"{IMPORT}{pending.token}/commit/").status_code == 404

    client.force_login(liaison)
    LedgerImport.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.post(f"{IMPORT}{pending.token}/commit/").status_code == 404
    assert not ProgressReport.objects.filter(period=this_month()).exists()


def test_only_the_enterprises_liaison_may_import(client, other_liaison, leader, sasac, ledger):
    for user, status in ((other_liaison, 404), (leader, 403), (sasac, 403)):
        client.force_login(user)
        assert client.get(IMPORT).status_code == status, user
        assert client.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", b"PK")}).status_code == status, user
    assert not LedgerImport.objects.exists()


def test_wrong_file_type_or_layout_gets_a_clear_message(client, liaison, ledger):
    client.force_login(liaison)

    not_xlsx = client.post(IMPORT, {"file": SimpleUploadedFile("台账.csv", b"a,b\n")})
    workbook = openpyxl.Workbook()
    workbook.active.append(["名称", "日期"])
    wrong_header, _pending = upload(client, workbook)
    garbage = client.post(IMPORT, {"file": SimpleUploadedFile("台账.xlsx", b"not a zip")}, follow=True)

    assert "请上传 .xlsx 格式的文件" in not_xlsx.content.decode()
    assert "找不到台账的表头" in wrong_header.content.decode()
    assert "不是 .xlsx 格式的 Excel 工作簿" in garbage.content.decode()
    assert not ProgressReport.objects.filter(period=this_month()).exists()


def test_an_english_export_comes_back(client, liaison, ledger):
    client.cookies["django_language"] = "en"
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    assert sheet.cell(HEADER_ROW, 1).value != "编号"
    sheet.cell(row_of(sheet, ledger["open"][0]), column("progress")).value = 45

    _preview, pending = upload(client, workbook)

    assert len(pending.plan["reports"]) == 1


def test_import_into_an_approved_plan_records_one_revision(client, liaison, enterprise, ledger):
    plan = ImplementationPlan.objects.create(enterprise=enterprise, title="实施方案", status=PlanStatus.APPROVED)
    client.force_login(liaison)
    workbook = exported(client)
    sheet = workbook.active
    for offset in (1, 2):
        new = sheet.max_row + offset
        for name, value in {
            "directive": "二(2)",
            "title": f"新{offset}",
            "responsible_person": "王",
            "due_date": "2027-01-31",
        }.items():
            sheet.cell(new, column(name)).value = value

    preview, pending = upload(client, workbook)
    assert "将作为一次方案修订记录在案" in preview.content.decode()
    commit(client, pending)

    plan.refresh_from_db()
    assert plan.revision == 1
    assert Milestone.objects.filter(title__startswith="新").count() == 2


def _bulk_ledger(assignment, count: int) -> None:
    start = timezone.localdate() - datetime.timedelta(days=30)
    Milestone.objects.bulk_create(
        Milestone(
            assignment=assignment,
            title=f"批量{count}-{n}",
            start_date=start,
            due_date=start + datetime.timedelta(days=365),
            original_due_date=start + datetime.timedelta(days=365),
            responsible_person="赵",
        )
        for n in range(count)
    )


def _queries(enterprise, liaison, assignment, count: int) -> tuple[int, int]:
    _bulk_ledger(assignment, count)
    from progress.exports import build_xlsx
    from progress.selectors.ledger_form import ledger_form, sheet

    form = ledger_form(Milestone.objects.all(), enterprise=enterprise, period=this_month())
    workbook = openpyxl.load_workbook(io.BytesIO(build_xlsx(**sheet(form, enterprise=enterprise, user=liaison))))
    for number in range(HEADER_ROW + 1, workbook.active.max_row + 1):
        workbook.active.cell(number, column("progress")).value = 30
        workbook.active.cell(number, column("work_done")).value = "有进展"
    file = as_upload(workbook)
    with CaptureQueriesContext(connection) as reading:
        pending, plan = ledger_import_prepare(
            enterprise=enterprise, user=liaison, file=file, file_name="a.xlsx", period=this_month()
        )
    assert len(plan.reports) == count
    with CaptureQueriesContext(connection) as committing:
        ledger_import_commit(pending=pending, by=liaison)
    return len(reading), len(committing)


def test_reading_takes_a_fixed_number_of_queries_and_filing_a_fixed_number_per_row(enterprise, liaison, assignment):
    ReminderRule.objects.create()
    read_two, commit_two = _queries(enterprise, liaison, assignment, 2)
    read_six, commit_six = _queries(enterprise, liaison, assignment, 6)
    assert read_two == read_six  # bulk reads: no per-row lookups
    per_row = (commit_six - commit_two) / 4
    assert per_row == int(per_row) and per_row <= 20  # the services' own writes of one report


def test_reading_writes_nothing(enterprise, liaison, ledger):
    before = (Milestone.objects.count(), ProgressReport.objects.count())
    content = openpyxl.Workbook()
    buffer = io.BytesIO()
    content.save(buffer)
    plan = read_ledger_file(enterprise=enterprise, user=liaison, file=buffer, period=this_month())
    assert plan.errors
    assert (Milestone.objects.count(), ProgressReport.objects.count()) == before


def test_workspace_offers_import_to_the_liaison_only(client, liaison, sasac, leader, ledger):
    for user, offered in ((liaison, True), (sasac, False), (leader, False)):
        client.force_login(user)
        page = client.get("/enterprises/qdbeer/").content.decode()
        assert (IMPORT in page) is offered, user


def test_control_characters_and_nul_in_text_are_stored_safely(client, liaison, enterprise, ledger):
    """PostgreSQL refuses NUL in text: it is dropped; other control characters survive the round trip."""
    from progress.exports import build_xlsx
    from progress.selectors.ledger_form import ledger_form, sheet

    form = ledger_form(Milestone.objects.all(), enterprise=enterprise, period=this_month())
    layout = sheet(form, enterprise=enterprise, user=liaison)
    rows = [list(row) for row in layout["rows"]]
    target = next(row for row in rows if row[COLUMN_INDEX["key"]] == ledger["open"][0].pk)
    target[COLUMN_INDEX["work_done"]] = "第一段\x00\x07第二段 _x0041_"
    client.force_login(liaison)

    response = client.post(IMPORT, {"file": SimpleUploadedFile("台账.xlsx", build_xlsx(**{**layout, "rows": rows}))})
    pending = LedgerImport.objects.get()
    client.post(f"{IMPORT}{pending.token}/commit/")

    assert response.status_code == 302
    report = ProgressReport.objects.get(period=this_month())
    assert report.work_done == "第一段\x07第二段 _x0041_"


def test_last_months_form_files_last_months_reports_while_it_is_open(client, liaison, ledger):
    milestone = ledger["open"][6]
    ProgressReport.objects.filter(milestone=milestone).delete()
    Milestone.objects.filter(pk=milestone.pk).update(latest_report=None)
    client.force_login(liaison)
    response = client.get(f"{EXPORT}?month={last_month():%Y-%m}")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert f"{last_month().year} 年 {last_month().month} 月" in sheet["A1"].value
    assert sheet.title.endswith(f"{last_month():%Y-%m}")
    line = row_of(sheet, milestone)
    sheet.cell(line, column("progress")).value = 15
    sheet.cell(line, column("work_done")).value = "补报上月"

    wrong, _pending = upload(client, workbook)  # this month chosen, last month's sheet
    assert f"这是 {last_month():%Y-%m} 的台账,与所选报送期 {this_month():%Y-%m} 不一致" in wrong.content.decode()
    _preview, pending = upload(client, workbook, period=f"{last_month():%Y-%m}")
    commit(client, pending)

    assert milestone.reports.get().period == last_month()


def test_the_form_of_a_closed_or_future_month_is_not_offered(client, liaison, sasac, ledger):
    ReportingPeriod.objects.create(month=last_month(), closed_at=timezone.now(), closed_by=sasac)
    next_month = (this_month() + datetime.timedelta(days=32)).replace(day=1)
    client.force_login(liaison)

    assert client.get(f"{EXPORT}?month={last_month():%Y-%m}").status_code == 404
    assert client.get(f"{EXPORT}?month={next_month:%Y-%m}").status_code == 404
    page = client.get(IMPORT).content.decode()
    assert f"?month={this_month():%Y-%m}" in page and f"?month={last_month():%Y-%m}" not in page
