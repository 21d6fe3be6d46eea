"""Enterprises, directives and assignments, as the pages show them to each role (read only)."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView, RetrieveAPIView

from api.filters import FilterBackend, IdFilter
from api.serializers.catalogue import AssignmentSerializer, DirectiveSerializer, EnterpriseSerializer
from directives.models import Category, Directive, DirectiveKind, Indicator
from progress import scoping

ENTERPRISES = _("企业")
DIRECTIVES = _("条款")
ASSIGNMENTS = _("任务分解")


@extend_schema(tags=[ENTERPRISES], summary=_("企业列表(联络员只见本企业)"))
class EnterpriseList(ListAPIView):
    serializer_class = EnterpriseSerializer

    def get_queryset(self):
        return scoping.visible_enterprises(self.request.user).order_by("code")


@extend_schema(tags=[ENTERPRISES], summary=_("一家企业"))
class EnterpriseDetail(RetrieveAPIView):
    serializer_class = EnterpriseSerializer

    def get_object(self):
        return scoping.get_enterprise_for_user(self.request.user, self.kwargs["code"])


class DirectiveFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=DirectiveKind.choices, label=_("层级"))
    category = filters.ChoiceFilter(choices=Category.choices, label=_("类别"))
    parent = IdFilter(field_name="parent_id", label=_("上级条款编号"))


def _directives():
    """Every role reads the whole notice (as /notice/ shows it): directives are not scoped."""
    return (
        Directive.objects.filter(is_active=True)
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("code")))
        .order_by("position", "pk")
    )


@extend_schema(tags=[DIRECTIVES], summary=_("通知的条款树(按通知顺序)"))
class DirectiveList(ListAPIView):
    serializer_class = DirectiveSerializer
    filter_backends = [FilterBackend]
    filterset_class = DirectiveFilter

    def get_queryset(self):
        return _directives()


@extend_schema(tags=[DIRECTIVES], summary=_("一个条款及其指标"))
class DirectiveDetail(RetrieveAPIView):
    serializer_class = DirectiveSerializer
    lookup_url_kwarg = "directive_id"

    def get_queryset(self):
        return _directives()


class AssignmentFilter(filters.FilterSet):
    enterprise = filters.CharFilter(field_name="enterprise__code", label=_("企业代码"))
    directive = IdFilter(field_name="directive_id", label=_("条款编号"))


@extend_schema(tags=[ASSIGNMENTS], summary=_("任务分解(联络员只见本企业)"))
class AssignmentList(ListAPIView):
    serializer_class = AssignmentSerializer
    filter_backends = [FilterBackend]
    filterset_class = AssignmentFilter

    def get_queryset(self):
        return (
            scoping.visible_assignments(self.request.user)
            .select_related("enterprise", "directive")
            .order_by("enterprise__code", "directive__position", "pk")
        )


@extend_schema(tags=[ASSIGNMENTS], summary=_("一项任务分解"))
class AssignmentDetail(RetrieveAPIView):
    serializer_class = AssignmentSerializer

    def get_object(self):
        return scoping.get_assignment_for_user(self.request.user, self.kwargs["assignment_id"])
