"""The eight fronts (八大战线) as source categories, each with its own fields.

A source's category-specific fields live in one JSON column, checked here by a pydantic model
per category (unknown keys refused, every value typed and bounded), so one table, one API and one
importer serve all eight while each category still has a strict schema. `FIELDS` describes the
columns of each category's Excel template in the same order as the model.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

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


class AttributesError(ValueError):
    """Category fields that do not fit the category's schema; `problems` name each field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems

    @property
    def field(self) -> str:
        return self.problems[0].field


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
