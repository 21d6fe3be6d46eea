"""SASAC loads the 2020-06-09 notice as a directive tree, reloads it safely, and corrects it in place."""

import datetime
import tomllib
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from directives.management.commands.load_notice import NOTICE_FILE
from directives.models import Assignment, Category, Directive, Indicator, Notice
from enterprises.models import Enterprise
from tests import factories

pytestmark = pytest.mark.django_db

NOTICE_CODE = "qd-sasac-2020-06-09"

EXPECTED_CLAUSES = {
    "sec-awareness": "一",
    "awareness": "一(1)",
    "awareness-study": "一(1)①",
    "awareness-vanguard": "一(1)②",
    "awareness-transform": "一(1)③",
    "sec-pathway": "二",
    "platform-economy": "二(1)",
    "platform-economy-build": "二(1)①",
    "platform-economy-ecosystem": "二(1)②",
    "platform-economy-factors": "二(1)③",
    "vertical-platform": "二(2)",
    "vertical-platform-pain-points": "二(2)①",
    "vertical-platform-build": "二(2)②",
    "vertical-platform-new-models": "二(2)③",
    "cosmoplat": "二(3)",
    "cosmoplat-transform": "二(3)①",
    "cosmoplat-beverage-platform": "二(3)②",
    "cosmoplat-sme-cloud": "二(3)③",
    "cosmoplat-core-business": "二(3)④",
    "service-platform": "二(4)",
    "service-platform-partners": "二(4)①",
    "service-platform-cultivate": "二(4)②",
    "service-platform-solutions": "二(4)③",
    "service-platform-ecosystem": "二(4)④",
    "new-infra": "二(5)",
    "new-infra-invest": "二(5)①",
    "new-infra-capital": "二(5)②",
    "new-infra-integration-platform": "二(5)③",
    "sec-mechanism": "三",
    "mechanism": "三(1)",
    "mechanism-strategy": "三(1)①",
    "mechanism-plan": "三(1)②",
    "mechanism-ledger": "三(1)③",
    "mechanism-resources": "三(1)④",
    "mechanism-leadership": "三(1)⑤",
    "sasac-duty": "三(2)",
    "sasac-coordination": "三(2)①",
    "sasac-five-year-plan": "三(2)②",
    "sasac-incentives": "三(2)③",
}

EXPECTED_PER_CATEGORY = {
    Category.GENERAL: 10,
    Category.VERTICAL_PLATFORM: 4,
    Category.COSMOPLAT: 5,
    Category.SERVICE_PLATFORM: 5,
    Category.NEW_INFRASTRUCTURE: 4,
    Category.MECHANISM: 7,
    Category.SASAC_DUTY: 4,
}


def notice_data() -> dict:
    with NOTICE_FILE.open("rb") as handle:
        return tomllib.load(handle)


