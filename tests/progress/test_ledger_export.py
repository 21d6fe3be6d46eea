"""Ledger export: an enterprise's 台账 and the all-SOE ledger, read back as the offices open them."""

import csv
import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.utils import timezone

from progress.exports import MAX_CELL_CHARACTERS, build_csv, build_xlsx, file_response
from progress.models import Milestone, MilestoneStatus
from progress.xlsx_reader import read_first_sheet
from tests import factories

pytestmark = pytest.mark.django_db

FORM_HEADERS = [
    "编号",
    "任务来源(条款)",
    "工作任务",
    "牵头/参与",
    "责任人",
    "时间节点",
    "状态",
    "本月报送",
    "进度(%)",
    "进展情况",
    "存在问题",
    "下步计划",
    "需协调事项",
    "延期风险",
]
HEADERS = [
    "序号",
    "任务来源(条款)",
    "工作任务",
    "牵头/参与",
    "责任人",
    "时间节点",
    "进展情况",
    "存在问题",
    "下步计划",
    "完成状态",
    "更新时间",
]


def read_xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def values(sheet) -> list[tuple]:
    """The all-SOE ledger below its title row: the header, then the rows."""
    return list(sheet.iter_rows(min_row=2, values_only=True))


def form_values(sheet) -> list[tuple]:
    """The enterprise's reporting form below its title and 填报单位 rows: the header, then the rows."""
    return list(sheet.iter_rows(min_row=3, values_only=True))


def add_milestone(enterprise, *, directive=None, title, due, report_text=None, progress=40, **kwargs):
    assignment = factories.AssignmentFactory(enterprise=enterprise, **({"directive": directive} if directive else {}))
    milestone = factories.MilestoneFactory(
        assignment=assignment, title=title, due_date=due, start_date=due - datetime.timedelta(days=90), **kwargs
    )
    if report_text:
        report = factories.ProgressReportFactory(
            milestone=milestone,
            progress=progress,
            work_done=report_text,
            problems="资金到位慢",
            next_steps="上线试运行",
        )
        milestone.latest_report = report
        milestone.progress = progress
        milestone.save()
    return milestone


@pytest.fixture
def ledger(enterprise, other_enterprise):
    directive = factories.DirectiveFactory(number="二(2)", title="打造垂直领域平台")
    filed = add_milestone(
        enterprise,
        directive=directive,
        title="建成酿造工业互联网平台",
        due=datetime.date(2021, 6, 30),
        report_text="完成平台选型",
    )
    quiet = add_milestone(enterprise, title="中小企业上云", due=datetime.date(2021, 9, 30))
    foreign = add_milestone(
        other_enterprise, title="化工园区平台", due=datetime.date(2021, 3, 31), report_text="化工进展"
    )
    return {"filed": filed, "quiet": quiet, "foreign": foreign}


