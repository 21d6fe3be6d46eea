"""Every URL of the ledger workflow, for every role, proved by its effect on the database.

Rows are (name, method, url template, {role: expected status}). An allowed action must have
done exactly what it is for (the row's ``effect`` reads it back from the database), not merely
answered with a redirect; a refused one (403, 404, the login page) must have changed nothing
at all: no row, no version, no history entry, no notification. Pages (GET) change nothing for
anybody.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from progress.models import (
    AssessmentScore,
    Evidence,
    ImplementationPlan,
    Milestone,
    MilestoneRequest,
    Notification,
    ProgressReport,
    ReminderRule,
    ReportingPeriod,
    Urge,
)
from progress.reminders import urges
from progress.services import ledger as services
from progress.services import requests as request_services
from tests import factories
from tests.progress.ledger_helpers import PDF_BYTES, close_milestone, last_month

ROLES = ["sasac", "leader", "liaison", "other_liaison", "anonymous"]


def expect(sasac, leader, liaison, other_liaison):
    return {"sasac": sasac, "leader": leader, "liaison": liaison, "other_liaison": other_liaison}


MATRIX = [
    # pages
    ("workspace", "get", "/enterprises/{code}/", expect(200, 200, 200, 404)),
    ("plan edit", "get", "/enterprises/{code}/plan/", expect(403, 403, 200, 404)),
    ("milestone create", "get", "/assignments/{assignment}/milestones/new/", expect(403, 403, 200, 404)),
    ("milestone detail", "get", "/milestones/{milestone}/", expect(200, 200, 200, 404)),
    ("milestone edit", "get", "/milestones/{milestone}/edit/", expect(403, 403, 200, 404)),
    ("request extension", "get", "/milestones/{milestone}/request-extension/", expect(403, 403, 200, 404)),
    ("request closure", "get", "/milestones/{milestone}/request-closure/", expect(403, 403, 200, 404)),
    ("report create", "get", "/milestones/{milestone}/reports/new/", expect(403, 403, 200, 404)),
    ("report edit", "get", "/reports/{report}/edit/", expect(403, 403, 200, 404)),
    ("evidence", "get", "/evidence/{evidence}/", expect(200, 200, 200, 404)),
    ("review queue", "get", "/reviews/", expect(200, 403, 403, 403)),
    ("enterprise ledger", "get", "/enterprises/{code}/ledger.xlsx", expect(200, 200, 200, 404)),
    ("city ledger", "get", "/ledger.xlsx", expect(200, 200, 403, 403)),
    ("periods", "get", "/periods/", expect(200, 200, 403, 403)),
    ("reminder rules", "get", "/reminders/rules/", expect(200, 403, 403, 403)),
    # actions
    ("plan save", "post", "/enterprises/{code}/plan/", expect(403, 403, 302, 404)),
    ("plan submit", "post", "/enterprises/{code}/plan/submit/", expect(403, 403, 302, 404)),
    ("plan approve", "post", "/enterprises/{code}/plan/approve/", expect(302, 403, 403, 404)),
    ("plan return", "post", "/enterprises/{code}/plan/return/", expect(302, 403, 403, 404)),
    ("milestone create", "post", "/assignments/{assignment}/milestones/new/", expect(403, 403, 302, 404)),
    ("milestone edit", "post", "/milestones/{milestone}/edit/", expect(403, 403, 302, 404)),
    ("milestone withdraw", "post", "/milestones/{milestone}/withdraw/", expect(403, 403, 302, 404)),
    ("request closure", "post", "/milestones/{milestone}/request-closure/", expect(403, 403, 302, 404)),
    ("milestone close", "post", "/milestones/{milestone}/close/", expect(302, 403, 403, 404)),
    ("request extension", "post", "/milestones/{milestone}/request-extension/", expect(403, 403, 302, 404)),
    ("request approve", "post", "/requests/{request}/approve/", expect(302, 403, 403, 404)),
    ("request refuse", "post", "/requests/{request}/refuse/", expect(302, 403, 403, 404)),
    ("request cancel", "post", "/requests/{request}/cancel/", expect(403, 403, 302, 404)),
    ("milestone reopen", "post", "/milestones/{milestone}/reopen/", expect(302, 403, 403, 404)),
    ("report create", "post", "/milestones/{milestone}/reports/new/", expect(403, 403, 302, 404)),
    ("report edit", "post", "/reports/{report}/edit/", expect(403, 403, 302, 404)),
    ("report accept", "post", "/reports/{report}/accept/", expect(302, 403, 403, 404)),
    ("report return", "post", "/reports/{report}/return/", expect(302, 403, 403, 404)),
    ("urge", "post", "/milestones/{milestone}/urge/", expect(302, 403, 403, 404)),
    ("urge acknowledge", "post", "/milestones/{milestone}/urges/{urge}/acknowledge/", expect(403, 403, 302, 404)),
    ("period close", "post", "/periods/{month}/close/", expect(302, 403, 403, 403)),
    ("reminder rules save", "post", "/reminders/rules/", expect(302, 403, 403, 403)),
    ("assessment compute", "post", "/assessment/compute/", expect(302, 403, 403, 403)),
]

# Action URLs without a page of their own answer GET with 405 for everyone: nothing changes on a GET.
HAS_A_PAGE = {
    "plan save",
    "milestone create",
    "milestone edit",
    "request extension",
    "request closure",
    "report create",
    "report edit",
    "period close",
}
POST_ONLY = [row for row in MATRIX if row[1] == "post" and row[0] not in HAS_A_PAGE | {"reminder rules save"}]


@pytest.fixture
def world(enterprise, liaison, sasac):
    directive = factories.DirectiveFactory()
    assignment = factories.AssignmentFactory(enterprise=enterprise, directive=directive)
    milestone = factories.MilestoneFactory(assignment=assignment, title="节点")
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="方案")
    report = services.report_file(
        milestone=milestone,
        by=liaison,
        period=last_month(),
        progress=30,
        work_done="上月进展",
        evidence_files=[SimpleUploadedFile("a.pdf", PDF_BYTES)],
    )
    urge = urges.urge_milestone(milestone=milestone, by=sasac, message="请尽快报送")
    # A second milestone with an extension request waiting for SASAC.
    requested = factories.MilestoneFactory(assignment=assignment, title="申请延期的节点")
    pending = factories.MilestoneRequestFactory(
        milestone=requested,
        kind="extension",
        original={"due_date": requested.due_date.isoformat()},
        proposed={"due_date": (requested.due_date + datetime.timedelta(days=30)).isoformat()},
    )
    return {
        "code": enterprise.code,
        "assignment": assignment.pk,
        "milestone": milestone.pk,
        "report": report.pk,
        "evidence": report.evidence.get().pk,
        "urge": urge.pk,
        "requested": requested.pk,
        "request": pending.pk,
        "month": last_month().strftime("%Y-%m"),
        "plan": plan,
        "sasac": sasac,
    }


MILESTONE_FIELDS = {
    "start_date": "2021-01-01",
    "due_date": "2030-12-31",
    "responsible_person": "张伟",
    "description": "",
}
REPORT_FIELDS = {"progress": "50", "problems": "", "next_steps": "", "support_needed": ""}


def body_for(name: str, world: dict) -> dict:
    versions = {"milestone": milestone(world).version, "plan": plan(world).version}
    return {
        "plan save": {"title": "方案(修订)", "roadmap": "", "timetable": "", "responsibility": "", "version": 1},
        "plan submit": {"version": versions["plan"]},
        "plan approve": {"version": versions["plan"]},
        "plan return": {"comment": "请修改", "version": versions["plan"]},
        "milestone create": {**MILESTONE_FIELDS, "title": "新节点"},
        "milestone edit": {**MILESTONE_FIELDS, "title": "节点(改)", "version": 1},
        "milestone withdraw": {"reason": "合并", "version": versions["milestone"]},
        "request closure": {"reason": "已完成", "version": versions["milestone"]},
        "request extension": {"due_date": "2031-06-30", "reason": "设备延期交付", "version": versions["milestone"]},
        "milestone close": {"comment": "经核验", "shortfall_reason": "阶段目标已完成", "version": 1},
        "request approve": {"comment": "同意", "version": 1},
        "request refuse": {"comment": "理由不足", "version": 1},
        "request cancel": {"version": 1},
        "milestone reopen": {"reason": "复核", "version": versions["milestone"]},
        "report create": {**REPORT_FIELDS, "work_done": "本月进展", "period": timezone.localdate().strftime("%Y-%m")},
        "report edit": {**REPORT_FIELDS, "work_done": "上月进展(改)", "version": 1},
        "report accept": {"version": 1},
        "report return": {"comment": "补充材料", "version": 1},
        "urge": {"message": "再次催办"},
        "period close": {"confirm": "on"},
        "reminder rules save": {
            "offsets_text": "5,1",
            "overdue_repeat_days": "3",
            "escalate_after_days": "7",
            "report_day": "5",
            "report_notice_days": "3",
            "report_grace_days": "5",
            "quiet_hours_start": "",
            "quiet_hours_end": "",
            "webhook_url": "",
            "webhook_secret": "",
        },
        "assessment compute": {"quarter": "2026Q1"},
    }.get(name, {})


def prepare(name: str, world: dict) -> None:
    """Put the row in the state the action expects, so an allowed call really acts."""
    if name in ("plan approve", "plan return", "request extension"):
        services.plan_submit(plan=world["plan"], by=None, expected_version=world["plan"].version)
    if name == "request extension":  # an extension is a request once the plan is approved
        services.plan_approve(plan=plan(world), by=world["sasac"], expected_version=plan(world).version)
    if name in ("milestone close", "milestone reopen"):
        services.report_accept(report=report(world), by=world["sasac"], expected_version=report(world).version)
    if name == "milestone close":
        request_services.request_file(
            milestone=milestone(world),
            by=None,
            kind="closure",
            reason="已完成",
            expected_version=milestone(world).version,
        )
    if name == "milestone reopen":
        close_milestone(milestone(world), liaison=None, sasac=world["sasac"])


def milestone(world) -> Milestone:
    return Milestone.objects.get(pk=world["milestone"])


def report(world) -> ProgressReport:
    return ProgressReport.objects.get(pk=world["report"])


def plan(world) -> ImplementationPlan:
    return ImplementationPlan.objects.get(pk=world["plan"].pk)


# What each allowed action must have done, read back from the database.
EFFECTS = {
    "plan save": lambda w: plan(w).title == "方案(修订)",
    "plan submit": lambda w: plan(w).status == "submitted",
    "plan approve": lambda w: plan(w).status == "approved",
    "plan return": lambda w: plan(w).status == "returned",
    "milestone create": lambda w: Milestone.objects.filter(title="新节点", assignment_id=w["assignment"]).exists(),
    "milestone edit": lambda w: milestone(w).title == "节点(改)",
    "milestone withdraw": lambda w: milestone(w).status == "withdrawn",
    "request closure": lambda w: milestone(w).status == "closure_requested",
    "milestone close": lambda w: milestone(w).status == "closed" and milestone(w).progress == 30,
    "request extension": lambda w: (
        MilestoneRequest.objects.filter(milestone_id=w["milestone"], kind="extension").exclude(pk=w["request"]).exists()
        and milestone(w).due_date != datetime.date(2031, 6, 30)
    ),
    "request approve": lambda w: Milestone.objects.get(pk=w["requested"]).extension_count == 1,
    "request refuse": lambda w: MilestoneRequest.objects.get(pk=w["request"]).state == "refused",
    "request cancel": lambda w: MilestoneRequest.objects.get(pk=w["request"]).state == "cancelled",
    "milestone reopen": lambda w: milestone(w).status == "open",
    "report create": lambda w: (
        ProgressReport.objects.filter(milestone_id=w["milestone"], work_done="本月进展").count() == 1
    ),
    "report edit": lambda w: report(w).work_done == "上月进展(改)",
    "report accept": lambda w: report(w).review_state == "accepted",
    "report return": lambda w: report(w).review_state == "returned" and report(w).review_comment == "补充材料",
    "urge": lambda w: Urge.objects.filter(milestone_id=w["milestone"], message="再次催办").exists(),
    "urge acknowledge": lambda w: Urge.objects.get(pk=w["urge"]).acknowledged_at is not None,
    "period close": lambda w: ReportingPeriod.objects.filter(closed_at__isnull=False).count() == 1,
    "reminder rules save": lambda w: ReminderRule.current().offsets_days == [5, 1],
    "assessment compute": lambda w: AssessmentScore.objects.filter(quarter="2026Q1").exists(),
}


def state() -> dict:
    """Everything an action of this matrix could change."""
    return {
        "plans": list(ImplementationPlan.objects.values_list("pk", "status", "version", "title").order_by("pk")),
        "milestones": list(
            Milestone.objects.values_list("pk", "status", "version", "title", "progress").order_by("pk")
        ),
        "reports": list(
            ProgressReport.objects.values_list("pk", "review_state", "version", "work_done").order_by("pk")
        ),
        "requests": list(MilestoneRequest.objects.values_list("pk", "state", "version").order_by("pk")),
        "history": [
            model.history.count() for model in (ImplementationPlan, Milestone, ProgressReport, MilestoneRequest)
        ],
        "evidence": Evidence.objects.count(),
        "urges": list(Urge.objects.values_list("pk", "acknowledged_at").order_by("pk")),
        "notifications": Notification.objects.count(),
        "periods": list(ReportingPeriod.objects.values_list("month", "closed_at")),
        "rules": list(ReminderRule.objects.values_list("pk", "offsets_days")),
        "scores": AssessmentScore.objects.count(),
    }


def test_every_action_of_the_matrix_has_its_effect_defined():
    assert {row[0] for row in MATRIX if row[1] == "post"} == set(EFFECTS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX])
def test_permission_matrix(client, request, world, role, name, method, url, expected):
    prepare(name, world)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    path = url.format(**world)
    before = state()
    response = getattr(client, method)(path, body_for(name, world)) if method == "post" else client.get(path)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected[role], (role, method, path)
    allowed = role != "anonymous" and expected[role] < 400
    if method == "post" and allowed:
        assert not response["Location"].startswith("/accounts/login/")
        assert EFFECTS[name](world), f"{role} was let through {name} but nothing happened"
        assert state() != before
    else:
        assert state() == before, f"{role} changed something with {method.upper()} {path}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), POST_ONLY, ids=[r[0] for r in POST_ONLY])
def test_action_urls_refuse_get(client, request, world, role, name, method, url, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    before = state()
    assert client.get(url.format(**world)).status_code in (302, 405)
    assert state() == before
