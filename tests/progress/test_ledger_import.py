"""Ledger import: a liaison uploads an .xlsx in the ledger layout; one bad row and nothing is imported."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progress.exports import build_xlsx
from progress.models import ImplementationPlan, Milestone, PlanStatus, ProgressReport, ReminderRule
from progress.selectors.ledger_rows import sheet_layout
from progress.services import ledger as ledger_services
from progress.services.ledger import LedgerError
from progress.services.ledger_import import _parse_progress, ledger_import, read_ledger_file
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/enterprises/qdbeer/ledger/import/"


def ledger_file(*rows, name="台账.xlsx") -> SimpleUploadedFile:
    """An .xlsx in the enterprise layout, as a liaison fills in the template."""
    content = build_xlsx(sheet_title="台账", rows=rows, **sheet_layout(with_enterprise=False))
    return SimpleUploadedFile(name, content)


def row(
    directive="二(2)",
    title="建成酿造平台",
    role="牵头",
    person="张伟",
    due=datetime.date(2021, 6, 30),
    work_done="",
    problems="",
    next_steps="",
    status="",
):
    return (None, directive, title, role, person, due, work_done, problems, next_steps, status, None)


@pytest.fixture
def assignments(enterprise, other_enterprise):
    own = factories.AssignmentFactory(
        enterprise=enterprise, directive=factories.DirectiveFactory(number="二(2)", title="打造垂直领域平台")
    )
    participating = factories.AssignmentFactory(
        enterprise=enterprise,
        role="participating",
        directive=factories.DirectiveFactory(number="三(1)", title="中小企业上云"),
    )
    foreign = factories.AssignmentFactory(
        enterprise=other_enterprise, directive=factories.DirectiveFactory(number="四(1)", title="新基建投资")
    )
    return {"own": own, "participating": participating, "foreign": foreign}


def test_liaison_imports_milestones_and_reports(client, liaison, assignments):
    client.force_login(liaison)
    upload = ledger_file(
        row(work_done="完成平台选型", problems="资金到位慢", next_steps="试运行", status="进行中(40%)"),
        row(directive="三(1) 中小企业上云", title="推动 50 家企业上云", role="参与", due="2021/09/30"),
    )

    response = client.post(URL, {"file": upload}, follow=True)

    assert response.redirect_chain[-1][0] == "/enterprises/qdbeer/"
    assert "已导入 2 个时间节点、1 条进展报送。" in response.content.decode()
    platform = Milestone.objects.get(title="建成酿造平台")
    assert platform.assignment == assignments["own"]
    assert platform.due_date == datetime.date(2021, 6, 30)
    assert platform.responsible_person == "张伟"
    # The imported report waits for SASAC's review like any other: its figure counts once accepted.
    assert (platform.progress, platform.latest_report.progress, platform.latest_review_state) == (0, 40, "pending")
    report = platform.reports.get()
    assert (report.work_done, report.problems, report.next_steps, report.progress) == (
        "完成平台选型",
        "资金到位慢",
        "试运行",
        40,
    )
    assert report.submitted_by == liaison
    assert platform.latest_report == report
    cloud = Milestone.objects.get(title="推动 50 家企业上云")
    assert cloud.assignment == assignments["participating"]
    assert cloud.due_date == datetime.date(2021, 9, 30)
    assert not cloud.reports.exists()
    assert platform.history.first().history_user == liaison


def test_one_bad_row_imports_nothing_and_names_that_row(client, liaison, assignments):
    client.force_login(liaison)
    upload = ledger_file(
        row(title="好的一行"),
        row(title="坏的一行", person="", due="明年", status="150%", work_done="进展"),
        row(title="另一好行", directive="三(1)", role="参与"),
    )

    response = client.post(URL, {"file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert "没有任何数据被导入" in page
    assert "第 3 行:" in page
    assert "责任人未填写" in page
    assert "时间节点“明年”不是有效日期" in page
    assert "完成状态应为 0–100 的整数进度" in page
    assert "第 2 行" not in page and "第 4 行" not in page
    assert not Milestone.objects.exists()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (row(directive="四(1)"), "任务来源“四(1)”不是本企业承担的任务"),
        (row(directive="九(9)"), "任务来源“九(9)”不是本企业承担的任务"),
        (row(directive=""), "任务来源(条款)未填写"),
        (row(title=""), "工作任务未填写"),
        (row(role="参与"), "牵头/参与应为“牵头”"),
        (row(due=None), "时间节点未填写"),
        (row(status="40%"), "未填写进展情况"),
        (row(work_done="有进展", status="12.5%"), "完成状态应为 0–100 的整数进度"),
        (row(person="很长的名字" * 11), "责任人超过 50 字"),
    ],
)
def test_each_check_rejects_the_file(client, liaison, assignments, bad, message):
    client.force_login(liaison)

    response = client.post(URL, {"file": ledger_file(bad)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Milestone.objects.exists()


def test_duplicate_of_an_existing_milestone_or_earlier_row_is_refused(client, liaison, assignments):
    factories.MilestoneFactory(assignment=assignments["own"], title="已有节点")
    client.force_login(liaison)

    response = client.post(URL, {"file": ledger_file(row(title="已有节点"), row(title="新节点"), row(title="新节点"))})

    page = response.content.decode()
    assert "第 2 行:该任务下已有同名时间节点“已有节点”" in page
    assert "第 4 行:与本文件中前面的行重复" in page
    assert Milestone.objects.count() == 1


def test_a_refusal_half_way_rolls_back_every_row(client, liaison, assignments, monkeypatch):
    """The services refuse something the pre-check could not see (e.g. the period closed meanwhile)."""
    real = ledger_services.report_file
    calls = []

    def refuse_second(**kwargs):
        calls.append(kwargs["milestone"].title)
        if len(calls) == 2:
            raise LedgerError("报送期已关账")
        return real(**kwargs)

    monkeypatch.setattr("progress.services.ledger_import.report_file", refuse_second)
    client.force_login(liaison)

    response = client.post(
        URL, {"file": ledger_file(row(title="一", work_done="进展"), row(title="二", work_done="进展"))}
    )

    assert response.status_code == 400
    assert "报送期已关账" in response.content.decode()
    assert calls == ["一", "二"]
    assert not Milestone.objects.exists()
    assert not ProgressReport.objects.exists()


def test_wrong_file_type_or_layout_is_refused(client, liaison, assignments):
    client.force_login(liaison)

    not_xlsx = client.post(URL, {"file": SimpleUploadedFile("台账.csv", b"a,b\n")})
    garbage = client.post(URL, {"file": SimpleUploadedFile("台账.xlsx", b"not a zip")})
    workbook = openpyxl.Workbook()
    workbook.active.append(["名称", "日期"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    wrong_header = client.post(URL, {"file": SimpleUploadedFile("台账.xlsx", buffer.getvalue())})
    empty = client.post(URL, {"file": ledger_file()})

    assert "请上传 .xlsx 格式的文件" in not_xlsx.content.decode()
    assert "无法读取该文件" in garbage.content.decode()
    assert "表头与台账模板不一致" in wrong_header.content.decode()
    assert "文件中没有台账行" in empty.content.decode()
    assert not Milestone.objects.exists()


def test_exported_ledger_of_another_enterprise_row_cannot_be_imported(client, liaison, sasac, assignments):
    """A liaison cannot smuggle milestones into another enterprise's assignment."""
    client.force_login(liaison)

    response = client.post(URL, {"file": ledger_file(row(directive="四(1) 新基建投资"))})

    assert response.status_code == 400
    assert not Milestone.objects.exists()


