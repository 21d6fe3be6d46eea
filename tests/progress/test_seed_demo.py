"""seed_demo: the demo a SASAC officer sees on first login, the same every time it is loaded."""

import datetime
import hashlib
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from directives.models import Assignment, AssignmentRole, Category, Directive, DirectiveKind
from enterprises.models import Enterprise, Profile, Role, Sector
from progress import demo
from progress.demo import DEMO_ASSESSED_QUARTERS
from progress.forecast import PACE_AT_RISK, annotate_forecast
from progress.health import CLOSED, GREEN, RED, YELLOW, annotate_health
from progress.models import (
    AssessmentScore,
    ImplementationPlan,
    IndicatorValue,
    Milestone,
    MilestoneRequest,
    MilestoneStatus,
    PlanStatus,
    ProgressReport,
)
from progress.selectors.charts import indicator_totals
from progress.silence import long_silent_condition

BOARD_DAY = datetime.date(2026, 11, 25)


def seed(seed: int = demo.DEFAULT_SEED) -> str:
    out = io.StringIO()
    call_command("seed_demo", size="small", seed=seed, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    """One small demo for the read-only tests of this module, rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            output = seed()
            yield output
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def digest() -> str:
    """A fingerprint of the demo rows by their natural keys: ids play no part."""
    parts = [
        Enterprise.objects.order_by("code").values_list(
            "code", "name", "short_name", "sector", "is_demo", "contact_email", "contact_phone"
        ),
        User.objects.order_by("username").values_list(
            "username", "email", "first_name", "last_name", "is_staff", "is_superuser", "date_joined"
        ),
        Profile.objects.order_by("user__username").values_list("user__username", "role", "enterprise__code", "phone"),
        ImplementationPlan.objects.order_by("enterprise__code").values_list(
            "enterprise__code",
            "title",
            "responsibility",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "revision",
            "updated_at",
        ),
        Assignment.objects.order_by("enterprise__code", "directive__key").values_list(
            "enterprise__code", "directive__key", "role", "due_date", "created_at"
        ),
        Milestone.objects.order_by("assignment__enterprise__code", "assignment__directive__key", "title").values_list(
            "assignment__enterprise__code",
            "assignment__directive__key",
            "title",
            "start_date",
            "due_date",
            "responsible_person",
            "status",
            "progress",
            "closed_at",
            "withdrawn_reason",
            "latest_report__period",
            "created_at",
            "updated_at",
        ),
        ProgressReport.objects.order_by(
            "milestone__assignment__enterprise__code",
            "milestone__assignment__directive__key",
            "milestone__title",
            "period",
        ).values_list(
            "milestone__title",
            "period",
            "progress",
            "work_done",
            "problems",
            "next_steps",
            "support_needed",
            "at_risk",
            "review_state",
            "review_comment",
            "reviewed_at",
            "submitted_by__username",
            "submitted_at",
            "is_late",
            "updated_at",
        ),
        IndicatorValue.objects.order_by(
            "report__milestone__assignment__enterprise__code",
            "report__milestone__assignment__directive__key",
            "report__milestone__title",
            "report__period",
            "indicator__code",
        ).values_list("report__milestone__title", "report__period", "indicator__code", "value"),
    ]
    sha = hashlib.sha256()
    for queryset in parts:
        for row in queryset.iterator():
            sha.update(repr(row).encode())
    return sha.hexdigest()


def leads(directive: Directive) -> set[str]:
    return set(directive.assignments.filter(role=AssignmentRole.LEAD).values_list("enterprise__code", flat=True))


@pytest.mark.django_db
def test_same_seed_gives_the_same_demo_and_another_seed_a_different_one():
    seed(7)
    first = digest()
    seed(8)
    other = digest()
    # The rerun replaces the seed-8 demo rather than adding to it, or the digest would differ.
    assert "Replacing the previous demo data" in seed(7)
    assert digest() == first
    assert other != first


@pytest.mark.django_db
def test_small_demo_has_a_dozen_soes_across_the_notice_sectors(small_demo):
    soes = Enterprise.objects.all()
    assert 10 <= soes.count() <= 14
    assert {"hisense", "huatong", "guoxin"} <= set(soes.filter(is_demo=False).values_list("code", flat=True))
    sectors = set(soes.values_list("sector", flat=True))
    assert {Sector.APPLIANCES, Sector.MACHINERY, Sector.CHEMICALS, Sector.BEER, Sector.BEVERAGES} <= sectors
    for soe in soes.filter(is_demo=True):
        assert soe.code.startswith("qd-")
        assert soe.contact_email.endswith("@example.com")


@pytest.mark.django_db
def test_demo_users_of_all_three_roles_log_in_with_the_printed_password(small_demo):
    assert demo.DEFAULT_PASSWORD in small_demo
    assert User.objects.get(username="sasac").profile.role == Role.SASAC_STAFF
    assert User.objects.get(username="leader").profile.role == Role.LEADER
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for soe in Enterprise.objects.all():
        liaison = User.objects.get(username=f"liaison-{soe.code}")
        assert liaison.profile.role == Role.LIAISON
        assert liaison.profile.enterprise == soe
        assert liaison.check_password(demo.DEFAULT_PASSWORD)
        assert f"liaison-{soe.code}" in small_demo
    assert not User.objects.exclude(email__endswith="@example.com").exists()


@pytest.mark.django_db
def test_beer_and_beverage_soes_lead_the_cosmoplat_directive(small_demo):
    drinks = set(Enterprise.objects.filter(sector__in=[Sector.BEER, Sector.BEVERAGES]).values_list("code", flat=True))
    assert drinks
    cosmoplat = Directive.objects.get(category=Category.COSMOPLAT, kind=DirectiveKind.DIRECTIVE)
    assert drinks <= leads(cosmoplat)
    assert leads(cosmoplat) == drinks


@pytest.mark.django_db
def test_hisense_huatong_and_guoxin_lead_the_service_platform_directive(small_demo):
    service = Directive.objects.get(category=Category.SERVICE_PLATFORM, kind=DirectiveKind.DIRECTIVE)
    assert {"hisense", "huatong", "guoxin"} <= leads(service)


@pytest.mark.django_db
def test_sasac_duties_are_assigned_to_nobody(small_demo):
    assert Directive.objects.filter(category=Category.SASAC_DUTY).exists()
    assert not Assignment.objects.filter(directive__category=Category.SASAC_DUTY).exists()
    assert not Assignment.objects.filter(directive__kind=DirectiveKind.SECTION).exists()


@pytest.mark.django_db
def test_every_soe_leads_the_directives_meant_for_all(small_demo):
    everyone = set(Enterprise.objects.values_list("code", flat=True))
    for_all = [d for d in demo.actionable_directives() if d.target_sectors == ["all"]]
    assert for_all
    for directive in for_all:
        assert leads(directive) == everyone, directive.key


@pytest.mark.django_db
def test_assignments_follow_the_directives_own_targeting(small_demo):
    soes = list(Enterprise.objects.all())
    for directive in demo.actionable_directives():
        named = {e.pk for e in directive.named_enterprises.all()}
        roles = dict(directive.assignments.values_list("enterprise_id", "role"))
        for soe in soes:
            if demo.targeted(directive, soe, named):
                assert roles.get(soe.pk) == AssignmentRole.LEAD, (directive.key, soe.code)
            else:
                assert roles.get(soe.pk) in (None, AssignmentRole.PARTICIPATING), (directive.key, soe.code)
    assert Assignment.objects.filter(role=AssignmentRole.PARTICIPATING).exists()
    assert not Assignment.objects.filter(due_date__lt=datetime.date(2020, 12, 1)).exists()


@pytest.mark.django_db
def test_no_milestone_is_due_after_its_assignment(small_demo):
    assert Milestone.objects.filter(due_date__gt=datetime.date(2022, 12, 31)).exists()
    assert not Milestone.objects.filter(due_date__gt=F("assignment__due_date")).exists()


@pytest.mark.django_db
def test_finished_work_is_never_flagged_at_risk(small_demo):
    assert ProgressReport.objects.filter(at_risk=True).exists()
    assert not ProgressReport.objects.filter(progress=100, at_risk=True).exists()


@pytest.mark.django_db
def test_overdue_work_mostly_keeps_reporting_and_the_silent_rest_is_flagged(small_demo):
    overdue = Milestone.objects.filter(status=MilestoneStatus.OPEN, due_date__lt=datetime.date(2026, 1, 1))
    silent = overdue.filter(long_silent_condition(on=BOARD_DAY))
    assert overdue.filter(latest_report_at__gte=timezone.make_aware(datetime.datetime(2026, 10, 1))).exists()
    assert silent.exists()
    assert silent.count() < overdue.count()


@pytest.mark.django_db
def test_board_shows_a_mix_of_health_on_a_day_in_november_2026(small_demo):
    health = Counter(annotate_health(Milestone.objects.all(), on=BOARD_DAY).values_list("health", flat=True))
    assert {RED, YELLOW, GREEN, CLOSED} <= set(health)
    assert health[CLOSED] > health[RED]
    statuses = set(Milestone.objects.values_list("status", flat=True))
    assert {MilestoneStatus.OPEN, MilestoneStatus.CLOSED, MilestoneStatus.WITHDRAWN} <= statuses
    assert not Milestone.objects.filter(status=MilestoneStatus.WITHDRAWN, withdrawn_reason="").exists()


@pytest.mark.django_db
def test_every_assignment_has_two_to_six_milestones(small_demo):
    per_assignment = Counter(Milestone.objects.values_list("assignment_id", flat=True))
    assert set(Assignment.objects.values_list("pk", flat=True)) == set(per_assignment)
    assert 2 <= min(per_assignment.values()) and max(per_assignment.values()) <= 6


@pytest.mark.django_db
def test_reports_come_monthly_one_per_milestone_and_period(small_demo):
    periods: dict[int, list[datetime.date]] = {}
    for milestone_id, period in ProgressReport.objects.order_by("milestone_id", "period").values_list(
        "milestone_id", "period"
    ):
        periods.setdefault(milestone_id, []).append(period)
    starts = dict(Milestone.objects.values_list("pk", "start_date"))
    for milestone_id, months in periods.items():
        assert months[0] == starts[milestone_id].replace(day=1)
        assert months[-1] <= datetime.date(2026, 10, 1)
        for earlier, later in zip(months, months[1:], strict=False):
            assert (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month) == 1


@pytest.mark.django_db
def test_milestones_point_to_their_newest_report_and_carry_the_accepted_progress(small_demo):
    newest = dict(
        ProgressReport.objects.values("milestone_id").annotate(m=Max("period")).values_list("milestone_id", "m")
    )
    newest_accepted = dict(
        ProgressReport.objects.filter(review_state="accepted")
        .values("milestone_id")
        .annotate(m=Max("period"))
        .values_list("milestone_id", "m")
    )
    milestones = Milestone.objects.select_related("latest_report", "accepted_report")
    assert milestones.exists()
    pending_shown = 0
    for milestone in milestones:
        assert milestone.latest_report.period == newest[milestone.pk]
        # The board sorts on these copies of the latest report's date and review state.
        assert milestone.latest_report_at == milestone.latest_report.submitted_at
        assert milestone.latest_review_state == milestone.latest_report.review_state
        # Leaders see what SASAC accepted.
        accepted = milestone.accepted_report
        assert (accepted.period if accepted else None) == newest_accepted.get(milestone.pk)
        assert milestone.progress == (accepted.progress if accepted else 0)
        assert milestone.accepted_report_at_risk == (accepted.at_risk if accepted else False)
        pending_shown += milestone.latest_report.review_state == "pending"
        if milestone.status == MilestoneStatus.CLOSED:
            assert milestone.progress == 100 and milestone.closed_at is not None
    assert pending_shown  # the October reports mostly wait for review: figures shown as pending


@pytest.mark.django_db
def test_demo_has_requests_for_sasacs_queue_and_decided_ones_in_the_record(small_demo):
    requests = Counter(MilestoneRequest.objects.values_list("kind", "state"))
    assert requests[("closure", "pending")] and requests[("closure", "approved")]
    assert requests[("extension", "pending")] and requests[("extension", "approved")]
    # Every closed milestone was verified on a closure request; every request was filed by a liaison.
    assert (
        MilestoneRequest.objects.filter(kind="closure", state="approved").count()
        == Milestone.objects.filter(status=MilestoneStatus.CLOSED).count()
    )
    assert not MilestoneRequest.objects.exclude(filed_by__username__startswith="liaison-").exists()
    # Requests about commitments only where the plan is approved.
    assert (
        not MilestoneRequest.objects.exclude(kind="closure")
        .exclude(milestone__assignment__enterprise__plan__status=PlanStatus.APPROVED)
        .exists()
    )
    extended = Milestone.objects.filter(extension_count__gt=0)
    assert extended.exists() and not extended.filter(original_due_date__gte=F("due_date")).exists()
    assert set(extended.values_list("pk", flat=True)) == set(
        MilestoneRequest.objects.filter(kind="extension", state="approved").values_list("milestone_id", flat=True)
    )


@pytest.mark.django_db
def test_every_demo_row_has_a_history_that_ends_as_the_row_stands(small_demo):
    """The first real action on a demo milestone shows a true before → after, not "— →"."""
    fields = ("status", "progress", "due_date", "original_due_date", "extension_count", "closed_at", "withdrawn_reason")
    last = {}
    for record in Milestone.history.order_by("id", "history_date", "history_id").values("id", "history_type", *fields):
        last.setdefault(record["id"], []).append(record)
    for milestone in Milestone.objects.values("id", *fields):
        records = last[milestone["id"]]
        assert records[0]["history_type"] == "+"
        assert {name: records[-1][name] for name in fields} == {name: milestone[name] for name in fields}
    reports = ProgressReport.objects.count()
    reviewed = ProgressReport.objects.exclude(review_state="pending").count()
    assert ProgressReport.history.count() == reports + reviewed
    assert ImplementationPlan.history.values("id").distinct().count() == ImplementationPlan.objects.count()
    assert MilestoneRequest.history.values("id").distinct().count() == MilestoneRequest.objects.count()


@pytest.mark.django_db
def test_ledger_has_pending_returned_late_and_at_risk_reports(small_demo):
    reports = ProgressReport.objects
    assert reports.filter(review_state="returned").exclude(review_comment="").exists()
    assert not reports.filter(review_state="returned", review_comment="").exists()
    assert reports.filter(review_state="pending", period=datetime.date(2026, 10, 1)).exists()
    assert reports.filter(is_late=True).exists() and reports.filter(at_risk=True).exists()
    assert reports.filter(review_state="accepted").count() > reports.count() * 0.8


@pytest.mark.django_db
def test_each_soe_has_an_implementation_plan_mostly_approved(small_demo):
    statuses = Counter(ImplementationPlan.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == Enterprise.objects.count()
    assert statuses.most_common(1)[0][0] == PlanStatus.APPROVED
    assert not ImplementationPlan.objects.filter(status=PlanStatus.RETURNED, review_comment="").exists()


@pytest.mark.django_db
def test_leaders_find_every_soe_ranked_for_the_demo_quarters(small_demo):
    scores = AssessmentScore.objects.values_list("quarter", "enterprise_id")
    quarters = {quarter for quarter, _ in scores}
    assert quarters == set(DEMO_ASSESSED_QUARTERS)
    for quarter in quarters:
        ranked = {enterprise for q, enterprise in scores if q == quarter}
        assert ranked == set(Enterprise.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_every_report_carries_the_indicators_of_its_directive_and_nothing_else(small_demo):
    assert IndicatorValue.objects.exists()
    assert not IndicatorValue.objects.exclude(
        indicator__directive=F("report__milestone__assignment__directive")
    ).exists()
    per_report = Counter(IndicatorValue.objects.values_list("report_id", flat=True))
    indicators_of = Counter(Directive.objects.filter(indicators__isnull=False).values_list("pk", flat=True))
    reports = ProgressReport.objects.values_list(
        "pk", "milestone__assignment__directive_id", "milestone__assignment__role"
    )
    for report_id, directive_id, role in reports:
        # Only the enterprises a directive targets (its leads) count its indicators.
        expected = indicators_of[directive_id] if role == AssignmentRole.LEAD else 0
        assert per_report[report_id] == expected, report_id


@pytest.mark.django_db
def test_indicator_values_stay_within_range_and_never_go_down(small_demo):
    previous: dict[tuple[int, int], Decimal] = {}
    rows = IndicatorValue.objects.order_by("report__milestone_id", "indicator_id", "report__period").values_list(
        "report__milestone_id", "indicator_id", "value", "indicator__min_value", "indicator__max_value"
    )
    for milestone_id, indicator_id, value, low, high in rows:
        assert value >= low and (high is None or value <= high)
        assert value == value.quantize(Decimal("0.01"))
        key = (milestone_id, indicator_id)
        assert value >= previous.get(key, value), key  # cumulative: what is reached stays reached
        previous[key] = value


@pytest.mark.django_db
def test_leaders_chart_shows_investment_reached_against_its_target(small_demo):
    totals = {t.name: t for t in indicator_totals(Milestone.objects.all())}
    investment = [t for t in totals.values() if t.unit == "万元"]
    assert {"5G产业链投资", "集成电路投资", "人工智能基础设施投资", "大数据中心投资"} <= {t.name for t in investment}
    for total in investment:
        assert total.total > 0, total.name
        # Millions of yuan in the thousands, not cents or billions: of the order of the targets.
        assert total.target / 20 < total.total < total.target * 30, total.name
    whole = [t for t in totals.values() if t.unit in ("家", "项", "个")]
    assert whole and all(t.total == t.total.to_integral_value() for t in whole)


@pytest.mark.django_db
def test_replace_demo_data_alone_leaves_complete_data():
    # Without the command around it: forecast verdicts, latest indicator values and scores are there.
    call_command("load_notice", stdout=io.StringIO())
    with transaction.atomic():
        demo.replace_demo_data(size="small")
    assert set(AssessmentScore.objects.values_list("quarter", flat=True)) == set(DEMO_ASSESSED_QUARTERS)
    assert IndicatorValue.objects.filter(is_latest=True).exists()
    assert not IndicatorValue.objects.filter(milestone__isnull=True).exists()
    stored = set(Milestone.objects.filter(forecast_at_risk=True).values_list("pk", flat=True))
    expected = set(annotate_forecast(Milestone.objects.all()).filter(PACE_AT_RISK).values_list("pk", flat=True))
    assert stored == expected and stored
