"""From the notice's clause to an SOE's ledger in two clicks: /notice/ -> /directives/<id>/ -> ledger."""

import datetime
import re

import pytest
from django.utils import timezone

from directives.models import DirectiveKind
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def tree():
    notice = factories.NoticeFactory()
    section = factories.DirectiveFactory(notice=notice, kind=DirectiveKind.SECTION, number="二", title="明确路径打法")
    directive = factories.DirectiveFactory(
        notice=notice, parent=section, number="二(5)", title="布局新基建", source_text="以股权投资、基金投资前瞻布局"
    )
    measure = factories.DirectiveFactory(notice=notice, parent=directive, kind=DirectiveKind.MEASURE, number="二(5)①")
    factories.IndicatorFactory(directive=directive, name="新基建投资额", unit="万元", target=5000)
    return {"notice": notice, "section": section, "directive": directive, "measure": measure}


def test_notice_links_every_clause_to_its_directive_page(client, liaison, tree):
    client.force_login(liaison)
    body = client.get("/notice/").content.decode()
    linked = set(map(int, re.findall(r'href="/directives/(\d+)/" data-testid="clause-link"', body)))
    assert linked == {d.pk for d in tree.values() if hasattr(d, "kind")}
    assert "以股权投资、基金投资前瞻布局" in body


def test_directive_page_shows_wording_indicators_and_roll_up_across_soes(
    client, sasac, tree, enterprise, other_enterprise
):
    beer = factories.AssignmentFactory(directive=tree["measure"], enterprise=enterprise)
    chem = factories.AssignmentFactory(directive=tree["directive"], enterprise=other_enterprise)
    factories.MilestoneFactory(assignment=beer, progress=20)
    factories.MilestoneFactory(assignment=beer, progress=60)
    late = factories.MilestoneFactory(assignment=chem, progress=10, start_date=TODAY - 60 * DAY, due_date=TODAY - DAY)
    client.force_login(sasac)
    body = client.get(f"/directives/{tree['directive'].pk}/").content.decode()
    assert 'data-testid="source-text"' in body and "以股权投资、基金投资前瞻布局" in body
    assert "新基建投资额" in body
    assert "2 项分解 · 3 个在跟踪的时间节点(不含已撤销)" in body
    assert f'href="/enterprises/{enterprise.code}/"' in body and f'href="/enterprises/{other_enterprise.code}/"' in body
    assert "40.0%" in body  # beer's average
    assert f'href="/milestones/{late.pk}/"' in body


def test_liaison_sees_only_their_own_enterprise_on_a_directive(client, liaison, tree, enterprise, other_enterprise):
    factories.MilestoneFactory(assignment__directive=tree["directive"], assignment__enterprise=enterprise)
    other = factories.MilestoneFactory(assignment__directive=tree["directive"], assignment__enterprise=other_enterprise)
    client.force_login(liaison)
    body = client.get(f"/directives/{tree['directive'].pk}/").content.decode()
    assert other_enterprise.short_name not in body
    assert f'href="/milestones/{other.pk}/"' not in body


def test_missing_directive_is_404(client, sasac):
    client.force_login(sasac)
    assert client.get("/directives/999999/").status_code == 404


@pytest.mark.parametrize("size", [1, 30])
def test_directive_page_query_count_does_not_grow(client, sasac, tree, django_assert_max_num_queries, size):
    for index in range(size):
        assignment = factories.AssignmentFactory(
            directive=tree["measure"], enterprise=factories.EnterpriseFactory(code=f"soe-x{index}")
        )
        factories.MilestoneFactory.create_batch(2, assignment=assignment)
    client.force_login(sasac)
    # 15 with the ledger's stamp, read for the cached milestone table; fewer once it is cached.
    with django_assert_max_num_queries(15):
        assert client.get(f"/directives/{tree['directive'].pk}/").status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get("/notice/").status_code == 200
