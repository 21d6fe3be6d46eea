"""Milestones and their ledger reports: rows as the board lists them, details, report input."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from api.serializers.fields import DirectiveRefSerializer, EnterpriseRefSerializer, LabelField, MonthField
from progress.forms.bounds import TEXT_MAX_CHARS
from progress.health import HEALTH_CHOICES
from progress.models import MilestoneStatus, RequestKind, ReviewState
from progress.services.ledger import LedgerError, check_evidence_file, current_period
from progress.tables import MilestoneTable

# The board's sort keys (its table's sortable columns), each ascending or descending.
SORT_KEYS = [name for name, column in MilestoneTable.base_columns.items() if column.orderable is not False]
SORTS = [key for column in SORT_KEYS for key in (column, f"-{column}")]
MAX_EVIDENCE_FILES = 10
# What progress.scoping.milestone_actions may answer: the milestone page's buttons.
MILESTONE_ACTIONS = [
    "report",
    "edit",
    "withdraw",
    "request_extension",
    "request_change",
    "request_withdrawal",
    "request_closure",
    "cancel_request",
    "decide",
    "reopen",
]


class MilestoneListQuery(serializers.Serializer):
    """Sorting and paging of the milestone list: the board's own query parameters."""

    sort = serializers.ChoiceField(
        choices=SORTS, required=False, help_text=gettext_lazy("排序,与督办看板相同;前加“-”为倒序。默认按时间节点。")
    )
    page = serializers.IntegerField(min_value=1, default=1, help_text=gettext_lazy("页码,从 1 开始。"))
    per_page = serializers.IntegerField(
        min_value=1, max_value=200, default=50, help_text=gettext_lazy("每页条数,默认 50,最多 200。")
    )


class MilestoneRowSerializer(serializers.Serializer):
    """One row of the board."""

    id = serializers.IntegerField()
    title = serializers.CharField(label=gettext_lazy("工作任务"))
    enterprise = EnterpriseRefSerializer(source="assignment.enterprise")
    directive = DirectiveRefSerializer(source="assignment.directive")
    responsible_person = serializers.CharField(label=gettext_lazy("责任人"))
    start_date = serializers.DateField(label=gettext_lazy("开始日期"))
    due_date = serializers.DateField(label=gettext_lazy("时间节点"))
    original_due_date = serializers.DateField(label=gettext_lazy("原定时间节点"))
    extension_count = serializers.IntegerField(label=gettext_lazy("延期次数"))
    progress = serializers.IntegerField(
        label=gettext_lazy("已审核进度(%)"), help_text=gettext_lazy("国资委审核通过的最近一次报送的进度")
    )
    status = serializers.ChoiceField(choices=MilestoneStatus.choices, label=gettext_lazy("状态"))
    health = serializers.ChoiceField(choices=HEALTH_CHOICES, label=gettext_lazy("健康状态"))
    latest_report_at = serializers.DateTimeField(
        source="latest_report.submitted_at", allow_null=True, label=gettext_lazy("最近报送")
    )
    latest_review_state = serializers.ChoiceField(
        source="latest_report.review_state",
        choices=ReviewState.choices,
        allow_null=True,
        label=gettext_lazy("审核状态"),
    )
    page_url = serializers.SerializerMethodField()

    def get_page_url(self, milestone) -> str:
        return reverse("progress:milestone_detail", args=[milestone.id])


class HealthCountsSerializer(serializers.Serializer):
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()
    green = serializers.IntegerField()
    closed = serializers.IntegerField()
    withdrawn = serializers.IntegerField()


class MilestonePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("符合筛选条件的时间节点总数"))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    health_counts = HealthCountsSerializer(help_text=gettext_lazy("符合筛选条件的时间节点按健康状态计数"))
    results = MilestoneRowSerializer(many=True)


class LatestReportSerializer(serializers.Serializer):
    """The newest report whatever its review: a pending figure shows here as pending."""

    id = serializers.IntegerField()
    period = MonthField()
    progress = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    review_state = serializers.ChoiceField(choices=ReviewState.choices)


class RequestRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    filed_at = serializers.DateTimeField()


class MilestoneSerializer(MilestoneRowSerializer):
    """A milestone with what its page shows beside the row: trajectory, forecast, closure."""

    assignment = serializers.IntegerField(source="assignment_id")
    description = serializers.CharField(label=gettext_lazy("说明"))
    status_label = LabelField(MilestoneStatus.choices, source="status")
    latest_report = LatestReportSerializer(allow_null=True)
    accepted_report_at_risk = serializers.BooleanField(label=gettext_lazy("已审核报送存在延期风险"))
    pending_request = RequestRefSerializer(allow_null=True, help_text=gettext_lazy("待国资委审批的申请"))
    expected_progress = serializers.IntegerField(source="forecast.expected", label=gettext_lazy("序时进度(%)"))
    forecast_finish = serializers.DateField(
        source="forecast.finish", allow_null=True, label=gettext_lazy("按近期进度预计完成")
    )
    forecast_at_risk = serializers.BooleanField(source="forecast.at_risk", label=gettext_lazy("预测延期"))
    closed_at = serializers.DateTimeField(allow_null=True, label=gettext_lazy("销号时间"))
    withdrawn_reason = serializers.CharField(label=gettext_lazy("撤销原因"))
    version = serializers.IntegerField()
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=MILESTONE_ACTIONS),
        help_text=gettext_lazy("当前用户现在可以进行的操作(与页面上的按钮相同)"),
    )


class IndicatorValueSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(source="indicator_id")
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name", label=gettext_lazy("原文件名"))
    content_type = serializers.CharField()
    size = serializers.IntegerField(label=gettext_lazy("大小(字节)"))
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, evidence) -> str:
        return reverse("api:evidence-download", args=[evidence.pk])


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    milestone = serializers.IntegerField(source="milestone_id")
    enterprise = EnterpriseRefSerializer(source="milestone.assignment.enterprise")
    period = MonthField(label=gettext_lazy("报送期"))
    progress = serializers.IntegerField(label=gettext_lazy("进度(%)"))
    work_done = serializers.CharField(label=gettext_lazy("进展情况"))
    problems = serializers.CharField(label=gettext_lazy("存在问题"))
    next_steps = serializers.CharField(label=gettext_lazy("下步计划"))
    support_needed = serializers.CharField(label=gettext_lazy("需协调事项"))
    at_risk = serializers.BooleanField(label=gettext_lazy("存在延期风险"))
    review_state = serializers.ChoiceField(choices=ReviewState.choices, label=gettext_lazy("审核状态"))
    review_state_label = LabelField(ReviewState.choices, source="review_state")
    review_comment = serializers.CharField(label=gettext_lazy("审核意见"))
    reviewed_at = serializers.DateTimeField(allow_null=True, label=gettext_lazy("审核时间"))
    submitted_at = serializers.DateTimeField(label=gettext_lazy("报送时间"))
    is_late = serializers.BooleanField(label=gettext_lazy("逾期报送"))
    version = serializers.IntegerField(help_text=gettext_lazy("修改时原样带回,用于发现并发修改"))
    indicator_values = IndicatorValueSerializer(many=True, source="indicator_values.all")
    evidence = EvidenceSerializer(many=True, source="evidence.all")


class ReportInputSerializer(serializers.Serializer):
    """What a liaison files or changes; checked like the report form, then the ledger services act.

    ``context["indicators"]``: the milestone's directive's indicators, by id.
    """

    progress = serializers.IntegerField(min_value=0, max_value=100, label=gettext_lazy("进度(%)"))
    work_done = serializers.CharField(label=gettext_lazy("进展情况"))
    problems = serializers.CharField(required=False, allow_blank=True, default="", label=gettext_lazy("存在问题"))
    next_steps = serializers.CharField(required=False, allow_blank=True, default="", label=gettext_lazy("下步计划"))
    support_needed = serializers.CharField(
        required=False, allow_blank=True, default="", label=gettext_lazy("需协调事项")
    )
    at_risk = serializers.BooleanField(required=False, default=False, label=gettext_lazy("存在延期风险"))
    indicator_values = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True),
        required=False,
        default=dict,
        label=gettext_lazy("指标值"),
        help_text=gettext_lazy("指标编号 → 数值;null 清除已填的值。只能填写该任务的指标。"),
    )
    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_EVIDENCE_FILES,
        label=gettext_lazy("佐证材料"),
        help_text=gettext_lazy("以 multipart/form-data 上传,可多个文件。"),
    )

    def validate_indicator_values(self, values: dict) -> dict:
        indicators = self.context["indicators"]
        checked = {}
        for key, value in values.items():
            indicator = indicators.get(int(key)) if str(key).isascii() and str(key).isdigit() else None
            if indicator is None:
                raise serializers.ValidationError(_("指标 %(key)s 不属于该任务。") % {"key": key})
            if value is not None and (
                value < indicator.min_value or (indicator.max_value is not None and value > indicator.max_value)
            ):
                raise serializers.ValidationError(
                    _("指标“%(name)s”的数值应在 %(low)s 到 %(high)s 之间。")
                    % {"name": indicator.name, "low": indicator.min_value, "high": indicator.max_value or "∞"}
                )
            checked[indicator] = value
        return checked

    def validate_evidence(self, files: list) -> list:
        errors = []
        for file in files:
            try:
                check_evidence_file(file)
            except LedgerError as error:
                errors.append(str(error))
        if errors:
            raise serializers.ValidationError(errors)
        return files


class ReportCreateSerializer(ReportInputSerializer):
    period = MonthField(
        required=False, label=gettext_lazy("报送期"), help_text=gettext_lazy("YYYY-MM,默认本月;不能是未来月份。")
    )

    def validate_period(self, period):
        if period > current_period():
            raise serializers.ValidationError(_("不能为未来月份报送进展。"))
        return period


class ReportUpdateSerializer(ReportInputSerializer):
    """Every field optional but ``version``: what is sent changes, the rest stays."""

    version = serializers.IntegerField(
        min_value=1, label=gettext_lazy("版本"), help_text=gettext_lazy("读取报送时得到的 version")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("progress", "work_done"):
            self.fields[name].required = False
        for field in self.fields.values():
            if field.field_name != "version":
                # PATCH: an absent field is "unchanged", not its default.
                field.default = serializers.empty


class ReviewSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=gettext_lazy("读取报送时得到的 version"))
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_CHARS, label=gettext_lazy("审核意见")
    )


class ReturnSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=gettext_lazy("读取报送时得到的 version"))
    comment = serializers.CharField(
        max_length=TEXT_MAX_CHARS, label=gettext_lazy("审核意见"), help_text=gettext_lazy("退回须写明原因")
    )