def write_toml(path, data: dict) -> None:
    """A minimal TOML writer for the shapes the data file uses (tables, arrays of tables, scalars, lists)."""

    def scalar(value):
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | datetime.date):
            return str(value)
        if isinstance(value, list):
            return "[" + ", ".join(scalar(item) for item in value) + "]"
        raise TypeError(value)

    lines = ["[notice]"] + [f"{k} = {scalar(v)}" for k, v in data["notice"].items()]
    for enterprise in data.get("enterprises", []):
        lines += ["", "[[enterprises]]"] + [f"{k} = {scalar(v)}" for k, v in enterprise.items()]
    for directive in data["directives"]:
        lines += ["", "[[directives]]"]
        lines += [f"{k} = {scalar(v)}" for k, v in directive.items() if k != "indicators"]
        for indicator in directive.get("indicators", []):
            lines += ["[[directives.indicators]]"] + [f"{k} = {scalar(v)}" for k, v in indicator.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load(path=None) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_notice", *(["--file", str(path)] if path else []), stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row the loader writes, with every field."""
    return {
        "notices": sorted((n.pk, tuple(sorted(model_to_dict(n).items()))) for n in Notice.objects.all()),
        "directives": sorted(
            (
                d.pk,
                str(model_to_dict(d, exclude=["named_enterprises"])),
                tuple(sorted(d.named_enterprises.values_list("code", flat=True))),
            )
            for d in Directive.objects.all()
        ),
        "indicators": sorted((i.pk, str(model_to_dict(i))) for i in Indicator.objects.all()),
        "enterprises": sorted((e.pk, str(model_to_dict(e))) for e in Enterprise.objects.all()),
    }


def directive(key: str) -> Directive:
    return Directive.objects.get(notice__code=NOTICE_CODE, key=key)


def test_every_clause_of_the_notice_is_loaded_with_its_number():
    load()
    loaded = dict(Directive.objects.filter(notice__code=NOTICE_CODE).values_list("key", "number"))
    assert loaded == EXPECTED_CLAUSES


def test_directives_per_category():
    load()
    for category, count in EXPECTED_PER_CATEGORY.items():
        assert Directive.objects.filter(category=category).count() == count, category


def test_notice_is_loaded_in_simplified_chinese_with_the_garbled_words_restored():
    load()
    notice = Notice.objects.get(code=NOTICE_CODE)
    assert notice.title == "关于市属企业在我市打造“世界工业互联网之都”中当好排头兵的通知"
    assert notice.issuer == "青岛市国资委"
    assert notice.issued_on == datetime.date(2020, 6, 9)
    assert "规模化定制" in notice.full_text
    assert "?" not in notice.full_text
    assert "國資委" not in notice.full_text and "平臺" not in notice.full_text
    assert "敢打头阵" in notice.full_text and "实行台账管理" in notice.full_text


def test_every_source_text_is_the_clause_own_wording_from_the_notice():
    load()
    notice = Notice.objects.get(code=NOTICE_CODE)
    for clause in notice.directives.all():
        assert clause.source_text in notice.full_text, clause.key


def test_tree_is_section_then_directive_then_measure():
    load()
    for clause in Directive.objects.select_related("parent"):
        if clause.kind == "section":
            assert clause.parent is None
        elif clause.kind == "directive":
            assert clause.parent.kind == "section", clause.key
        else:
            assert clause.parent.kind == "directive", clause.key
    assert directive("cosmoplat").parent == directive("sec-pathway")
    assert directive("sasac-incentives").parent == directive("sasac-duty")


def test_cosmoplat_directive_lists_the_seven_focus_areas_for_beer_and_beverage_soes():
    load()
    cosmoplat = directive("cosmoplat")
    assert cosmoplat.category == Category.COSMOPLAT
    assert cosmoplat.focus_areas == [
        "产品研发", "原材料采购", "生产管理", "设备运维", "仓储物流", "线上销售", "场景应用",
    ]  # fmt: skip
    assert cosmoplat.target_sectors == ["beer", "beverages"]
    assert cosmoplat.partners == ["海尔卡奥斯"]


def test_every_soe_moves_smes_to_the_cloud_and_core_business_onto_the_platform():
    load()
    cloud, core = directive("cosmoplat-sme-cloud"), directive("cosmoplat-core-business")
    assert cloud.target_sectors == ["all"] and core.target_sectors == ["all"]
    assert cloud.indicators.get().unit == "家"
    assert core.indicators.get().unit == "项"


def test_vertical_platforms_are_for_appliance_machinery_and_chemical_soes():
    load()
    vertical = directive("vertical-platform")
    assert vertical.target_sectors == ["appliances", "machinery", "chemicals"]
    assert vertical.focus_areas == ["智能化生产", "规模化定制", "网络化协同", "服务化延伸"]
    assert Indicator.objects.get(code="vertical-platforms").unit == "个"
    assert Indicator.objects.get(code="smes-served").unit == "家"


def test_service_platforms_name_hisense_huatong_and_guoxin_with_their_partners_and_six_new_models():
    load()
    service = directive("service-platform")
    assert set(service.named_enterprises.values_list("code", flat=True)) == {"hisense", "huatong", "guoxin"}
    assert service.partners == ["阿里", "腾讯", "聚量"]
    assert service.focus_areas == [
        "大规模个性化定制", "共享制造", "柔性制造", "产品全生命周期管控", "供应链协同", "智能服务",
    ]  # fmt: skip
    hisense = Enterprise.objects.get(code="hisense")
    assert (hisense.short_name, hisense.is_demo) == ("海信", False)
    assert Enterprise.objects.get(code="huatong").sector == "capital"
    assert Enterprise.objects.get(code="guoxin").name == "青岛国信发展（集团）有限责任公司"


def test_new_infrastructure_has_the_four_investment_indicators_in_wan_yuan():
    load()
    new_infra = directive("new-infra")
    assert new_infra.focus_areas == ["5G产业链", "集成电路", "人工智能基础设施", "大数据中心"]
    investments = Indicator.objects.filter(directive__parent=new_infra, code__startswith="invest-")
    assert sorted(investments.values_list("name", "unit")) == sorted(
        [
            ("5G产业链投资", "万元"),
            ("集成电路投资", "万元"),
            ("人工智能基础设施投资", "万元"),
            ("大数据中心投资", "万元"),
        ]  # fmt: skip
    )


def test_sasac_duties_target_no_enterprise():
    load()
    assert all(d.target_sectors == [] for d in Directive.objects.filter(category=Category.SASAC_DUTY))


def test_running_twice_changes_nothing():
    load()
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "条款:新建 0,更新 0,未变 39,停用 0" in output
    assert "指标:新建 0,更新 0" in output
    assert "无需更改" in output


def test_named_enterprise_edited_by_an_admin_is_not_overwritten():
    factories.EnterpriseFactory(
        code="hisense", name="海信集团(管理员改名)", short_name="海信集团", sector="digital", is_demo=False
    )
    load()
    hisense = Enterprise.objects.get(code="hisense")
    assert (hisense.name, hisense.sector) == ("海信集团(管理员改名)", "digital")
    assert hisense in directive("service-platform").named_enterprises.all()


def test_corrected_file_updates_in_place_keeps_assignments_and_retires_removed_clauses(tmp_path):
    load()
    cloud = directive("cosmoplat-sme-cloud")
    assignment = factories.AssignmentFactory(directive=cloud, enterprise=factories.EnterpriseFactory(code="qdbeer"))
    removed = directive("platform-economy-ecosystem")
    removed_assignment = factories.AssignmentFactory(directive=removed, enterprise=assignment.enterprise)

    data = notice_data()
    for clause in data["directives"]:
        if clause["key"] == "cosmoplat-sme-cloud":
            clause["source_text"] = "青岛各市属企业要组织所属中小企业上云用平台(更正)"
            clause["indicators"][0]["target"] = 30
    data["directives"] = [c for c in data["directives"] if c["key"] != "platform-economy-ecosystem"]
    corrected = tmp_path / "corrected.toml"
    write_toml(corrected, data)

    output = load(corrected)

    cloud.refresh_from_db()
    assert cloud.source_text.endswith("(更正)")
    assert cloud.indicators.get().target == Decimal("30")
    assert Assignment.objects.get(pk=assignment.pk).directive_id == cloud.pk
    removed.refresh_from_db()
    assert removed.is_active is False
    assert Assignment.objects.filter(pk=removed_assignment.pk).exists()
    assert Directive.objects.filter(notice__code=NOTICE_CODE).count() == len(EXPECTED_CLAUSES)
    assert "更新 1" in output and "停用 1" in output
    assert directive("mechanism-plan").is_active


def test_clause_put_back_in_the_file_becomes_active_again(tmp_path):
    load()
    data = notice_data()
    data["directives"] = [c for c in data["directives"] if c["key"] != "sasac-five-year-plan"]
    shorter = tmp_path / "shorter.toml"
    write_toml(shorter, data)
    load(shorter)
    assert not directive("sasac-five-year-plan").is_active
    load()
    assert directive("sasac-five-year-plan").is_active


def test_indicator_dropped_from_the_file_is_deleted_unless_the_ledger_uses_it(tmp_path):
    load()
    used = Indicator.objects.get(code="invest-5g")
    report = factories.ProgressReportFactory()
    report.indicator_values.create(indicator=used, value=Decimal("1200"))
    data = notice_data()
    for clause in data["directives"]:
        if clause["key"] == "new-infra-invest":
            clause["indicators"] = [i for i in clause["indicators"] if i["code"] not in {"invest-5g", "invest-ic"}]
    corrected = tmp_path / "corrected.toml"
    write_toml(corrected, data)

    output = load(corrected)

    assert Indicator.objects.filter(pk=used.pk).exists()
    assert not Indicator.objects.filter(code="invest-ic").exists()
    assert "删除 1" in output and "保留 1" in output


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d["directives"][4].pop("source_text"), "awareness-transform"),
        (lambda d: d["directives"][14].update(category="cosmos"), "未知类别 cosmos"),
        (lambda d: d["directives"][10].update(parent="no-such-clause"), "上级 no-such-clause 不存在"),
        (lambda d: d["directives"][10].update(target_sectors=["appliances", "shipbuilding"]), "未知行业 shipbuilding"),
        (lambda d: d["directives"][19].update(named_enterprises=["hisense", "nobody"]), "未知企业 nobody"),
        (lambda d: d["directives"][25]["indicators"][0].update(min_value=10, max_value=5), "最大值小于最小值"),
    ],
    ids=["missing-key", "bad-category", "unknown-parent", "unknown-sector", "unknown-enterprise", "bad-range"],
)
def test_invalid_file_changes_nothing_and_names_the_clause(tmp_path, breakage, message):
    load()
    before = snapshot()
    data = notice_data()
    for clause in data["directives"]:
        clause["source_text"] += "(改)"
    breakage(data)
    broken = tmp_path / "broken.toml"
    write_toml(broken, data)

    with pytest.raises(CommandError, match=message):
        load(broken)

    assert snapshot() == before


def test_invalid_file_on_an_empty_database_creates_nothing(tmp_path):
    data = notice_data()
    data["directives"][-1]["category"] = "unknown"
    broken = tmp_path / "broken.toml"
    write_toml(broken, data)
    with pytest.raises(CommandError, match="sasac-incentives"):
        load(broken)
    assert not Notice.objects.exists() and not Directive.objects.exists() and not Enterprise.objects.exists()


def test_file_that_is_not_toml_is_refused(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[notice\n", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 TOML"):
        load(broken)


def test_failure_half_way_through_rolls_back_the_whole_load():
    # Guoxin is already in the database under another code: the loader notices only after creating hisense.
    factories.EnterpriseFactory(code="qdguoxin", name="青岛国信发展（集团）有限责任公司")
    with pytest.raises(CommandError, match="guoxin"):
        load()
    assert not Enterprise.objects.filter(code__in=["hisense", "huatong"]).exists()
    assert not Notice.objects.exists()
