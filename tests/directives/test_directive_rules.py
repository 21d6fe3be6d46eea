"""The database itself keeps the directives' rules, whatever code writes to it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from directives.models import Assignment, AssignmentRole, Directive
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_enterprise_is_assigned_a_directive_only_once(enterprise):
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            directive=assignment.directive,
            enterprise=enterprise,
            role=AssignmentRole.PARTICIPATING,
            due_date=assignment.due_date,
        )


def test_the_same_directive_goes_to_two_enterprises(enterprise, other_enterprise):
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    factories.AssignmentFactory(directive=assignment.directive, enterprise=other_enterprise)
    assert assignment.directive.assignments.count() == 2


def test_a_key_names_one_directive_per_notice():
    clause = factories.DirectiveFactory(key="cosmoplat")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.DirectiveFactory(notice=clause.notice, key="cosmoplat")


def test_the_same_key_may_appear_in_another_notice():
    factories.DirectiveFactory(key="cosmoplat")
    other = factories.DirectiveFactory(key="cosmoplat", notice=factories.NoticeFactory(code="another-notice"))
    assert other.pk


def test_a_directive_is_not_its_own_parent():
    clause = factories.DirectiveFactory()
    clause.parent_id = clause.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        clause.save()


def test_an_indicator_code_is_unique_within_its_directive():
    indicator = factories.IndicatorFactory(code="smes-on-cloud")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.IndicatorFactory(directive=indicator.directive, code="smes-on-cloud")


def test_an_indicator_range_cannot_end_below_its_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.IndicatorFactory(min_value=Decimal("10"), max_value=Decimal("5"))


def test_an_indicator_range_may_be_open_ended_or_a_single_point():
    assert factories.IndicatorFactory(min_value=Decimal("0"), max_value=None).pk
    assert factories.IndicatorFactory(min_value=Decimal("100"), max_value=Decimal("100")).pk


def test_a_directive_with_assignments_cannot_be_deleted(enterprise):
    assignment = factories.AssignmentFactory(enterprise=enterprise)
    with pytest.raises(ProtectedError), transaction.atomic():
        Directive.objects.filter(pk=assignment.directive_id).delete()
