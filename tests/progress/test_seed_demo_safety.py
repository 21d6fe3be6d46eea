"""seed_demo never wipes a real ledger by an operator's slip: it wants the database's exact name first."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from directives.models import Assignment
from enterprises.models import Enterprise
from progress.models import Milestone
from tests import factories

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", size="small", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def real_ledger():
    """A real SOE (not marked demo) with an assignment and a milestone, and a real officer."""
    enterprise = factories.EnterpriseFactory(code="qdport", short_name="港口集团", is_demo=False)
    milestone = factories.MilestoneFactory(assignment__enterprise=enterprise, title="港口5G专网一期")
    factories.sasac_user(username="wang.lei")
    return milestone


def test_seed_demo_refuses_a_database_with_real_data_and_changes_nothing(real_ledger):
    with pytest.raises(CommandError) as refused:
        seed()
    message = str(refused.value)
    assert "非演示数据" in message and "changed nothing" in message
    assert "1 enterprises" in message and "1 users" in message
    assert Milestone.objects.filter(title="港口5G专网一期").exists()
    assert User.objects.filter(username="wang.lei").exists()
    assert not Enterprise.objects.filter(is_demo=True).exists()


def test_a_wrong_database_name_is_refused_too(real_ledger):
    with pytest.raises(CommandError):
        seed(confirm_database="qdsasac")
    assert Milestone.objects.filter(pk=real_ledger.pk).exists()


def test_the_exact_database_name_lets_the_operator_replace_it(real_ledger):
    seed(confirm_database=str(connection.settings_dict["NAME"]))
    assert not Milestone.objects.filter(pk=real_ledger.pk).exists()
    assert Enterprise.objects.filter(is_demo=True).count() >= 9


def test_an_empty_database_and_a_demo_database_need_no_name():
    seed()
    first = Assignment.objects.count()
    assert first > 0
    seed()  # only demo data now: replaced without asking
    assert Assignment.objects.count() == first


def test_a_real_user_alone_is_enough_to_refuse():
    User.objects.create_superuser("itadmin", "it@example.com", "x")
    with pytest.raises(CommandError):
        seed()


def test_a_real_officer_named_like_a_demo_user_is_still_real():
    factories.sasac_user(username="sasac")  # a password of its own, no other demo users
    with pytest.raises(CommandError):
        seed()
    assert User.objects.filter(username="sasac").exists()


def test_after_the_demo_a_real_user_added_by_it_makes_the_database_real():
    seed()
    factories.liaison_user(Enterprise.objects.filter(is_demo=True).first(), username="liaison-real")
    with pytest.raises(CommandError):
        seed()
