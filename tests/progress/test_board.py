"""The progress board: SASAC filters every SOE's milestones, shares the URL and exports exactly those rows."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from directives.models import Category
from progress.filters import MilestoneFilter
from progress.health import health_of
from progress.models import Milestone
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def page_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'href="/milestones/(\d+)/"', response.content.decode())]


def xlsx_ids(response) -> list[int]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]


def csv_ids(response) -> list[int]:
    reader = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    next(reader)
    return [int(row[-1]) for row in reader]


@pytest.fixture
def ledger(enterprise, other_enterprise):
    """Two SOEs (beer, chemicals), milestones of every health, two categories of directive."""
    infra = factories.DirectiveFactory(category=Category.NEW_INFRASTRUCTURE, number="三(1)", title="新基建投资")
    platform = factories.DirectiveFactory(category=Category.VERTICAL_PLATFORM, number="二(1)", title="垂直平台")
    measure = factories.DirectiveFactory(category=Category.VERTICAL_PLATFORM, number="二(1)1", parent=platform)
    beer_infra = factories.AssignmentFactory(enterprise=enterprise, directive=infra)
    chem_infra = factories.AssignmentFactory(enterprise=other_enterprise, directive=infra)
    chem_measure = factories.AssignmentFactory(enterprise=other_enterprise, directive=measure)
    m = {}
    m["red"] = factories.MilestoneFactory(
        assignment=chem_infra, title="数据中心选址", start_date=TODAY - 90 * DAY, due_date=TODAY - DAY, progress=50
    )
    m["yellow"] = factories.MilestoneFactory(
        assignment=chem_measure,
        title="平台上线",
        start_date=TODAY - 10 * DAY,
        due_date=TODAY + 3 * DAY,
        progress=90,
        responsible_person="李娜",
    )
    m["green"] = factories.MilestoneFactory(
        assignment=beer_infra, title="5G 专网", start_date=TODAY - 10 * DAY, due_date=TODAY + 100 * DAY, progress=50
    )
    m["closed"] = factories.MilestoneFactory(
        assignment=beer_infra,
        title="方案编制",
        start_date=TODAY - 60 * DAY,
        due_date=TODAY - 20 * DAY,
        progress=100,
        status="closed",
        closed_at=timezone.now() - 25 * DAY,
    )
    m["withdrawn"] = factories.MilestoneFactory(
        assignment=chem_measure, title="旧计划", due_date=TODAY + 30 * DAY, status="withdrawn", withdrawn_reason="合并"
    )
    report = factories.ProgressReportFactory(milestone=m["green"], progress=50, review_state="accepted")
    # What the ledger services store with the latest report (factories bypass them).
    Milestone.objects.filter(pk=m["green"].pk).update(
        latest_report=report, latest_report_at=report.submitted_at, latest_review_state=report.review_state
    )
    return m


def test_sasac_sees_every_milestone_with_its_health_light(client, sasac, ledger):
    client.force_login(sasac)
    response = client.get("/board/")
    assert response.status_code == 200
    assert sorted(page_ids(response)) == sorted(m.pk for m in ledger.values())
    body = response.content.decode()
    for health in ("red", "yellow", "green", "closed", "withdrawn"):
        assert f"health-light health-{health}" in body
    assert 'data-testid="count-red">1<' in body
    assert "/board/export.xlsx" in body and "/board/export.csv" in body


def test_health_lights_match_the_python_rule(client, sasac, ledger):
    for name, milestone in ledger.items():
        milestone.refresh_from_db()
        assert health_of(milestone) == name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=chemicals", {"red", "yellow", "withdrawn"}),
        ("category=new_infrastructure", {"red", "green", "closed"}),
        ("health=red", {"red"}),
        ("health=yellow", {"yellow"}),
        ("health=green", {"green"}),
        ("health=closed", {"closed"}),
        ("status=withdrawn", {"withdrawn"}),
        ("status=open", {"red", "yellow", "green"}),
        (f"due_from={TODAY.isoformat()}", {"yellow", "green", "withdrawn"}),
        (f"due_to={TODAY.isoformat()}", {"red", "closed"}),
        (f"due_from={TODAY.isoformat()}&due_to={(TODAY + 5 * DAY).isoformat()}", {"yellow"}),
        ("q=李娜", {"yellow"}),
        ("q=数据中心", {"red"}),
        ("q=化工示范", {"red", "yellow", "withdrawn"}),
        ("sector=chemicals&category=new_infrastructure&health=red", {"red"}),
    ],
)
def test_each_filter_narrows_the_board(client, sasac, ledger, query, expected):
    client.force_login(sasac)
    response = client.get(f"/board/?{query}")
    assert set(page_ids(response)) == {ledger[name].pk for name in expected}


def test_enterprise_filter_narrows_to_that_enterprise(client, sasac, ledger, enterprise):
    client.force_login(sasac)
    response = client.get(f"/board/?enterprise={enterprise.pk}")
    assert set(page_ids(response)) == {ledger["green"].pk, ledger["closed"].pk}


def test_directive_filter_includes_its_measures(client, sasac, ledger):
    client.force_login(sasac)
    platform = ledger["yellow"].assignment.directive.parent
    response = client.get(f"/board/?directive={platform.pk}")
    assert set(page_ids(response)) == {ledger["yellow"].pk, ledger["withdrawn"].pk}


def test_bad_filter_input_is_reported_and_ignored(client, sasac, ledger):
    client.force_login(sasac)
    response = client.get("/board/?due_from=not-a-date&health=purple")
    assert response.status_code == 200
    assert "部分筛选条件无效" in response.content.decode()
    assert len(page_ids(response)) == len(ledger)


@pytest.mark.parametrize(
    "sort",
    [
        "enterprise",
        "-directive",
        "title",
        "responsible_person",
        "-due_date",
        "progress",
        "health",
        "-latest_report",
        "review_state",
    ],
)
def test_every_column_sorts_and_the_exports_follow_the_page_order(client, sasac, ledger, sort):
    client.force_login(sasac)
    query = f"sector=chemicals&sort={sort}"
    page = page_ids(client.get(f"/board/?{query}"))
    assert len(page) == 3
    assert xlsx_ids(client.get(f"/board/export.xlsx?{query}")) == page
    assert csv_ids(client.get(f"/board/export.csv?{query}")) == page


def test_sorting_by_health_puts_red_first(client, sasac, ledger):
    client.force_login(sasac)
    ids = page_ids(client.get("/board/?sort=health"))
    assert ids[0] == ledger["red"].pk and ids[1] == ledger["yellow"].pk


def test_export_has_exactly_the_filtered_rows_beyond_one_page(client, sasac, enterprise):
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    late = factories.MilestoneFactory.create_batch(
        60, assignment=assignment, start_date=TODAY - 60 * DAY, due_date=TODAY - DAY
    )
    factories.MilestoneFactory.create_batch(5, assignment=assignment)
    client.force_login(sasac)
    response = client.get("/board/?health=red")
    assert len(page_ids(response)) == 50  # one page
    assert 'data-testid="count-red">60<' in response.content.decode()
    exported = xlsx_ids(client.get("/board/export.xlsx?health=red&page=2"))
    assert sorted(exported) == sorted(m.pk for m in late)
    assert page_ids(client.get("/board/?health=red&page=2")) == exported[50:]


def test_liaison_sees_only_their_enterprise_on_board_and_export(client, liaison, ledger, enterprise):
    client.force_login(liaison)
    assert set(page_ids(client.get("/board/"))) == {ledger["green"].pk, ledger["closed"].pk}
    assert set(xlsx_ids(client.get("/board/export.xlsx"))) == {ledger["green"].pk, ledger["closed"].pk}
    assert set(csv_ids(client.get("/board/export.csv?sector=chemicals"))) == set()


def test_user_without_a_role_is_refused(client, ledger):
    user = factories.UserFactory(username="nobody")
    client.force_login(user)
    assert client.get("/board/").status_code == 403
    assert client.get("/board/export.csv").status_code == 403


def test_anonymous_user_is_sent_to_login(client, ledger):
    response = client.get("/board/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _grow(enterprise, n):
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    for milestone in factories.MilestoneFactory.create_batch(n, assignment=assignment):
        report = factories.ProgressReportFactory(milestone=milestone)
        Milestone.objects.filter(pk=milestone.pk).update(
            latest_report=report, latest_report_at=report.submitted_at, latest_review_state=report.review_state
        )


# session, user, profile, notification badge (x2, base template), health counts, page rows,
# the page's latest reports, the enterprise and directive choices of the filter form, the
# ledger's stamp (twice: a test runs inside a transaction, where it is not remembered per request).
BOARD_QUERIES = 13
# Again, the table and the counts from the cache: session, user, profile, the stamp (x2), the badge.
BOARD_QUERIES_CACHED = 6


@pytest.mark.parametrize("size", [3, 80])
@pytest.mark.parametrize(
    "url",
    ["/board/", "/board/?sector=beer&health=green&sort=-due_date", "/board/?at_risk=true&q=交付", "/board/?page=2"],
)
def test_board_query_count_does_not_grow_with_rows(client, sasac, enterprise, django_assert_max_num_queries, size, url):
    _grow(enterprise, size)
    client.force_login(sasac)
    with django_assert_max_num_queries(BOARD_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(BOARD_QUERIES_CACHED):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [3, 80])
def test_export_query_count_does_not_grow_with_rows(client, sasac, enterprise, django_assert_max_num_queries, size):
    _grow(enterprise, size)
    client.force_login(sasac)
    with django_assert_max_num_queries(5):
        assert client.get("/board/export.xlsx").status_code == 200


def test_at_risk_filter_follows_reports_accepted_and_due_dates_moved_through_the_services(client, sasac, enterprise):
    from progress.services.ledger import milestone_update, report_accept, report_file

    assignment = factories.AssignmentFactory(enterprise=enterprise)
    slow = factories.MilestoneFactory(assignment=assignment, start_date=TODAY - 100 * DAY, due_date=TODAY + 10 * DAY)
    report = report_file(milestone=slow, by=sasac, progress=10, work_done="进展缓慢")  # 10 % in 100 days, 10 left
    client.force_login(sasac)
    assert page_ids(client.get("/board/?at_risk=true")) == []  # a report waiting for review judges nothing
    report_accept(report=report, by=sasac, expected_version=report.version)
    assert page_ids(client.get("/board/?at_risk=true")) == [slow.pk]
    slow.refresh_from_db()
    milestone_update(milestone=slow, by=sasac, expected_version=slow.version, due_date=TODAY + 2000 * DAY)
    assert page_ids(client.get("/board/?at_risk=true")) == []


def test_stored_at_risk_verdict_matches_the_sql_rule_after_a_bulk_refresh(enterprise):
    from progress.forecast import AT_RISK, STORED_AT_RISK, annotate_forecast, refresh_forecast_at_risk

    assignment = factories.AssignmentFactory(enterprise=enterprise)
    for due_in, progress in ((5, 10), (500, 90), (3, 100), (40, 20)):
        milestone = factories.MilestoneFactory(
            assignment=assignment, start_date=TODAY - 60 * DAY, due_date=TODAY + due_in * DAY
        )
        report = factories.ProgressReportFactory(milestone=milestone, progress=progress, review_state="accepted")
        Milestone.objects.filter(pk=milestone.pk).update(
            latest_report=report, accepted_report=report, progress=progress, forecast_at_risk=progress == 90
        )
    refresh_forecast_at_risk(Milestone.objects.all())  # the demo's bulk path
    stored = set(Milestone.objects.filter(STORED_AT_RISK).values_list("pk", flat=True))
    assert stored == set(annotate_forecast(Milestone.objects.all()).filter(AT_RISK).values_list("pk", flat=True))
    assert len(stored) == 2


@pytest.mark.parametrize("sort", ["health", "-health"])
def test_health_sorted_pages_that_span_two_healths_keep_the_export_order(client, sasac, enterprise, sort):
    # 55 red and 45 green: a page of 50 straddles the two groups either way round.
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    factories.MilestoneFactory.create_batch(
        55, assignment=assignment, start_date=TODAY - 60 * DAY, due_date=TODAY - DAY
    )
    factories.MilestoneFactory.create_batch(
        45, assignment=assignment, start_date=TODAY - 10 * DAY, due_date=TODAY + 200 * DAY, progress=50
    )
    client.force_login(sasac)
    exported = xlsx_ids(client.get(f"/board/export.xlsx?sort={sort}"))
    pages = [page_ids(client.get(f"/board/?sort={sort}&page={page}")) for page in (1, 2)]
    assert pages[0] + pages[1] == exported
    assert len(exported) == 100


def test_row_light_and_counts_read_the_same_stored_risk_flag(client, sasac, enterprise):
    # Due in two months, on its line: green, unless its latest accepted report flags a risk. The flag the
    # counts read is the one stored on the milestone; the row's light must read it too.
    milestone = factories.MilestoneFactory(
        assignment=factories.AssignmentFactory(enterprise=enterprise),
        start_date=TODAY - 10 * DAY,
        due_date=TODAY + 60 * DAY,
        progress=50,
    )
    Milestone.objects.filter(pk=milestone.pk).update(
        latest_report_at=timezone.now(), latest_review_state="accepted", accepted_report_at_risk=True
    )
    client.force_login(sasac)
    body = client.get("/board/").content.decode()
    row = body[body.index(f'href="/milestones/{milestone.pk}/"') :].split("</tr>")[0]
    assert "health-light health-yellow" in row
    assert 'data-testid="count-yellow">1<' in body


def test_filter_built_without_a_request_lists_no_enterprises():
    filterset = MilestoneFilter(queryset=Milestone.objects.none())
    assert list(filterset.form.fields["enterprise"].queryset) == []
