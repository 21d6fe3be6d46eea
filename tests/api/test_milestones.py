"""The cockpit and enterprise systems read the board through the API: the same rows, filters,
sorts and pages as /board/, with the health counts."""

import pytest

from progress.models import Milestone
from tests import factories
from tests.progress.test_board import DAY, TODAY, page_ids

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "sector=chemicals",
    "category=new_infrastructure",
    "health=red",
    "health=yellow",
    "status=open",
    f"due_from={TODAY.isoformat()}&due_to={(TODAY + 5 * DAY).isoformat()}",
    "q=李娜",
    "q=化工示范",
    "sector=chemicals&sort=-due_date",
    "sort=health",
    "sort=-health",
    "sort=enterprise",
    "sort=-latest_report",
    "sort=review_state",
    "sort=progress&per_page=2&page=2",
    "at_risk=true",
]


def api_ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("query", QUERIES)
def test_api_lists_exactly_the_boards_rows_in_the_boards_order(client, api_as, sasac, ledger, query):
    client.force_login(sasac)
    board = page_ids(client.get(f"/board/?{query}"))
    assert api_ids(api_as(sasac).get(f"/api/v1/milestones/?{query}")) == board


def test_rows_carry_health_and_the_counts_cover_the_filtered_rows(api_as, sasac, ledger):
    body = api_as(sasac).get("/api/v1/milestones/", {"sector": "chemicals"}).json()
    assert body["count"] == 3
    assert body["health_counts"] == {"red": 1, "yellow": 1, "green": 0, "closed": 0, "withdrawn": 1}
    healths = {row["id"]: row["health"] for row in body["results"]}
    assert healths == {ledger[name].pk: name for name in ("red", "yellow", "withdrawn")}
    row = next(r for r in body["results"] if r["id"] == ledger["red"].pk)
    assert row["enterprise"] == {"code": "qdchem", "short_name": "化工示范"}
    assert row["directive"]["number"] == "三(1)"
    assert row["page_url"] == f"/milestones/{ledger['red'].pk}/"


def test_pages_link_to_each_other(api_as, sasac, ledger):
    first = api_as(sasac).get("/api/v1/milestones/", {"per_page": 2}).json()
    assert (first["page"], first["pages"], first["previous"]) == (1, 3, None)
    assert "page=2" in first["next"] and "per_page=2" in first["next"]


def test_liaison_reads_only_their_enterprise(api_as, liaison, ledger):
    body = api_as(liaison).get("/api/v1/milestones/").json()
    assert {row["id"] for row in body["results"]} == {ledger["green"].pk, ledger["closed"].pk}
    assert api_as(liaison).get(f"/api/v1/milestones/{ledger['red'].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("health=purple", "health"),
        ("due_from=not-a-date", "due_from"),
        ("sort=secret_column", "sort"),
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("enterprise=999999999", "enterprise"),
    ],
)
def test_bad_query_is_a_400_naming_the_parameter(api_as, sasac, ledger, query, field):
    response = api_as(sasac).get(f"/api/v1/milestones/?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_liaison_cannot_filter_on_another_enterprise(api_as, liaison, ledger, other_enterprise):
    response = api_as(liaison).get("/api/v1/milestones/", {"enterprise": other_enterprise.pk})
    assert response.status_code == 400
    assert response.json()["field"] == "enterprise"


def test_page_past_the_end_is_not_found(api_as, sasac, ledger):
    response = api_as(sasac).get("/api/v1/milestones/", {"page": 2})
    assert response.status_code == 404
    assert response.json()["detail"] == "页码无效:没有这一页。"


def test_detail_has_trajectory_and_forecast(api_as, liaison, ledger):
    green = ledger["green"]
    body = api_as(liaison).get(f"/api/v1/milestones/{green.pk}/").json()
    assert body["health"] == "green" and body["status_label"] == "进行中"
    assert body["expected_progress"] == 9  # 10 of 110 days
    assert body["latest_report"]["review_state"] == "accepted"
    assert body["original_due_date"] == body["due_date"] and body["extension_count"] == 0
    assert body["pending_request"] is None and body["version"] == 1
    assert set(body["actions"]) >= {"report", "request_closure"}


def _grow(enterprise, n):
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    for milestone in factories.MilestoneFactory.create_batch(n, assignment=assignment):
        report = factories.ProgressReportFactory(milestone=milestone)
        Milestone.objects.filter(pk=milestone.pk).update(
            latest_report=report, latest_report_at=report.submitted_at, latest_review_state=report.review_state
        )


# the token with its owner, the health counts, the page's rows, their enterprises and directives,
# the filter's enterprise choice (only with ?enterprise=) and a second slice when a health sort
# spans two healths
MILESTONE_LIST_QUERIES = 6


@pytest.mark.parametrize("size", [3, 80])
@pytest.mark.parametrize(
    "query", ["", "sector=beer&health=green&sort=-due_date", "at_risk=true&q=交付", "sort=health", "enterprise=1"]
)
def test_query_count_does_not_grow_with_rows(api_as, sasac, enterprise, django_assert_max_num_queries, size, query):
    _grow(enterprise, size)
    api = api_as(sasac)
    api.get("/api/v1/me/")  # the token's first use is written; later ones within a minute are not
    query = query.replace("enterprise=1", f"enterprise={enterprise.pk}")
    with django_assert_max_num_queries(MILESTONE_LIST_QUERIES):
        assert api.get(f"/api/v1/milestones/?{query}").status_code == 200
