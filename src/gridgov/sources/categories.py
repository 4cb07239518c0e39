"""The eight fronts (八大战线) as source categories, each with its own fields.

A source's category-specific fields live in one JSON column, checked here by a pydantic model
per category (unknown keys refused, every value typed and bounded), so one table, one API and one
importer serve all eight while each category still has a strict schema. `FIELDS` describes the
columns of each category's Excel template in the same order as the model.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from django.utils.translation import gettext_lazy as _
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from gridgov import inputs
from gridgov.errors import INVALID, DomainError


class Category(StrEnum):
    CONSTRUCTION_SITE = "construction_site"
    ROAD_SECTION = "road_section"
    ENTERPRISE = "enterprise"
    RESTAURANT = "restaurant"
    FARMLAND = "farmland"
    BURNING_SPOT = "burning_spot"
    VEHICLE = "vehicle"
    FIREWORKS_POINT = "fireworks_point"


LABELS: dict[str, Any] = {
    Category.CONSTRUCTION_SITE: _("建筑工地"),
    Category.ROAD_SECTION: _("道路保洁路段"),
    Category.ENTERPRISE: _("工业企业"),
    Category.RESTAURANT: _("餐饮油烟单位"),
    Category.FARMLAND: _("秸秆禁烧农田"),
    Category.BURNING_SPOT: _("祭扫焚烧点位"),
    Category.VEHICLE: _("高排放车辆与非道路机械"),
    Category.FIREWORKS_POINT: _("烟花爆竹销售点与禁放区"),
}

CHOICES = [(c.value, LABELS[c]) for c in Category]

# Which GeoJSON geometry types each category takes.
POINT = {"Point"}
LINE = {"LineString", "MultiLineString"}
AREA = {"Polygon", "MultiPolygon"}
GEOMETRY_TYPES: dict[str, set[str]] = {
    Category.CONSTRUCTION_SITE: POINT | AREA,
    Category.ROAD_SECTION: LINE,
    Category.ENTERPRISE: POINT | AREA,
    Category.RESTAURANT: POINT,
    Category.FARMLAND: AREA,
    Category.BURNING_SPOT: POINT | AREA,
    Category.VEHICLE: POINT,
    Category.FIREWORKS_POINT: POINT | AREA,
}

Text40 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str):
            inputs.check_text(info.field_name, value)
        return value


# 六个百分百: the six measures every construction site must keep.
DUST_MEASURES = {
    "fencing": _("工地周边围挡"),
    "covering": _("物料堆放覆盖"),
    "wheel_washing": _("出入车辆清洗"),
    "hardened_roads": _("施工现场地面硬化"),
    "wet_work": _("拆迁工地湿法作业"),
    "sealed_trucks": _("渣土车辆密闭运输"),
}

DustMeasure = Literal[
    "fencing", "covering", "hardened_roads", "wheel_washing", "wet_work", "sealed_trucks"
]


Phase = Literal["earthwork", "foundation", "structure", "decoration", "finishing", "demolition"]


class ConstructionSite(_Fields):
    permit_number: Text40 = ""
    builder: Text100 = ""
    contractor: Text100 = ""
    phase: Phase = "earthwork"
    area_m2: float = Field(default=0, ge=0, le=10_000_000, allow_inf_nan=False)
    dust_measures: list[DustMeasure] = Field(default_factory=list, max_length=6)
    pm10_monitor: bool = False
    video: bool = False
    monitor_mn: Text40 = ""


class RoadSection(_Fields):
    cleaning_class: Literal["1", "2", "3", "4"] = "2"
    sweeping_schedule: Text200 = ""
    sweeps_per_day: int = Field(default=1, ge=0, le=48)
    length_km: float = Field(default=0, ge=0, le=1000, allow_inf_nan=False)
    responsible_unit: Text100 = ""


CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def is_credit_code(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""
    if not CREDIT_CODE_RE.match(code):
        return False
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(code, CREDIT_CODE_WEIGHTS, strict=False)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31] == code[17]


def credit_code_check(first17: str) -> str:
    """The check character for 17 characters (the demo makes valid codes with it)."""
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


MN_RE = re.compile(r"^[0-9A-Za-z]{1,24}$")

# 重污染天气重点行业绩效分级: A best, D worst (C and D limit or stop production in a warning).
Grade = Literal["A", "B", "C", "D"]


class Enterprise(_Fields):
    credit_code: Text40 = ""
    industry: Text100 = ""
    discharge_permit: Text40 = ""
    grade: Grade = "C"
    monitor_mns: list[Text40] = Field(default_factory=list, max_length=20)

    @field_validator("credit_code")
    @classmethod
    def _credit(cls, value: str) -> str:
        value = value.upper()
        if value and not is_credit_code(value):
            raise ValueError("not a valid unified social credit code (GB 32100)")
        return value

    @field_validator("monitor_mns")
    @classmethod
    def _mns(cls, value: list[str]) -> list[str]:
        for mn in value:
            if not MN_RE.match(mn):
                raise ValueError(f"MN {mn!r} must be 1–24 letters or digits")
        return value


class Restaurant(_Fields):
    seats: int = Field(default=0, ge=0, le=100_000)
    fume_purifier: bool = False
    purifier_model: Text100 = ""
    cleaning_interval_days: int = Field(default=30, ge=1, le=366)
    cleaning_dates: list[dt.date] = Field(default_factory=list, max_length=100)

    @field_validator("cleaning_dates")
    @classmethod
    def _dates(cls, value: list[dt.date]) -> list[dt.date]:
        for day in value:
            inputs.check_date("cleaning_dates", day)
        return sorted(value)


class Farmland(_Fields):
    area_mu: float = Field(default=0, ge=0, le=1_000_000, allow_inf_nan=False)
    crop: Text40 = ""
    village: Text40 = ""


Festival = Literal["qingming", "zhongyuan", "hanyi", "chunjie", "dongzhi"]


def _usual_festivals() -> list[Festival]:
    return ["qingming", "hanyi"]


class BurningSpot(_Fields):
    kind: Literal["cemetery", "crossroad", "riverside", "other"] = "crossroad"
    festivals: list[Festival] = Field(default_factory=_usual_festivals, max_length=5)
    patrol_note: Text200 = ""


class Vehicle(_Fields):
    kind: Literal["heavy_truck", "muck_truck", "bus", "non_road_machinery", "other"] = "heavy_truck"
    registration: Text40
    owner: Text100 = ""
    emission_stage: Literal["0", "I", "II", "III", "IV", "V", "VI"] = "III"
    fuel: Literal["diesel", "petrol", "gas", "electric", "other"] = "diesel"

    @field_validator("registration")
    @classmethod
    def _registration(cls, value: str) -> str:
        if not value:
            raise ValueError("a plate or registration number is required")
        return value.upper()


class FireworksPoint(_Fields):
    kind: Literal["sales_point", "no_fireworks_zone"] = "sales_point"
    licence_number: Text40 = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @field_validator("valid_from", "valid_to")
    @classmethod
    def _date(cls, value: dt.date | None, info: Any) -> dt.date | None:
        if value is not None:
            inputs.check_date(info.field_name, value)
        return value


SCHEMAS: dict[str, type[_Fields]] = {
    Category.CONSTRUCTION_SITE: ConstructionSite,
    Category.ROAD_SECTION: RoadSection,
    Category.ENTERPRISE: Enterprise,
    Category.RESTAURANT: Restaurant,
    Category.FARMLAND: Farmland,
    Category.BURNING_SPOT: BurningSpot,
    Category.VEHICLE: Vehicle,
    Category.FIREWORKS_POINT: FireworksPoint,
}


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class AttributesError(DomainError, ValueError):
    """Category fields that do not fit the category's schema; `problems` name each field, and
    `field` is the first of them (kind invalid)."""

    field: str

    def __init__(self, problems: list[FieldProblem]) -> None:
        message = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(INVALID, message, problems[0].field)
        self.problems = problems


def check_category(code: str) -> Category:
    try:
        return Category(code)
    except ValueError:
        raise inputs.InputError(
            "category", f"unknown category {code!r}; one of {', '.join(c.value for c in Category)}"
        ) from None


def clean_attributes(category: str, data: dict[str, Any]) -> dict[str, Any]:
    """The category's fields checked and normalised, as JSON-ready values."""
    schema = SCHEMAS[check_category(category)]
    if not isinstance(data, dict):
        raise AttributesError([FieldProblem("attributes", "must be an object")])
    try:
        model = schema.model_validate(data)
    except inputs.InputError as exc:
        raise AttributesError([FieldProblem(f"attributes.{exc.field}", str(exc))]) from None
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"]) or "attributes"
            problems.append(FieldProblem(f"attributes.{loc}", err["msg"]))
        raise AttributesError(problems) from None
    return model.model_dump(mode="json")


