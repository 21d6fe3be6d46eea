"""IT's Django admin lists, searches and filters every progress model."""

import pytest
from django.contrib import admin

from progress.services import ledger as services
from tests import factories
from tests.progress.ledger_helpers import pdf


@pytest.fixture
def it_admin(db):
    return factories.UserFactory(username="it", is_staff=True, is_superuser=True)


def test_every_progress_model_has_an_admin_page_that_opens(client, it_admin, enterprise, liaison):
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    services.report_file(milestone=milestone, by=liaison, progress=10, work_done="甲", evidence_files=[pdf()])
    client.force_login(it_admin)
    from django.apps import apps

    for model in apps.get_app_config("progress").get_models():
        if model.__name__.startswith("Historical"):
            continue
        assert admin.site.is_registered(model), model
        url = f"/admin/progress/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "甲"}).status_code == 200, url
    assert client.get(f"/admin/progress/milestone/{milestone.pk}/history/").status_code == 200


def test_milestone_admin_shows_the_derived_report_facts_but_does_not_take_them(client, it_admin, enterprise, liaison):
    """save_model recomputes them from the reports: a typed-in value would only be overwritten."""
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise)
    services.report_file(milestone=milestone, by=liaison, progress=10, work_done="甲")
    client.force_login(it_admin)

    page = client.get(f"/admin/progress/milestone/{milestone.pk}/change/").content.decode()

    for name in ("latest_report", "latest_report_at", "latest_review_state", "accepted_report",
                 "accepted_report_at_risk", "forecast_at_risk", "progress"):
        assert f'name="{name}"' not in page, name
    assert "field-latest_report" in page  # shown, read-only
