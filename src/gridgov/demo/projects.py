"""The demo's projects (项目库): the 25 R&D projects of the city's science-and-technology plan
supported by provincial funds (new materials, intelligent manufacturing, biomedicine, …) and a
few construction projects, each located in one of the district's grids, owned by its street or
by the district, with milestones (most done on time, a few late, two overdue), spending rows and
a status history. Everything goes through `gridgov.projects.services`; dates are relative to
`today`. Deterministic for a given `random.Random`; skipped when already there."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from gridgov.people.models import Post
from gridgov.projects import project_records, services
from gridgov.projects.models import Project, Status
from gridgov.projects.services import ProjectInput
from gridgov.territory.geometry import parse_geometry
from gridgov.territory.models import Level, Region

RD = [  # name, applicant
    ("高镍三元正极材料低成本制备关键技术研究", "河南恒锐新材料科技有限公司"),
    ("碳化硅功率模块用高导热氮化硅陶瓷基板研发", "新乡瑞晶电子材料有限公司"),
    ("锂电池隔膜用超高分子量聚乙烯改性技术", "河南拓源新能源材料有限公司"),
    ("高性能稀土永磁电机转子一体化成型技术", "新乡华驰电机科技有限公司"),
    ("工业机器人视觉引导柔性装配系统研发", "河南智工机器人有限公司"),
    ("数控机床主轴热误差在线补偿技术研究", "新乡精创数控装备有限公司"),
    ("基于数字孪生的振动筛分装备智能运维平台", "河南振宇机械科技有限公司"),
    ("汽车转向系统关键零部件智能检测产线", "新乡恒通汽车部件有限公司"),
    ("新型口服缓释制剂关键技术研究与产业化", "河南康泽生物医药有限公司"),
    ("重组胶原蛋白医用敷料中试研究", "新乡博源生物科技有限公司"),
    ("兽用mRNA疫苗递送系统研发", "河南华牧生物制品有限公司"),
    ("体外诊断化学发光试剂国产化研发", "新乡安检医疗科技有限公司"),
    ("中药配方颗粒质量标准与指纹图谱研究", "河南百草堂药业有限公司"),
    ("生物基可降解聚乳酸改性材料研发", "新乡绿源生物材料有限公司"),
    ("高纯电子级六氟磷酸锂连续化生产工艺", "河南氟创化工科技有限公司"),
    ("特高压输电用耐热铝合金导线研发", "新乡中源线缆有限公司"),
    ("智能电网配电终端边缘计算装置研发", "河南瑞能电气有限公司"),
    ("空气净化用高效低阻纳米纤维滤材研发", "新乡洁风环保科技有限公司"),
    ("工业废水膜法零排放集成技术研究", "河南清源环境工程有限公司"),
    ("农机作业北斗导航自动驾驶系统研发", "新乡丰收智能农机有限公司"),
    ("小麦种子活力无损快速检测装备研发", "河南粮安科技有限公司"),
    ("光伏组件用高透减反射镀膜玻璃研发", "新乡光耀新材料有限公司"),
    ("氢燃料电池双极板精密冲压成形技术", "河南氢动能源科技有限公司"),
    ("基于5G的矿山装备远程操控系统研发", "新乡矿联智能装备有限公司"),
    ("高端轴承用渗碳钢热处理变形控制技术", "河南精轴科技有限公司"),
]  # fmt: skip
CONSTRUCTION = [  # name, applicant, plan, plan text
    ("科技企业孵化器二期建设项目", "高新区科技创业服务中心", "district", "区级财政投资项目"),
    ("生物医药产业园标准化厂房建设项目", "高新区投资发展有限公司", "provincial",
     "省级产业集聚区发展专项资金"),
    ("智能制造公共技术服务平台建设项目", "高新区产业创新研究院", "central",
     "中央预算内投资（创新能力建设）"),
    ("新材料中试基地建设项目", "高新区投资发展有限公司", "provincial", "省级中试基地建设资金"),
    ("污水处理厂提标改造工程", "高新区城市建设管理局", "central", "中央预算内投资（污染治理）"),
]  # fmt: skip
PLAN_TEXT = "市科技计划项目（省级科技专项资金支持）"
RD_STEPS = ["完成方案论证与设备采购", "完成中试/样机研制", "完成性能测试与工艺定型", "完成验收材料"]
BUILD_STEPS = ["完成施工图设计与招标", "主体结构封顶", "设备安装与调试", "竣工验收"]
# How many of the 25 R&D projects stand where (the rest are 在建/实施中), and the construction.
RD_STATUS = [Status.APPROVED] * 3 + [Status.ACCEPTANCE] * 3 + [Status.COMPLETED] * 4
RD_STATUS += [Status.TERMINATED] + [Status.ONGOING] * (len(RD) - len(RD_STATUS) - 1)
BUILD_STATUS = [Status.ONGOING, Status.ONGOING, Status.APPROVED, Status.COMPLETED, Status.APPLIED]
OVERDUE = 2  # projects left with a milestone past due


def _points(rng: random.Random, grids: list[Region], n: int) -> list[tuple[Region, float, float]]:
    """`n` grids (spread over the district) and a point inside each."""
    picked = rng.sample(grids, n) if len(grids) >= n else [grids[i % len(grids)] for i in range(n)]
    out = []
    for g in picked:
        p = parse_geometry(g.code, g.geometry).representative_point()
        out.append((g, round(p.y, 6), round(p.x, 6)))
    return out


def _street_of(grid: Region, streets: dict[int, Region]) -> Region | None:
    ids = [int(i) for i in grid.path.strip("/").split("/") if i]
    return next((streets[i] for i in ids if i in streets), None)


def _lead(owner: Region, today: dt.date) -> int | None:
    posts = (
        ["command_office", "district_command_office"]
        if owner.level == Level.DISTRICT
        else ["street_official"]
    )
    found = (
        Post.objects.current(today)
        .filter(post_type__code__in=posts, region=owner)
        .order_by("person__phone")
        .values_list("person_id", flat=True)
        .first()
    )
    return found


def seed_projects(rng: random.Random, today: dt.date, command_user: User) -> int:
    """The demo's projects; how many were made (0 when they are already there)."""
    if Project.objects.filter(code__startswith="KJ").exists():
        return 0
    district = Region.objects.active().filter(level=Level.DISTRICT).order_by("code").first()
    grids = list(Region.objects.active().grids().order_by("code"))
    if district is None or not grids:
        return 0
    streets = {s.pk: s for s in Region.objects.active().filter(level=Level.STREET)}
    year = today.year
    plans: list[tuple[str, str, str, str, str, str]] = [
        (f"KJ{year}-{i + 1:03d}", name, "rd", applicant, "city_st", PLAN_TEXT)
        for i, (name, applicant) in enumerate(RD)
    ]
    plans += [
        (f"JS{year}-{i + 1:03d}", name, "construction", applicant, plan, text)
        for i, (name, applicant, plan, text) in enumerate(CONSTRUCTION)
    ]
    statuses = [*RD_STATUS, *BUILD_STATUS]
    overdue = set(rng.sample([i for i, s in enumerate(statuses) if s == Status.ONGOING], OVERDUE))
    places = _points(rng, grids, len(plans))
    with transaction.atomic():
        for i, (code, name, kind, applicant, plan, text) in enumerate(plans):
            grid, lat, lon = places[i]
            street = _street_of(grid, streets)
            owner = district if street is None or i % 3 == 0 else street
            _one(rng, today, command_user, i in overdue, statuses[i],
                 ProjectInput(code=code, name=name, kind=kind, applicant=applicant, plan=plan,
                              plan_text=text, year=year, owner=owner.code, lat=lat, lon=lon,
                              granted=_granted(rng, kind)))  # fmt: skip
    return len(plans)


