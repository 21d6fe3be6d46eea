"""Writes for the directives app: loading a notice's data file as a directive tree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from directives.models import Category, Directive, DirectiveKind, Indicator, Notice
from enterprises.models import Enterprise, Sector

ALL_SECTORS = "all"

# Which kind of clause may hang under which: a section is a root, a measure sits under a directive.
PARENT_KIND = {
    DirectiveKind.SECTION: None,
    DirectiveKind.DIRECTIVE: DirectiveKind.SECTION,
    DirectiveKind.MEASURE: DirectiveKind.DIRECTIVE,
}

NOTICE_FIELDS = ("title", "issuer", "issued_on", "source", "full_text")
DIRECTIVE_FIELDS = (
    "parent_id", "kind", "number", "title", "source_text", "category",
    "target_sectors", "partners", "focus_areas", "position", "is_active",
)  # fmt: skip
INDICATOR_FIELDS = ("name", "unit", "target", "min_value", "max_value")
ENTERPRISE_FIELDS = ("name", "short_name", "sector")


class NoticeDataError(ValueError):
    """The data file breaks a rule; the message names the clause."""


@dataclass
class LoadResult:
    notice_created: bool = False
    notice_updated: bool = False
    enterprises_created: int = 0
    directives_created: int = 0
    directives_updated: int = 0
    directives_unchanged: int = 0
    directives_retired: int = 0
    indicators_created: int = 0
    indicators_updated: int = 0
    indicators_unchanged: int = 0
    indicators_deleted: int = 0
    indicators_kept: int = 0  # gone from the file but referenced by ledger values, so kept

    @property
    def changed(self) -> bool:
        return any(
            (
                self.notice_created, self.notice_updated, self.enterprises_created,
                self.directives_created, self.directives_updated, self.directives_retired,
                self.indicators_created, self.indicators_updated, self.indicators_deleted,
            )
        )  # fmt: skip


# ---------------------------------------------------------------- validation


def _text(raw: dict, field: str, where: str, *, required: bool = True) -> str:
    value = raw.get(field)
    if value is None:
        if required:
            raise NoticeDataError(f"{where}:缺少字段 {field}")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise NoticeDataError(f"{where}:字段 {field} 必须是非空文本")
    return value.strip()


def _text_list(raw: dict, field: str, where: str) -> list[str]:
    value = raw.get(field, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise NoticeDataError(f"{where}:字段 {field} 必须是文本列表")
    return [item.strip() for item in value]


def _decimal(raw: dict, field: str, where: str, default: Decimal | None) -> Decimal | None:
    value = raw.get(field)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise NoticeDataError(f"{where}:字段 {field} 必须是数值")
    try:
        number = Decimal(str(value))
    except InvalidOperation as error:
        raise NoticeDataError(f"{where}:字段 {field} 必须是数值") from error
    if not number.is_finite():
        raise NoticeDataError(f"{where}:字段 {field} 必须是有限数值")
    return number.quantize(Decimal("0.01"))


def _check_indicator(raw: Any, where: str) -> dict:
    if not isinstance(raw, dict):
        raise NoticeDataError(f"{where}:指标必须是表")
    code = _text(raw, "code", where)
    where = f"{where} 指标 {code}"
    indicator = {
        "code": code,
        "name": _text(raw, "name", where),
        "unit": _text(raw, "unit", where),
        "target": _decimal(raw, "target", where, None),
        "min_value": _decimal(raw, "min_value", where, Decimal("0.00")),
        "max_value": _decimal(raw, "max_value", where, None),
    }
    if indicator["max_value"] is not None and indicator["max_value"] < indicator["min_value"]:
        raise NoticeDataError(f"{where}:最大值小于最小值")
    target = indicator["target"]
    if target is not None and (
        target < indicator["min_value"] or (indicator["max_value"] is not None and target > indicator["max_value"])
    ):
        raise NoticeDataError(f"{where}:目标值不在取值范围内")
    return indicator


def notice_data_check(*, data: dict) -> dict:
    """Validate a parsed data file and return it normalised; raise NoticeDataError naming the clause."""
    if not isinstance(data, dict):
        raise NoticeDataError("数据文件必须是表")
    raw_notice = data.get("notice")
    if not isinstance(raw_notice, dict):
        raise NoticeDataError("缺少 [notice] 部分")
    notice = {field: _text(raw_notice, field, "[notice]") for field in ("code", "title", "issuer", "full_text")}
    notice["source"] = _text(raw_notice, "source", "[notice]", required=False)
    issued_on = raw_notice.get("issued_on")
    if not isinstance(issued_on, datetime.date) or isinstance(issued_on, datetime.datetime):
        raise NoticeDataError("[notice]:issued_on 必须是日期(如 2020-06-09)")
    notice["issued_on"] = issued_on

    sectors = set(Sector.values)
    enterprises = []
    for index, raw in enumerate(data.get("enterprises", []), start=1):
        where = f"企业 #{index}"
        if not isinstance(raw, dict):
            raise NoticeDataError(f"{where}:必须是表")
        code = _text(raw, "code", where)
        where = f"企业 {code}"
        enterprise = {"code": code, **{field: _text(raw, field, where) for field in ENTERPRISE_FIELDS}}
        if enterprise["sector"] not in sectors:
            raise NoticeDataError(f"{where}:未知行业 {enterprise['sector']}")
        enterprises.append(enterprise)
    known_enterprises = {enterprise["code"] for enterprise in enterprises}
    if len(known_enterprises) != len(enterprises):
        raise NoticeDataError("企业代码重复")

    raw_directives = data.get("directives")
    if not isinstance(raw_directives, list) or not raw_directives:
        raise NoticeDataError("缺少 [[directives]] 条款")
    kinds: dict[str, str] = {}
    directives = []
    for position, raw in enumerate(raw_directives, start=1):
        where = f"第 {position} 个条款"
        if not isinstance(raw, dict):
            raise NoticeDataError(f"{where}:必须是表")
        key = _text(raw, "key", where)
        where = f"条款 {key}"
        if raw.get("number"):
            where = f"条款 {key}({raw['number']})"
        if key in kinds:
            raise NoticeDataError(f"{where}:key 重复")
        directive = {
            "key": key,
            "number": _text(raw, "number", where),
            "title": _text(raw, "title", where),
            "source_text": _text(raw, "source_text", where),
            "kind": _text(raw, "kind", where),
            "category": _text(raw, "category", where),
            "parent": _text(raw, "parent", where, required=False) or None,
            "target_sectors": _text_list(raw, "target_sectors", where),
            "named_enterprises": _text_list(raw, "named_enterprises", where),
            "partners": _text_list(raw, "partners", where),
            "focus_areas": _text_list(raw, "focus_areas", where),
            "position": position,
        }
        if directive["kind"] not in DirectiveKind.values:
            raise NoticeDataError(f"{where}:未知层级 {directive['kind']}")
        if directive["category"] not in Category.values:
            raise NoticeDataError(f"{where}:未知类别 {directive['category']}")
        unknown = [s for s in directive["target_sectors"] if s not in sectors and s != ALL_SECTORS]
        if unknown:
            raise NoticeDataError(f"{where}:未知行业 {'、'.join(unknown)}")
        if ALL_SECTORS in directive["target_sectors"] and len(directive["target_sectors"]) > 1:
            raise NoticeDataError(f"{where}:“all” 不能与具体行业并列")
        parent = directive["parent"]
        expected_parent_kind = PARENT_KIND[directive["kind"]]
        if parent is not None and parent not in kinds:
            raise NoticeDataError(f"{where}:上级 {parent} 不存在(上级须在文件中先出现)")
        if expected_parent_kind is None and parent is not None:
            raise NoticeDataError(f"{where}:部分(section)不能有上级")
        if expected_parent_kind is not None and (parent is None or kinds[parent] != expected_parent_kind):
            raise NoticeDataError(f"{where}:{directive['kind']} 的上级必须是 {expected_parent_kind}")
        directive["indicators"] = [_check_indicator(item, where) for item in (raw.get("indicators") or [])]
        codes = [indicator["code"] for indicator in directive["indicators"]]
        if len(codes) != len(set(codes)):
            raise NoticeDataError(f"{where}:指标代码重复")
        kinds[key] = directive["kind"]
        directives.append(directive)

    named = {code for directive in directives for code in directive["named_enterprises"]}
    missing = named - known_enterprises - set(Enterprise.objects.filter(code__in=named).values_list("code", flat=True))
    for directive in directives:
        unknown = [code for code in directive["named_enterprises"] if code in missing]
        if unknown:
            raise NoticeDataError(f"条款 {directive['key']}({directive['number']}):未知企业 {'、'.join(unknown)}")
    return {"notice": notice, "enterprises": enterprises, "directives": directives}


# ---------------------------------------------------------------- loading


def _apply(instance, values: dict, fields) -> bool:
    """Set the fields that differ; save only those. Returns whether anything changed."""
    changed = [field for field in fields if getattr(instance, field) != values[field]]
    for field in changed:
        setattr(instance, field, values[field])
    if changed:
        instance.save(update_fields=changed)
    return bool(changed)


def _ensure_enterprises(specs: list[dict], result: LoadResult) -> dict[str, Enterprise]:
    """Create the named enterprises that are missing; never overwrite what an admin edited."""
    enterprises = {}
    for spec in specs:
        if (
            not Enterprise.objects.filter(code=spec["code"]).exists()
            and Enterprise.objects.filter(name=spec["name"]).exists()
        ):
            raise NoticeDataError(f"企业 {spec['code']}:库中已有同名企业“{spec['name']}”但代码不同")
        enterprise, created = Enterprise.objects.get_or_create(
            code=spec["code"], defaults={**{f: spec[f] for f in ENTERPRISE_FIELDS}, "is_demo": False}
        )
        result.enterprises_created += created
        enterprises[spec["code"]] = enterprise
    return enterprises


def _load_indicators(directive: Directive, specs: list[dict], result: LoadResult) -> None:
    existing = {indicator.code: indicator for indicator in directive.indicators.all()}
    for spec in specs:
        indicator = existing.pop(spec["code"], None)
        if indicator is None:
            Indicator.objects.create(directive=directive, **spec)
            result.indicators_created += 1
        elif _apply(indicator, spec, INDICATOR_FIELDS):
            result.indicators_updated += 1
        else:
            result.indicators_unchanged += 1
    for indicator in existing.values():
        # Ledger values already reported against it keep it alive.
        if indicator.values.exists():
            result.indicators_kept += 1
        else:
            indicator.delete()
            result.indicators_deleted += 1


@transaction.atomic
def notice_load(*, data: dict) -> LoadResult:
    """Upsert a notice and its directive tree from a parsed data file, all or nothing.

    Directives are matched by (notice, key) and updated in place, so assignments survive a
    corrected file; directives gone from the file are retired (is_active=False), never deleted.
    Rows whose fields already match are not written, so a second run changes nothing.
    Raises NoticeDataError (and changes nothing) if the data breaks a rule.
    """
    spec = notice_data_check(data=data)
    result = LoadResult()
    enterprises = _ensure_enterprises(spec["enterprises"], result)

    notice_spec = spec["notice"]
    notice = Notice.objects.select_for_update().filter(code=notice_spec["code"]).first()
    if notice is None:
        notice = Notice.objects.create(**notice_spec)
        result.notice_created = True
    else:
        result.notice_updated = _apply(notice, notice_spec, NOTICE_FIELDS)

    existing = {directive.key: directive for directive in notice.directives.prefetch_related("named_enterprises")}
    by_key: dict[str, Directive] = {}
    for directive_spec in spec["directives"]:
        values = {
            **{field: directive_spec[field] for field in DIRECTIVE_FIELDS if field in directive_spec},
            "parent_id": by_key[directive_spec["parent"]].pk if directive_spec["parent"] else None,
            "is_active": True,
        }
        directive = existing.pop(directive_spec["key"], None)
        created = directive is None
        if created:
            directive = Directive.objects.create(notice=notice, key=directive_spec["key"], **values)
            changed = False
        else:
            changed = _apply(directive, values, DIRECTIVE_FIELDS)

        wanted = set(directive_spec["named_enterprises"])
        current = set() if created else {enterprise.code for enterprise in directive.named_enterprises.all()}
        if wanted != current:
            for code in wanted - enterprises.keys():
                enterprises[code] = Enterprise.objects.get(code=code)
            directive.named_enterprises.set([enterprises[code] for code in wanted])
            changed = True
        by_key[directive.key] = directive
        _load_indicators(directive, directive_spec["indicators"], result)
        if created:
            result.directives_created += 1
        elif changed:
            result.directives_updated += 1
        else:
            result.directives_unchanged += 1

    for directive in existing.values():
        if directive.is_active:
            directive.is_active = False
            directive.save(update_fields=["is_active"])
            result.directives_retired += 1
    return result
