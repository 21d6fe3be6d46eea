"""Every URL of the ledger workflow, for every role: outsiders get 404, read-only users 403, anonymous the login page.

Rows are (name, method, url template, {role: expected status}). POST bodies are valid, so an
allowed request ends in its normal answer (200 page or 302 after the action).
"""

import datetime

import pytest
from django.utils import timezone

from progress.models import ImplementationPlan, Milestone, ProgressReport
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
]

# Action URLs answer GET with 405 for everyone: nothing changes on a GET.
FORM_PAGES = ("/plan/", "/new/", "/edit/", "/request-extension/", "/request-closure/")
POST_ONLY = [row for row in MATRIX if row[1] == "post" and not row[2].endswith(FORM_PAGES)]


@pytest.fixture
def world(enterprise, liaison, sasac):
    directive = factories.DirectiveFactory()
    assignment = factories.AssignmentFactory(enterprise=enterprise, directive=directive)
    milestone = factories.MilestoneFactory(assignment=assignment)
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="方案")
    # A second milestone, approved plan or not, with an extension request waiting for SASAC.
    requested = factories.MilestoneFactory(assignment=assignment)
    pending = factories.MilestoneRequestFactory(
        milestone=requested,
        kind="extension",
        original={"due_date": requested.due_date.isoformat()},
        proposed={"due_date": (requested.due_date + datetime.timedelta(days=30)).isoformat()},
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = services.report_file(
        milestone=milestone,
        by=liaison,
        period=last_month(),
        progress=30,
        work_done="上月进展",
        evidence_files=[SimpleUploadedFile("a.pdf", PDF_BYTES)],
    )
    return {
        "code": enterprise.code,
        "assignment": assignment.pk,
        "milestone": milestone.pk,
        "requested": requested.pk,
        "request": pending.pk,
        "report": report.pk,
        "evidence": report.evidence.get().pk,
        "plan": plan,
        "sasac": sasac,
    }


def body_for(name: str, world: dict) -> dict:
    milestone_fields = {
        "title": "节点",
        "start_date": "2021-01-01",
        "due_date": "2030-12-31",
        "responsible_person": "张伟",
        "description": "",
    }
    report_fields = {"progress": "50", "work_done": "进展", "problems": "", "next_steps": "", "support_needed": ""}
    milestone = Milestone.objects.get(pk=world["milestone"])
    plan = ImplementationPlan.objects.get(pk=world["plan"].pk)
    return {
        "plan save": {"title": "方案", "roadmap": "", "timetable": "", "responsibility": "", "version": 1},
        "plan submit": {"version": plan.version},
        "plan approve": {"version": plan.version},
        "plan return": {"comment": "请修改", "version": plan.version},
        "milestone create": milestone_fields,
        "milestone edit": {**milestone_fields, "version": 1},
        "milestone withdraw": {"reason": "合并", "version": milestone.version},
        "milestone reopen": {"reason": "复核", "version": milestone.version},
        "milestone close": {"comment": "经核验", "shortfall_reason": "阶段目标已完成", "version": 1},
        "request closure": {"reason": "已完成", "version": milestone.version},
        "request extension": {"due_date": "2031-06-30", "reason": "设备延期交付", "version": 1},
        "request approve": {"comment": "同意", "version": 1},
        "request refuse": {"comment": "理由不足", "version": 1},
        "request cancel": {"version": 1},
        "report create": {**report_fields, "period": timezone.localdate().strftime("%Y-%m")},
        "report edit": {**report_fields, "version": 1},
        "report accept": {"version": 1},
        "report return": {"comment": "补充材料", "version": 1},
    }.get(name, {})


def prepare(name: str, world: dict) -> None:
    """Put the row in the state the action expects, so an allowed call really acts."""
    if name in ("plan approve", "plan return", "request extension"):
        services.plan_submit(plan=world["plan"], by=None, expected_version=world["plan"].version)
    if name == "request extension":
        services.plan_approve(plan=world["plan"], by=world["sasac"], expected_version=world["plan"].version + 1)
    if name in ("milestone close", "milestone reopen"):
        report = ProgressReport.objects.get(pk=world["report"])
        services.report_accept(report=report, by=world["sasac"], expected_version=report.version)
    if name == "milestone close":
        milestone = Milestone.objects.get(pk=world["milestone"])
        request_services.request_file(
            milestone=milestone, by=None, kind="closure", reason="已完成", expected_version=milestone.version
        )
    if name == "milestone reopen":
        close_milestone(Milestone.objects.get(pk=world["milestone"]), liaison=None, sasac=world["sasac"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX])
def test_permission_matrix(client, request, world, role, name, method, url, expected):
    prepare(name, world)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    path = url.format(**world)
    response = getattr(client, method)(path, body_for(name, world)) if method == "post" else client.get(path)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == expected[role], (role, method, path)
    if response.status_code == 302:
        assert not response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), POST_ONLY, ids=[r[0] for r in POST_ONLY])
def test_action_urls_refuse_get(client, request, world, role, name, method, url, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(url.format(**world)).status_code == 405


def test_allowed_actions_really_act(client, liaison, sasac, world):
    """The matrix's 302s are the actions themselves, not refusals ending in a redirect."""
    from progress.models import MilestoneRequest

    client.force_login(liaison)
    client.post(f"/milestones/{world['milestone']}/request-closure/", body_for("request closure", world))
    assert Milestone.objects.get(pk=world["milestone"]).status == "closure_requested"
    client.force_login(sasac)
    client.post(f"/reports/{world['report']}/accept/", body_for("report accept", world))
    assert ProgressReport.objects.get(pk=world["report"]).review_state == "accepted"
    client.post(f"/milestones/{world['milestone']}/close/", body_for("milestone close", world))
    assert Milestone.objects.get(pk=world["milestone"]).status == "closed"
    client.post(f"/requests/{world['request']}/approve/", body_for("request approve", world))
    assert MilestoneRequest.objects.get(pk=world["request"]).state == "approved"
    assert Milestone.objects.get(pk=world["requested"]).extension_count == 1
