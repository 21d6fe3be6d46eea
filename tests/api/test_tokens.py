"""People make, name, watch and revoke their API tokens on a page; SASAC staff manage anyone's."""

import hashlib
import re

import pytest
from django.utils import timezone

from api.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

KEY = re.compile(r"qds_[A-Za-z0-9_-]{43}")


def make_token(client, **data):
    response = client.post("/api/tokens/", data)
    assert response.status_code == 200
    keys = KEY.findall(response.content.decode())
    return response, keys[0] if keys else None


def test_liaison_makes_a_token_that_is_shown_once_and_stored_hashed(client, liaison):
    client.force_login(liaison)

    response, key = make_token(client, name="COSMOPlat 台账同步")

    assert key is not None
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.user, token.created_by, token.name) == (liaison, liaison, "COSMOPlat 台账同步")
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values_list().get())
    page = client.get("/api/tokens/").content.decode()
    assert "COSMOPlat 台账同步" in page and token.prefix in page
    assert key not in page


def test_the_key_works_until_it_is_revoked(client, liaison):
    client.force_login(liaison)
    _response, key = make_token(client, name="同步")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/me/", **headers).json()["username"] == liaison.username

    token = ApiToken.objects.get()
    revoked = client.post(f"/api/tokens/{token.pk}/revoke/", follow=True)

    assert "已撤销令牌“同步”" in revoked.content.decode()
    client.logout()
    refused = client.get("/api/v1/me/", **headers)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "该 API 令牌已撤销。"
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoking_asks_for_confirmation_first(client, liaison):
    client.force_login(liaison)
    make_token(client, name="同步")
    page = client.get("/api/tokens/").content.decode()
    assert re.search(r'<form method="post" action="/api/tokens/\d+/revoke/" data-confirm="确定撤销令牌“同步”', page)


def test_page_shows_when_and_from_where_a_token_was_last_used(client, liaison):
    client.force_login(liaison)
    _response, key = make_token(client, name="同步")
    assert "从未使用" in client.get("/api/tokens/").content.decode()

    client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.1.2.3")

    token = ApiToken.objects.get()
    assert token.last_used_ip == "10.1.2.3"
    page = client.get("/api/tokens/").content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") in page and "10.1.2.3" in page


def test_a_busy_client_costs_one_write_per_minute(client, liaison, key_for, django_assert_num_queries):
    key = key_for(liaison)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.get("/api/v1/me/", **headers)
    first = ApiToken.objects.get().last_used_at
    with django_assert_num_queries(1):  # the token with its owner, nothing written
        client.get("/api/v1/me/", **headers)
    assert ApiToken.objects.get().last_used_at == first


def test_nameless_token_is_refused_with_a_message(client, liaison):
    client.force_login(liaison)
    response, key = make_token(client, name="   ")
    assert key is None and not ApiToken.objects.exists()
    assert "该字段是必填项" in response.content.decode()


def test_a_user_holds_a_limited_number_of_active_tokens(client, liaison, settings):
    settings.API_TOKENS_PER_USER = 2
    client.force_login(liaison)
    make_token(client, name="一")
    make_token(client, name="二")
    response, key = make_token(client, name="三")
    assert key is None
    assert "最多持有 2 个有效令牌" in response.content.decode()
    assert ApiToken.objects.count() == 2


def test_liaison_sees_and_revokes_only_their_own(client, liaison, other_liaison):
    mine = factories_token(liaison, "我的")
    theirs = factories_token(other_liaison, "别人的")
    client.force_login(liaison)
    page = client.get("/api/tokens/").content.decode()
    assert "我的" in page and "别人的" not in page
    assert 'name="owner"' not in page
    assert client.post(f"/api/tokens/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert client.post(f"/api/tokens/{mine.pk}/revoke/").status_code == 302


def test_liaison_cannot_make_a_token_for_someone_else(client, liaison, other_liaison):
    client.force_login(liaison)
    make_token(client, name="冒名", owner=other_liaison.pk)
    assert ApiToken.objects.get().user == liaison


def test_sasac_makes_a_token_for_a_liaison_and_revokes_anyones(client, sasac, liaison, other_liaison):
    theirs = factories_token(other_liaison, "化工同步")
    client.force_login(sasac)

    response, key = make_token(client, name="青啤接口", owner=liaison.pk)

    token = ApiToken.objects.get(name="青啤接口")
    assert (token.user, token.created_by) == (liaison, sasac)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").json()["enterprise"] == "qdbeer"
    page = client.get("/api/tokens/").content.decode()
    assert "化工同步" in page and "liaison-qdchem" in page
    client.post(f"/api/tokens/{theirs.pk}/revoke/")
    theirs.refresh_from_db()
    assert theirs.revoked_by == sasac and theirs.revoked_at is not None
    client.logout()
    client.force_login(liaison)
    assert "由 sasac 创建" in client.get("/api/tokens/").content.decode()


def test_leader_manages_their_own_tokens(client, leader):
    client.force_login(leader)
    _response, key = make_token(client, name="驾驶舱大屏")
    assert ApiToken.objects.get().user == leader
    assert key


def test_user_without_a_role_gets_403_and_anonymous_the_login_page(client):
    nobody = factories.UserFactory(username="nobody")
    assert client.get("/api/tokens/").status_code == 302
    client.force_login(nobody)
    assert client.get("/api/tokens/").status_code == 403
    assert client.post("/api/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_revoking_twice_keeps_the_first_revocation(client, sasac, liaison):
    token = factories_token(liaison, "同步")
    client.force_login(liaison)
    client.post(f"/api/tokens/{token.pk}/revoke/")
    first = ApiToken.objects.get().revoked_at
    client.force_login(sasac)
    response = client.post(f"/api/tokens/{token.pk}/revoke/", follow=True)
    assert "此前已撤销" in response.content.decode()
    token.refresh_from_db()
    assert (token.revoked_at, token.revoked_by) == (first, liaison)


def test_revoke_refuses_get(client, liaison):
    token = factories_token(liaison, "同步")
    client.force_login(liaison)
    assert client.get(f"/api/tokens/{token.pk}/revoke/").status_code == 405


def test_inactive_owner_is_refused(client, liaison, key_for):
    key = key_for(liaison)
    liaison.is_active = False
    liaison.save()
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer qds_wrong", "Bearer " + "x" * 500, "Bearer qds_\u00e9\u00e9"]
)
def test_malformed_or_unknown_keys_are_refused(client, liaison, header):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def factories_token(user, name):
    from api import services

    return services.token_create(owner=user, name=name, by=user)[0]


def test_it_revokes_tokens_in_the_admin_and_cannot_make_one_there(client, liaison):
    from django.contrib.auth.models import User

    token = factories_token(liaison, "同步")
    admin = User.objects.create_superuser("it-admin", "it@example.com", "pw-123456789")
    client.force_login(admin)
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    assert "同步" in client.get("/admin/api/apitoken/").content.decode()
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_by == admin and token.revoked_at is not None
