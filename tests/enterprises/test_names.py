"""A person's name reads the Chinese way everywhere: family name first, no space."""

import pytest
from django.core import mail
from django.template import Context, Template

from enterprises.names import person_name
from tests import factories


def test_name_is_family_name_then_given_name(db):
    user = factories.UserFactory(username="wyz", first_name="玉珍", last_name="王")
    assert person_name(user) == "王玉珍"


def test_a_latin_script_name_keeps_its_own_order(db):
    assert person_name(factories.UserFactory(username="js", first_name="John", last_name="Smith")) == "John Smith"


def test_name_falls_back_to_username(db):
    assert person_name(factories.UserFactory(username="liaison-qdbeer")) == "liaison-qdbeer"
    assert person_name(None) == ""


def test_templates_use_the_same_order_without_loading_anything(db):
    user = factories.UserFactory(username="wyz", first_name="玉珍", last_name="王")
    rendered = Template("{{ u|person_name }}|{{ nobody|person_name|default:'—' }}").render(Context({"u": user}))
    assert rendered == "王玉珍|—"


@pytest.mark.django_db
def test_header_shows_the_signed_in_name_family_name_first(client, enterprise):
    liaison = factories.liaison_user(enterprise, username="liaison-qdbeer", first_name="玉珍", last_name="王")
    client.force_login(liaison)
    page = client.get("/").content.decode()
    assert "王玉珍" in page
    assert "玉珍 王" not in page
    assert not mail.outbox
