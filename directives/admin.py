from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from directives.models import Assignment, Directive, Indicator, Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "issuer", "issued_on"]
    list_filter = ["issuer", "issued_on"]
    search_fields = ["code", "title", "full_text"]
    date_hierarchy = "issued_on"


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["code", "name", "unit", "target", "min_value", "max_value"]


@admin.register(Directive)
class DirectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "kind", "category", "notice", "position", "is_active"]
    list_display_links = ["number", "title"]
    list_filter = ["notice", "kind", "category", "is_active"]
    search_fields = ["key", "number", "title", "source_text"]
    raw_id_fields = ["notice", "parent"]
    autocomplete_fields = ["named_enterprises"]
    list_select_related = ["notice"]
    inlines = [IndicatorInline]
    fieldsets = [
        (None, {"fields": ["notice", "parent", "key", "kind", "number", "title", "position", "is_active"]}),
        (
            _("内容"),
            {"fields": ["source_text", "category", "target_sectors", "named_enterprises", "partners", "focus_areas"]},
        ),
    ]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "target", "min_value", "max_value", "directive"]
    list_filter = ["unit", "directive__category"]
    search_fields = ["code", "name", "directive__number", "directive__title"]
    autocomplete_fields = ["directive"]
    list_select_related = ["directive"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "directive", "role", "due_date", "created_at"]
    list_filter = ["role", "directive__category", "enterprise__sector", "due_date"]
    search_fields = [
        "enterprise__code",
        "enterprise__short_name",
        "enterprise__name",
        "directive__number",
        "directive__title",
    ]
    autocomplete_fields = ["directive", "enterprise"]
    list_select_related = ["directive", "enterprise"]
    date_hierarchy = "due_date"
