"""Demo data: SOEs, assignments, milestones, monthly ledger reports with indicator values, plans and users.

Plain functions, deterministic from ``random.Random(seed)``: the same size and seed give
the same rows (ids aside), whatever day they run, because everything that would depend on
"today" uses the fixed ``AS_OF`` date and every timestamp is set explicitly.

Rows are written with ``bulk_create`` so the ``large`` benchmark size loads in seconds.
``bulk_create`` writes no django-simple-history rows, so ``progress.demo.supervision`` writes
them, with the requests SASAC decided or has to decide: every demo row has the history of how it
came to be, and the first change a user makes shows a true before → after.

Call ``replace_demo_data`` inside one transaction, after the notice is loaded
(``manage.py load_notice``): assignments follow the directives' own targeting.
"""

import contextlib
import datetime
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from directives.models import COUNT_UNITS, Assignment, AssignmentRole, Category, Directive, DirectiveKind, Indicator
from enterprises.models import Enterprise, Profile, Role, Sector
from progress.demo import supervision
from progress.forecast import refresh_forecast_at_risk
from progress.health import expected_progress
from progress.models import (
    AssessmentScore,
    Circular,
    Delivery,
    Evidence,
    ImplementationPlan,
    IndicatorValue,
    Instruction,
    InstructionUpdate,
    LedgerSnapshot,
    Milestone,
    MilestoneRequest,
    MilestoneStatus,
    Notification,
    OrderAnswer,
    OrderEvidence,
    PlanStatus,
    ProgressReport,
    ReminderScan,
    ReportingPeriod,
    ReviewState,
    SupervisionOrder,
    Urge,
)
from progress.services.assessment import assessment_compute
from progress.services.indicators import refresh_latest_indicator_values

DEFAULT_SEED = 2020
DEFAULT_PASSWORD = "qdsasac-demo-2020"
# "Today" for the demo: statuses, report periods and review states are decided as of this day.
AS_OF = datetime.date(2026, 10, 31)
# The four quarters before the demo's date and the one it falls in.
DEMO_ASSESSED_QUARTERS = ("2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4")
LAST_PERIOD = datetime.date(2026, 10, 1)
# A month's report is due on the 25th of that month, with 3 days' grace (ReminderRule defaults).
REPORT_DAY, REPORT_GRACE_DAYS = 25, 3
TZ = ZoneInfo("Asia/Shanghai")
BATCH = 2000

SASAC_USERNAME, LEADER_USERNAME, ADMIN_USERNAME = "sasac", "leader", "admin"
LIAISON_PREFIX = "liaison-"


@dataclass(frozen=True)
class Size:
    demo_per_sector: dict[str, int]
    milestones_per_assignment: tuple[int, int] | None  # fixed range, or None to reach ``milestone_target``
    milestone_target: int = 0
    participating_share: float = 0.15


SIZES = {
    "small": Size(
        demo_per_sector={
            Sector.APPLIANCES: 2,
            Sector.MACHINERY: 2,
            Sector.CHEMICALS: 1,
            Sector.BEER: 1,
            Sector.BEVERAGES: 1,
            Sector.DIGITAL: 1,
            Sector.CAPITAL: 1,
        },
        milestones_per_assignment=(2, 6),
    ),
    "large": Size(
        demo_per_sector={
            Sector.APPLIANCES: 9,
            Sector.MACHINERY: 10,
            Sector.CHEMICALS: 9,
            Sector.BEER: 6,
            Sector.BEVERAGES: 7,
            Sector.DIGITAL: 7,
            Sector.CAPITAL: 6,
            Sector.OTHER: 6,
        },
        milestones_per_assignment=None,
        milestone_target=20_400,
    ),
}


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, enterprise)


# --- word lists (all names are fictional) ------------------------------------------------

