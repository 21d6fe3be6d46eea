"""Shared fixtures. In CI the real PostgreSQL and Redis must answer, or the run fails."""

import os

import pytest
from django.conf import settings

from tests import factories


def pytest_sessionstart(session):
    if os.environ.get("CI") and not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        pytest.exit("CI must run against the real PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.", 3)
    if os.environ.get("REDIS_URL"):
        import redis

        try:
            redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            pytest.exit(f"REDIS_URL is set but Redis does not answer: {error}", 3)


@pytest.fixture(autouse=True)
def fresh_ledger_cache():
    """Each test starts with no cached figure: the ledger's stamp rolls back with a test's data,
    so a figure cached by an earlier test could be read under the same stamp."""
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception:  # noqa: BLE001 - the fault drill stops Redis; the pages compute without it
        pass


@pytest.fixture
def redis_url():
    """The real Redis the suite runs against; tests that need it are skipped only where none is configured."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: this test needs a real Redis")
    return settings.REDIS_URL


@pytest.fixture
def enterprise(db):
    return factories.EnterpriseFactory(code="qdbeer", short_name="青啤示范", sector="beer")


@pytest.fixture
def other_enterprise(db):
    return factories.EnterpriseFactory(code="qdchem", short_name="化工示范", sector="chemicals")


@pytest.fixture
def sasac(db):
    return factories.sasac_user(username="sasac")


@pytest.fixture
def leader(db):
    return factories.leader_user(username="leader")


@pytest.fixture
def liaison(enterprise):
    return factories.liaison_user(enterprise, username="liaison-qdbeer")


@pytest.fixture
def other_liaison(other_enterprise):
    return factories.liaison_user(other_enterprise, username="liaison-qdchem")
