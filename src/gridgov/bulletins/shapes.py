"""The shapes of a bulletin's content (sections of paragraphs, tables, charts and a JSON
snapshot) and the words its figures are told in; the PDF and the Excel file draw these."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gridgov.air.models import CST
from gridgov.bulletins.periods import KIND_LABELS, Period
from gridgov.people import scope
from gridgov.territory import ladder
from gridgov.territory.levels import KEYS
from gridgov.territory.models import Level, Region

NUMERALS = "一二三四五六七八九十"
LEVEL_NAMES = {
    Level.PROVINCE: "省（区、市）",
    Level.CITY: "市（州）",
    Level.DISTRICT: "区（县）",
    Level.STREET: "街道（镇）",
    Level.COMMUNITY: "社区（村）",
    Level.GRID: "网格",
}
LEVEL_KEYS = KEYS


class UnitReader:
    """The data as one unit's own office reads it: the scope of that region's subtree and the
    view permissions, with no person (so nothing is "dispatched to me")."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = False
    pk = None

    def __init__(self, region: Region) -> None:
        self.region = region
        self._gridgov_scope = [region.path]
        self._gridgov_person = None

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return perm.rpartition(".")[2].startswith("view_")

    def get_username(self) -> str:
        return f"bulletin:{self.region.code}"


# --- the shapes ------------------------------------------------------------------------------


@dataclass
class Table:
    """A table: its sheet name, caption, head and rows; `formats` per column, in Excel's
    number-format language ("@" text, "0", "0.0", "0.0%", …)."""

    sheet: str
    caption: str
    headers: list[str]
    formats: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    empty: str = "无"  # what the document says when there is no row


@dataclass
class Chart:
    """A bar chart: one value per label (None: no value); a reference line when given."""

    title: str
    labels: list[str]
    values: list[float | None]
    unit: str = "微克/立方米"
    reference: float | None = None
    reference_label: str = ""
    # A ranking of units (labels in rank order, their ranks here): drawn as horizontal bars,
    # only the first and last `RANKING_SHOWN` of a long one.
    ranks: list[int | None] | None = None


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Content:
    kind: str
    period: Period
    region_code: str
    region_name: str
    issuer: str
    generated_at: dt.datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.region_name}大气污染防治调度通报（{KIND_LABELS[self.kind]}）"

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def numbered(self) -> list[tuple[str, Section]]:
        """The sections with their numbers (一、二、…), as the document heads them."""
        return [(f"{NUMERALS[i]}、", s) for i, s in enumerate(self.sections)]

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def snapshot(self) -> dict[str, Any]:
        """The figures, JSON-ready, stored with the bulletin: `sections`, each section's figures
        by key (what the tests compare with the API); `document`, the sections as the
        documents show them (answered by the API)."""
        return {
            "kind": self.kind,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "region": self.region_code,
            "sections": {s.key: jsonable(s.data) for s in self.sections},
            "document": [
                {
                    "key": s.key,
                    "title": number + s.title,
                    "paragraphs": s.paragraphs,
                    "tables": [
                        {
                            "sheet": t.sheet,
                            "caption": t.caption,
                            "headers": t.headers,
                            "rows": jsonable(t.rows),
                        }
                        for t in s.tables
                    ],
                }
                for number, s in self.numbered()
            ],
        }


def jsonable(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def number(value: float | None, digits: int = 0) -> float | None:
    """A table cell: None for a missing value (NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits) if digits else value


def say(value: float | None, unit: str = "", digits: int = 0) -> str:
    if value is None or not math.isfinite(value):
        return "无有效数据"
    return f"{value:.{digits}f}{unit}"


def change_words(change: float | None, unit: str, digits: int = 1) -> str:
    if change is None or not math.isfinite(change):
        return "无可比数据"
    if change == 0:
        return "持平"
    return f"{'上升' if change > 0 else '下降'}{abs(change):.{digits}f}{unit}"


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=CST)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=CST)
    return lo, hi


def unit_finder(reader: UnitReader, level: int) -> Callable[[str], Region | None]:
    units = {
        r.path: r
        for r in scope.regions_for(reader, Region.objects.filter(level=level)).defer("geometry")
    }

    def find(path: str) -> Region | None:
        return ladder.on_path(path, units)

    return find