NAME_STEMS = (
    "海岳 琴岛 崂峰 胶澳 蓝湾 金沙 银滩 鳌山 珠峦 灵屿 浮岚 汇泉 观澜 石岭 望海 云溪 青屿 东篱 "
    "嘉沐 瑞湾 华岳 岱青 泓泰 盛澜 启航 旭海 冠岛 融海 昌远 润澜 博瀚 宏屿 恒湾 泰岚 瀚海 鸿泽"
).split()
SECTOR_CODES = {
    Sector.APPLIANCES: "appl",
    Sector.MACHINERY: "mach",
    Sector.CHEMICALS: "chem",
    Sector.BEER: "beer",
    Sector.BEVERAGES: "bev",
    Sector.DIGITAL: "digi",
    Sector.CAPITAL: "cap",
    Sector.OTHER: "oth",
}
SECTOR_NAMES = {  # (full-name suffix, short-name suffix)
    Sector.APPLIANCES: [("家电集团有限公司", "家电"), ("电器股份有限公司", "电器"), ("智能家居有限公司", "家居")],
    Sector.MACHINERY: [
        ("重工机械集团有限公司", "重工"),
        ("智能装备有限公司", "装备"),
        ("机床装备集团有限公司", "机床"),
    ],
    Sector.CHEMICALS: [("化工集团有限公司", "化工"), ("新材料化工有限公司", "新材"), ("精细化工有限公司", "精化")],
    Sector.BEER: [("啤酒有限公司", "啤酒"), ("精酿啤酒集团有限公司", "精酿")],
    Sector.BEVERAGES: [("饮品集团有限公司", "饮品"), ("饮料有限公司", "饮料"), ("乳业饮品有限公司", "乳饮")],
    Sector.DIGITAL: [("数字科技集团有限公司", "数科"), ("信息产业有限公司", "信产")],
    Sector.CAPITAL: [("产业投资集团有限公司", "产投"), ("资本运营有限公司", "资本")],
    Sector.OTHER: [("城市发展集团有限公司", "城发"), ("港航物流集团有限公司", "港航"), ("文旅集团有限公司", "文旅")],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何林高罗郑梁谢宋唐于董冯"
GIVEN_NAMES = (
    "建国 志强 海燕 晓东 丽华 文博 立新 红梅 振华 春雷 雪梅 明远 晓峰 桂兰 宏伟 静怡 子涵 浩然 "
    "国栋 玉珍 秀英 俊杰 思远 鹏 磊 敏 婷 超 勇 洁 海涛 凤英 德胜 晓琳"
).split()

FOCUS_FALLBACK = {
    Category.GENERAL: ["研发设计", "生产制造", "运营管理", "供应链管理"],
    Category.VERTICAL_PLATFORM: ["智能化生产", "规模化定制", "网络化协同", "服务化延伸"],
    Category.COSMOPLAT: ["产品研发", "原材料采购", "生产管理", "设备运维", "仓储物流", "线上销售", "场景应用"],
    Category.SERVICE_PLATFORM: [
        "大规模个性化定制",
        "共享制造",
        "柔性制造",
        "产品全生命周期管控",
        "供应链协同",
        "智能服务",
    ],
    Category.NEW_INFRASTRUCTURE: ["5G产业链", "集成电路", "人工智能基础设施", "大数据中心"],
    Category.MECHANISM: ["组织结构", "人力资源", "管理体制", "专项资金"],
}
PARTNER_FALLBACK = ["海尔卡奥斯", "阿里", "腾讯", "聚量"]
MILESTONE_TITLES = {
    Category.GENERAL: [
        "组织学习贯彻通知精神专题会",
        "将工业互联网纳入企业发展战略规划",
        "完成企业数字化转型现状评估",
        "开展全员数字化能力培训({n}场)",
        "形成数字化智能化转型三年规划",
        "完成{focus}环节数字化改造方案",
        "完成{focus}环节首批改造项目验收",
        "建成企业级数据中台",
        "完成{n}台关键设备联网接入",
    ],
    Category.VERTICAL_PLATFORM: [
        "完成垂直行业平台需求调研",
        "形成行业瓶颈和痛点清单",
        "完成平台总体架构设计",
        "完成平台标准规范与安全体系建设方案",
        "上线{focus}应用模块",
        "完成5G+工业互联网示范产线改造",
        "完成首批{n}家中小企业平台接入",
        "建成数字孪生工厂试点",
        "通过平台网络安全等级保护测评",
        "发布{focus}行业解决方案",
        "完成平台试运行并组织验收",
    ],
    Category.COSMOPLAT: [
        "与卡奥斯平台签署共建合作协议",
        "接入卡奥斯平台{focus}模块",
        "完成{focus}环节数字化转型方案",
        "上线酒类饮料产业互联网平台{focus}子平台",
        "组织所属中小企业上云用平台({n}家)",
        "推动研发设计核心业务向平台迁移",
        "完成生产管理系统与卡奥斯平台数据对接",
        "开展{focus}场景应用试点",
        "完成平台共建阶段评估",
    ],
    Category.SERVICE_PLATFORM: [
        "与{partner}签署战略合作协议",
        "完成{focus}解决方案设计",
        "上线科技金融服务平台",
        "引进专业领域工业互联网服务平台({n}个)",
        "完成企业间共性需求分析报告",
        "发布{focus}行业解决方案",
        "平台服务企业达到{n}家",
        "完成产业服务应用平台联调测试",
    ],
    Category.NEW_INFRASTRUCTURE: [
        "完成{focus}项目尽职调查",
        "完成5G产业基金出资",
        "完成{focus}领域股权投资决策",
        "搭建数字产业集成平台",
        "签署{focus}项目投资协议",
        "完成{focus}项目投后管理评估",
        "落地大数据中心项目",
        "完成集成电路产业链招商对接",
    ],
    Category.MECHANISM: [
        "制定本企业工业互联网实施方案",
        "明确工作机构和责任分工",
        "建立工作任务台账并按月报送",
        "落实工业互联网专项资金{n}万元",
        "完成年度数字化人才引进计划",
        "召开季度专题推进会",
        "开展实施情况季度自查",
        "完成{focus}方面的支持政策制定",
    ],
}
ACTIVITIES = [
    "召开专题推进会{n}次",
    "完成现场调研{n}家",
    "完成技术方案专家评审",
    "完成供应商比选和合同签订",
    "完成系统联调测试",
    "组织业务部门培训{n}场",
    "与合作方召开对接会{n}次",
    "完成数据采集点位部署{n}个",
    "完成阶段成果内部验收",
]
PROBLEMS = [
    "专业技术人才不足,平台运维力量偏弱。",
    "部分老旧设备通信协议不统一,数据采集难度较大。",
    "专项资金到位时间滞后,影响采购进度。",
    "合作方交付进度滞后于计划。",
    "跨部门数据共享机制尚未完全理顺。",
    "现场施工受天气和生产排期影响。",
]
NEXT_STEPS = [
    "下月完成“{title}”剩余工作并组织内部验收。",
    "继续推进“{title}”,重点解决数据对接问题。",
    "加快合同执行,确保按时间节点完成。",
    "组织专题会研究解决存在问题,倒排工期推进。",
    "完善佐证材料,准备申请销号。",
]
SUPPORT = [
    "请市国资委协调市工信局给予专项资金支持。",
    "请协调通信运营商加快园区5G基站建设。",
    "请协调相关部门开放行业数据接口。",
    "建议市国资委组织同类企业开展经验交流。",
]
RETURN_COMMENTS = [
    "佐证材料不完整,请补充后重新报送。",
    "进展描述与时间节点不符,请核实进度后重新报送。",
    "请补充存在问题的具体原因和整改措施。",
]
WITHDRAWN_REASONS = [
    "因企业重组,该事项并入集团统一推进。",
    "合作方调整投资计划,经市国资委同意撤销该时间节点。",
    "该事项已由其他时间节点覆盖,经审核同意撤销。",
]
PLAN_RETURN_COMMENTS = [
    "时间表不够具体,请按季度细化时间节点后重新提交。",
    "责任制未落实到具体责任人,请补充后重新提交。",
]


# --- small helpers ------------------------------------------------------------------------


def _month(d: datetime.date) -> datetime.date:
    return d.replace(day=1)


def _add_months(d: datetime.date, months: int) -> datetime.date:
    index = d.year * 12 + d.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, month = [], _month(first)
    while month <= last:
        out.append(month)
        month = _add_months(month, 1)
    return out


def _at(d: datetime.date, rng: random.Random) -> datetime.datetime:
    """A working-hours moment on day ``d`` in Asia/Shanghai."""
    return datetime.datetime(d.year, d.month, d.day, rng.randint(9, 17), rng.randint(0, 59), tzinfo=TZ)


def _date_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


@contextlib.contextmanager
def _explicit_timestamps(*fields) -> Iterator[None]:
    """Let bulk_create keep the timestamps we set, so the data is the same whatever day it runs."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _field(model, name):
    return model._meta.get_field(name)


# --- removing the previous demo -------------------------------------------------------------


def demo_usernames_q() -> Q:
    return Q(username__in=[SASAC_USERNAME, LEADER_USERNAME, ADMIN_USERNAME]) | Q(username__startswith=LIAISON_PREFIX)


def data_beyond_the_demo() -> dict[str, int]:
    """What ``purge_demo_data`` would destroy that no demo made. Empty for a demo or a fresh database.

    - enterprises neither marked demo nor named by the notice (load_notice makes those, and the
      demo gives them ledgers too);
    - users the demo did not make: another name, or a demo name with a password of its own
      (the demo gives its at least three users one and the same password hash).
    """
    found = {
        "enterprises": Enterprise.objects.filter(is_demo=False, named_in_directives__isnull=True).count(),
        "users": User.objects.exclude(demo_usernames_q()).count(),
    }
    demo_named = list(User.objects.filter(demo_usernames_q()).values_list("password", flat=True))
    if demo_named and (len(set(demo_named)) > 1 or len(demo_named) < 3):
        found["users"] += len(demo_named)
    return {name: count for name, count in found.items() if count}


def purge_demo_data() -> None:
    """Delete all progress rows, all assignments, demo enterprises and demo users.

    Plain SQL deletes for the big tables: the ORM would load every row and write a
    history row for each. Call inside a transaction. Instructions, supervision orders and
    circulars go too (they point at milestones and users); the document number counters stay,
    so a number given before a re-seed is never given again.
    """
    tables = [
        Delivery,
        Notification,
        ReminderScan,
        Urge,
        OrderEvidence,
        OrderAnswer,
        SupervisionOrder.milestones.through,
        SupervisionOrder.history.model,
        SupervisionOrder,
        InstructionUpdate,
        Instruction.history.model,
        Instruction,
        Circular,
        IndicatorValue,
        Evidence,
        AssessmentScore,
        LedgerSnapshot,
        ReportingPeriod,
        Milestone.history.model,
        ProgressReport.history.model,
        ImplementationPlan.history.model,
        MilestoneRequest.history.model,
        MilestoneRequest,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE frees the tables' storage at once; DELETE would leave every old row version
            # behind, so a re-seeded table would be several times its live size until a VACUUM FULL.
            names = ", ".join(
                connection.ops.quote_name(model._meta.db_table)
                for model in (*tables, ProgressReport, Milestone, ImplementationPlan, Assignment)
            )
            # Django defers foreign-key checks to the commit; rows written earlier in this
            # transaction leave such checks pending, and PostgreSQL refuses TRUNCATE over them.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {names}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
            milestone_table = connection.ops.quote_name(Milestone._meta.db_table)
            cursor.execute(f"UPDATE {milestone_table} SET latest_report_id = NULL, accepted_report_id = NULL")
            for model in (ProgressReport, Milestone, ImplementationPlan, Assignment):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    User.objects.filter(demo_usernames_q()).delete()
    Profile.objects.filter(enterprise__is_demo=True).delete()
    Enterprise.objects.filter(is_demo=True).delete()


# --- building -------------------------------------------------------------------------------


def actionable_directives() -> list[Directive]:
    """Directives and measures SOEs carry out: active, and not SASAC's own duties."""
    return list(
        Directive.objects.filter(kind__in=[DirectiveKind.DIRECTIVE, DirectiveKind.MEASURE], is_active=True)
        .exclude(category=Category.SASAC_DUTY)
        .order_by("notice__issued_on", "notice__code", "position", "key")
        .prefetch_related("named_enterprises")
    )


def targeted(directive: Directive, enterprise: Enterprise, named_ids: set[int]) -> bool:
    sectors = directive.target_sectors or []
    return enterprise.pk in named_ids or "all" in sectors or enterprise.sector in sectors


def _create_enterprises(rng: random.Random, size: Size) -> list[Enterprise]:
    created = []
    for sector, count in size.demo_per_sector.items():
        stems = rng.sample(NAME_STEMS, count)
        for number, stem in enumerate(stems, start=1):
            suffix, short_suffix = rng.choice(SECTOR_NAMES[sector])
            code = f"qd-{SECTOR_CODES[sector]}-{number:02d}"
            created.append(
                Enterprise(
                    code=code,
                    name=f"青岛{stem}{suffix}",
                    short_name=f"{stem}{short_suffix}",
                    sector=sector,
                    is_demo=True,
                    contact_email=f"{code}@example.com",
                    contact_phone=f"0532-8{rng.randint(1000000, 9999999)}",
                )
            )
    Enterprise.objects.bulk_create(created)
    return list(Enterprise.objects.filter(is_active=True).order_by("code"))


def _create_users(
    rng: random.Random, enterprises: list[Enterprise], password: str, result: SeedResult
) -> tuple[User, dict[int, User]]:
    hashed = make_password(password)  # hash once: every demo user shares it
    joined = datetime.datetime(2020, 7, 1, 9, 0, tzinfo=TZ)

    def user(username: str, **extra) -> User:
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
        return User(
            username=username,
            email=f"{username}@example.com",
            password=hashed,
            last_name=surname,
            first_name=given,
            date_joined=joined,
            **extra,
        )

    users = [user(SASAC_USERNAME), user(LEADER_USERNAME), user(ADMIN_USERNAME, is_staff=True, is_superuser=True)]
    users += [user(f"{LIAISON_PREFIX}{e.code}") for e in enterprises]
    User.objects.bulk_create(users)
    by_name = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    profiles = [
        Profile(user=by_name[SASAC_USERNAME], role=Role.SASAC_STAFF),
        Profile(user=by_name[LEADER_USERNAME], role=Role.LEADER),
    ]
    liaisons = {}
    for e in enterprises:
        liaison = by_name[f"{LIAISON_PREFIX}{e.code}"]
        liaisons[e.pk] = liaison
        profiles.append(
            Profile(
                user=liaison, role=Role.LIAISON, enterprise=e, phone=f"1{rng.randint(3_000_000_000, 9_999_999_999)}"
            )
        )
    Profile.objects.bulk_create(profiles)

    result.logins = [
        (SASAC_USERNAME, str(Role.SASAC_STAFF.label), ""),
        (LEADER_USERNAME, str(Role.LEADER.label), ""),
        (ADMIN_USERNAME, "系统管理员", ""),
    ] + [(f"{LIAISON_PREFIX}{e.code}", str(Role.LIAISON.label), e.short_name) for e in enterprises]
    return by_name[SASAC_USERNAME], liaisons


def _create_plans(rng: random.Random, enterprises: list[Enterprise], sasac: User) -> list[ImplementationPlan]:
    plans = []
    for e in enterprises:
        roll = rng.random()
        status = (
            PlanStatus.APPROVED
            if roll < 0.7
            else PlanStatus.SUBMITTED
            if roll < 0.82
            else PlanStatus.RETURNED
            if roll < 0.92
            else PlanStatus.DRAFT
        )
        submitted = _at(_date_between(rng, datetime.date(2020, 7, 10), datetime.date(2020, 8, 31)), rng)
        plan = ImplementationPlan(
            enterprise=e,
            title=f"{e.short_name}发力工业互联网建设实施方案(2020—2022年)",
            roadmap=(
                "2020年完成现状评估和平台选型;2021年完成核心业务上平台和重点场景改造;"
                "2022年形成可复制推广的行业解决方案。"
            ),
            timetable="按季度设置时间节点,每月25日前报送台账进展。",
            responsibility=f"主要负责人{_person(rng)}牵头,分管负责人{_person(rng)}具体负责,数字化部门组织实施。",
            status=status,
            updated_at=submitted,
        )
        if status != PlanStatus.DRAFT:
            plan.submitted_at = submitted
        if status in (PlanStatus.APPROVED, PlanStatus.RETURNED):
            plan.reviewed_at = submitted + datetime.timedelta(days=rng.randint(3, 15))
            plan.reviewed_by = sasac
            plan.updated_at = plan.reviewed_at
            plan.revision = rng.randint(0, 2)
        if status == PlanStatus.RETURNED:
            plan.review_comment = rng.choice(PLAN_RETURN_COMMENTS)
        plans.append(plan)
    with _explicit_timestamps(_field(ImplementationPlan, "updated_at")):
        ImplementationPlan.objects.bulk_create(plans)
    return plans


# Assignment due dates: quarter ends of the 2020–2022 three-year action plan, 2020-12-31 .. 2022-12-31.
QUARTER_ENDS = [datetime.date(2020, 12, 31)] + [
    datetime.date(year, month, day) for year in (2021, 2022) for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))
]


