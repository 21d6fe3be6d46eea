"""The city's cockpit reads the leaders' figures; everyone reads and clears their own notifications."""

import pytest
from django.utils import timezone

from progress.health import today
from progress.models import Notification
from progress.scoping import visible_milestones
from progress.selectors.charts import leaders_figures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("user_fixture", ["sasac", "leader"])
def test_summary_is_the_charts_figures(request, api_as, ledger, user_fixture):
    user = request.getfixturevalue(user_fixture)
    figures = leaders_figures(visible_milestones(user), on=today())

    body = api_as(user).get("/api/v1/summary/").json()

    assert body["on"] == today().isoformat()
    assert body["health_counts"] == {"red": 1, "yellow": 1, "green": 1, "closed": 1, "withdrawn": 1}
    assert [row["enterprise"]["short_name"] for row in body["enterprises"]] == [
        row.short_name for row in figures.completion
    ]
    assert [row["average_progress"] for row in body["enterprises"]] == [
        row.average_progress for row in figures.completion
    ]
    assert {row["category"]: row["red"] for row in body["categories"]} == {
        category: healths["red"] for category, healths in figures.by_category.items()
    }
    assert [point["overdue"] for point in body["overdue_trend"]] == [count for _day, count in figures.trend]
    assert len(body["due_soon"]) == len(figures.due_soon)
    assert body["ranking_quarter"] is None and body["ranking"] == []


def test_liaison_gets_403_for_the_city_figures_as_on_the_charts_page(api_as, liaison, ledger):
    response = api_as(liaison).get("/api/v1/summary/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def _notice(user, key, **extra):
    return Notification.objects.create(
        recipient=user, kind="due_soon", dedupe_key=key, subject=f"提醒 {key}", body="请按时报送", **extra
    )


def test_notifications_are_ones_own_and_can_be_marked_read(api_as, liaison, other_liaison):
    mine = _notice(liaison, "a")
    _notice(liaison, "b")
    theirs = _notice(other_liaison, "c")
    api = api_as(liaison)

    listed = api.get("/api/v1/notifications/").json()
    assert {n["id"] for n in listed["results"]} == {mine.pk, mine.pk + 1}
    assert listed["results"][0]["kind_label"] == "即将到期"

    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post(f"/api/v1/notifications/{mine.pk}/read/").json() == {"marked": 1}
    assert api.post(f"/api/v1/notifications/{mine.pk}/read/").json() == {"marked": 0}
    assert [n["id"] for n in api.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]] == [mine.pk + 1]
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.filter(recipient=liaison, read_at__lte=timezone.now()).count() == 2
