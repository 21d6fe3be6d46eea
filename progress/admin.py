"""Django admin for IT: every progress model, searchable and filterable.

The admin is IT's tool, not a user role, so its querysets are not scoped. Models with
history use SimpleHistoryAdmin, so IT sees who changed what there too. The ledger's
workflow rules live in the services; IT edits here only to repair data. After every save or
delete of a milestone, report or indicator value, the milestones touched get their stored
facts recomputed by the ledger service ``milestone_refresh_derived``.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from progress.models import (
    AssessmentScore,
    AssessmentWeights,
    ChannelConfig,
    Delivery,
    Evidence,
    ImplementationPlan,
    IndicatorValue,
    LedgerImport,
    LedgerSnapshot,
    LedgerStamp,
    Milestone,
    MilestoneRequest,
    Notification,
    ProgressReport,
    ReminderRule,
    ReminderScan,
    ReportingPeriod,
    Urge,
)
from progress.services.ledger import milestone_refresh_derived


def _refresh_milestones(milestone_ids) -> None:
    for milestone in Milestone.objects.filter(pk__in={pk for pk in milestone_ids if pk is not None}):
        milestone_refresh_derived(milestone=milestone)


@admin.register(ImplementationPlan)
class ImplementationPlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "enterprise", "status", "revision", "submitted_at", "reviewed_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "enterprise__name", "enterprise__short_name", "enterprise__code"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["reviewed_by"]
    readonly_fields = ["version"]


class ProgressReportInline(admin.TabularInline):
    model = ProgressReport
    fields = ["period", "progress", "review_state", "is_late", "submitted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["title", "enterprise_name", "directive_number", "responsible_person", "due_date", "status",
                    "progress", "updated_at"]
    list_filter = ["status", "assignment__role", "assignment__enterprise__sector", "due_date"]
    search_fields = ["title", "responsible_person", "assignment__enterprise__short_name",
                     "assignment__enterprise__code", "assignment__directive__number"]
    list_select_related = ["assignment__enterprise", "assignment__directive"]
    raw_id_fields = ["assignment", "responsible_user", "closed_by"]
    # save_model recomputes what the milestone stores about its reports: shown, never typed in.
    # ``progress`` is the accepted report's: derived from the reports like the facts after it.
    readonly_fields = ["version", "created_at", "updated_at", "progress", "latest_report", "latest_report_at",
                       "latest_review_state", "accepted_report", "accepted_report_at_risk", "forecast_at_risk"]
    date_hierarchy = "due_date"
    inlines = [ProgressReportInline]

    @admin.display(description=_("企业"), ordering="assignment__enterprise__code")
    def enterprise_name(self, obj):
        return obj.assignment.enterprise.short_name

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The dates feed the forecast verdict.
        milestone_refresh_derived(milestone=obj)

    @admin.display(description=_("条款"), ordering="assignment__directive__position")
    def directive_number(self, obj):
        return obj.assignment.directive.number


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    raw_id_fields = ["indicator"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ProgressReport)
class ProgressReportAdmin(SimpleHistoryAdmin):
    list_display = ["milestone", "enterprise_name", "period", "progress", "review_state", "is_late", "at_risk",
                    "submitted_at", "reviewed_at"]
    list_filter = ["review_state", "is_late", "at_risk", "period"]
    search_fields = ["milestone__title", "work_done", "milestone__assignment__enterprise__short_name",
                     "milestone__assignment__enterprise__code"]
    list_select_related = ["milestone__assignment__enterprise"]
    raw_id_fields = ["milestone", "submitted_by", "reviewed_by"]
    readonly_fields = ["version", "updated_at"]
    date_hierarchy = "submitted_at"
    inlines = [IndicatorValueInline, EvidenceInline]

    @admin.display(description=_("企业"), ordering="milestone__assignment__enterprise__code")
    def enterprise_name(self, obj):
        return obj.milestone.assignment.enterprise.short_name

    def save_related(self, request, form, formsets, change):
        # After the report and its indicator values are saved: the report may have moved to
        # another milestone, so the one it left is refreshed too.
        super().save_related(request, form, formsets, change)
        _refresh_milestones({form.instance.milestone_id, form.initial.get("milestone")})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _refresh_milestones({obj.milestone_id})

    def delete_queryset(self, request, queryset):
        milestone_ids = set(queryset.values_list("milestone_id", flat=True))
        super().delete_queryset(request, queryset)
        _refresh_milestones(milestone_ids)


@admin.register(MilestoneRequest)
class MilestoneRequestAdmin(SimpleHistoryAdmin):
    """Requests and SASAC's decisions: the record of who asked and who decided. Decisions are made
    in the product (they change the milestone with them), so the admin shows them read-only."""

    list_display = ["milestone", "kind", "state", "filed_by", "filed_at", "decided_by", "decided_at"]
    list_filter = ["kind", "state", "filed_at"]
    search_fields = ["milestone__title", "reason", "decision_comment", "milestone__assignment__enterprise__short_name"]
    list_select_related = ["milestone", "filed_by", "decided_by"]
    raw_id_fields = ["milestone", "filed_by", "decided_by"]
    readonly_fields = ["milestone", "kind", "state", "original", "proposed", "filed_by", "filed_at", "decided_by",
                       "decided_at", "decision_comment", "shortfall_reason", "version"]

    def has_add_permission(self, request):
        return False


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["month", "closed_at", "closed_by"]
    list_filter = [("closed_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["closed_by"]


@admin.register(LedgerSnapshot)
class LedgerSnapshotAdmin(admin.ModelAdmin):
    """Frozen ledgers of closed periods: read-only, they are what a circulated 通报 was made from."""

    list_display = ["period", "enterprise", "created_at"]
    list_filter = ["period"]
    search_fields = ["enterprise__name", "enterprise__short_name", "enterprise__code"]
    list_select_related = ["period", "enterprise"]
    readonly_fields = ["period", "enterprise", "rows", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerImport)
class LedgerImportAdmin(admin.ModelAdmin):
    """Uploaded ledgers between preview and commit: read-only, for tracing what an import filed."""

    list_display = ["enterprise", "user", "period", "file_name", "created_at", "committed_at"]
    list_filter = ["period"]
    search_fields = ["enterprise__name", "enterprise__short_name", "enterprise__code", "file_name", "user__username"]
    list_select_related = ["enterprise", "user"]
    readonly_fields = ["token", "user", "enterprise", "period", "file_name", "sha256", "plan", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "value", "report"]
    search_fields = ["indicator__name", "indicator__code", "report__milestone__title"]
    list_select_related = ["indicator", "report__milestone"]
    raw_id_fields = ["report", "indicator"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        previous = ProgressReport.objects.filter(pk=form.initial.get("report")).values_list("milestone_id", flat=True)
        _refresh_milestones({obj.report.milestone_id, *previous})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _refresh_milestones({obj.report.milestone_id})

    def delete_queryset(self, request, queryset):
        milestone_ids = set(queryset.values_list("report__milestone_id", flat=True))
        super().delete_queryset(request, queryset)
        _refresh_milestones(milestone_ids)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["content_type", "uploaded_at"]
    search_fields = ["original_name", "sha256", "report__milestone__title"]
    list_select_related = ["report__milestone", "uploaded_by"]
    raw_id_fields = ["report", "request", "uploaded_by"]
    readonly_fields = ["file", "sha256", "size", "content_type", "uploaded_at"]


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "offsets_days", "overdue_repeat_days", "escalate_after_days", "report_day",
                    "report_grace_days", "updated_at"]
    raw_id_fields = ["updated_by"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["channel", "status", "attempts", "sent_at", "error_code", "last_error"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "milestone", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["subject", "dedupe_key", "recipient__username", "recipient__email"]
    list_select_related = ["recipient", "milestone"]
    raw_id_fields = ["recipient", "milestone"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "sent_at", "error_code"]
    list_filter = ["channel", "status", "error_kind"]
    search_fields = ["notification__subject", "error_code", "last_error"]
    list_select_related = ["notification"]
    raw_id_fields = ["notification"]


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    """Read-only here: SASAC sets channels up on the reminder rules page, which checks the address
    against the outbound policy. The secret is never shown."""

    list_display = ["channel", "enabled", "updated_at", "updated_by"]
    fields = ["channel", "enabled", "url", "kinds", "updated_at", "updated_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderScan)
class ReminderScanAdmin(admin.ModelAdmin):
    """Completed scans: a day missing here is one whose scan the sweep will run again."""

    list_display = ["day", "kind", "completed_at", "notices", "deliveries"]
    list_filter = ["kind"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerStamp)
class LedgerStampAdmin(admin.ModelAdmin):
    """The token the cached pages key on (progress.ledger_cache): shown, never edited; every ledger
    write replaces it."""

    list_display = ["token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Urge)
class UrgeAdmin(admin.ModelAdmin):
    list_display = ["milestone", "sent_by", "sent_at", "acknowledged_at", "acknowledged_by", "reply"]
    list_filter = [("acknowledged_at", admin.EmptyFieldListFilter), "sent_at"]
    search_fields = ["milestone__title", "message", "sent_by__username"]
    list_select_related = ["milestone", "sent_by", "acknowledged_by"]
    raw_id_fields = ["milestone", "sent_by", "acknowledged_by"]


@admin.register(AssessmentWeights)
class AssessmentWeightsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "on_time_closure", "report_timeliness", "overdue_work", "extensions", "updated_at"]
    raw_id_fields = ["updated_by"]


@admin.register(AssessmentScore)
class AssessmentScoreAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "quarter", "score", "on_time_closure_rate", "report_timeliness_rate",
                    "overdue_free_rate", "extension_free_rate", "computed_at"]
    list_filter = ["quarter"]
    search_fields = ["enterprise__name", "enterprise__short_name", "enterprise__code"]
    list_select_related = ["enterprise"]


# The follow-up work keeps its admin beside its models; importing registers it.
from progress.circulars import admin as circulars_admin  # noqa: E402, F401
from progress.instructions import admin as instructions_admin  # noqa: E402, F401
from progress.orders import admin as orders_admin  # noqa: E402, F401
