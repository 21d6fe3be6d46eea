"""Factories for the domain, one per model the tests build."""

import datetime

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from directives.models import Assignment, AssignmentRole, Category, Directive, DirectiveKind, Indicator, Notice
from enterprises.models import Enterprise, Profile, Role, Sector
from progress.models import Milestone, MilestoneRequest, ProgressReport

PASSWORD = "test-pass-123"


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"soe{n:03d}")
    name = factory.Sequence(lambda n: f"青岛测试集团{n:03d}有限公司")
    short_name = factory.Sequence(lambda n: f"测试{n:03d}")
    sector = Sector.MACHINERY
    is_demo = True
    contact_email = factory.LazyAttribute(lambda o: f"{o.code}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)


def make_user(role: str, enterprise: Enterprise | None = None, **kwargs) -> User:
    """A saved user with the given role (and enterprise, for a liaison)."""
    user = UserFactory(**kwargs)
    Profile.objects.create(user=user, role=role, enterprise=enterprise if role == Role.LIAISON else None)
    return user


def sasac_user(**kwargs) -> User:
    return make_user(Role.SASAC_STAFF, **kwargs)


def leader_user(**kwargs) -> User:
    return make_user(Role.LEADER, **kwargs)


def liaison_user(enterprise: Enterprise, **kwargs) -> User:
    return make_user(Role.LIAISON, enterprise, **kwargs)


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice
        django_get_or_create = ("code",)

    code = "test-notice"
    title = "测试通知"
    issuer = "青岛市国资委"
    issued_on = datetime.date(2020, 6, 9)
    full_text = "测试通知全文"


class DirectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directive

    notice = factory.SubFactory(NoticeFactory)
    key = factory.Sequence(lambda n: f"d{n}")
    kind = DirectiveKind.DIRECTIVE
    number = factory.Sequence(lambda n: f"二({n})")
    title = factory.Sequence(lambda n: f"测试任务{n}")
    source_text = "条款原文"
    category = Category.VERTICAL_PLATFORM
    position = factory.Sequence(lambda n: n)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    directive = factory.SubFactory(DirectiveFactory)
    code = factory.Sequence(lambda n: f"ind{n}")
    name = "上云中小企业数"
    unit = "家"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    directive = factory.SubFactory(DirectiveFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = AssignmentRole.LEAD
    due_date = datetime.date(2022, 12, 31)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    assignment = factory.SubFactory(AssignmentFactory)
    title = factory.Sequence(lambda n: f"完成第{n}项交付")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    original_due_date = factory.LazyAttribute(lambda o: o.due_date)
    responsible_person = "张伟"
    progress = 40


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    milestone = factory.SubFactory(MilestoneFactory)
    period = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    progress = 40
    work_done = "完成需求调研"
    submitted_at = factory.LazyFunction(timezone.now)


class MilestoneRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneRequest

    milestone = factory.SubFactory(MilestoneFactory)
    kind = "extension"
    reason = "合作方交付推迟"
    filed_at = factory.LazyFunction(timezone.now)
