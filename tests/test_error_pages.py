"""A refused or missing page still looks like the application, in Chinese, with a way home."""

import pytest
from django.test import override_settings
from django.urls import path

from qdsasac import urls as project_urls

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


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *project_urls.urlpatterns]


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_server_error_is_the_products_translated_500_page_without_details(client, liaison):
    client.raise_request_exception = False
    client.force_login(liaison)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "处理您的请求时系统出错" in body and "返回首页" in body
    assert "RuntimeError" not in body and "a bug" not in body


@override_settings(DEBUG=False)
def test_a_bad_request_is_the_products_translated_400_page(client, sasac):
    client.force_login(sasac)
    response = client.get("/board/?q=%00")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


@override_settings(DEBUG=False)
def test_the_error_pages_answer_in_english_when_asked(client, liaison, other_enterprise):
    client.force_login(liaison)
    client.cookies["django_language"] = "en"
    response = client.get(f"/enterprises/{other_enterprise.code}/")
    assert response.status_code == 404
    assert "页面不存在" not in response.content.decode()
