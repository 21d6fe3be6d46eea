"""Ledger export: an enterprise's 台账 and the all-SOE ledger, read back as the offices open them."""

import csv
import datetime
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.utils import timezone

from progress.exports import build_csv, build_xlsx, file_response
from progress.models import MilestoneStatus
from tests import factories

pytestmark = pytest.mark.django_db

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
    "原定时间节点",
    "延期次数",
]


def read_xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def add_milestone(
    enterprise, *, directive=None, title, due, report_text=None, progress=40, review_state="accepted", **kwargs
):
    """A milestone of ``enterprise``; with ``report_text``, its report at ``progress``, reviewed as ``review_state``."""
    assignment = factories.AssignmentFactory(enterprise=enterprise, **({"directive": directive} if directive else {}))
    milestone = factories.MilestoneFactory(
        assignment=assignment,
        title=title,
        due_date=due,
        start_date=due - datetime.timedelta(days=90),
        progress=progress if review_state == "accepted" else 0,
        **kwargs,
    )
    if report_text:
        report = factories.ProgressReportFactory(
            milestone=milestone,
            progress=progress,
            work_done=report_text,
            problems="资金到位慢",
            next_steps="上线试运行",
            review_state=review_state,
        )
        milestone.latest_report = report
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


def test_liaison_downloads_own_ledger_as_xlsx_in_office_layout(client, liaison, ledger):
    client.force_login(liaison)
    response = client.get("/enterprises/qdbeer/ledger.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = read_xlsx(response)
    rows = values(sheet)
    assert list(rows[0]) == HEADERS
    assert [row[2] for row in rows[1:]] == ["建成酿造工业互联网平台", "中小企业上云"]
    first = rows[1]
    assert first[0] == 1
    assert first[1] == "二(2) 打造垂直领域平台"
    assert first[3] == "牵头"
    assert first[4] == "张伟"
    assert first[6:9] == ("完成平台选型", "资金到位慢", "上线试运行")
    assert first[9] == "进行中(40%)"
    assert first[11:] == (datetime.datetime(2021, 6, 30), 0)  # the original commitment, no extension
    assert rows[2][6] is None  # no report yet: the row is there, its report cells empty


def test_a_figure_waiting_for_review_is_marked_as_such_beside_the_accepted_one(client, liaison, enterprise):
    add_milestone(
        enterprise, title="待审核的节点", due=datetime.date(2021, 6, 30), report_text="新进展", progress=60,
        review_state="pending",
    )
    client.force_login(liaison)
    [row] = values(read_xlsx(client.get("/enterprises/qdbeer/ledger.xlsx")))[1:]
    assert row[9] == "进行中(0%;待审核 60%)"


def test_an_extended_milestone_shows_its_original_due_date_and_extensions(client, sasac, enterprise):
    add_milestone(
        enterprise, title="延期的节点", due=datetime.date(2021, 9, 30), original_due_date=datetime.date(2021, 6, 30),
        extension_count=2,
    )
    client.force_login(sasac)
    [row] = values(read_xlsx(client.get("/enterprises/qdbeer/ledger.xlsx")))[1:]
    assert (row[5], row[11], row[12]) == (datetime.datetime(2021, 9, 30), datetime.datetime(2021, 6, 30), 2)


def test_exported_ledger_has_frozen_header_widths_and_real_dates(client, liaison, ledger):
    client.force_login(liaison)
    sheet = read_xlsx(client.get("/enterprises/qdbeer/ledger.xlsx"))

    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"  # printed, each page repeats the header
    assert sheet.page_setup.orientation == "landscape"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["C"].width == 32
    assert sheet.column_dimensions["G"].width == 48
    due = sheet["F2"]
    assert due.is_date and due.value == datetime.datetime(2021, 6, 30)
    assert due.number_format == "yyyy-mm-dd"
    updated = sheet["K2"]
    assert updated.is_date
    expected = timezone.localtime(ledger["filed"].latest_report.updated_at).replace(tzinfo=None, microsecond=0)
    assert abs(updated.value - expected) <= datetime.timedelta(seconds=1)


def test_ledger_csv_has_bom_so_excel_reads_chinese(client, liaison, ledger):
    client.force_login(liaison)
    response = client.get("/enterprises/qdbeer/ledger.csv")

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
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
    titles = [row[2] for row in values(read_xlsx(client.get("/enterprises/qdchem/ledger.xlsx")))[1:]]

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
    add_milestone(
        enterprise,
        title="低于百分之百销号的节点",
        due=datetime.date(2021, 3, 31),
        status=MilestoneStatus.CLOSED,
        closed_at=timezone.now(),
        progress=80,
    )
    client.force_login(sasac)
    rows = values(read_xlsx(client.get("/enterprises/qdbeer/ledger.xlsx")))

    # Closing never rewrites the progress: a closure below 100 % says so.
    assert [row[9] for row in rows[1:]] == ["已销号", "已撤销", "已销号(80%)"]


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
    with django_assert_num_queries(5):  # and the enterprise
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
    assert build_csv(headers=["a"], rows=[("=1+1",), ("-2",)]).decode("utf-8-sig").splitlines()[1:] == [
        "'=1+1",
        "'-2",
    ]


def test_writer_keeps_numbers_dates_and_cleans_control_characters():
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
        "ab<&>",
    ]
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"


def test_file_response_for_csv():
    response = file_response(b"x", filename="台账.csv", kind="csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=utf-8''%E5%8F%B0%E8%B4%A6.csv" in response["Content-Disposition"]
