"""The database itself holds the domain's rules, whatever code writes the rows."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from enterprises.models import Profile, Role
from tests.factories import MilestoneFactory, ProgressReportFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_milestone_progress_cannot_exceed_100():
    assert_refused(lambda: MilestoneFactory(progress=101))


def test_milestone_cannot_fall_due_before_it_starts():
    assert_refused(
        lambda: MilestoneFactory(start_date=datetime.date(2021, 5, 1), due_date=datetime.date(2021, 4, 30))
    )


def test_closed_milestone_records_when_it_was_closed():
    assert_refused(lambda: MilestoneFactory(status="closed", closed_at=None))


def test_withdrawn_milestone_needs_a_reason():
    assert_refused(lambda: MilestoneFactory(status="withdrawn", withdrawn_reason=""))


def test_one_report_per_milestone_and_period():
    report = ProgressReportFactory(period=datetime.date(2021, 3, 1))
    assert_refused(lambda: ProgressReportFactory(milestone=report.milestone, period=datetime.date(2021, 3, 1)))


def test_report_period_is_the_first_of_a_month():
    assert_refused(lambda: ProgressReportFactory(period=datetime.date(2021, 3, 15)))


def test_report_progress_cannot_exceed_100():
    assert_refused(lambda: ProgressReportFactory(progress=150))


def test_liaison_profile_must_name_an_enterprise():
    user = UserFactory()
    assert_refused(lambda: Profile.objects.create(user=user, role=Role.LIAISON, enterprise=None))


def test_sasac_profile_cannot_belong_to_an_enterprise(enterprise):
    user = UserFactory()
    assert_refused(lambda: Profile.objects.create(user=user, role=Role.SASAC_STAFF, enterprise=enterprise))