def test_liaison_downloads_own_ledger_as_the_monthly_reporting_form(client, liaison, ledger):
    client.force_login(liaison)
    response = client.get("/enterprises/qdbeer/ledger.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_xlsx(response)
    rows = form_values(sheet)
    assert list(rows[0]) == FORM_HEADERS
    assert [row[2] for row in rows[1:]] == ["建成酿造工业互联网平台", "中小企业上云"]
    first = rows[1]
    assert first[0] == ledger["filed"].pk  # the key that brings the row back on import
    assert first[1] == "二(2) 打造垂直领域平台"
    assert first[3] == "牵头"
    assert first[4] == "张伟"
    assert first[6] == "进行中"
    assert first[8] == 40
    assert first[9:12] == ("完成平台选型", "资金到位慢", "上线试运行")
    assert rows[2][9] is None  # no report yet: the row is there, its report cells empty


def test_exported_form_has_frozen_header_widths_and_real_dates(client, liaison, ledger):
    client.force_login(liaison)
    sheet = read_xlsx(client.get("/enterprises/qdbeer/ledger.xlsx"))

    assert sheet.freeze_panes == "D4"  # below the header, right of the task
    assert sheet.print_title_rows == "$3:$3"  # printed, each page repeats the header
    assert sheet.page_setup.orientation == "landscape"
    assert sheet["A1"].font.b and sheet["A3"].font.b
    assert sheet.column_dimensions["C"].width == 24
    assert sheet.column_dimensions["J"].width == 36
    due = sheet["F4"]
    assert due.is_date and due.value == datetime.datetime(2021, 6, 30)
    assert due.number_format == "yyyy-mm-dd"


def test_ledger_csv_has_bom_so_excel_reads_chinese(client, liaison, ledger):
    client.force_login(liaison)
    response = client.get("/enterprises/qdbeer/ledger.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == FORM_HEADERS
    assert rows[1][5] == "2021-06-30"
    assert [row[2] for row in rows[1:]] == ["建成酿造工业互联网平台", "中小企业上云"]


def test_download_name_is_chinese_in_rfc5987_form(client, liaison, ledger):
    client.force_login(liaison)
    disposition = client.get("/enterprises/qdbeer/ledger.xlsx")["Content-Disposition"]

    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('青啤示范台账-')}" in disposition


def test_liaison_cannot_export_other_enterprise_ledger(client, liaison, ledger):
    client.force_login(liaison)

    assert client.get("/enterprises/qdchem/ledger.xlsx").status_code == 404
    assert client.get("/enterprises/qdchem/ledger.csv").status_code == 404
    assert client.get("/enterprises/nosuch/ledger.xlsx").status_code == 404


def test_enterprise_export_contains_only_that_enterprise(client, sasac, ledger):
    client.force_login(sasac)
    titles = [row[2] for row in form_values(read_xlsx(client.get("/enterprises/qdchem/ledger.xlsx")))[1:]]

    assert titles == ["化工园区平台"]


def test_all_soe_ledger_for_sasac_and_leader_names_the_enterprise(client, sasac, leader, ledger):
    for user in (sasac, leader):
        client.force_login(user)
        rows = values(read_xlsx(client.get("/ledger.xlsx")))

        assert rows[0][:3] == ("序号", "企业", "任务来源(条款)")
        assert [(row[1], row[3]) for row in rows[1:]] == [
            ("青啤示范", "建成酿造工业互联网平台"),
            ("青啤示范", "中小企业上云"),
            ("化工示范", "化工园区平台"),
        ]
        csv_rows = list(csv.reader(io.StringIO(client.get("/ledger.csv").content.decode("utf-8-sig"))))
        assert len(csv_rows) == 4


def test_liaison_cannot_export_all_soe_ledger(client, liaison, ledger):
    client.force_login(liaison)

    assert client.get("/ledger.xlsx").status_code == 403
    assert client.get("/ledger.csv").status_code == 403


def test_anonymous_user_is_sent_to_login(client, ledger):
    response = client.get("/enterprises/qdbeer/ledger.xlsx")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_closed_withdrawn_milestones_show_their_state(client, sasac, enterprise):
    add_milestone(
        enterprise,
        title="已完成的节点",
        due=datetime.date(2021, 1, 31),
        status=MilestoneStatus.CLOSED,
        closed_at=timezone.now(),
        progress=100,
    )
    add_milestone(
        enterprise,
        title="撤销的节点",
        due=datetime.date(2021, 2, 28),
        status=MilestoneStatus.WITHDRAWN,
        withdrawn_reason="合并",
    )
    client.force_login(sasac)
    rows = form_values(read_xlsx(client.get("/enterprises/qdbeer/ledger.xlsx")))

    assert [row[6] for row in rows[1:]] == ["已销号", "已撤销"]


def soe_row(client, title) -> tuple:
    """The all-SOE ledger's row of the milestone titled ``title``."""
    [row] = [row for row in values(read_xlsx(client.get("/ledger.xlsx")))[1:] if row[3] == title]
    return row


def test_the_all_soe_ledger_shows_the_accepted_figure_and_a_pending_one_as_pending(client, sasac, enterprise):
    due = datetime.date(2021, 6, 30)
    accepted = add_milestone(enterprise, title="已审核的节点", due=due, report_text="旧", progress=30)
    accepted.reports.update(review_state="accepted")
    add_milestone(enterprise, title="待审核的节点", due=datetime.date(2021, 6, 30), report_text="新进展", progress=60)
    Milestone.objects.filter(title="待审核的节点").update(progress=0)  # nothing accepted yet
    client.force_login(sasac)
    assert soe_row(client, "已审核的节点")[10] == "进行中(30%)"
    assert soe_row(client, "待审核的节点")[10] == "进行中(0%;待审核 60%)"


def test_the_all_soe_ledger_shows_the_original_due_date_and_the_extensions(client, sasac, enterprise):
    add_milestone(
        enterprise,
        title="延期的节点",
        due=datetime.date(2021, 9, 30),
        original_due_date=datetime.date(2021, 6, 30),
        extension_count=2,
    )
    client.force_login(sasac)
    header = values(read_xlsx(client.get("/ledger.xlsx")))[0]
    assert header[-2:] == ("原定时间节点", "延期次数")
    row = soe_row(client, "延期的节点")
    assert (row[6], row[12], row[13]) == (datetime.datetime(2021, 9, 30), datetime.datetime(2021, 6, 30), 2)


def test_a_closure_below_100_percent_says_so_in_the_all_soe_ledger(client, sasac, enterprise):
    for title, progress in (("全部完成的节点", 100), ("八成销号的节点", 80)):
        add_milestone(
            enterprise,
            title=title,
            due=datetime.date(2021, 3, 31),
            status=MilestoneStatus.CLOSED,
            closed_at=timezone.now(),
        )
        Milestone.objects.filter(title=title).update(progress=progress)
    client.force_login(sasac)
    # Closing never rewrites the progress.
    assert soe_row(client, "全部完成的节点")[10] == "已销号"
    assert soe_row(client, "八成销号的节点")[10] == "已销号(80%)"


def test_period_of_an_open_month_is_not_found(client, sasac, ledger):
    client.force_login(sasac)

    assert client.get("/ledger.xlsx?period=2021-05").status_code == 404
    assert client.get("/ledger.xlsx?period=not-a-month").status_code == 404


def test_export_query_count_does_not_grow_with_rows(client, sasac, enterprise, django_assert_num_queries):
    for number in range(3):
        add_milestone(enterprise, title=f"节点{number}", due=datetime.date(2021, 6, 1), report_text="进展")
    client.force_login(sasac)
    client.get("/ledger.xlsx")  # warm the session and the role cache

    # session, user, profile, milestones with their latest report
    with django_assert_num_queries(4):
        few = client.get("/ledger.xlsx")
    for number in range(20):
        add_milestone(enterprise, title=f"更多节点{number}", due=datetime.date(2021, 7, 1), report_text="进展")
    with django_assert_num_queries(4):
        many = client.get("/ledger.xlsx")
    # and the enterprise; its milestones with their newest report's id, those reports, their indicator
    # values, the indicators
    with django_assert_num_queries(8):
        client.get("/enterprises/qdbeer/ledger.csv")

    assert len(values(read_xlsx(few))) == 4
    assert len(values(read_xlsx(many))) == 24


# --- the generic writer the board and the ledger share ---


def test_user_text_is_never_written_as_a_formula():
    content = build_xlsx(
        sheet_title="t", headers=["a", "b"], rows=[('=HYPERLINK("http://x")', " 前后空格 ")], column_widths=[10, 10]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active

    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://x")'
    assert sheet["B2"].value == " 前后空格 "
    assert build_csv(headers=["a"], rows=[("=1+1",), ("-2",), (-2,), (Decimal("-3.50"),)]).decode(
        "utf-8-sig"
    ).splitlines()[1:] == ["'=1+1", "'-2", "-2", "-3.50"]  # text is defused; numbers stay numbers


def test_writer_keeps_numbers_and_dates_and_encodes_control_characters():
    content = build_xlsx(
        sheet_title="台账[2021/06]",
        headers=["n", "d", "t", "s"],
        rows=[(3, datetime.date(2021, 6, 30), datetime.datetime(2021, 6, 30, 8, 5), "a\x07b<&>")],
        column_widths=[5, 12, 17, 10],
        date_columns=[1],
        datetime_columns=[2],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active

    assert sheet.title == "台账_2021_06_"
    assert [cell.value for cell in sheet[2]] == [
        3,
        datetime.datetime(2021, 6, 30),
        datetime.datetime(2021, 6, 30, 8, 5),
        "a_x0007_b<&>",  # encoded as OOXML says, not dropped (openpyxl leaves the escape as it is)
    ]
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert read_first_sheet(io.BytesIO(content)).rows[1][1][3] == "a\x07b<&>"


def _read_back(text: str) -> str:
    content = build_xlsx(sheet_title="t", headers=["a"], rows=[(text,)], column_widths=[10])
    return read_first_sheet(io.BytesIO(content)).rows[1][1][0]


@pytest.mark.parametrize(
    "text",
    ["_x0041_ stays as typed", "_x005F_x0041_", "tab\tnew\nline\x00nul\x1fus", "\ufffe", "前后 _x4E2D_ 中"],
)
def test_text_reads_back_exactly_as_written(text):
    assert _read_back(text) == text


def test_a_cell_is_cut_at_excels_limit_and_a_lone_surrogate_does_not_crash():
    assert len(_read_back("长" * 40_000)) == MAX_CELL_CHARACTERS
    assert _read_back("a\ud800b") == "a\ufffdb"
    assert build_csv(headers=["a"], rows=[("a\udfffb",)]).decode("utf-8-sig").splitlines()[1] == "a\ufffdb"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("Infinity")])
def test_nan_and_infinities_are_refused(value):
    with pytest.raises(ValueError):
        build_xlsx(sheet_title="t", headers=["a"], rows=[(value,)], column_widths=[10])
    with pytest.raises(ValueError):
        build_csv(headers=["a"], rows=[(value,)])


def test_file_response_for_csv():
    response = file_response(b"x", filename="台账.csv", kind="csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=utf-8''%E5%8F%B0%E8%B4%A6.csv" in response["Content-Disposition"]


def test_rows_with_long_wrapped_text_are_tall_enough_to_print_it_whole():
    content = build_xlsx(
        sheet_title="t",
        headers=["短", "长"],
        rows=[("一行", "短文本"), ("一行", "进展" * 40), ("一行", "甲\n乙\n丙")],
        column_widths=[10, 20],
        wrapped_columns=[1],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active

    assert sheet.row_dimensions[2].height is None  # one line: the program's own height
    assert sheet.row_dimensions[3].height == 15 * 9  # 160 columns of Chinese text in 19
    assert sheet.row_dimensions[4].height == 15 * 3