def _create_assignments(rng: random.Random, size: Size, enterprises: list[Enterprise]) -> list[Assignment]:
    assignments = []
    for directive in actionable_directives():
        named_ids = {e.pk for e in directive.named_enterprises.all()}
        has_target = bool(named_ids or directive.target_sectors)
        for e in enterprises:
            if targeted(directive, e, named_ids):
                role = AssignmentRole.LEAD
            elif has_target and rng.random() < size.participating_share:
                role = AssignmentRole.PARTICIPATING
            else:
                continue
            assignments.append(
                Assignment(
                    directive=directive,
                    enterprise=e,
                    role=role,
                    due_date=rng.choice(QUARTER_ENDS),
                    created_at=_at(_date_between(rng, datetime.date(2020, 7, 1), datetime.date(2020, 7, 31)), rng),
                )
            )
    with _explicit_timestamps(_field(Assignment, "created_at")):
        Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    return assignments


def _milestone_counts(rng: random.Random, size: Size, n_assignments: int) -> list[int]:
    if size.milestones_per_assignment:
        low, high = size.milestones_per_assignment
        return [rng.randint(low, high) for _ in range(n_assignments)]
    mean = size.milestone_target // max(1, n_assignments)
    spread = max(1, mean // 3)
    counts = [max(1, mean + rng.randint(-spread, spread)) for _ in range(n_assignments)]
    # Nudge the counts until they add up to the target exactly.
    missing = size.milestone_target - sum(counts)
    step = 1 if missing > 0 else -1
    i = 0
    while missing:
        if counts[i % n_assignments] + step >= 1:
            counts[i % n_assignments] += step
            missing -= step
        i += 1
    return counts


@dataclass
class _Plan:
    """What a milestone's life looks like as of AS_OF; its reports are made from it."""

    milestone: Milestone
    last_period: datetime.date | None
    final_progress: int
    behind: bool = False
    tracks: list["_Track"] = field(default_factory=list)  # how the milestone's indicators grow


def _title(rng: random.Random, directive: Directive, used: set[str]) -> str:
    category = directive.category
    template = rng.choice(MILESTONE_TITLES.get(category, MILESTONE_TITLES[Category.GENERAL]))
    title = template.format(
        focus=rng.choice(directive.focus_areas or FOCUS_FALLBACK.get(category, FOCUS_FALLBACK[Category.GENERAL])),
        partner=rng.choice(directive.partners or PARTNER_FALLBACK),
        n=rng.choice([3, 5, 8, 10, 12, 20, 30, 50]),
    )
    base, stage = title, 2
    while title in used:  # the same deliverable again, for a later stage of the assignment
        title = f"{base}(第{stage}阶段)"
        stage += 1
    used.add(title)
    return title


def _plan_milestone(rng: random.Random, assignment: Assignment, title: str, sasac: User) -> _Plan:
    continuing = rng.random() < 0.2
    if continuing:  # the 十五五 follow-up work, still running as of AS_OF
        start = _date_between(rng, datetime.date(2024, 7, 1), datetime.date(2025, 12, 15)).replace(
            day=rng.randint(1, 15)
        )
        due = _date_between(rng, datetime.date(2026, 9, 1), datetime.date(2027, 12, 31))
    else:  # the 2020–2022 three-year action plan
        start = _date_between(rng, datetime.date(2020, 7, 1), datetime.date(2022, 6, 30)).replace(
            day=rng.randint(1, 15)
        )
        due = min(start + datetime.timedelta(days=rng.randint(60, 450)), datetime.date(2022, 12, 31))
    milestone = Milestone(
        assignment=assignment,
        title=title,
        description=f"落实“{assignment.directive.title}”的时间节点。",
        start_date=start,
        due_date=due,
        original_due_date=due,
        responsible_person=_person(rng),
        created_at=_at(start - datetime.timedelta(days=rng.randint(0, 10)), rng),
    )
    roll = rng.random()
    if due < AS_OF:
        if roll < 0.02:
            return _withdraw(rng, milestone, start, min(due, AS_OF))
        if roll < 0.08 and due >= AS_OF - datetime.timedelta(days=180):
            milestone.status = MilestoneStatus.CLOSURE_REQUESTED
            return _Plan(milestone, min(_month(due), LAST_PERIOD), 100)
        if roll < 0.86:
            late = rng.random() < 0.25
            finish = (
                due + datetime.timedelta(days=rng.randint(1, 100))
                if late
                else due - datetime.timedelta(days=rng.randint(0, min(20, (due - start).days)))
            )
            return _close(rng, milestone, min(finish, AS_OF - datetime.timedelta(days=10)), sasac)
        # Still open after its due date: red on the board. Most keep reporting slow progress;
        # the others fell silent after their due date, which the "long silent" flag shows.
        silent = rng.random() < 0.3
        return _Plan(milestone, min(_month(due), LAST_PERIOD) if silent else LAST_PERIOD, rng.randint(35, 95))
    expected = expected_progress(start=start, due=due, on=AS_OF + datetime.timedelta(days=30))
    if roll < 0.01:
        return _withdraw(rng, milestone, start, AS_OF)
    if roll < 0.04:
        finish = _date_between(
            rng, max(start, AS_OF - datetime.timedelta(days=90)), AS_OF - datetime.timedelta(days=10)
        )
        return _close(rng, milestone, finish, sasac)
    if roll < 0.08:
        milestone.status = MilestoneStatus.CLOSURE_REQUESTED
        return _Plan(milestone, LAST_PERIOD, 100)
    if roll < 0.35:  # behind the straight line: yellow
        return _Plan(milestone, LAST_PERIOD, max(1, round(expected * rng.uniform(0.3, 0.6))), behind=True)
    return _Plan(milestone, LAST_PERIOD, min(99, expected + rng.randint(2, 12)))


def _withdraw(rng: random.Random, milestone: Milestone, start: datetime.date, until: datetime.date) -> _Plan:
    milestone.status = MilestoneStatus.WITHDRAWN
    milestone.withdrawn_reason = rng.choice(WITHDRAWN_REASONS)
    last = _month(_date_between(rng, start, until))
    return _Plan(milestone, min(last, LAST_PERIOD), rng.randint(10, 60))


def _close(rng: random.Random, milestone: Milestone, finish: datetime.date, sasac: User) -> _Plan:
    """Closed by SASAC a few days after the work finished; on time when that is by the due date."""
    finish = max(finish, milestone.start_date)
    milestone.status = MilestoneStatus.CLOSED
    milestone.closed_by = sasac
    verified = finish + datetime.timedelta(days=rng.randint(1, 7))
    if finish <= milestone.due_date:
        verified = min(verified, milestone.due_date)
    milestone.closed_at = _at(min(verified, AS_OF), rng)
    return _Plan(milestone, _month(finish), 100)


def _reports(rng: random.Random, plan: _Plan, liaison: User, sasac: User) -> list[ProgressReport]:
    milestone = plan.milestone
    if plan.last_period is None:
        return []
    months = _months(milestone.start_date, plan.last_period)
    reports, progress, n = [], 0, len(months)
    for i, period in enumerate(months):
        last = i == n - 1
        target = plan.final_progress * (i + 1) / n
        progress = (
            plan.final_progress if last else min(plan.final_progress, max(progress, round(target + rng.uniform(-8, 6))))
        )
        progress = max(0, min(100, progress))
        deadline = period.replace(day=REPORT_DAY + REPORT_GRACE_DAYS)
        if rng.random() < 0.08 and period < LAST_PERIOD and milestone.status != MilestoneStatus.CLOSED:
            submitted_day = deadline + datetime.timedelta(days=rng.randint(1, 12))
        else:
            submitted_day = period.replace(day=rng.randint(18, REPORT_DAY + REPORT_GRACE_DAYS))
        submitted_at = _at(submitted_day, rng)
        if last and milestone.closed_at and submitted_at >= milestone.closed_at:
            # The closing report comes in before SASAC verifies it.
            submitted_at = max(
                milestone.closed_at - datetime.timedelta(days=rng.randint(1, 3)),
                datetime.datetime(period.year, period.month, period.day, 9, tzinfo=TZ),
            )
            submitted_day = submitted_at.date()
        # Finished work (100 %, a closure request's last report) is at no risk of running late.
        at_risk = ((plan.behind and (last or rng.random() < 0.4)) or rng.random() < 0.04) and progress < 100
        closing = last and milestone.status == MilestoneStatus.CLOSED
        if closing:
            review_state = ReviewState.ACCEPTED
        elif last and milestone.status == MilestoneStatus.CLOSURE_REQUESTED:
            # Half the closure requests wait on their final report's review; the others SASAC can verify now.
            review_state = ReviewState.ACCEPTED if rng.random() < 0.5 else ReviewState.PENDING
        elif period >= datetime.date(2026, 7, 1) and rng.random() < 0.04:
            review_state = ReviewState.RETURNED
        elif period == LAST_PERIOD:
            review_state = ReviewState.PENDING if rng.random() < 0.8 else ReviewState.ACCEPTED
        elif period >= datetime.date(2026, 9, 1) and rng.random() < 0.3:
            review_state = ReviewState.PENDING
        else:
            review_state = ReviewState.ACCEPTED
        report = ProgressReport(
            milestone=milestone,
            period=period,
            progress=progress,
            work_done=(
                f"{period.month}月围绕“{milestone.title}”,"
                f"{rng.choice(ACTIVITIES).format(n=rng.randint(2, 9))},累计完成计划工作量的{progress}%。"
            ),
            problems=rng.choice(PROBLEMS) if at_risk or rng.random() < 0.25 else "",
            next_steps=(
                "工作已完成,申请销号。" if progress == 100 else rng.choice(NEXT_STEPS).format(title=milestone.title)
            ),
            support_needed=rng.choice(SUPPORT) if rng.random() < 0.12 else "",
            at_risk=at_risk,
            review_state=review_state,
            submitted_by=liaison,
            submitted_at=submitted_at,
            is_late=submitted_day > deadline,
            updated_at=submitted_at,
        )
        if review_state != ReviewState.PENDING:
            reviewed = submitted_at + datetime.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
            report.reviewed_at = (
                milestone.closed_at
                if closing
                else min(reviewed, datetime.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 18, tzinfo=TZ))
            )
            report.reviewed_by = sasac
            report.updated_at = report.reviewed_at
            if review_state == ReviewState.RETURNED:
                report.review_comment = rng.choice(RETURN_COMMENTS)
        reports.append(report)
    return reports


