import json
import re

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import translation


def fill_accepted_report_at(apps, schema_editor):
    """The submission time of each milestone's accepted report, as the ledger services now keep it."""
    Milestone = apps.get_model("progress", "Milestone")
    ProgressReport = apps.get_model("progress", "ProgressReport")
    Milestone.objects.filter(accepted_report__isnull=False).update(
        accepted_report_at=Subquery(
            ProgressReport.objects.filter(pk=OuterRef("accepted_report_id")).values("submitted_at")[:1]
        )
    )


# --- history reasons as keys (progress.history_reasons) ---------------------------------
# Frozen copies of the reasons the services wrote as text, in Chinese (their message keys) and as
# their English translations read when this migration runs; demo texts that differ from both are
# listed as the key they stand for.
REASON_KEYS = [
    "不同意%(kind)s:%(comment)s",
    "交办:由%(who)s办理,时限 %(due)s。%(note)s",
    "交办:由%(who)s办理,时限 %(due)s",
    "修改报送",
    "修改时间节点",
    "催办:%(message)s",
    "办结:%(note)s",
    "作废:%(reason)s",
    "反馈办理情况",
    "同意%(kind)s:%(comment)s",
    "审核通过:%(c)s",
    "审核通过",
    "批准:%(c)s",
    "批准",
    "报送",
    "按退回意见修改后重新报送",
    "提交审核",
    "提出%(kind)s",
    "撤回%(kind)s",
    "撤销:%(r)s",
    "新建时间节点",
    "核实销号:%(note)s",
    "申请销号:%(r)s",
    "第%(n)s次修订:%(note)s",
    "签发",
    "签收催办:%(reply)s",
    "签收催办",
    "签收并反馈办理情况",
    "签收",
    "起草实施方案",
    "转督办单办理",
    "退回重办:%(c)s",
    "退回:%(c)s",
    "采纳 %(p)s 报送的进度",
    "重新打开:%(r)s",
    "领导批示",
]
KINDS = {"延期申请": "extension", "变更申请": "change", "撤销申请": "withdrawal", "销号申请": "closure"}
HISTORY_MODELS = [
    "HistoricalMilestone",
    "HistoricalProgressReport",
    "HistoricalImplementationPlan",
    "HistoricalMilestoneRequest",
    "HistoricalSupervisionOrder",
    "HistoricalInstruction",
]


def _pattern(template: str):
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.*?)" for index, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


def _matchers():
    """(compiled pattern, key) for each key, in Chinese and in English, longest first."""
    with translation.override("en"):
        english = {key: translation.gettext(key) for key in REASON_KEYS}
    matchers = []
    for key in REASON_KEYS:
        for text in {key, english[key]}:
            matchers.append((_pattern(text), key))
    matchers.sort(key=lambda pair: -len(pair[0].pattern))
    return matchers


def _kind(label: str) -> str:
    label = label.strip()
    with translation.override("en"):
        english = {translation.gettext(zh).lower(): value for zh, value in KINDS.items()}
    return KINDS.get(label) or english.get(label.lower()) or label


def reason_key(text: str, matchers) -> str | None:
    """The stored-key form of a reason written as text, or None to leave it as it is."""
    if not text or text.startswith('{"key"'):
        return None
    for pattern, key in matchers:
        found = pattern.match(text)
        if found is None:
            continue
        params = found.groupdict()
        if not params:
            return key if text != key else None
        if "kind" in params:
            params["kind"] = _kind(params["kind"])
        return json.dumps({"key": key, **params}, ensure_ascii=False)
    return None


def reasons_to_keys(apps, schema_editor):
    matchers = _matchers()
    for name in HISTORY_MODELS:
        model = apps.get_model("progress", name)
        changed = []
        for row in (
            model.objects.exclude(history_change_reason__isnull=True)
            .exclude(history_change_reason="")
            .only("history_id", "history_change_reason")
            .iterator(chunk_size=2000)
        ):
            key = reason_key(row.history_change_reason, matchers)
            if key is not None:
                row.history_change_reason = key
                changed.append(row)
            if len(changed) >= 2000:
                model.objects.bulk_update(changed, ["history_change_reason"])
                changed = []
        model.objects.bulk_update(changed, ["history_change_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0023_order_cancelled"),
    ]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="accepted_report_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill_accepted_report_at, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(reasons_to_keys, migrations.RunPython.noop, elidable=True),
    ]
