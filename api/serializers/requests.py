"""Requests SASAC decides (延期、变更、撤销、销号): how they read, what a liaison files, a decision."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from api.serializers.fields import EnterpriseRefSerializer, LabelField
from api.serializers.ledger import MAX_EVIDENCE_FILES, EvidenceSerializer
from progress.forms.bounds import TEXT_MAX_CHARS, check_date
from progress.models import Milestone, RequestKind, RequestState
from progress.services.ledger import LedgerError, check_evidence_file
from progress.services.requests import CHANGE_FIELDS

MILESTONE_FIELDS = {field.name: field for field in Milestone._meta.fields}


class RequestedChangeSerializer(serializers.Serializer):
    label = serializers.CharField()
    original = serializers.CharField(help_text=gettext_lazy("原内容(原承诺)"))
    proposed = serializers.CharField(help_text=gettext_lazy("申请内容"))


class RequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    milestone = serializers.IntegerField(source="milestone_id")
    enterprise = EnterpriseRefSerializer(source="milestone.assignment.enterprise")
    kind = serializers.ChoiceField(choices=RequestKind.choices, label=gettext_lazy("申请类型"))
    kind_label = LabelField(RequestKind.choices, source="kind")
    state = serializers.ChoiceField(choices=RequestState.choices, label=gettext_lazy("审批状态"))
    state_label = LabelField(RequestState.choices, source="state")
    reason = serializers.CharField(label=gettext_lazy("申请理由"))
    changes = RequestedChangeSerializer(many=True, help_text=gettext_lazy("每项申请改变的内容:原内容与申请内容"))
    filed_at = serializers.DateTimeField(label=gettext_lazy("申请时间"))
    decided_at = serializers.DateTimeField(allow_null=True, label=gettext_lazy("审批时间"))
    decision_comment = serializers.CharField(label=gettext_lazy("审批意见"))
    shortfall_reason = serializers.CharField(label=gettext_lazy("未达100%销号说明"))
    version = serializers.IntegerField(help_text=gettext_lazy("审批或撤回时原样带回"))
    evidence = EvidenceSerializer(many=True, source="evidence.all")


class RequestCreateSerializer(serializers.Serializer):
    """A liaison's request. ``version`` is the milestone's, as read."""

    kind = serializers.ChoiceField(choices=RequestKind.choices, label=gettext_lazy("申请类型"))
    reason = serializers.CharField(
        max_length=TEXT_MAX_CHARS,
        label=gettext_lazy("申请理由"),
        help_text=gettext_lazy("销号申请写完成情况说明。"),
    )
    version = serializers.IntegerField(min_value=1, help_text=gettext_lazy("读取时间节点时得到的 version"))
    due_date = serializers.DateField(
        required=False,
        validators=[check_date],
        label=gettext_lazy("延期后的时间节点"),
        help_text=gettext_lazy("延期申请必填,须晚于当前时间节点。"),
    )
    title = serializers.CharField(required=False, max_length=MILESTONE_FIELDS["title"].max_length)
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_CHARS)
    start_date = serializers.DateField(required=False, validators=[check_date])
    responsible_person = serializers.CharField(
        required=False, max_length=MILESTONE_FIELDS["responsible_person"].max_length
    )
    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_EVIDENCE_FILES,
        label=gettext_lazy("完成佐证材料"),
        help_text=gettext_lazy("销号申请的佐证材料,以 multipart/form-data 上传。"),
    )

    def validate_evidence(self, files: list) -> list:
        errors = []
        for file in files:
            try:
                check_evidence_file(file)
            except LedgerError as error:
                errors.append(str(error))
        if errors:
            raise serializers.ValidationError(errors)
        return files

    def validate(self, data):
        kind = data["kind"]
        changes = {name: data[name] for name in CHANGE_FIELDS if name in data}
        if kind == RequestKind.EXTENSION and "due_date" not in data:
            raise serializers.ValidationError({"due_date": _("延期申请须填写延期后的时间节点。")})
        if kind != RequestKind.EXTENSION and "due_date" in data:
            raise serializers.ValidationError({"due_date": _("时间节点的调整须提交延期申请。")})
        if kind == RequestKind.CHANGE and not changes:
            raise serializers.ValidationError(
                {"title": _("变更申请须写明要变更的内容(title、description、start_date 或 responsible_person)。")}
            )
        if kind != RequestKind.CHANGE and changes:
            raise serializers.ValidationError({next(iter(changes)): _("只有变更申请可以修改时间节点的内容。")})
        if kind != RequestKind.CLOSURE and data["evidence"]:
            raise serializers.ValidationError({"evidence": _("只有销号申请可以附佐证材料。")})
        data["changes"] = {"due_date": data["due_date"]} if kind == RequestKind.EXTENSION else changes
        return data


class RequestDecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=gettext_lazy("读取申请时得到的 version"))
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TEXT_MAX_CHARS,
        label=gettext_lazy("审批意见"),
        help_text=gettext_lazy("不同意须填写;核实销号时为核验意见,必填。"),
    )
    shortfall_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TEXT_MAX_CHARS,
        label=gettext_lazy("未达100%销号说明"),
        help_text=gettext_lazy("已审核进度未达 100% 时核实销号须填写。"),
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=gettext_lazy("读取申请时得到的 version"))
