"""IT's admin for circulars: listed and readable; an issued circular is never deleted."""

from django.contrib import admin

from progress.models import Circular, CircularStatus


@admin.register(Circular)
class CircularAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "period_start", "status", "drafted_at", "issued_at"]
    list_filter = ["kind", "status"]
    search_fields = ["period_start"]
    raw_id_fields = ["drafted_by", "issued_by"]
    readonly_fields = ["year", "serial"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == CircularStatus.DRAFT
