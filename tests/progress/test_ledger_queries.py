"""The workspace and the review queue cost a fixed number of queries, however many rows they show."""

from django.core.files.uploadedfile import SimpleUploadedFile

from progress.services import ledger as services
from tests import factories
from tests.progress.ledger_helpers import PDF_BYTES, last_month


def add_rows(enterprise, liaison, count: int) -> None:
    for _ in range(count):
        directive = factories.DirectiveFactory()
        factories.IndicatorFactory(directive=directive)
        assignment = factories.AssignmentFactory(enterprise=enterprise, directive=directive)
        for _ in range(2):
            milestone = factories.MilestoneFactory(assignment=assignment)
            report = services.report_file(
                milestone=milestone,
                by=liaison,
                progress=30,
                work_done="进展",
                evidence_files=[SimpleUploadedFile("a.pdf", PDF_BYTES)],
            )
            services.report_file(milestone=milestone, by=liaison, period=last_month(), progress=20, work_done="上月")
            if milestone.pk % 2:
                services.report_return(report=report, by=None, comment="补充", expected_version=report.version)


def count_queries(django_assert_max_num_queries, client, url, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_workspace_query_count_does_not_grow_with_rows(client, liaison, enterprise, django_assert_max_num_queries):
    client.force_login(liaison)
    add_rows(enterprise, liaison, 2)
    # 12, and the page of milestones (count, ids), 本月待报送, the open supervision orders and
    # the ledger's stamp (for the grouped milestones, cached)
    few = count_queries(django_assert_max_num_queries, client, f"/enterprises/{enterprise.code}/", 17)
    add_rows(enterprise, liaison, 6)
    many = count_queries(django_assert_max_num_queries, client, f"/enterprises/{enterprise.code}/", 17)
    assert many == few
    # Until the ledger changes, the grouped milestones come from the cache.
    assert count_queries(django_assert_max_num_queries, client, f"/enterprises/{enterprise.code}/", 12) < few


def test_review_queue_query_count_does_not_grow_with_rows(
    client, sasac, liaison, enterprise, django_assert_max_num_queries
):
    client.force_login(sasac)
    add_rows(enterprise, liaison, 2)
    # 13 with the ledger's stamp, read for the header's cached queue counts.
    few = count_queries(django_assert_max_num_queries, client, "/reviews/", 13)
    add_rows(enterprise, liaison, 6)
    many = count_queries(django_assert_max_num_queries, client, "/reviews/", 13)
    assert many == few


def test_review_queue_is_oldest_first_and_filters_by_enterprise_and_directive(
    client, sasac, liaison, enterprise, other_enterprise, other_liaison
):
    first = factories.MilestoneFactory(assignment__enterprise=enterprise, title="先报节点")
    second = factories.MilestoneFactory(assignment__enterprise=other_enterprise, title="后报节点")
    services.report_file(milestone=first, by=liaison, progress=10, work_done="甲")
    services.report_file(milestone=second, by=other_liaison, progress=10, work_done="乙")
    client.force_login(sasac)
    page = client.get("/reviews/").content.decode()
    assert page.index("先报节点") < page.index("后报节点")
    page = client.get(f"/reviews/?enterprise={other_enterprise.code}").content.decode()
    assert "后报节点" in page and "先报节点" not in page
    page = client.get(f"/reviews/?directive={first.assignment.directive_id}").content.decode()
    assert "先报节点" in page and "后报节点" not in page


def test_milestone_history_query_count_does_not_grow_with_changes(
    client, liaison, enterprise, django_assert_max_num_queries
):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    client.force_login(liaison)
    services.report_file(milestone=milestone, by=liaison, progress=10, work_done="甲")
    # 21 with the ledger's stamp (the reports and the history are cached, made here afresh)
    few = count_queries(django_assert_max_num_queries, client, f"/milestones/{milestone.pk}/", 21)
    for n in range(5):
        milestone.refresh_from_db()
        services.milestone_update(milestone=milestone, by=liaison, expected_version=milestone.version, title=f"改{n}")
    services.report_file(milestone=milestone, by=liaison, period=last_month(), progress=5, work_done="乙")
    many = count_queries(django_assert_max_num_queries, client, f"/milestones/{milestone.pk}/", 21)
    assert many <= few + 2  # the second report adds its own evidence/indicator prefetch rows, not per-change queries
    # Until the ledger changes, the reports and the history come from the cache.
    assert count_queries(django_assert_max_num_queries, client, f"/milestones/{milestone.pk}/", 21) < many - 5


def test_workspace_health_filter_shows_only_matching_milestones(client, liaison, enterprise):
    import datetime

    from django.utils import timezone

    overdue = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        title="逾期节点",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    factories.MilestoneFactory(assignment__enterprise=enterprise, title="正常节点", progress=100)
    client.force_login(liaison)
    page = client.get(f"/enterprises/{enterprise.code}/?health=red").content.decode()
    grouped = page[page.index('data-testid="workspace-views"') :]  # below 本月待报送, which lists both
    assert overdue.title in grouped and "正常节点" not in grouped
