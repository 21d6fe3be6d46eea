"""Reporting periods: SASAC closes a month; its reports freeze and its ledger exports as it stood, forever."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from enterprises.models import Enterprise
from progress.models import LedgerSnapshot, ProgressReport, ReportingPeriod
from progress.services import ledger as services
from progress.services import requests as request_services
from progress.services.ledger import LedgerError, report_file, report_update
from progress.services.periods import PeriodError, period_close
from tests import factories

pytestmark = pytest.mark.django_db

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = (THIS_MONTH - datetime.timedelta(days=1)).replace(day=1)
MONTH_BEFORE = (LAST_MONTH - datetime.timedelta(days=1)).replace(day=1)
LAST = LAST_MONTH.strftime("%Y-%m")
QUERIES = 6


def cells(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    # Below the title row: the header, then the ledger rows.
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))


def file_report(milestone, *, period, work_done, progress):
    report = factories.ProgressReportFactory(milestone=milestone, period=period, work_done=work_done, progress=progress)
    milestone.latest_report = report
    milestone.progress = progress
    milestone.save()
    return report


@pytest.fixture
def ledger(enterprise, other_enterprise):
    directive = factories.DirectiveFactory(number="二(2)", title="打造垂直领域平台")
    beer = factories.MilestoneFactory(
        assignment=factories.AssignmentFactory(enterprise=enterprise, directive=directive), title="建成酿造平台"
    )
    file_report(beer, period=MONTH_BEFORE, work_done="完成调研", progress=20)
    file_report(beer, period=LAST_MONTH, work_done="完成平台选型", progress=40)
    chem = factories.MilestoneFactory(
        assignment=factories.AssignmentFactory(enterprise=other_enterprise), title="化工平台"
    )
    file_report(chem, period=LAST_MONTH, work_done="化工进展", progress=10)
    return {"beer": beer, "chem": chem}


def test_sasac_closes_a_month_after_confirming(client, sasac, ledger):
    client.force_login(sasac)

    listing = client.get("/periods/")
    assert listing.status_code == 200
    assert f'href="/periods/{LAST}/close/"' in listing.content.decode()
    confirm = client.get(f"/periods/{LAST}/close/")
    assert confirm.status_code == 200
    assert "关账不能撤销" in confirm.content.decode()

    unconfirmed = client.post(f"/periods/{LAST}/close/", {})
    assert unconfirmed.status_code == 400
    assert "请勾选确认后再关账" in unconfirmed.content.decode()
    assert not ReportingPeriod.objects.filter(closed_at__isnull=False).exists()

    response = client.post(f"/periods/{LAST}/close/", {"confirm": "on"}, follow=True)
    assert f"{LAST} 已关账" in response.content.decode()
    period = ReportingPeriod.objects.get(month=LAST_MONTH)
    assert period.closed_at is not None and period.closed_by == sasac
    assert set(LedgerSnapshot.objects.filter(period=period).values_list("enterprise__code", flat=True)) == {
        "qdbeer",
        "qdchem",
    }
    assert f"/ledger.xlsx?period={LAST}" in response.content.decode()


def test_closed_period_export_is_unchanged_after_later_edits(client, sasac, liaison, ledger):
    period_close(month=LAST_MONTH, by=sasac)
    client.force_login(sasac)
    before_all = cells(client.get(f"/ledger.xlsx?period={LAST}"))
    before_beer = cells(client.get(f"/enterprises/qdbeer/ledger.xlsx?period={LAST}"))
    before_csv = client.get(f"/ledger.csv?period={LAST}").content

    beer = ledger["beer"]
    beer.title = "改名后的节点"
    beer.responsible_person = "李娜"
    beer.due_date = beer.due_date + datetime.timedelta(days=30)
    beer.save()
    file_report(beer, period=THIS_MONTH, work_done="本月新进展", progress=70)
    ProgressReport.objects.filter(milestone=ledger["chem"]).update(work_done="事后改写")
    factories.MilestoneFactory(assignment=beer.assignment, title="关账后新增的节点")

    after_all = cells(client.get(f"/ledger.xlsx?period={LAST}"))
    assert after_all == before_all
    assert cells(client.get(f"/enterprises/qdbeer/ledger.xlsx?period={LAST}")) == before_beer
    assert client.get(f"/ledger.csv?period={LAST}").content == before_csv
    live = cells(client.get("/ledger.xlsx"))
    assert live != before_all
    assert [row[3] for row in live[1:]] == ["关账后新增的节点", "改名后的节点", "化工平台"]  # by due date
    client.force_login(liaison)
    assert cells(client.get(f"/enterprises/qdbeer/ledger.xlsx?period={LAST}")) == before_beer


def test_closed_period_ledger_shows_that_months_report_not_a_later_one(client, sasac, ledger):
    file_report(ledger["beer"], period=THIS_MONTH, work_done="本月进展", progress=60)
    period_close(month=LAST_MONTH, by=sasac)
    client.force_login(sasac)

    rows = cells(client.get(f"/enterprises/qdbeer/ledger.xlsx?period={LAST}"))

    assert [row[6] for row in rows[1:]] == ["完成平台选型"]
    assert rows[1][5] == datetime.datetime.combine(ledger["beer"].due_date, datetime.time())


def test_liaison_sees_only_own_enterprise_of_a_closed_period(client, sasac, liaison, ledger):
    period_close(month=LAST_MONTH, by=sasac)
    client.force_login(liaison)

    rows = cells(client.get(f"/enterprises/qdbeer/ledger.xlsx?period={LAST}"))

    assert [row[2] for row in rows[1:]] == ["建成酿造平台"]
    assert client.get(f"/enterprises/qdchem/ledger.xlsx?period={LAST}").status_code == 404
    assert client.get(f"/ledger.xlsx?period={LAST}").status_code == 403


def test_reports_of_a_closed_period_are_frozen(sasac, liaison, ledger):
    period_close(month=LAST_MONTH, by=sasac)
    report = ledger["beer"].reports.get(period=LAST_MONTH)

    with pytest.raises(LedgerError):
        report_update(report=report, by=liaison, expected_version=report.version, work_done="倒签修改")
    other = factories.MilestoneFactory(assignment=ledger["beer"].assignment, title="迟到的节点")
    with pytest.raises(LedgerError):
        report_file(milestone=other, by=liaison, period=LAST_MONTH, progress=10, work_done="补报上月")
    assert ledger["beer"].reports.get(period=LAST_MONTH).work_done == "完成平台选型"


def test_a_month_is_closed_once_and_only_when_over(sasac, ledger):
    period_close(month=LAST_MONTH, by=sasac)

    with pytest.raises(PeriodError, match="已于"):
        period_close(month=LAST_MONTH, by=sasac)
    with pytest.raises(PeriodError, match="尚未结束"):
        period_close(month=THIS_MONTH, by=sasac)
    assert LedgerSnapshot.objects.count() == 2


def test_closing_twice_from_the_page_says_so(client, sasac, ledger):
    period_close(month=LAST_MONTH, by=sasac)
    client.force_login(sasac)

    response = client.post(f"/periods/{LAST}/close/", {"confirm": "on"}, follow=True)

    assert "已于" in response.content.decode()
    assert LedgerSnapshot.objects.count() == 2


def test_period_permissions(client, leader, liaison, ledger):
    client.force_login(leader)
    listing = client.get("/periods/")
    assert listing.status_code == 200
    assert "/close/" not in listing.content.decode()
    assert client.get(f"/periods/{LAST}/close/").status_code == 403
    assert client.post(f"/periods/{LAST}/close/", {"confirm": "on"}).status_code == 403

    client.force_login(liaison)
    assert client.get("/periods/").status_code == 403
    assert client.post(f"/periods/{LAST}/close/", {"confirm": "on"}).status_code == 403
    assert not ReportingPeriod.objects.filter(closed_at__isnull=False).exists()


def test_period_list_counts_reports_and_late_ones(client, sasac, ledger):
    ProgressReport.objects.filter(period=LAST_MONTH, milestone=ledger["chem"]).update(is_late=True)
    client.force_login(sasac)

    page = client.get("/periods/").content.decode()

    row = page[page.index(f'data-month="{LAST}"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="text-end">2</td>' in row
    assert '<td class="text-end">1</td>' in row


def test_period_list_query_count_is_pinned(client, sasac, ledger, django_assert_num_queries):
    client.force_login(sasac)
    client.get("/periods/")
    for month in (LAST_MONTH, MONTH_BEFORE):
        ReportingPeriod.objects.get_or_create(month=month)
    period_close(month=MONTH_BEFORE, by=sasac)

    # session, user, profile, base.html's unread count, periods with who closed them, report counts;
    # the decision queue counts are cached under the ledger's stamp (here the test transaction's own
    # pending one: no query; served, one primary-key read)
    with django_assert_num_queries(QUERIES):
        client.get("/periods/")


def test_closing_message_names_the_month_as_year_dash_month(client, sasac, ledger):
    client.force_login(sasac)
    year = THIS_MONTH.year - 1

    response = client.post(f"/periods/{year}-1/close/", {"confirm": "on"}, follow=True)

    assert f"{year}-01 已关账" in response.content.decode()


def test_a_closed_month_exports_cell_for_cell_the_same_after_every_kind_of_later_change(
    client, sasac, liaison, enterprise, ledger
):
    """Decisions after the close (a report accepted, an extension granted, a closure verified, a plan
    approved) and new work change today's ledger, never the closed month's file."""
    beer = ledger["beer"]
    waiting = beer.reports.get(period=LAST_MONTH)  # filed, not yet reviewed when the month closes
    beer.reports.filter(period=MONTH_BEFORE).update(review_state="accepted")  # 20 %, accepted
    factories.ProgressReportFactory(milestone=ledger["chem"], period=MONTH_BEFORE, progress=5, review_state="accepted")
    period_close(month=LAST_MONTH, by=sasac)
    client.force_login(sasac)
    urls = [
        f"/ledger.xlsx?period={LAST}",
        f"/ledger.csv?period={LAST}",
        f"/enterprises/qdbeer/ledger.xlsx?period={LAST}",
    ]
    def exported() -> list:
        """Each file as it reads: the CSV byte for byte, the workbooks cell for cell."""
        return [cells(client.get(url)) if ".xlsx" in url else client.get(url).content for url in urls]

    before = exported()
    [row] = cells(client.get(urls[2]))[1:]
    assert row[9] == "进行中(20%;待审核 40%)"
    assert row[11:] == (datetime.datetime.combine(beer.due_date, datetime.time()), 0)

    services.report_accept(report=waiting, by=sasac, expected_version=waiting.version)
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="方案")
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)
    beer.refresh_from_db()
    extension = request_services.request_file(
        milestone=beer,
        by=liaison,
        kind="extension",
        reason="延期",
        changes={"due_date": beer.due_date + datetime.timedelta(days=60)},
        expected_version=beer.version,
    )
    request_services.request_decide(request=extension, by=sasac, approve=True, comment="同意", expected_version=1)
    report_file(milestone=beer, by=liaison, progress=100, work_done="本月完成")
    beer.refresh_from_db()
    services.report_accept(report=beer.latest_report, by=sasac, expected_version=beer.latest_report.version)
    beer.refresh_from_db()
    closure = request_services.request_file(
        milestone=beer, by=liaison, kind="closure", reason="完成", expected_version=beer.version
    )
    request_services.request_decide(request=closure, by=sasac, approve=True, comment="核验通过", expected_version=1)
    factories.MilestoneFactory(assignment=beer.assignment, title="关账后新增的节点")
    Enterprise.objects.filter(pk=enterprise.pk).update(short_name="改名后的企业")

    assert exported() == before
    [live] = [r for r in cells(client.get("/ledger.xlsx"))[1:] if r[3] == "建成酿造平台"]
    assert live[10] == "已销号" and live[13] == 1  # today's ledger moved on
    client.cookies["django_language"] = "en"
    english = cells(client.get(urls[2]))
    assert english[0][9] == "Completion" and english[1][9] == "In progress (20%; pending 40%)"