def test_template_downloads_and_filled_template_imports(client, liaison, assignments):
    client.force_login(liaison)
    template = client.get("/enterprises/qdbeer/ledger/template.xlsx")
    assert template.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]][:3] == ["序号", "任务来源(条款)", "工作任务"]
    assert sheet.max_row == 1
    sheet.append([1, "二(2)", "从模板导入", "牵头", "李娜", datetime.date(2021, 12, 31), "完成设计", "", "", 30, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = client.post(URL, {"file": SimpleUploadedFile("模板.xlsx", buffer.getvalue())})

    assert response.status_code == 302
    milestone = Milestone.objects.get(title="从模板导入")
    assert milestone.latest_report.progress == 30
    assert milestone.responsible_person == "李娜"


@pytest.mark.parametrize("status", [35, "35", "35%", "进行中(35%)", 0.35])
def test_progress_is_read_as_typed_in_excel(client, liaison, assignments, status):
    client.force_login(liaison)

    response = client.post(URL, {"file": ledger_file(row(work_done="有进展", status=status))})

    assert response.status_code == 302
    assert Milestone.objects.get().latest_report.progress == 35


def test_sasac_may_import_for_any_enterprise(client, sasac, assignments):
    client.force_login(sasac)

    response = client.post("/enterprises/qdchem/ledger/import/", {"file": ledger_file(row(directive="四(1)"))})

    assert response.status_code == 302
    assert Milestone.objects.get().assignment == assignments["foreign"]


def test_import_page_permissions(client, liaison, other_liaison, leader, assignments):
    client.force_login(liaison)
    page = client.get(URL)
    assert page.status_code == 200
    assert "二(2) 打造垂直领域平台" in page.content.decode()  # the enterprise's directives are listed

    client.force_login(other_liaison)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"file": ledger_file(row())}).status_code == 404

    client.force_login(leader)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": ledger_file(row())}).status_code == 403
    assert not Milestone.objects.exists()


