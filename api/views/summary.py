"""The leaders' summary figures (the data /charts/ draws) for the city's cockpit screen."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.serializers.fields import EnterpriseRefSerializer
from api.serializers.ledger import HealthCountsSerializer
from directives.models import Category
from progress.health import today
from progress.scoping import require_sees_everything, visible_enterprises, visible_milestones
from progress.selectors.assessment import ranking
from progress.selectors.board import BOARD_HEALTHS
from progress.selectors.charts import leaders_figures
from progress.services.assessment import current_weights

CATEGORY_LABELS = dict(Category.choices)


class CompletionSerializer(serializers.Serializer):
    enterprise = EnterpriseRefSerializer()
    average_progress = serializers.FloatField(help_text=_("未撤销时间节点的平均进度(%)"))
    milestones = serializers.IntegerField(help_text=_("未撤销的时间节点数"))
    closed = serializers.IntegerField(help_text=_("已销号的时间节点数"))


class CategoryHealthSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    category_label = serializers.CharField()
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()
    closed = serializers.IntegerField()


class TrendPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    overdue = serializers.IntegerField(help_text=_("当日逾期的时间节点数"))


class DueWeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()


class IndicatorTotalSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator_id")
    directive = serializers.IntegerField(source="directive_id")
    name = serializers.CharField()
    unit = serializers.CharField()
    total = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text=_("各时间节点最新值之和(单位为 % 时为平均值)")
    )
    target = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, help_text=_("全市目标"))
    milestones = serializers.IntegerField()


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    enterprise = EnterpriseRefSerializer()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    on_time_closure_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    report_timeliness_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    overdue_free_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    extension_free_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    closure_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    timeliness_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    overdue_points = serializers.DecimalField(max_digits=6, decimal_places=2)
    extension_points = serializers.DecimalField(max_digits=6, decimal_places=2)


class SummarySerializer(serializers.Serializer):
    on = serializers.DateField(help_text=_("统计日期(上海时间)"))
    health_counts = HealthCountsSerializer()
    enterprises = CompletionSerializer(many=True, help_text=_("各企业完成进度,平均进度高者在前"))
    categories = CategoryHealthSerializer(many=True)
    overdue_trend = TrendPointSerializer(many=True)
    due_soon = DueWeekSerializer(many=True)
    indicators = IndicatorTotalSerializer(many=True)
    ranking_quarter = serializers.CharField(allow_null=True)
    ranking = RankingRowSerializer(many=True)


@extend_schema(
    tags=[_("汇总")],
    summary=_("领导汇总数据(与“统计图表”页面相同;国资委与领导)"),
    responses={200: SummarySerializer},
)
class Summary(GenericAPIView):
    serializer_class = SummarySerializer

    def get(self, request):
        require_sees_everything(request.user)
        figures = leaders_figures(visible_milestones(request.user), on=today())
        counts = dict.fromkeys(BOARD_HEALTHS, 0)
        for row in figures.breakdown:
            counts[row["health"]] += row["rows"]
        codes = dict(visible_enterprises(request.user).values_list("pk", "code"))
        quarter = figures.quarter
        ranked = ranking(quarter=quarter, weights=current_weights()) if quarter else []
        summary = {
            "on": figures.on,
            "health_counts": counts,
            "enterprises": [
                {
                    "enterprise": {"code": codes[row.enterprise_id], "short_name": row.short_name},
                    "average_progress": row.average_progress,
                    "milestones": row.milestones,
                    "closed": row.closed,
                }
                for row in figures.completion
            ],
            "categories": [
                {"category": category, "category_label": CATEGORY_LABELS[category], **healths}
                for category, healths in figures.by_category.items()
            ],
            "overdue_trend": [{"date": day, "overdue": count} for day, count in figures.trend],
            "due_soon": figures.due_soon,
            "indicators": figures.indicators,
            "ranking_quarter": quarter,
            "ranking": ranked,
        }
        return Response(SummarySerializer(summary).data)
