"""Requests of the supervision workflow (issue 9): a liaison files them for its own milestones,
SASAC approves or refuses them (核实销号 with a verification note), the liaison may take its own
back. Through ``progress.services.requests``, the services the pages call: the transitions table,
versions and the notices to whoever acts next hold here too."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response

from api.exceptions import require_valid
from api.filters import FilterBackend, IdFilter
from api.serializers.requests import (
    RequestCreateSerializer,
    RequestDecisionSerializer,
    RequestSerializer,
    VersionSerializer,
)
from api.views.base import MilestoneChildView
from progress import scoping
from progress.models import Evidence, MilestoneRequest, RequestKind, RequestState
from progress.selectors.requests import describe_changes
from progress.services import requests as services

REQUESTS = _("申请与审批")


def _with_details(requests):
    return requests.select_related("milestone__assignment__enterprise").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id"))
    )


def _described(requests) -> list[MilestoneRequest]:
    for request in requests:
        request.changes = describe_changes(request)
    return requests


def _request_data(request, request_id: int) -> dict:
    found = _with_details(scoping.visible_requests(request.user)).filter(pk=request_id)
    return RequestSerializer(_described(list(found))[0], context={"request": request}).data


class RequestFilter(filters.FilterSet):
    milestone = IdFilter(field_name="milestone_id", label=_("时间节点编号"))
    enterprise = filters.CharFilter(field_name="milestone__assignment__enterprise__code", label=_("企业代码"))
    kind = filters.ChoiceFilter(choices=RequestKind.choices, label=_("申请类型"))
    state = filters.ChoiceFilter(choices=RequestState.choices, label=_("审批状态"))


@extend_schema(tags=[REQUESTS], summary=_("申请列表(最新在前;联络员只见本企业)"))
class RequestList(ListAPIView):
    serializer_class = RequestSerializer
    filter_backends = [FilterBackend]
    filterset_class = RequestFilter

    def get_queryset(self):
        return _with_details(scoping.visible_requests(self.request.user)).order_by("-id")

    def paginate_queryset(self, queryset):
        return _described(super().paginate_queryset(queryset))


@extend_schema(tags=[REQUESTS], summary=_("一项申请:原内容与申请内容、审批结果"))
class RequestDetail(GenericAPIView):
    serializer_class = RequestSerializer

    def get(self, request, request_id: int):
        scoping.get_request_for_user(request.user, request_id)
        return Response(_request_data(request, request_id))


class MilestoneRequests(MilestoneChildView):
    serializer_class = RequestSerializer

    @extend_schema(
        tags=[REQUESTS], summary=_("一个时间节点的全部申请(最新在前)"), responses=RequestSerializer(many=True)
    )
    def get(self, request, milestone_id: int):
        milestone = self._milestone(milestone_id)
        page = self.paginate_queryset(_with_details(milestone.requests.all()).order_by("-id"))
        return self.get_paginated_response(
            RequestSerializer(_described(page), many=True, context={"request": request}).data
        )

    @extend_schema(
        tags=[REQUESTS],
        summary=_("提出申请(联络员,本企业的时间节点):延期、变更、撤销或销号"),
        description=_(
            "与页面相同的规则:实施方案批准后,时间节点的时限、内容和撤销只能申请,国资委同意前不变;"
            "销号总须申请并写明完成情况,可附佐证材料(multipart/form-data);"
            "一个时间节点同时只能有一项待审批的申请。version 为读取时间节点时得到的版本。"
        ),
        request={"application/json": RequestCreateSerializer, "multipart/form-data": RequestCreateSerializer},
        responses={201: RequestSerializer},
    )
    def post(self, request, milestone_id: int):
        milestone = self._milestone(milestone_id)
        scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
        data = require_valid(RequestCreateSerializer(data=request.data))
        filed = services.request_file(
            milestone=milestone,
            by=request.user,
            kind=data["kind"],
            reason=data["reason"],
            changes=data["changes"],
            evidence_files=data["evidence"],
            expected_version=data["version"],
        )
        return Response(_request_data(request, filed.pk), status=status.HTTP_201_CREATED)


class RequestDecision(GenericAPIView):
    """SASAC approves or refuses a pending request; a closure's approval is 核实销号."""

    serializer_class = RequestSerializer
    approve = True

    def post(self, request, request_id: int):
        pending = scoping.get_request_for_user(request.user, request_id)
        scoping.require_sasac(request.user)
        data = require_valid(RequestDecisionSerializer(data=request.data))
        services.request_decide(
            request=pending,
            by=request.user,
            approve=self.approve,
            comment=data["comment"],
            shortfall_reason=data["shortfall_reason"],
            expected_version=data["version"],
        )
        return Response(_request_data(request, pending.pk))


@extend_schema(
    tags=[REQUESTS],
    summary=_("同意申请;销号申请即核实销号(国资委)"),
    description=_(
        "核实销号须填写核验意见(comment);已审核进度未达 100% 时须填写 shortfall_reason;"
        "该时间节点尚有待审核的报送时不能销号。销号不改变已审核的进度。"
    ),
    request=RequestDecisionSerializer,
)
class RequestApprove(RequestDecision):
    approve = True


@extend_schema(tags=[REQUESTS], summary=_("不同意申请并写明意见(国资委)"), request=RequestDecisionSerializer)
class RequestRefuse(RequestDecision):
    approve = False


@extend_schema(tags=[REQUESTS], summary=_("撤回本企业待审批的申请(联络员)"), request=VersionSerializer)
class RequestCancel(GenericAPIView):
    serializer_class = RequestSerializer

    def post(self, request, request_id: int):
        pending = scoping.get_request_for_user(request.user, request_id)
        scoping.require_edit_enterprise(request.user, pending.milestone.assignment.enterprise)
        data = require_valid(VersionSerializer(data=request.data))
        services.request_cancel(request=pending, by=request.user, expected_version=data["version"])
        return Response(_request_data(request, pending.pk))
