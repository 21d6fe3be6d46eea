"""IT's admin for supervision orders. Orders are never deleted here: their numbers must never be
given twice, and the number counters are read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from progress.models import DocumentSequence, OrderAnswer, OrderEvidence, SupervisionOrder


class NoDelete:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ["__str__", "title", "enterprise", "status", "answer_due", "issued_at"]
    list_filter = ["status", "year"]
    search_fields = ["title", "requirement", "enterprise__short_name", "enterprise__code"]
    list_select_related = ["enterprise"]
    raw_id_fields = ["enterprise", "instruction", "issued_by", "signed_by", "closed_by"]
    filter_horizontal = ["milestones"]
    readonly_fields = ["year", "serial", "version"]


@admin.register(OrderAnswer)
class OrderAnswerAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["order", "decision", "submitted_by", "submitted_at", "reviewed_at"]
    list_filter = ["decision"]
    search_fields = ["text", "order__title"]
    raw_id_fields = ["order", "submitted_by", "reviewed_by"]


@admin.register(OrderEvidence)
class OrderEvidenceAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["original_name", "answer", "size", "uploaded_at"]
    search_fields = ["original_name", "sha256"]
    raw_id_fields = ["answer", "uploaded_by"]


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["series", "year", "last"]
    search_fields = ["series"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
