"""IT's admin for instructions. Instructions are written, assigned and closed in the product; the
admin lists and repairs them, with their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from progress.models import Instruction, InstructionUpdate


class InstructionUpdateInline(admin.TabularInline):
    model = InstructionUpdate
    fields = ["text", "written_by", "written_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Instruction)
class InstructionAdmin(SimpleHistoryAdmin):
    list_display = ["text", "author", "status", "assignee", "handler", "due_date", "created_at"]
    list_filter = ["status", "assignee"]
    search_fields = ["text", "author__username", "author__last_name", "enterprise__short_name", "milestone__title"]
    list_select_related = ["author", "handler"]
    raw_id_fields = ["author", "milestone", "enterprise", "directive", "handler", "assigned_by", "closed_by"]
    readonly_fields = ["version", "created_at"]
    inlines = [InstructionUpdateInline]


@admin.register(InstructionUpdate)
class InstructionUpdateAdmin(admin.ModelAdmin):
    list_display = ["instruction", "text", "written_by", "written_at"]
    search_fields = ["text", "instruction__text"]
    raw_id_fields = ["instruction", "written_by"]
