"""Fixtures for the API: a world with one milestone per enterprise, tokens, an API client."""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from api import services
from tests import factories

# The board's own test ledger (every health, two enterprises): the API is held to the same rows.
from tests.progress.test_board import ledger  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence goes to a private temporary directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings):
    """Each test starts with an empty rate-limit count, kept in this process's memory.

    (The Redis-backed count of production is tested on its own, under a key prefix of its own.)
    """
    settings.CACHES = {**settings.CACHES, "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches["api"].clear()


@pytest.fixture
def directive(db):
    return factories.DirectiveFactory(title="推动中小企业上云", source_text="推动市属企业带动中小企业上云上平台。")


@pytest.fixture
def indicator(directive):
    return factories.IndicatorFactory(directive=directive, name="上云中小企业数", unit="家", min_value=0, max_value=500)


@pytest.fixture
def milestone(enterprise, directive):
    assignment = factories.AssignmentFactory(enterprise=enterprise, directive=directive)
    return factories.MilestoneFactory(assignment=assignment, title="上线工业互联网平台一期", progress=20)


@pytest.fixture
def other_milestone(other_enterprise):
    return factories.MilestoneFactory(assignment__enterprise=other_enterprise, title="化工平台建设")


@pytest.fixture
def key_for():
    """A fresh API key for a user, made by the token service as the token page makes it."""

    def make(user, name="测试令牌") -> str:
        return services.token_create(owner=user, name=name, by=user)[1]

    return make


@pytest.fixture
def api_as(key_for):
    """An API client that sends the user's token (or none, for an anonymous caller)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(user)}")
        return client

    return make
