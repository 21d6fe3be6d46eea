"""Ledger reports: list, read, file and change them (liaisons, their own milestones), review them
(SASAC), and download their evidence. Writes go through ``progress.services.ledger``, the same
services the report form calls, so every rule of the pages holds here too."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.exceptions import require_valid
from api.filters import FilterBackend, IdFilter
from api.serializers.ledger import (
    ReportCreateSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    ReturnSerializer,
    ReviewSerializer,
)
from api.views.base import MilestoneChildView
from progress import scoping
from progress.forms import ledger as forms
from progress.models import IndicatorValue, ProgressReport, ReviewState
from progress.services import ledger as services
from progress.views.ledger import evidence_response

REPORTS = _("进展报送")
REPORT_FIELDS = services.REPORT_FIELDS


def _with_details(reports):
    return reports.select_related("milestone__assignment__enterprise").prefetch_related(
        "evidence", Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator"))
    )


def _report_data(request, report_id: int) -> dict:
    report = scoping.get_report_for_user(request.user, report_id, _with_details(ProgressReport.objects.all()))
    return ReportSerializer(report, context={"request": request}).data


class MonthFilter(filters.Filter):
    field_class = forms.MonthField  # the report form's own: YYYY-MM, cleaned to the month's first day


class ReportFilter(filters.FilterSet):
    milestone = IdFilter(field_name="milestone_id", label=_("时间节点编号"))
    enterprise = filters.CharFilter(field_name="milestone__assignment__enterprise__code", label=_("企业代码"))
    period = MonthFilter(field_name="period", label=_("报送期(YYYY-MM)"))
    review_state = filters.ChoiceFilter(choices=ReviewState.choices, label=_("审核状态"))


@extend_schema(tags=[REPORTS], summary=_("进展报送列表(最新报送在前;联络员只见本企业)"))
class ReportList(ListAPIView):
    serializer_class = ReportSerializer
    filter_backends = [FilterBackend]
    filterset_class = ReportFilter

    def get_queryset(self):
        return _with_details(scoping.visible_reports(self.request.user)).order_by("-id")


class MilestoneReports(MilestoneChildView):
    serializer_class = ReportSerializer

    @extend_schema(
        tags=[REPORTS], summary=_("一个时间节点的全部报送(最新报送期在前)"), responses=ReportSerializer(many=True)
    )
    def get(self, request, milestone_id: int):
        milestone = self._milestone(milestone_id)
        reports = _with_details(milestone.reports.all()).order_by("-period")
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(ReportSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        tags=[REPORTS],
        summary=_("报送进展(联络员,本企业进行中的时间节点)"),
        description=_(
            "与台账页面的“报送进展”相同的规则:只能报送本企业进行中的时间节点;报送期不能是未来月份,"
            "已关账的报送期不能再报送;同一报送期只能报送一次(之后请修改原报送)。"
            "佐证材料以 multipart/form-data 上传。"
        ),
        request={"application/json": ReportCreateSerializer, "multipart/form-data": ReportCreateSerializer},
        responses={201: ReportSerializer},
    )
    def post(self, request, milestone_id: int):
        milestone = self._milestone(milestone_id)
        scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
        indicators = {i.pk: i for i in milestone.assignment.directive.indicators.all()}
        data = require_valid(ReportCreateSerializer(data=request.data, context={"indicators": indicators}))
        report = services.report_file(
            milestone=milestone,
            by=request.user,
            period=data.get("period"),
            indicator_values=data["indicator_values"],
            evidence_files=data["evidence"],
            **{name: data[name] for name in REPORT_FIELDS},
        )
        return Response(_report_data(request, report.pk), status=status.HTTP_201_CREATED)


class ReportDetail(GenericAPIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = ReportSerializer

    @extend_schema(tags=[REPORTS], summary=_("一条报送,含指标值与佐证材料"))
    def get(self, request, report_id: int):
        return Response(_report_data(request, report_id))

    @extend_schema(
        tags=[REPORTS],
        summary=_("修改报送(联络员,待审核或已退回的报送)"),
        description=_(
            "只改所提交的字段;version 必须是读取时得到的版本,期间他人改过则返回 409 并列出差异。"
            "已退回的报送修改后重新进入审核队列;已通过或已关账报送期的报送不能修改。"
            "可同时追加佐证材料(multipart/form-data)。"
        ),
        request={"application/json": ReportUpdateSerializer, "multipart/form-data": ReportUpdateSerializer},
        responses={200: ReportSerializer},
    )
    def patch(self, request, report_id: int):
        report = scoping.get_report_for_user(
            request.user,
            report_id,
            ProgressReport.objects.select_related(
                "milestone__assignment__enterprise", "milestone__assignment__directive"
            ),
        )
        milestone = report.milestone
        scoping.require_edit_enterprise(request.user, milestone.assignment.enterprise)
        indicators = {i.pk: i for i in milestone.assignment.directive.indicators.all()}
        data = require_valid(ReportUpdateSerializer(data=request.data, context={"indicators": indicators}))
        services.report_update(
            report=report,
            by=request.user,
            expected_version=data["version"],
            indicator_values=data.get("indicator_values", {}),
            evidence_files=data.get("evidence", []),
            **{name: data[name] for name in REPORT_FIELDS if name in data},
        )
        return Response(_report_data(request, report.pk))


class ReportDecision(GenericAPIView):
    """SASAC's review: accept (comment optional) or return (comment required), a pending report only."""

    serializer_class = ReportSerializer
    decision = "accept"

    def post(self, request, report_id: int):
        report = scoping.get_report_for_user(request.user, report_id)
        scoping.require_sasac(request.user)
        serializer = ReviewSerializer if self.decision == "accept" else ReturnSerializer
        data = require_valid(serializer(data=request.data))
        decide = services.report_accept if self.decision == "accept" else services.report_return
        decide(report=report, by=request.user, expected_version=data["version"], comment=data["comment"])
        return Response(_report_data(request, report.pk))


@extend_schema(tags=[REPORTS], summary=_("审核通过一条待审核的报送(国资委)"), request=ReviewSerializer)
class ReportAccept(ReportDecision):
    decision = "accept"


@extend_schema(tags=[REPORTS], summary=_("退回一条待审核的报送并写明意见(国资委)"), request=ReturnSerializer)
class ReportReturn(ReportDecision):
    decision = "return"


class FirstRenderer(BaseContentNegotiation):
    """A file goes out whatever the client accepts; an error is JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(
    tags=[REPORTS],
    summary=_("下载一份佐证材料"),
    responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description=_("文件本身"))},
)
class EvidenceDownload(GenericAPIView):
    content_negotiation_class = FirstRenderer

    def get(self, request, evidence_id: int):
        return evidence_response(scoping.get_evidence_for_user(request.user, evidence_id))