def field_names(category: str) -> list[str]:
    return list(SCHEMAS[check_category(category)].model_fields)


# --- labels and field descriptions (forms, Excel templates, the source's page) ---------------

FIELD_LABELS: dict[str, Any] = {
    # construction_site
    "permit_number": _("施工许可证号"),
    "builder": _("建设单位"),
    "contractor": _("施工单位"),
    "phase": _("施工阶段"),
    "area_m2": _("施工面积(平方米)"),
    "dust_measures": _("扬尘防治措施(六个百分百)"),
    "pm10_monitor": _("安装PM10在线监测"),
    "video": _("安装视频监控"),
    "monitor_mn": _("监测设备编号(MN)"),
    # road_section
    "cleaning_class": _("保洁等级"),
    "sweeping_schedule": _("清扫作业时间"),
    "sweeps_per_day": _("每日清扫次数"),
    "length_km": _("路段长度(公里)"),
    "responsible_unit": _("保洁责任单位"),
    # enterprise
    "credit_code": _("统一社会信用代码"),
    "industry": _("行业"),
    "discharge_permit": _("排污许可证号"),
    "grade": _("绩效分级"),
    "monitor_mns": _("在线监测设备编号(MN)"),
    # restaurant
    "seats": _("座位数"),
    "fume_purifier": _("安装油烟净化器"),
    "purifier_model": _("净化器型号"),
    "cleaning_interval_days": _("清洗周期(天)"),
    "cleaning_dates": _("清洗日期"),
    # farmland
    "area_mu": _("面积(亩)"),
    "crop": _("作物"),
    "village": _("所属村"),
    # burning_spot, vehicle, fireworks_point
    "kind": _("类型"),
    "festivals": _("重点时段"),
    "patrol_note": _("巡查说明"),
    "registration": _("号牌或登记编号"),
    "owner": _("所有人"),
    "emission_stage": _("排放阶段"),
    "fuel": _("燃料类型"),
    "licence_number": _("许可证号"),
    "valid_from": _("有效期起"),
    "valid_to": _("有效期止"),
}

CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "phase": {
        "earthwork": _("土方阶段"),
        "foundation": _("基础阶段"),
        "structure": _("主体阶段"),
        "decoration": _("装饰装修"),
        "finishing": _("收尾阶段"),
        "demolition": _("拆除"),
    },
    "dust_measures": DUST_MEASURES,
    "cleaning_class": {"1": _("一级"), "2": _("二级"), "3": _("三级"), "4": _("四级")},
    "grade": {"A": _("A级"), "B": _("B级"), "C": _("C级"), "D": _("D级")},
    "festivals": {
        "qingming": _("清明"),
        "zhongyuan": _("中元"),
        "hanyi": _("寒衣节"),
        "chunjie": _("春节"),
        "dongzhi": _("冬至"),
    },
    "kind": {
        # burning_spot
        "cemetery": _("墓地周边"),
        "crossroad": _("路口"),
        "riverside": _("河边"),
        # vehicle
        "heavy_truck": _("重型货车"),
        "muck_truck": _("渣土车"),
        "bus": _("公交车"),
        "non_road_machinery": _("非道路移动机械"),
        # fireworks_point
        "sales_point": _("销售点"),
        "no_fireworks_zone": _("禁放区"),
        "other": _("其他"),
    },
    "emission_stage": {
        "0": _("国〇"),
        "I": _("国一"),
        "II": _("国二"),
        "III": _("国三"),
        "IV": _("国四"),
        "V": _("国五"),
        "VI": _("国六"),
    },
    "fuel": {
        "diesel": _("柴油"),
        "petrol": _("汽油"),
        "gas": _("燃气"),
        "electric": _("电动"),
        "other": _("其他"),
    },
}


@dataclass(frozen=True)
class FieldSpec:
    """One category field as forms and spreadsheets see it."""

    name: str
    kind: str  # text, int, float, bool, choice, choices, date, dates, texts
    label: Any
    choices: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    low: float | None = None
    high: float | None = None
    default: Any = None

    def choice_label(self, value: str) -> str:
        return str(CHOICE_LABELS.get(self.name, {}).get(value, value))


def _literal_values(annotation: Any) -> tuple[str, ...] | None:
    if get_origin(annotation) is Literal:
        return tuple(str(v) for v in get_args(annotation))
    return None


def _spec(name: str, info: Any) -> FieldSpec:
    annotation = info.annotation
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    common: dict[str, Any] = {
        "label": FIELD_LABELS.get(name, name),
        "required": info.is_required(),
        "default": default,
    }
    low = high = None
    max_length = None
    for meta in info.metadata:
        low = getattr(meta, "ge", low) if getattr(meta, "ge", None) is not None else low
        high = getattr(meta, "le", high) if getattr(meta, "le", None) is not None else high
        if getattr(meta, "max_length", None) is not None:
            max_length = meta.max_length
    literal = _literal_values(annotation)
    if literal:
        return FieldSpec(name, "choice", choices=literal, **common)
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        literal = _literal_values(item)
        if literal:
            return FieldSpec(name, "choices", choices=literal, **common)
        if item is dt.date:
            return FieldSpec(name, "dates", **common)
        return FieldSpec(name, "texts", **common)
    if annotation is bool:
        return FieldSpec(name, "bool", **common)
    if annotation is int:
        return FieldSpec(name, "int", low=low, high=high, **common)
    if annotation is float:
        return FieldSpec(name, "float", low=low, high=high, **common)
    if annotation is dt.date:
        return FieldSpec(name, "date", **common)
    for meta in getattr(annotation, "__metadata__", ()):
        if getattr(meta, "max_length", None) is not None:
            max_length = meta.max_length
    return FieldSpec(name, "text", max_length=max_length, **common)


def field_specs(category: str) -> list[FieldSpec]:
    """The category's fields in the schema's order, typed for a form or a sheet column."""
    schema = SCHEMAS[check_category(category)]
    return [_spec(name, info) for name, info in schema.model_fields.items()]


def geometry_kind(category: str) -> str:
    """point (lat/lon inputs suffice), or geometry (a line or area: a GeoJSON/WKT value)."""
    allowed = GEOMETRY_TYPES[check_category(category)]
    return "point" if "Point" in allowed else "geometry"
