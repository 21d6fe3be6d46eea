"""Assessment (考核): a quarterly score per SOE from on-time closure, report timeliness, overdue work and extensions."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from progress.models import AssessmentScore, AssessmentWeights
from progress.selectors.assessment import ranking
from progress.services.assessment import (
    assessment_compute,
    assessment_weights_update,
    quarter_bounds,
    rate,
    weighted_score,
)
from tests import factories

pytestmark = pytest.mark.django_db

Q3 = "2026Q3"
D = datetime.date


def aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))


def test_quarter_bounds():
    assert quarter_bounds("2026Q3") == (D(2026, 7, 1), D(2026, 9, 30))
    assert quarter_bounds("2026Q4") == (D(2026, 10, 1), D(2026, 12, 31))
    with pytest.raises(ValueError):
        quarter_bounds("2026Q5")


def test_score_is_the_weighted_average_of_the_rates():
    weights = AssessmentWeights(on_time_closure=50, report_timeliness=30, overdue_work=20)
    rates = (Decimal(50), Decimal(100), Decimal(75), Decimal(10))
    assert weighted_score(weights=weights, rates=rates) == Decimal("70.00")  # (50*50 + 30*100 + 20*75) / 100
    weights.overdue_work, weights.extensions = Decimal(10), Decimal(10)
    assert weighted_score(weights=weights, rates=rates) == Decimal("63.50")  # 25 + 30 + 7.5 + 1
    assert rate(0, 0) == Decimal(100)
    assert rate(1, 3) == Decimal("33.33")


@pytest.fixture
def quarter_of_work(enterprise):
    """Q3 2026 for one SOE: two milestones fall due (one closed on time, one late), reports filed and reviewed."""
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    on_time = factories.MilestoneFactory(
        assignment=assignment,
        start_date=D(2026, 6, 1),
        due_date=D(2026, 8, 15),
        status="closed",
        closed_at=aware(D(2026, 8, 15)),
        progress=100,
    )
    late = factories.MilestoneFactory(assignment=assignment, start_date=D(2026, 6, 1), due_date=D(2026, 9, 10))
    # Not yet started in Q3: counts nowhere.
    factories.MilestoneFactory(assignment=assignment, start_date=D(2026, 10, 5), due_date=D(2026, 12, 1))
    # Reports owed: on_time for Jul and Aug (closed Aug 15, so none for Sep), late for Jul, Aug
    # and Sep: 5. Filed on time and accepted: 3 (one filed late, one missing).
    for milestone, month, is_late in [
        (on_time, 7, False),
        (on_time, 8, False),
        (late, 7, False),
        (late, 8, True),
    ]:
        factories.ProgressReportFactory(
            milestone=milestone, period=D(2026, month, 1), is_late=is_late, review_state="accepted"
        )
    return {"on_time": on_time, "late": late}


def test_quarter_scores_follow_the_rules(enterprise, quarter_of_work):
    [score] = assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assert score.enterprise_id == enterprise.pk
    assert score.on_time_closure_rate == Decimal("50.00")  # 1 of 2 due closed on time
    assert score.report_timeliness_rate == Decimal("60.00")  # 3 of 5 owed
    assert score.overdue_free_rate == Decimal("50.00")  # late still open at quarter end, of 2 in play
    assert score.score == Decimal("53.00")  # (50*50 + 30*60 + 20*50) / 100
    assert AssessmentScore.objects.get(quarter=Q3).score == Decimal("53.00")


def test_only_reports_sasac_accepted_count_as_filed_on_time(enterprise, quarter_of_work):
    # The September report, filed on time but still waiting for review (then returned), earns nothing yet.
    report = factories.ProgressReportFactory(milestone=quarter_of_work["late"], period=D(2026, 9, 1), is_late=False)
    [score] = assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assert score.report_timeliness_rate == Decimal("60.00")
    report.review_state = "returned"
    report.save()
    [score] = assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assert score.report_timeliness_rate == Decimal("60.00")
    report.review_state = "accepted"
    report.save()
    [score] = assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assert score.report_timeliness_rate == Decimal("80.00")  # 4 of 5


def test_extensions_granted_by_the_quarter_end_lower_the_extension_free_rate(enterprise, quarter_of_work, sasac):
    late = quarter_of_work["late"]
    granted = factories.MilestoneRequestFactory(
        milestone=late, kind="extension", state="approved", decided_at=aware(D(2026, 9, 30)), decided_by=sasac
    )
    [score] = assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assert score.extension_free_rate == Decimal("50.00")  # 1 of the 2 in play was extended
    assert score.score == Decimal("53.00")  # extensions weigh nothing until SASAC gives them a weight
    # Granted after the quarter ended, or refused: no extension in Q3.
    granted.decided_at = aware(D(2026, 10, 1))
    granted.save()
    factories.MilestoneRequestFactory(
        milestone=quarter_of_work["on_time"], kind="extension", state="refused", decided_at=aware(D(2026, 8, 1))
    )
    [score] = assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assert score.extension_free_rate == Decimal("100.00")


def test_recomputing_replaces_the_quarters_scores(enterprise, quarter_of_work):
    assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assessment_compute(quarter=Q3, on=D(2026, 11, 2))
    assert AssessmentScore.objects.filter(quarter=Q3).count() == 1


def test_new_weights_rescore_every_stored_quarter(enterprise, quarter_of_work, sasac):
    assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    assessment_weights_update(
        on_time_closure=Decimal(0),
        report_timeliness=Decimal(100),
        overdue_work=Decimal(0),
        extensions=Decimal(0),
        by=sasac,
    )
    assert AssessmentScore.objects.get(quarter=Q3).score == Decimal("60.00")


def test_ranking_points_add_up_to_the_score_shown_after_new_weights(enterprise, sasac):
    # 10.01 x 33.34 % and 10.01 x 33.33 % each round up to 3.34: three parts of 3.34 make 10.02,
    # and the score must say so too, not the unrounded 10.01.
    AssessmentScore.objects.create(
        enterprise=enterprise,
        quarter=Q3,
        on_time_closure_rate=Decimal("10.01"),
        report_timeliness_rate=Decimal("10.01"),
        overdue_free_rate=Decimal("10.01"),
        score=Decimal(0),
    )
    weights = assessment_weights_update(
        on_time_closure=Decimal("33.34"),
        report_timeliness=Decimal("33.33"),
        overdue_work=Decimal("33.33"),
        extensions=Decimal(0),
        by=sasac,
    )
    [row] = ranking(quarter=Q3, weights=weights)
    assert (row.closure_points, row.timeliness_points, row.overdue_points) == (
        Decimal("3.34"),
        Decimal("3.34"),
        Decimal("3.34"),
    )
    assert row.closure_points + row.timeliness_points + row.overdue_points == row.score == Decimal("10.02")
    assert AssessmentScore.objects.get(quarter=Q3).score == Decimal("10.02")


def test_zero_weights_score_zero_instead_of_dividing_by_zero(enterprise, sasac):
    AssessmentScore.objects.create(
        enterprise=enterprise,
        quarter=Q3,
        on_time_closure_rate=Decimal(50),
        report_timeliness_rate=Decimal(50),
        overdue_free_rate=Decimal(50),
        score=Decimal(50),
    )
    assessment_weights_update(
        on_time_closure=Decimal(0),
        report_timeliness=Decimal(0),
        overdue_work=Decimal(0),
        extensions=Decimal(0),
        by=sasac,
    )
    assert AssessmentScore.objects.get(quarter=Q3).score == Decimal(0)


def test_ranking_page_shows_how_each_score_was_made_up(client, leader, enterprise, quarter_of_work):
    assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    client.force_login(leader)
    body = client.get(f"/assessment/?quarter={Q3}").content.decode()
    assert 'data-testid="assessment-table"' in body
    assert "53.00" in body and "25.00" in body and "18.00" in body and "10.00" in body  # 53 = 25 + 18 + 10


def test_sasac_sets_weights_that_must_add_up_to_100(client, sasac):
    client.force_login(sasac)
    weights = {"on_time_closure": "60", "report_timeliness": "30", "overdue_work": "20", "extensions": "0"}
    response = client.post("/assessment/weights/", weights)
    assert response.status_code == 200 and "必须为 100" in response.content.decode()
    assert not AssessmentWeights.objects.exists()
    response = client.post("/assessment/weights/", {**weights, "on_time_closure": "40", "extensions": "10"})
    assert response.status_code == 302
    saved = AssessmentWeights.objects.get()
    assert (saved.on_time_closure, saved.extensions) == (Decimal(40), Decimal(10))


def test_the_weights_page_offers_the_extension_weight(client, sasac):
    client.force_login(sasac)
    page = client.get("/assessment/weights/").content.decode()
    assert 'name="extensions"' in page and "延期事项权重" in page


def test_sasac_computes_a_quarter_from_the_page(client, sasac, enterprise, quarter_of_work):
    client.force_login(sasac)
    response = client.post("/assessment/compute/", {"quarter": Q3})
    assert response.status_code == 302
    assert AssessmentScore.objects.filter(quarter=Q3, enterprise=enterprise).exists()
    response = client.post("/assessment/compute/", {"quarter": "not-a-quarter"}, follow=True)
    assert "季度格式" in response.content.decode()


def test_leader_reads_but_cannot_change_and_liaison_cannot_open(client, leader, liaison):
    client.force_login(leader)
    assert client.get("/assessment/").status_code == 200
    assert client.post("/assessment/compute/", {"quarter": Q3}).status_code == 403
    assert client.get("/assessment/weights/").status_code == 403
    client.force_login(liaison)
    assert client.get("/assessment/").status_code == 403


def test_assessment_page_query_count_is_constant(client, leader, django_assert_max_num_queries):
    for index in range(12):
        factories.MilestoneFactory(assignment__enterprise=factories.EnterpriseFactory(code=f"e{index}"))
    assessment_compute(quarter=Q3, on=D(2026, 11, 1))
    client.force_login(leader)
    with django_assert_max_num_queries(9):
        assert client.get(f"/assessment/?quarter={Q3}").status_code == 200
