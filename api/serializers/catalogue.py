"""Enterprises, directives (with their indicators) and assignments: read only."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.fields import DirectiveRefSerializer, EnterpriseRefSerializer, LabelField
from directives.models import AssignmentRole, Category, DirectiveKind
from enterprises.models import Sector


class EnterpriseSerializer(serializers.Serializer):
    code = serializers.CharField(label=_("代码"))
    name = serializers.CharField(label=_("全称"))
    short_name = serializers.CharField(label=_("简称"))
    sector = serializers.ChoiceField(choices=Sector.choices, label=_("行业"))
    sector_label = LabelField(Sector.choices, source="sector")
    is_demo = serializers.BooleanField(label=_("演示数据"))
    is_active = serializers.BooleanField(label=_("启用"))


class IndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField(label=_("名称"))
    unit = serializers.CharField(label=_("单位"))
    target = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, label=_("目标值"))
    min_value = serializers.DecimalField(max_digits=14, decimal_places=2, label=_("最小值"))
    max_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, label=_("最大值"))


class DirectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    kind = serializers.ChoiceField(choices=DirectiveKind.choices, label=_("层级"))
    number = serializers.CharField(label=_("序号"))
    title = serializers.CharField(label=_("标题"))
    category = serializers.ChoiceField(choices=Category.choices, label=_("类别"))
    category_label = LabelField(Category.choices, source="category")
    source_text = serializers.CharField(label=_("通知原文"))
    target_sectors = serializers.ListField(child=serializers.CharField(), label=_("面向行业"))
    focus_areas = serializers.ListField(child=serializers.CharField(), label=_("重点领域"))
    indicators = IndicatorSerializer(many=True, source="indicators.all")
    page_url = serializers.SerializerMethodField()

    def get_page_url(self, directive) -> str:
        return reverse("progress:directive_detail", args=[directive.pk])


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = EnterpriseRefSerializer()
    directive = DirectiveRefSerializer()
    role = serializers.ChoiceField(choices=AssignmentRole.choices, label=_("角色"))
    role_label = LabelField(AssignmentRole.choices, source="role")
    due_date = serializers.DateField(label=_("完成时限"))
    note = serializers.CharField(label=_("说明"))
