"""The signed-in user's own notifications (消息中心): list, mark one or all read."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response

from api.filters import FilterBackend
from api.permissions import SignedIn
from api.serializers.fields import LabelField
from progress.models import Notification, NotificationKind
from progress.reminders import selectors, services

NOTIFICATIONS = _("消息")


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices, label=_("类型"))
    kind_label = LabelField(NotificationKind.choices, source="kind")
    subject = serializers.CharField(label=_("标题"))
    body = serializers.CharField(label=_("内容"))
    milestone = serializers.IntegerField(source="milestone_id", allow_null=True)
    due_on = serializers.DateField(allow_null=True, label=_("到期日或报送期"))
    created_at = serializers.DateTimeField(label=_("创建时间"))
    read_at = serializers.DateTimeField(allow_null=True, label=_("已读时间"))


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("仅未读(true)或仅已读(false)"))


@extend_schema(tags=[NOTIFICATIONS], summary=_("我的消息(最新在前)"))
class NotificationList(ListAPIView):
    permission_classes = [SignedIn]
    serializer_class = NotificationSerializer
    filter_backends = [FilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator asks with no user
            return Notification.objects.none()
        return selectors.notifications_of(self.request.user).order_by("-created_at", "-id")


MARKED = inline_serializer("MarkedRead", {"marked": serializers.IntegerField(help_text=_("本次标为已读的条数"))})


@extend_schema(tags=[NOTIFICATIONS], summary=_("把一条消息标为已读"), request=None, responses={200: MARKED})
class NotificationRead(GenericAPIView):
    permission_classes = [SignedIn]

    def post(self, request, notification_id: int):
        if not selectors.notifications_of(request.user).filter(pk=notification_id).exists():
            raise NotFound()
        return Response({"marked": services.mark_read(user=request.user, notification_id=notification_id)})


@extend_schema(tags=[NOTIFICATIONS], summary=_("把全部消息标为已读"), request=None, responses={200: MARKED})
class NotificationReadAll(GenericAPIView):
    permission_classes = [SignedIn]

    def post(self, request):
        return Response({"marked": services.mark_read(user=request.user)})
