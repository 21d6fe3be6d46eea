"""schemathesis against /api/v1/openapi.json, on a bounded budget: whatever a client sends, the API
answers with no server error, with a status the document lists, and with a body that matches it.

Each operation runs as a liaison and as SASAC staff (the writes of both), with path ids drawn
from real rows as often as from anywhere. The run is seeded, so CI is repeatable.
"""

import datetime

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services as tokens
from progress.models import Notification
from progress.services import ledger as ledger_services
from progress.services import requests as request_services
from tests import factories
from tests.progress.ledger_helpers import PDF_BYTES, last_month

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 50


@pytest.fixture
def api_world(db, enterprise, other_enterprise, liaison, other_liaison, sasac):
    """A little of everything, for the ids in generated paths to hit real rows."""
    indicator = factories.IndicatorFactory()
    assignment = factories.AssignmentFactory(enterprise=enterprise, directive=indicator.directive)
    milestone = factories.MilestoneFactory(assignment=assignment)
    factories.MilestoneFactory(assignment__enterprise=other_enterprise)
    report = ledger_services.report_file(
        milestone=milestone,
        by=liaison,
        period=last_month(),
        progress=30,
        work_done="上月进展",
        indicator_values={indicator: 12},
        evidence_files=[SimpleUploadedFile("a.pdf", PDF_BYTES)],
    )
    plan = ledger_services.plan_save(enterprise=enterprise, by=liaison, expected_version=None, title="实施方案")
    plan = ledger_services.plan_submit(plan=plan, by=liaison, expected_version=plan.version)
    ledger_services.plan_approve(plan=plan, by=sasac, expected_version=plan.version)
    extension = request_services.request_file(
        milestone=factories.MilestoneFactory(assignment=assignment),
        by=liaison,
        kind="extension",
        reason="合作方交付推迟",
        changes={"due_date": milestone.due_date + datetime.timedelta(days=30)},
        expected_version=1,
    )
    notification = Notification.objects.create(
        recipient=liaison, kind="urge", dedupe_key="schemathesis", subject="催办", body="请报送"
    )
    return {
        "ids": {
            "milestone_id": [milestone.pk],
            "report_id": [report.pk],
            "assignment_id": [assignment.pk],
            "directive_id": [indicator.directive_id],
            "evidence_id": [report.evidence.get().pk],
            "notification_id": [notification.pk],
            "request_id": [extension.pk],
            "code": [enterprise.code, other_enterprise.code],
        },
        "keys": {
            "liaison": tokens.token_create(owner=liaison, name="schemathesis", by=liaison)[1],
            "sasac": tokens.token_create(owner=sasac, name="schemathesis", by=sasac)[1],
        },
    }


@pytest.fixture
def api_schema(api_world, fresh_rate_limit, settings):
    """The document, loaded from the WSGI application that serves it.

    A WSGI request ends by closing a connection it finds inside a transaction, and the test's
    data lives in one: as Django's own test client does, that handler is off during the test.
    """
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "100000/minute"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def _call(case, data, api_world, role):
    for name in list(case.path_parameters or {}):
        real = api_world["ids"].get(name, [])
        case.path_parameters[name] = data.draw(st.sampled_from([case.path_parameters[name], *real]))
    case.call_and_validate(headers={"Authorization": f"Bearer {api_world['keys'][role]}"}, checks=CHECKS)


BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@schema.given(data=st.data())
@BUDGET
def test_api_keeps_its_document_for_a_liaison(case, data, api_world):
    _call(case, data, api_world, "liaison")


@schema.parametrize()
@schema.given(data=st.data())
@BUDGET
def test_api_keeps_its_document_for_sasac(case, data, api_world):
    _call(case, data, api_world, "sasac")
