"""Leaders compare this period with the last one and a chosen earlier one, and see each enterprise's trend."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from progress.models import Milestone
from progress.selectors.period_comparison import period_comparison, previous_month
from tests import factories
from tests.progress.ledger_helpers import close_milestone

pytestmark = pytest.mark.django_db


def months_back(n: int) -> datetime.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(n):
        month = previous_month(month)
    return month


@pytest.fixture
def history(enterprise, other_enterprise, sasac, other_liaison):
    """One milestone overdue since two months ago, one that fell due this month, one closed last month."""
    on = timezone.localdate()
    old = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        start_date=months_back(6),
        due_date=months_back(2) + datetime.timedelta(days=3),
    )
    new = factories.MilestoneFactory(
        assignment__enterprise=enterprise,
        start_date=months_back(6),
        due_date=on.replace(day=1) - datetime.timedelta(days=1),
    )
    done = factories.MilestoneFactory(
        assignment__enterprise=other_enterprise, start_date=months_back(6), due_date=on + datetime.timedelta(days=30)
    )
    Milestone.objects.filter(pk__in=[old.pk, new.pk, done.pk]).update(
        created_at=timezone.make_aware(datetime.datetime.combine(months_back(6), datetime.time()))
    )
    close_milestone(done, liaison=other_liaison, sasac=sasac)
    Milestone.objects.filter(pk=done.pk).update(
        closed_at=timezone.make_aware(
            datetime.datetime.combine(months_back(1) + datetime.timedelta(days=5), datetime.time(12))
        )
    )
    return {"enterprise": enterprise, "other": other_enterprise}


def test_this_month_against_the_last_and_a_chosen_one(history):
    on = timezone.localdate()
    months, trends, totals, trend_days = period_comparison(Milestone.objects.all(), on=on, compare=months_back(3))
    assert months == [on.replace(day=1), months_back(1), months_back(3)]
    # this month: both of the first enterprise's are overdue; at the end of last month only the old one
    # (the other fell due on that last day, so it was not late yet); three months ago neither.
    assert [t.overdue for t in totals] == [2, 1, 0]
    assert [t.newly_closed for t in totals] == [0, 1, 0]
    assert [t.closed for t in totals] == [1, 1, 0]
    first = next(t for t in trends if t.enterprise_id == history["enterprise"].pk)
    assert first.change == 1
    assert len(first.overdue_trend) == 12 and first.overdue_trend[-1] == 2 and first.overdue_trend[0] == 0
    assert trends[0].enterprise_id == history["enterprise"].pk  # most overdue first


def test_the_charts_page_loads_the_comparison_and_leaders_may_instruct_from_a_bar(client, leader, sasac, history):
    client.force_login(leader)
    page = client.get(reverse("progress:charts")).content.decode()
    assert reverse("progress:charts_periods") in page
    assert f'data-instruct-url="{reverse("progress:instruction_create")}"' in page
    fragment = client.get(reverse("progress:charts_periods") + "?compare=" + months_back(4).strftime("%Y-%m"))
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert months_back(4).strftime("%Y-%m") in html
    assert history["enterprise"].short_name in html
    assert "<polyline" in html
    client.force_login(sasac)
    assert "data-instruct-url" not in client.get(reverse("progress:charts")).content.decode()


def test_a_bad_comparison_month_falls_back_to_three_months_back(client, leader, history):
    client.force_login(leader)
    html = client.get(reverse("progress:charts_periods") + "?compare=garbage").content.decode()
    assert months_back(3).strftime("%Y-%m") in html


def test_liaisons_cannot_compare_enterprises(client, liaison):
    client.force_login(liaison)
    assert client.get(reverse("progress:charts_periods")).status_code == 403