# --- indicator values -------------------------------------------------------------------------

CENT, ONE = Decimal("0.01"), Decimal("1")
RATE_UNITS = frozenset({"%"})


@dataclass(frozen=True)
class _Track:
    """How one indicator grows over one milestone: ``final`` is reached at 100 % progress."""

    indicator: Indicator
    final: float
    curve: float  # value = final * (progress / 100) ** curve; < 1 front-loaded, > 1 back-loaded
    whole: bool
    rate: bool


def _indicators_by_directive() -> dict[int, list[Indicator]]:
    by_directive: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.order_by("directive_id", "code"):
        by_directive.setdefault(indicator.directive_id, []).append(indicator)
    return by_directive


def _split(total: float, weights: list[float], whole: bool) -> list[float]:
    """Split ``total`` in proportion to ``weights``; whole numbers by largest remainder."""
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    if not whole:
        return shares
    floors = [math.floor(s) for s in shares]
    left = round(total) - sum(floors)
    by_remainder = sorted(range(len(shares)), key=lambda i: (floors[i] - shares[i], i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [float(f) for f in floors]


def _indicator_tracks(
    rng: random.Random, assignment: Assignment, indicators: list[Indicator], count: int
) -> list[list[_Track]]:
    """Per milestone of the assignment, how each indicator of its directive grows.

    A target is per enterprise over the three-year push, so the assignment's milestones share it:
    the enterprise reaches 60–130 % of it in all. Only the enterprises a directive targets (its
    leads) report its indicators: a chemicals SOE taking part in a beverage platform does not
    count the platform's figures.
    """
    tracks: list[list[_Track]] = [[] for _ in range(count)]
    if assignment.role != AssignmentRole.LEAD:
        return tracks
    for indicator in indicators:
        low = float(indicator.min_value)
        high = float(indicator.max_value) if indicator.max_value is not None else math.inf
        target = float(indicator.target) if indicator.target is not None else max(low, 10.0)
        whole = indicator.unit in COUNT_UNITS
        rate = indicator.unit in RATE_UNITS
        if rate:  # a rate is not shared out: each milestone reports its own, close to the target
            finals = [target * rng.uniform(0.8, 1.0) for _ in range(count)]
        else:
            reached = target * rng.uniform(0.6, 1.3)
            if whole and target >= 1:
                reached = max(1, round(reached))
            finals = _split(reached, [rng.uniform(0.5, 1.5) for _ in range(count)], whole)
        for i, final in enumerate(finals):
            final = min(max(final, low), high)
            curve = rng.uniform(0.2, 0.5) if rate else rng.uniform(0.8, 1.6)
            tracks[i].append(_Track(indicator, final, curve, whole, rate))
    return tracks


def _indicator_value(track: _Track, progress: int) -> Decimal:
    value = track.final * (progress / 100) ** track.curve if progress > 0 else 0.0
    low = float(track.indicator.min_value)
    if track.rate and progress > 0:  # a rate starts from somewhere, not from nought
        value = max(value, track.final * 0.5)
    value = max(value, low)
    if track.indicator.max_value is not None:
        value = min(value, float(track.indicator.max_value))
    if track.whole:
        return Decimal(math.floor(value + 1e-9)).quantize(CENT)
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class _Supervision:
    """What the batches need to write the demo's requests and history."""

    rng: random.Random  # its own stream: requests leave the rest of the demo as it was
    sasac: User
    liaisons: dict[int, User]
    committed: set[int]  # enterprises whose plan is approved: changes to their milestones are requests


def _create_milestones_and_reports(
    rng: random.Random,
    size: Size,
    assignments: list[Assignment],
    supervision_: _Supervision,
    indicator_rng: random.Random,
) -> int:
    """Create the milestones, their monthly reports and the reports' indicator values, the
    requests about them and their history.

    Indicator values draw from their own ``indicator_rng`` so that adding them left the rest of
    the demo as it was for a given seed. Returns the number of indicator values.
    """
    counts = _milestone_counts(rng, size, len(assignments))
    indicators = _indicators_by_directive()
    timestamps = _explicit_timestamps(
        _field(Milestone, "created_at"), _field(Milestone, "updated_at"), _field(ProgressReport, "updated_at")
    )
    values = 0
    with timestamps:
        pending: list[_Plan] = []
        for assignment, count in zip(assignments, counts, strict=True):
            used: set[str] = set()
            tracks = _indicator_tracks(indicator_rng, assignment, indicators.get(assignment.directive_id, []), count)
            for milestone_tracks in tracks:
                plan = _plan_milestone(rng, assignment, _title(rng, assignment.directive, used), supervision_.sasac)
                plan.tracks = milestone_tracks
                pending.append(plan)
            if len(pending) >= BATCH:
                values += _flush(rng, pending, supervision_)
                pending = []
        values += _flush(rng, pending, supervision_)
    _analyze(ProgressReport, Milestone)
    newest = ProgressReport.objects.filter(milestone=OuterRef("pk")).order_by("-period")
    accepted = newest.filter(review_state=ReviewState.ACCEPTED)
    # What the ledger services set with ``latest_report`` (its date and review state, for the
    # board's sorts) and with ``accepted_report`` (the risk flag health reads).
    Milestone.objects.update(
        latest_report=Subquery(newest.values("pk")[:1]),
        latest_report_at=Subquery(newest.values("submitted_at")[:1]),
        latest_review_state=Subquery(newest.values("review_state")[:1]),
        accepted_report=Subquery(accepted.values("pk")[:1]),
        accepted_report_at_risk=Coalesce(Subquery(accepted.values("at_risk")[:1]), False),
        accepted_report_at=Subquery(accepted.values("submitted_at")[:1]),
    )
    supervision.record_report_history()
    return values


def _analyze(*models) -> None:
    """Give PostgreSQL's planner statistics of the tables just loaded: without them it guesses the
    reports table empty and reads all 200,000 rows for each milestone's newest accepted report."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _flush(rng: random.Random, plans: list[_Plan], s: _Supervision) -> int:
    reports: list[ProgressReport] = []
    tracked: list[tuple[ProgressReport, list[_Track]]] = []
    as_of = datetime.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 18, tzinfo=TZ)
    extensions: dict[int, supervision.Decision] = {}
    by_plan: list[list[ProgressReport]] = []
    for index, plan in enumerate(plans):
        milestone = plan.milestone
        liaison = s.liaisons[milestone.assignment.enterprise_id]
        if milestone.assignment.enterprise_id in s.committed:
            granted = supervision.grant_extension(s.rng, milestone, liaison=liaison, sasac=s.sasac, as_of=as_of)
            if granted is not None:
                extensions[index] = granted
        rows = _reports(rng, plan, liaison, s.sasac)
        by_plan.append(rows)
        accepted = [r for r in rows if r.review_state == ReviewState.ACCEPTED]
        # Leaders see what SASAC accepted: the milestone carries its newest accepted report's progress.
        milestone.progress = accepted[-1].progress if accepted else 0
        milestone.updated_at = max(
            [milestone.created_at]
            + [r.updated_at for r in rows[-1:]]
            + ([milestone.closed_at] if milestone.closed_at else [])
        )
        reports.extend(rows)
        if plan.tracks:
            tracked.extend((row, plan.tracks) for row in rows)
    Milestone.objects.bulk_create([p.milestone for p in plans], batch_size=BATCH)
    for report in reports:
        report.milestone_id = report.milestone.pk  # the milestone got its id just now
    ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
    # Cumulative values: each report carries what its milestone has reached so far.
    values = [
        IndicatorValue(report_id=report.pk, indicator=track.indicator, value=_indicator_value(track, report.progress))
        for report, tracks in tracked
        for track in tracks
    ]
    IndicatorValue.objects.bulk_create(values, batch_size=BATCH)

    requests, milestone_records = [], []
    for index, (plan, rows) in enumerate(zip(plans, by_plan, strict=True)):
        milestone = plan.milestone
        liaison = s.liaisons[milestone.assignment.enterprise_id]
        decisions = [extensions[index]] if index in extensions else []
        decisions += supervision.decisions_for(
            s.rng,
            milestone,
            rows,
            committed=milestone.assignment.enterprise_id in s.committed,
            liaison=liaison,
            sasac=s.sasac,
            as_of=as_of,
            person=_person(s.rng),
        )
        requests += supervision.request_rows(milestone, decisions)
        milestone_records += supervision.milestone_history(milestone, rows, decisions, liaison=liaison, sasac=s.sasac)
    Milestone.history.model.objects.bulk_create(milestone_records, batch_size=BATCH)
    MilestoneRequest.objects.bulk_create(requests, batch_size=BATCH)
    MilestoneRequest.history.model.objects.bulk_create(supervision.request_history(requests), batch_size=BATCH)
    return len(values)


def replace_demo_data(*, size: str, seed: int = DEFAULT_SEED, password: str = DEFAULT_PASSWORD) -> SeedResult:
    """Replace the demo data with a fresh, deterministic set. Call inside one transaction.

    Leaves complete data: the derived columns the ledger services would keep (forecast verdicts,
    latest indicator values) are refreshed in bulk, and the last quarters are scored.
    """
    spec = SIZES[size]
    rng = random.Random(seed)
    purge_demo_data()
    result = SeedResult()
    enterprises = _create_enterprises(rng, spec)
    sasac, liaisons = _create_users(rng, enterprises, password, result)
    plans = _create_plans(rng, enterprises, sasac)
    ImplementationPlan.history.model.objects.bulk_create(
        supervision.plan_history(plans, liaisons=liaisons, sasac=sasac), batch_size=BATCH
    )
    assignments = _create_assignments(rng, spec, enterprises)
    # Indicator values and requests get their own streams, so the rest of the demo is what it was before them.
    indicator_rng = random.Random(f"{seed}:indicator-values")
    committed = {plan.enterprise_id for plan in plans if plan.status == PlanStatus.APPROVED}
    supervision_ = _Supervision(random.Random(f"{seed}:requests"), sasac, liaisons, committed)
    values = _create_milestones_and_reports(rng, spec, assignments, supervision_, indicator_rng)
    # An assignment's time limit covers its milestones (the follow-up work ran into 2026–2027).
    latest_due = Milestone.objects.filter(assignment=OuterRef("pk")).order_by().values("assignment")
    latest_due = latest_due.annotate(latest=Max("due_date")).values("latest")
    Assignment.objects.filter(pk__in=[a.pk for a in assignments]).update(
        due_date=Greatest("due_date", Coalesce(Subquery(latest_due), "due_date"))
    )
    # The bulk load bypasses the report services: store what they would, in one pass each.
    refresh_forecast_at_risk(Milestone.objects.all())
    refresh_latest_indicator_values()
    # Leaders' ranking should have something to rank: score the last quarters as of the demo's date.
    for quarter in DEMO_ASSESSED_QUARTERS:
        assessment_compute(quarter=quarter, on=AS_OF)
    result.counts = {
        "enterprises": len(enterprises),
        "users": User.objects.filter(demo_usernames_q()).count(),
        "plans": ImplementationPlan.objects.count(),
        "assignments": len(assignments),
        "milestones": Milestone.objects.count(),
        "reports": ProgressReport.objects.count(),
        "requests": MilestoneRequest.objects.count(),
        "indicator values": values,
    }
    return result
