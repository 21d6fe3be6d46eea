"""Who the caller is: for a program, a cheap way to check its token."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.models import ApiToken
from api.permissions import SignedIn
from enterprises.models import Role
from enterprises.names import person_name
from enterprises.selectors import enterprise_of, role_of


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(help_text=_("姓名"))
    role = serializers.ChoiceField(choices=Role.choices, allow_null=True)
    role_label = serializers.CharField(allow_null=True)
    enterprise = serializers.CharField(allow_null=True, help_text=_("联络员所属企业的代码"))
    token = serializers.CharField(allow_null=True, help_text=_("本次请求所用令牌的名称;以登录会话访问时为 null"))


@extend_schema(tags=[_("账号")], summary=_("当前用户(令牌的所属用户)"), responses={200: MeSerializer})
class Me(GenericAPIView):
    permission_classes = [SignedIn]
    serializer_class = MeSerializer

    def get(self, request):
        user = request.user
        role = role_of(user)
        enterprise = enterprise_of(user)
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "name": person_name(user),
                    "role": role,
                    "role_label": str(Role(role).label) if role else None,
                    "enterprise": enterprise.code if enterprise else None,
                    "token": request.auth.name if isinstance(request.auth, ApiToken) else None,
                }
            ).data
        )


class RootSerializer(serializers.Serializer):
    openapi = serializers.CharField(help_text=_("OpenAPI 文档"))
    docs = serializers.CharField(help_text=_("接口文档页面"))
    tokens = serializers.CharField(help_text=_("API 令牌页面"))


@extend_schema(tags=[_("账号")], summary=_("接口入口:OpenAPI 文档与文档页面的地址"), responses={200: RootSerializer})
class Root(GenericAPIView):
    """Open to anyone, like the OpenAPI document: it only says where things are."""

    permission_classes = [AllowAny]
    serializer_class = RootSerializer

    def get(self, request):
        links = {name: request.build_absolute_uri(reverse(f"api:{name}")) for name in ("openapi", "docs", "tokens")}
        return Response(RootSerializer(links).data)
