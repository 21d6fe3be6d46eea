from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api import services
from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """IT sees and revokes tokens here; keys are made only on the API tokens page, where they are shown once."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "last_used_ip", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
        "revoked_by",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request, queryset):
        now = timezone.now()
        count = sum(services.token_revoke(token=token, by=request.user, now=now) for token in queryset)
        self.message_user(request, _("已撤销 %(n)s 个令牌。") % {"n": count}, messages.SUCCESS)
