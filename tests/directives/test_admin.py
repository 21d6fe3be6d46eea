"""IT staff find directives, indicators, assignments and enterprises in the Django admin."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from directives.models import Directive
from enterprises.models import Enterprise
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("directives_notice", {"q": "排头兵"}),
        ("directives_directive", {"q": "卡奥斯", "category__exact": "cosmoplat", "is_active__exact": "1"}),
        ("directives_indicator", {"q": "投资", "unit": "万元"}),
        ("directives_assignment", {"q": "海信", "role__exact": "lead"}),
        ("enterprises_enterprise", {"q": "国信", "sector__exact": "capital"}),
        ("enterprises_profile", {"q": "liaison", "role__exact": "liaison"}),
    ],
)
def test_admin_lists_search_and_filter(client, liaison, model, query):
    call_command("load_notice", stdout=StringIO())
    factories.AssignmentFactory(
        directive=Directive.objects.get(key="service-platform"), enterprise=Enterprise.objects.get(code="hisense")
    )
    client.force_login(User.objects.create_superuser("it", "it@example.com", "x"))
    response = client.get(reverse(f"admin:{model}_changelist"), query)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_admin_opens_a_directive_with_its_indicators(client):
    call_command("load_notice", stdout=StringIO())
    client.force_login(User.objects.create_superuser("it", "it@example.com", "x"))
    clause = Directive.objects.get(key="new-infra-invest")
    response = client.get(reverse("admin:directives_directive_change", args=[clause.pk]))
    assert response.status_code == 200
    assert "大数据中心投资" in response.content.decode()
