"""A refused review decision is shown beside the card it belongs to, and the officer's comment is kept."""

import pytest

from progress.models import ProgressReport
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(enterprise):
    return factories.ProgressReportFactory(milestone__assignment__enterprise=enterprise, review_state="pending")


def test_returning_without_a_comment_answers_with_the_card_and_its_error(client, sasac, pending):
    client.force_login(sasac)
    response = client.post(f"/reports/{pending.pk}/return/", {"comment": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div class="card" id="review-{pending.pk}"')
    assert 'data-testid="review-error"' in body and "退回报送须填写审核意见。" in body
    assert f'aria-describedby="review-{pending.pk}-error"' in body
    pending.refresh_from_db()
    assert pending.review_state == "pending"


def test_an_over_long_comment_is_refused_beside_the_card_and_kept(client, sasac, pending):
    client.force_login(sasac)
    comment = "请补充" * 2000
    response = client.post(f"/reports/{pending.pk}/accept/", {"comment": comment}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "内容过长" in body and comment in body
    assert ProgressReport.objects.get(pk=pending.pk).review_state == "pending"


def test_without_htmx_the_refusal_is_a_message_on_the_queue(client, sasac, pending):
    client.force_login(sasac)
    response = client.post(f"/reports/{pending.pk}/return/", {"comment": "", "next": "/reviews/"}, follow=True)
    assert "退回报送须填写审核意见。" in response.content.decode()