def _granted(rng: random.Random, kind: str) -> Decimal:
    if kind == "rd":
        return Decimal(rng.choice([50, 80, 100, 120, 150, 200, 300]))
    return Decimal(rng.randrange(800, 12000, 50))


def _one(
    rng: random.Random,
    today: dt.date,
    user: User,
    overdue: bool,
    status: str,
    data: ProjectInput,
) -> None:
    days = dt.timedelta
    if status == Status.APPLIED:
        data.status_date = today - days(rng.randint(3, 20))
        data.year = data.status_date.year
        services.create_project(user, data, today)
        return
    # When it was approved, and how far along it is now.
    age = {
        Status.APPROVED: rng.randint(10, 40),
        Status.ONGOING: rng.randint(200 if overdue else 120, 420),
        Status.ACCEPTANCE: rng.randint(380, 560),
        Status.COMPLETED: rng.randint(420, 640),
        Status.TERMINATED: rng.randint(200, 300),
    }[Status(status)]
    approved = today - days(age)
    data.status_date = approved - days(rng.randint(30, 60))
    data.year = approved.year
    p = services.create_project(user, data, today)
    services.change_status(user, p.pk, Status.APPROVED, approved, "", today)
    lead = _lead(p.owner, today)
    if lead is not None:
        project_records.add_official(user, p.pk, lead, "lead")
    started = approved + days(rng.randint(10, 30))
    finished = today - days(rng.randint(3, 25))  # 验收/完成 day for those that got there
    span = (finished - approved).days if status in (Status.ACCEPTANCE, Status.COMPLETED) else 600
    steps = RD_STEPS if data.kind == "rd" else BUILD_STEPS
    milestones = []
    for k, title in enumerate(steps):
        planned = approved + days(span * (k + 1) // len(steps))
        milestones.append(project_records.add_milestone(user, p.pk, title, planned, ""))
    due = [m for m in milestones if m.planned < today]
    for k, m in enumerate(due):
        if overdue and k == len(due) - 1:
            continue  # left past due
        if status == Status.TERMINATED and k >= 1:
            break
        late = rng.random() < 0.15
        done = m.planned + days(rng.randint(3, 20)) if late else m.planned - days(rng.randint(0, 9))
        project_records.complete_milestone(user, m.pk, min(done, today), today)
    if status in (Status.ACCEPTANCE, Status.COMPLETED):
        for m in milestones:
            m.refresh_from_db()
            if m.done is None:
                project_records.complete_milestone(user, m.pk, min(m.planned, finished), today)
    share = {
        Status.APPROVED: rng.choice([0, 0, 0.1]),
        Status.ONGOING: rng.uniform(0.25, 0.8),
        Status.ACCEPTANCE: rng.uniform(0.85, 0.98),
        Status.COMPLETED: 1.0,
        Status.TERMINATED: rng.uniform(0.1, 0.3),
    }[Status(status)]
    until = started + days(60) if status == Status.TERMINATED else today
    _spend(rng, min(until, today), today, user, p, approved, Decimal(str(share)))
    if status == Status.APPROVED:
        return
    services.change_status(user, p.pk, Status.ONGOING, min(started, today), "", today)
    if status == Status.TERMINATED:
        day = min(started + days(rng.randint(61, 120)), today)
        why = "企业技术路线调整，申请终止，结余资金收回"
        services.change_status(user, p.pk, Status.TERMINATED, day, why, today)
    elif status in (Status.ACCEPTANCE, Status.COMPLETED):
        accept = finished - days(rng.randint(10, 30)) if status == Status.COMPLETED else finished
        services.change_status(user, p.pk, Status.ACCEPTANCE, accept, "提交验收申请", today)
        if status == Status.COMPLETED:
            services.change_status(user, p.pk, Status.COMPLETED, finished, "通过验收", today)


def _spend(
    rng: random.Random,
    until: dt.date,
    today: dt.date,
    user: User,
    p: Project,
    approved: dt.date,
    share: Decimal,
) -> None:
    total = (p.granted * share).quantize(Decimal("0.01"))
    if total <= 0:
        return
    rows = rng.randint(2, 5)
    first = approved + dt.timedelta(days=5)
    window = max(0, (until - first).days)
    days = sorted(rng.sample(range(window + 1), min(rows, window + 1)))
    left = total
    for k, offset in enumerate(days):
        amount = left if k == len(days) - 1 else (total / len(days)).quantize(Decimal("0.01"))
        left -= amount
        if amount > 0:
            project_records.record_spending(
                user, p.pk, first + dt.timedelta(days=offset), amount, "拨付", today
            )
