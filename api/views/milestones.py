"""Milestones: the board's list (its filters, sorts and pages, the same code) and one milestone."""

import math

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api.exceptions import require_valid
from api.filters import FilterBackend
from api.serializers.ledger import MilestoneListQuery, MilestonePageSerializer, MilestoneSerializer
from progress import scoping
from progress.filters import MilestoneFilter
from progress.forecast import forecast_of
from progress.health import HealthRules, health_of, today
from progress.models import Milestone
from progress.selectors.board import board_milestones, health_counts
from progress.selectors.requests import pending_request
from progress.services.ledger import plan_is_approved
from progress.tables import build_milestone_table

MILESTONES = _("时间节点")


class MilestoneList(GenericAPIView):
    """The board (/board/) as JSON: the same filters (``progress.filters.MilestoneFilter``), sort keys
    and pages (``progress.tables``), and the counts per health of the filtered rows."""

    filter_backends = [FilterBackend]
    filterset_class = MilestoneFilter
    serializer_class = MilestonePageSerializer
    pagination_class = None

    def get_queryset(self):
        return board_milestones(self.request.user, on=today())

    @extend_schema(
        tags=[MILESTONES],
        operation_id="milestones_list",
        summary=_("时间节点列表:督办看板的筛选、排序与分页"),
        parameters=[MilestoneListQuery],
        filters=True,
    )
    def get(self, request):
        paging = require_valid(MilestoneListQuery(data=request.query_params))
        filterset = FilterBackend().valid_filterset(request, self.get_queryset(), self)
        rows = filterset.qs
        counts = health_counts(rows, on=filterset.on)
        total = sum(counts.values())
        per_page = paging["per_page"]
        pages = max(1, math.ceil(total / per_page))
        if paging["page"] > pages:
            raise exceptions.NotFound(_("页码无效:没有这一页。"))
        table = build_milestone_table(request, rows, total=total, on=filterset.on, counts=counts)
        rules = HealthRules.from_settings()
        records = table.page_records()
        for record in records:
            record.health = health_of(record, on=filterset.on, rules=rules)
        url = request.build_absolute_uri()
        page = paging["page"]
        return Response(
            MilestonePageSerializer(
                {
                    "count": total,
                    "page": page,
                    "pages": pages,
                    "per_page": per_page,
                    "next": replace_query_param(url, "page", page + 1) if page < pages else None,
                    "previous": replace_query_param(url, "page", page - 1) if page > 1 else None,
                    "health_counts": counts,
                    "results": records,
                },
                context={"request": request},
            ).data
        )


@extend_schema(tags=[MILESTONES], summary=_("一个时间节点:健康状态、序时进度与预测"))
class MilestoneDetail(GenericAPIView):
    serializer_class = MilestoneSerializer

    def get(self, request, milestone_id: int):
        milestone = scoping.get_milestone_for_user(
            request.user,
            milestone_id,
            Milestone.objects.select_related("assignment__enterprise", "assignment__directive", "latest_report"),
        )
        milestone.health = health_of(milestone)
        milestone.forecast = forecast_of(milestone)
        milestone.pending_request = pending_request(milestone)
        committed = plan_is_approved(milestone.assignment.enterprise)
        milestone.actions = sorted(
            scoping.milestone_actions(request.user, milestone, committed=committed, pending=milestone.pending_request)
        )
        return Response(MilestoneSerializer(milestone, context={"request": request}).data)
