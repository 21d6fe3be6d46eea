"""Every endpoint of /api/v1/ for every role, on the liaison's own enterprise and from the other one:
outsiders get 404, read-only users 403, users with no role 403, callers with no credentials 401.

Rows are (name, method, path, {role: expected status}); bodies are valid, so an allowed call
ends in its normal answer and really acts.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import Notification, ProgressReport
from progress.services import ledger as services
from progress.services import requests as request_services
from tests import factories
from tests.progress.ledger_helpers import PDF_BYTES, last_month

ROLES = ["sasac", "leader", "liaison", "other_liaison", "nobody", "anonymous"]


def expect(sasac, leader, liaison, other_liaison, nobody=403, anonymous=401):
    return {
        "sasac": sasac,
        "leader": leader,
        "liaison": liaison,
        "other_liaison": other_liaison,
        "nobody": nobody,
        "anonymous": anonymous,
    }


EVERYONE = expect(200, 200, 200, 200, nobody=200, anonymous=200)
ANY_ROLE = expect(200, 200, 200, 200)
OWN = expect(200, 200, 200, 404)

MATRIX = [
    ("root", "get", "/api/v1/", EVERYONE),
    ("openapi", "get", "/api/v1/openapi.json", EVERYONE),
    ("me", "get", "/api/v1/me/", expect(200, 200, 200, 200, nobody=200)),
    ("summary", "get", "/api/v1/summary/", expect(200, 200, 403, 403)),
    ("enterprise list", "get", "/api/v1/enterprises/", ANY_ROLE),
    ("enterprise", "get", "/api/v1/enterprises/{code}/", OWN),
    ("directive list", "get", "/api/v1/directives/", ANY_ROLE),
    ("directive", "get", "/api/v1/directives/{directive}/", ANY_ROLE),
    ("assignment list", "get", "/api/v1/assignments/", ANY_ROLE),
    ("assignment", "get", "/api/v1/assignments/{assignment}/", OWN),
    ("milestone list", "get", "/api/v1/milestones/", ANY_ROLE),
    ("milestone", "get", "/api/v1/milestones/{milestone}/", OWN),
    ("milestone reports", "get", "/api/v1/milestones/{milestone}/reports/", OWN),
    ("report create", "post", "/api/v1/milestones/{milestone}/reports/", expect(403, 403, 201, 404)),
    ("report list", "get", "/api/v1/reports/", ANY_ROLE),
    ("report", "get", "/api/v1/reports/{report}/", OWN),
    ("report update", "patch", "/api/v1/reports/{report}/", expect(403, 403, 200, 404)),
    ("report accept", "post", "/api/v1/reports/{report}/accept/", expect(200, 403, 403, 404)),
    ("report return", "post", "/api/v1/reports/{report}/return/", expect(200, 403, 403, 404)),
    ("evidence", "get", "/api/v1/evidence/{evidence}/", OWN),
    ("request list", "get", "/api/v1/requests/", ANY_ROLE),
    ("request", "get", "/api/v1/requests/{request}/", OWN),
    ("milestone requests", "get", "/api/v1/milestones/{milestone}/requests/", OWN),
    ("request create", "post", "/api/v1/milestones/{other_milestone}/requests/", expect(403, 403, 201, 404)),
    ("request approve", "post", "/api/v1/requests/{request}/approve/", expect(200, 403, 403, 404)),
    ("request refuse", "post", "/api/v1/requests/{request}/refuse/", expect(200, 403, 403, 404)),
    ("request cancel", "post", "/api/v1/requests/{request}/cancel/", expect(403, 403, 200, 404)),
    ("notification list", "get", "/api/v1/notifications/", expect(200, 200, 200, 200, nobody=200)),
    # The notice is the liaison's own: for anyone else it does not exist.
    ("notification read", "post", "/api/v1/notifications/{notification}/read/", expect(404, 404, 200, 404, nobody=404)),
    ("notifications read all", "post", "/api/v1/notifications/read-all/", expect(200, 200, 200, 200, nobody=200)),
]

BODIES = {
    "report create": {"progress": 50, "work_done": "本月进展"},
    "report update": {"version": 1, "progress": 35},
    "report accept": {"version": 1},
    "report return": {"version": 1, "comment": "请补充佐证"},
    "request create": {"kind": "closure", "reason": "交付成果已验收", "version": 1},
    "request approve": {"version": 1, "comment": "经核验,同意延期"},
    "request refuse": {"version": 1, "comment": "理由不充分"},
    "request cancel": {"version": 1},
}


@pytest.fixture
def world(enterprise, liaison, other_liaison, sasac, leader):
    directive = factories.DirectiveFactory()
    assignment = factories.AssignmentFactory(enterprise=enterprise, directive=directive)
    milestone = factories.MilestoneFactory(assignment=assignment)
    report = services.report_file(
        milestone=milestone,
        by=liaison,
        period=last_month(),
        progress=30,
        work_done="上月进展",
        evidence_files=[SimpleUploadedFile("a.pdf", PDF_BYTES)],
    )
    # A pending extension of an approved plan's milestone, and a second milestone free for a new request.
    plan = services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="实施方案")
    plan = services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)
    extension = request_services.request_file(
        milestone=milestone,
        by=liaison,
        kind="extension",
        reason="合作方交付推迟",
        changes={"due_date": milestone.due_date + datetime.timedelta(days=30)},
        expected_version=milestone.version,
    )
    other_milestone = factories.MilestoneFactory(assignment=assignment)
    notification = Notification.objects.create(
        recipient=liaison, kind="urge", dedupe_key="matrix", subject="催办", body="请报送"
    )
    return {
        "code": enterprise.code,
        "directive": directive.pk,
        "assignment": assignment.pk,
        "milestone": milestone.pk,
        "report": report.pk,
        "evidence": report.evidence.get().pk,
        "notification": notification.pk,
        "request": extension.pk,
        "other_milestone": other_milestone.pk,
        "nobody": factories.UserFactory(username="nobody"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "expected"), MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX])
def test_permission_matrix(request, api_as, world, role, name, method, path, expected):
    user = None if role == "anonymous" else world["nobody"] if role == "nobody" else request.getfixturevalue(role)
    client = api_as(user)
    url = path.format(**world)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, BODIES.get(name, {}), format="json")

    assert response.status_code == expected[role], (role, method, url, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["detail"]


@pytest.mark.django_db
def test_allowed_writes_really_act(api_as, world, liaison, sasac):
    api_as(liaison).patch(f"/api/v1/reports/{world['report']}/", BODIES["report update"], format="json")
    assert ProgressReport.objects.get(pk=world["report"]).progress == 35
    api_as(sasac).post(f"/api/v1/reports/{world['report']}/accept/", {"version": 2}, format="json")
    assert ProgressReport.objects.get(pk=world["report"]).review_state == "accepted"
    api_as(liaison).post(f"/api/v1/milestones/{world['milestone']}/reports/", BODIES["report create"], format="json")
    assert ProgressReport.objects.filter(milestone_id=world["milestone"]).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "expected"), [("liaison", 200), ("sasac", 200), ("leader", 200), ("nobody", 403)])
def test_docs_page_by_role(request, client, world, role, expected):
    user = world["nobody"] if role == "nobody" else request.getfixturevalue(role)
    client.force_login(user)
    assert client.get("/api/v1/docs/").status_code == expected
    assert client.get("/api/tokens/").status_code == expected
