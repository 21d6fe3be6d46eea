"""Who sees what: a liaison sees only its own enterprise; SASAC and leaders see all."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from progress import scoping
from tests.factories import AssignmentFactory, MilestoneFactory, ProgressReportFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_milestone(enterprise):
    return MilestoneFactory(assignment=AssignmentFactory(enterprise=enterprise))


@pytest.fixture
def other_milestone(other_enterprise):
    return MilestoneFactory(assignment=AssignmentFactory(enterprise=other_enterprise))


def test_liaison_sees_only_its_own_enterprise_milestones(liaison, own_milestone, other_milestone):
    assert list(scoping.visible_milestones(liaison)) == [own_milestone]
    assert list(scoping.visible_enterprises(liaison)) == [own_milestone.assignment.enterprise]


def test_sasac_staff_and_leaders_see_every_milestone(sasac, leader, own_milestone, other_milestone):
    for user in (sasac, leader):
        assert set(scoping.visible_milestones(user)) == {own_milestone, other_milestone}


def test_user_without_a_role_sees_nothing(own_milestone):
    assert not scoping.visible_milestones(UserFactory()).exists()


def test_liaison_gets_404_for_another_enterprise_milestone(liaison, other_milestone):
    with pytest.raises(Http404):
        scoping.get_milestone_for_user(liaison, other_milestone.pk)


def test_missing_and_foreign_milestones_look_the_same_to_a_liaison(liaison, other_milestone):
    with pytest.raises(Http404):
        scoping.get_milestone_for_user(liaison, other_milestone.pk + 1000)


def test_liaison_gets_404_for_another_enterprise_report_and_enterprise(liaison, other_milestone, other_enterprise):
    report = ProgressReportFactory(milestone=other_milestone)
    with pytest.raises(Http404):
        scoping.get_report_for_user(liaison, report.pk)
    with pytest.raises(Http404):
        scoping.get_enterprise_for_user(liaison, other_enterprise.code)


def test_leader_may_read_but_not_write(leader, enterprise):
    assert scoping.get_enterprise_for_user(leader, enterprise.code) == enterprise
    with pytest.raises(PermissionDenied):
        scoping.require_edit_enterprise(leader, enterprise)
    with pytest.raises(PermissionDenied):
        scoping.require_sasac(leader)


def test_liaison_writes_its_own_enterprise_only(liaison, enterprise, other_enterprise):
    scoping.require_edit_enterprise(liaison, enterprise)
    with pytest.raises(PermissionDenied):
        scoping.require_edit_enterprise(liaison, other_enterprise)
