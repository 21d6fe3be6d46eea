"""Every page's icon answers: no 404 in the console of each page a user opens."""

import pytest


@pytest.mark.django_db
def test_favicon_is_served_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
