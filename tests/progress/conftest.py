"""Fixtures for the ledger workflow tests."""

from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence goes to a private temporary directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def directive(db):
    return factories.DirectiveFactory(title="推动中小企业上云", source_text="推动市属企业带动中小企业上云上平台。")


@pytest.fixture
def indicator(directive):
    return factories.IndicatorFactory(
        directive=directive, name="上云中小企业数", unit="家", min_value=Decimal(0), max_value=Decimal(500)
    )


@pytest.fixture
def assignment(enterprise, directive):
    return factories.AssignmentFactory(enterprise=enterprise, directive=directive)


@pytest.fixture
def milestone(assignment):
    return factories.MilestoneFactory(assignment=assignment, title="上线工业互联网平台一期", progress=20)


@pytest.fixture
def other_milestone(other_enterprise):
    return factories.MilestoneFactory(assignment__enterprise=other_enterprise, title="化工平台建设")
