"""A refused or missing page still looks like the application, in Chinese, with a way home."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_liaison_opening_charts_gets_translated_403_page_with_home_link(client, liaison):
    client.force_login(liaison)
    response = client.get("/charts/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "您的账号没有执行此操作或查看此页面的权限。" in body
    assert 'href="/"' in body and "返回首页" in body


@override_settings(DEBUG=False)
def test_liaison_opening_other_enterprise_gets_404_page_with_home_link(client, liaison, other_enterprise):
    client.force_login(liaison)
    response = client.get(f"/enterprises/{other_enterprise.code}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在,或您无权查看。" in body
    assert 'href="/"' in body and "返回首页" in body
