from django.contrib import admin

from enterprises.models import Enterprise, Profile


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["code", "short_name", "name", "sector", "is_demo", "is_active", "contact_email"]
    list_display_links = ["code", "short_name"]
    list_filter = ["sector", "is_demo", "is_active"]
    search_fields = ["code", "short_name", "name", "contact_email"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "enterprise", "phone"]
    list_filter = ["role", "enterprise__sector"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "enterprise__short_name",
        "enterprise__code",
    ]
    autocomplete_fields = ["user", "enterprise"]
    list_select_related = ["user", "enterprise"]
