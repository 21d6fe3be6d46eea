"""Every list of the API reads a fixed number of queries, whatever the number of rows."""

import pytest

from progress.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


def grow(enterprise, liaison, n):
    for i in range(n):
        directive = factories.DirectiveFactory()
        factories.IndicatorFactory(directive=directive)
        assignment = factories.AssignmentFactory(enterprise=enterprise, directive=directive)
        milestone = factories.MilestoneFactory(assignment=assignment)
        factories.ProgressReportFactory(milestone=milestone)
        Notification.objects.create(
            recipient=liaison, kind="urge", dedupe_key=f"q{n}-{i}", subject="催办", body="请报送"
        )
    factories.EnterpriseFactory.create_batch(n)
    return milestone


# the token with its owner, then: count + page (+ one prefetch per nested list)
LISTS = {
    "/api/v1/enterprises/": 2,
    "/api/v1/directives/": 3,
    "/api/v1/assignments/": 2,
    "/api/v1/notifications/": 2,
    "/api/v1/milestones/{milestone}/reports/": 5,
}


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize(("path", "queries"), LISTS.items())
def test_list_query_count_does_not_grow(
    api_as, liaison, enterprise, django_assert_max_num_queries, size, path, queries
):
    milestone = grow(enterprise, liaison, size)
    api = api_as(liaison)
    api.get("/api/v1/me/")  # the token's first use is written once
    with django_assert_max_num_queries(1 + queries):
        response = api.get(path.format(milestone=milestone.pk))
    assert response.status_code == 200 and response.json()["count"] >= 1


def test_summary_reads_a_fixed_number_of_queries(api_as, sasac, enterprise, liaison, django_assert_max_num_queries):
    api = api_as(sasac)
    api.get("/api/v1/me/")
    grow(enterprise, liaison, 3)
    with django_assert_max_num_queries(12) as small:
        api.get("/api/v1/summary/")
    grow(enterprise, liaison, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get("/api/v1/summary/").status_code == 200
