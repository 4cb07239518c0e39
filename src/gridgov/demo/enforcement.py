"""A dozen enforcement cases for the demo district, made through the real services with a
simulated clock from the sources already registered: across the fronts, in every step, most
closed on time, one overdue; fines within the legal ranges; five proposed for the exposure
board and approved by a second person, one of them unpublished since."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from gridgov.demo.names import GIVEN, SURNAMES
from gridgov.enforcement import handling, publication, services
from gridgov.enforcement.models import Case, LegalBasis, PartyKind
from gridgov.enforcement.steps import Step
from gridgov.sources.categories import Category
from gridgov.sources.models import PollutionSource

CST = dt.timezone(dt.timedelta(hours=8))

# category → (article, party kind, finding, the public summary's wording)
PLAN: dict[str, tuple[str, str, str, str]] = {
    Category.CONSTRUCTION_SITE: (
        "第一百一十五条",
        PartyKind.ORG,
        "施工现场裸土未覆盖，出入车辆未冲洗，未采取洒水抑尘措施。",
        "巡查发现该工地裸土未覆盖、车辆带泥上路，扬尘污染明显。",
    ),
    Category.ENTERPRISE: (
        "第一百零八条",
        PartyKind.ORG,
        "物料堆场未密闭、未采取集中收集处理措施，粉尘无组织排放。",
        "检查发现该企业粉尘无组织排放，污染防治设施未正常运行。",
    ),
    Category.RESTAURANT: (
        "第一百一十八条第一款",
        PartyKind.ORG,
        "油烟净化设施未正常使用，油烟超标排放。",
        "检查发现该餐饮单位油烟净化设施未开启，油烟直排。",
    ),
    Category.ROAD_SECTION: (
        "第一百一十六条",
        PartyKind.ORG,
        "渣土运输车辆未密闭，沿路遗撒。",
        "渣土运输车辆未密闭运输，造成道路遗撒扬尘。",
    ),
    Category.FARMLAND: (
        "第一百一十九条第一款",
        PartyKind.PERSON,
        "在禁烧区内露天焚烧秸秆。",
        "巡查发现有人在禁烧区内露天焚烧秸秆，产生浓烟。",
    ),
    Category.BURNING_SPOT: (
        "第一百一十九条第二款（个人）",
        PartyKind.PERSON,
        "在人口集中地区焚烧垃圾、塑料。",
        "巡查发现有人在居民区附近焚烧塑料垃圾，产生恶臭烟尘。",
    ),
    Category.VEHICLE: (
        "第一百一十四条第一款",
        PartyKind.ORG,
        "使用排放不合格的非道路移动机械。",
        "检查发现施工现场使用冒黑烟的非道路移动机械。",
    ),
    Category.FIREWORKS_POINT: (
        "第四十二条第二款",
        PartyKind.PERSON,
        "在禁放时段、区域燃放烟花爆竹。",
        "有人在禁放区内燃放烟花爆竹，已依法处罚。",
    ),
}

# (days before today it was filed, where it stands, published?)
SCENARIOS: list[tuple[int, str, str]] = [
    (80, Step.CLOSED, "published"),
    (70, Step.CLOSED, "published"),
    (64, Step.CLOSED, "unpublished"),
    (58, Step.CLOSED, "published"),
    (52, Step.CLOSED, ""),
    (45, Step.EXECUTION, "published"),
    (40, Step.EXECUTION, ""),
    (33, Step.DECISION, ""),
    (26, Step.NOTICE, ""),
    (60, Step.INVESTIGATION, "overdue"),  # stuck: the notice was due 30 days after
    (12, Step.INVESTIGATION, ""),
    (4, Step.FILED, ""),
    (20, Step.WITHDRAWN, ""),
]
ORDER = [Step.INVESTIGATION, Step.NOTICE, Step.DECISION, Step.EXECUTION, Step.CLOSED]


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _party(source: PollutionSource, kind: str, rng: random.Random) -> tuple[str, str]:
    if kind == PartyKind.PERSON:
        return _person_name(rng), ""
    attrs = source.attributes or {}
    if source.category == Category.CONSTRUCTION_SITE and attrs.get("builder"):
        return attrs["builder"], ""
    if source.category == Category.ROAD_SECTION:
        return source.name[:20] + "沿线渣土运输有限公司", ""
    if source.category == Category.VEHICLE and attrs.get("owner"):
        return attrs["owner"], ""
    return source.name, attrs.get("credit_code", "") or ""


def _amount(b: LegalBasis, rng: random.Random) -> str:
    low = int(b.penalty_min or 0)
    high = int(b.penalty_max or low)
    step = 100 if high <= 5000 else 1000
    return str(rng.randrange(low, high + 1, step) if high > low else low)


def _photo(rng: random.Random) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (320, 240), (150 + rng.randrange(60), 140, 120))
    draw = ImageDraw.Draw(img)
    for _ in range(8):
        x, y = rng.randrange(300), rng.randrange(220)
        draw.rectangle((x, y, x + 20, y + 20), fill=(90, 80, 70))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), CST)


def seed_cases(rng: random.Random, today: dt.date, handler: Any, approver: Any) -> list[Case]:
    """Open and move the scenarios' cases on sources already in the database. `handler` holds
    `enforcement.handle_case` for the whole district (e.g. a command-office account) and
    `approver` is a second account with `enforcement.approve_publication`."""
    by_category: dict[str, list[PollutionSource]] = {}
    for source in PollutionSource.objects.order_by("pk"):
        by_category.setdefault(source.category, []).append(source)
    fronts = [c for c in PLAN if by_category.get(c)]
    if not fronts:
        return []
    made: list[Case] = []
    for i, (ago, target, fate) in enumerate(SCENARIOS):
        category = fronts[i % len(fronts)]
        source = rng.choice(by_category[category])
        article, kind, finding, public_text = PLAN[category]
        basis = LegalBasis.objects.filter(article=article).first()
        if basis is None:
            continue
        name, code = _party(source, kind, rng)
        filed = today - dt.timedelta(days=ago)
        case = services.open_case(
            services.CaseInput(
                title=f"{source.name[:60]} {finding[:20].rstrip('，。')}",
                facts=finding,
                party_kind=kind,
                party_name=name,
                party_code=code,
                source_id=source.pk,
            ),
            handler,
            now=_at(filed, 9),
        )
        if fate == "published" or fate == "unpublished":
            data = _photo(rng)
            handling.add_document(
                case.pk,
                handler,
                io.BytesIO(data),
                size=len(data),
                name="现场照片.jpg",
                title="现场照片",
                now=_at(filed, 10),
            )
        day = filed
        if target == Step.WITHDRAWN:
            handling.advance(
                case.pk,
                Step.WITHDRAWN,
                handler,
                note="经核实当事人主体有误，撤销立案",
                now=_at(filed + dt.timedelta(days=2), 15),
            )
            made.append(Case.objects.get(pk=case.pk))
            continue
        steps = ORDER[: ORDER.index(Step(target)) + 1] if target in ORDER else []
        for step in steps:
            gap = {
                Step.INVESTIGATION: 2,
                Step.NOTICE: 12,
                Step.DECISION: 9,
                Step.EXECUTION: 3,
                Step.CLOSED: 14,
            }[step]
            day = min(day + dt.timedelta(days=gap + rng.randrange(3)), today)
            now = _at(day, 10 + rng.randrange(6))
            if step == Step.DECISION:
                handling.advance(
                    case.pk,
                    step,
                    handler,
                    now=now,
                    penalty_amount=_amount(basis, rng),
                    legal_basis_ids=[basis.pk],
                    decision=f"依据{basis}，责令改正违法行为，并处罚款。",
                    rectification_required=kind == PartyKind.ORG,
                )
            else:
                handling.advance(
                    case.pk,
                    step,
                    handler,
                    now=now,
                    rectified=step == Step.CLOSED,
                    note={Step.CLOSED: "罚款已缴纳，整改到位"}.get(step, ""),
                )
        case = Case.objects.get(pk=case.pk)
        if fate in ("published", "unpublished"):
            proposed = min(day + dt.timedelta(days=1), today)
            photos = [d.pk for d in case.documents.all() if d.is_image]
            pub = publication.propose(
                case.pk,
                handler,
                title=f"{source.get_category_display()}典型案例",
                summary=public_text,
                photo_ids=photos,
                now=_at(proposed, 9),
            )
            publication.approve(pub.pk, approver, now=_at(proposed, 16))
            if fate == "unpublished":
                publication.unpublish(
                    pub.pk,
                    approver,
                    reason="整改到位，公示期满撤下",
                    now=_at(min(proposed + dt.timedelta(days=30), today), 9),
                )
        made.append(case)
    return made