def test_a_cell_formatted_as_100_percent_reads_as_100_not_1(client, liaison, assignments):
    """Excel stores 100% as 1 (and 40% as 0.4); the percentage the user sees is what counts."""
    client.force_login(liaison)
    workbook = openpyxl.load_workbook(io.BytesIO(ledger_file(row(work_done="已完成", status=1)).read()))
    workbook.active.cell(row=2, column=10).number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = client.post(URL, {"file": SimpleUploadedFile("台账.xlsx", buffer.getvalue())})

    assert response.status_code == 302
    assert Milestone.objects.get().latest_report.progress == 100


@pytest.mark.parametrize(("value", "expected"), [(1.0, 100), (0.4, 40), (1, 1), (40, 40)])
def test_a_fraction_up_to_one_reads_as_a_percentage(value, expected):
    assert _parse_progress(value) == expected


def _import_queries(enterprise, liaison, count: int) -> int:
    rows = read_ledger_file(
        enterprise=enterprise,
        file=ledger_file(*(row(title=f"节点{count}-{n}", work_done="有进展", status=40) for n in range(count))),
    ).rows
    assert len(rows) == count
    with CaptureQueriesContext(connection) as captured:
        ledger_import(enterprise=enterprise, by=liaison, rows=rows, source_name="台账.xlsx")
    return len(captured)


def test_import_into_an_approved_plan_records_one_revision_and_bounded_queries(enterprise, liaison, assignments):
    plan = ImplementationPlan.objects.create(enterprise=enterprise, title="实施方案", status=PlanStatus.APPROVED)
    ReminderRule.objects.create()

    one = _import_queries(enterprise, liaison, 1)
    three = _import_queries(enterprise, liaison, 3)
    five = _import_queries(enterprise, liaison, 5)

    plan.refresh_from_db()
    assert plan.revision == 3  # one revision per import, not per row
    assert plan.history.filter(history_change_reason__contains="台账导入").count() == 3
    per_row = (five - three) // 2
    assert five - three == three - one == 2 * per_row  # the plan and the deadline are read once per import
    assert per_row <= 22  # the milestone and its report, filed through the services (was 26 with a revision per row)


def test_workspace_offers_import_to_whoever_may_import(client, liaison, sasac, leader, assignments):
    for user, offered in ((liaison, True), (sasac, True), (leader, False)):
        client.force_login(user)
        page = client.get("/enterprises/qdbeer/").content.decode()
        assert (URL in page) is offered, user
