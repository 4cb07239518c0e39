"""The trigger rules of heavy-pollution warnings (重污染天气预警启动条件) the recommendations
(预警建议, emergency/recommending.py) apply to the forecast, and the scoring to what happened.

Source: 生态环境部办公厅《关于推进重污染天气应急预案修订工作的指导意见》(环办大气函〔2018〕875号),
the national rule as commonly applied, on the forecast daily AQI:

- 黄色预警: AQI > 200 on 2 consecutive days (48 h) or more;
- 橙色预警: AQI > 200 on 3 consecutive days or more, and > 300 on at least 1 of them;
- 红色预警: AQI > 200 on 4 consecutive days or more, and > 300 on at least 2 of them; or AQI
  reaching 500 on any day (AQI is a whole number capped at 500, so "> 499").

"More than 200" is strict: a day at exactly 200 does not count. The days of one condition are
consecutive dates; the peak days are among them. The forecast covers three days, so the
four-day branch of red can never be met by it: red comes only from a day reaching 500.

Configurable: GRIDGOV_WARNING_RULES (JSON) replaces the rule set, e.g. the national default is

    {"yellow": {"aqi_above": 200, "days": 2},
     "orange": {"aqi_above": 200, "days": 3, "peak_above": 300, "peak_days": 1},
     "red": [{"aqi_above": 200, "days": 4, "peak_above": 300, "peak_days": 2},
             {"aqi_above": 499, "days": 1}]}

A level is one condition or a list of alternatives (any one met calls it); a level left out is
never called. GRIDGOV_WARNING_BASIS=upper judges the forecast on its interval's upper bound
instead of the point value (the default, "value"). Both are checked when the settings load: a
bad value stops the start with the variable and the entry named.

This module is plain Python (settings.py reads it before Django is set up).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

SOURCE = "环办大气函〔2018〕875号"
LEVEL_NAMES = {"yellow": 1, "orange": 2, "red": 3}
NAMES = {v: k for k, v in LEVEL_NAMES.items()}
KEYS = ("aqi_above", "days", "peak_above", "peak_days")
MAX_DAYS = 14
BASES = ("value", "upper")


@dataclass(frozen=True)
class Condition:
    """`days` consecutive days with AQI > `aqi_above`, of which at least `peak_days` have
    AQI > `peak_above`."""

    aqi_above: int
    days: int
    peak_above: int | None = None
    peak_days: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Rules = dict[int, tuple[Condition, ...]]  # level (1 yellow, 2 orange, 3 red) → alternatives

NATIONAL: Rules = {
    1: (Condition(200, 2),),
    2: (Condition(200, 3, 300, 1),),
    3: (Condition(200, 4, 300, 2), Condition(499, 1)),
}


def _whole(name: str, where: str, value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(
            f"{name}: {where} must be a whole number from {low} to {high}, got {value!r}"
        )
    return value


def _condition(name: str, where: str, raw: Any) -> Condition:
    if not isinstance(raw, dict):
        raise ValueError(f"{name}: {where} must be an object with {', '.join(KEYS)}")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ValueError(f"{name}: {where} has unknown keys {', '.join(unknown)}")
    for key in ("aqi_above", "days"):
        if key not in raw:
            raise ValueError(f"{name}: {where}.{key} is required")
    above = _whole(name, f"{where}.aqi_above", raw["aqi_above"], 0, 499)
    days = _whole(name, f"{where}.days", raw["days"], 1, MAX_DAYS)
    peak_days = _whole(name, f"{where}.peak_days", raw.get("peak_days", 0), 0, days)
    peak = raw.get("peak_above")
    if peak is not None:
        peak = _whole(name, f"{where}.peak_above", peak, above, 499)
    if peak_days and peak is None:
        raise ValueError(f"{name}: {where}.peak_above is required when peak_days is above 0")
    return Condition(above, days, peak if peak_days else None, peak_days)


def parse(text: str, name: str = "GRIDGOV_WARNING_RULES") -> Rules:
    """The rule set written as JSON (see the module's docstring); '' is the national rule."""
    if not text.strip():
        return dict(NATIONAL)
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be JSON: {exc}") from None
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{name} must be an object with one or more of yellow, orange, red")
    unknown = sorted(set(raw) - set(LEVEL_NAMES))
    if unknown:
        raise ValueError(f"{name}: unknown levels {', '.join(unknown)} (yellow, orange, red)")
    rules: Rules = {}
    for key, value in raw.items():
        items = value if isinstance(value, list) else [value]
        if not items:
            raise ValueError(f"{name}: {key} must hold at least one condition")
        where = [key] if not isinstance(value, list) else [f"{key}[{i}]" for i in range(len(items))]
        rules[LEVEL_NAMES[key]] = tuple(
            _condition(name, w, item) for w, item in zip(where, items, strict=True)
        )
    return dict(sorted(rules.items()))


def parse_basis(text: str, name: str = "GRIDGOV_WARNING_BASIS") -> str:
    value = (text or "value").strip().lower()
    if value not in BASES:
        raise ValueError(f"{name} must be value or upper, got {text!r}")
    return value


def window(condition: Condition, aqis: Sequence[int | None]) -> tuple[int, int] | None:
    """The first [start, end) of consecutive days meeting the condition (None: none does).
    `aqis` are the AQIs of consecutive dates; None (no value) breaks a run."""
    n = condition.days
    for start in range(len(aqis) - n + 1):
        days = aqis[start : start + n]
        if any(a is None or a <= condition.aqi_above for a in days):
            continue
        peak = condition.peak_above
        peaks = sum(1 for a in days if peak is not None and a is not None and a > peak)
        if peaks >= condition.peak_days:
            return start, start + n
    return None


@dataclass(frozen=True)
class Called:
    """The highest level the rules call on a run of days, the condition met and its days."""

    level: int
    condition: Condition
    start: int
    end: int


def called(rules: Rules, aqis: Sequence[int | None]) -> Called | None:
    """The highest level whose rule some window of the days meets, or None."""
    for level in sorted(rules, reverse=True):
        for condition in rules[level]:
            found = window(condition, aqis)
            if found is not None:
                return Called(level, condition, *found)
    return None


def windows(rules: Rules, aqis: Sequence[int | None]) -> list[tuple[int, int, int]]:
    """Every (start, end, level) window that meets some level's rule."""
    out = []
    for level, conditions in rules.items():
        for condition in conditions:
            for start in range(len(aqis) - condition.days + 1):
                if window(condition, aqis[start : start + condition.days]) is not None:
                    out.append((start, start + condition.days, level))
    return out


def to_json(rules: Rules) -> dict[str, list[dict[str, Any]]]:
    return {NAMES[level]: [c.as_dict() for c in cs] for level, cs in rules.items()}


def from_json(raw: dict[str, Any]) -> Rules:
    """Rules stored with a recommendation (to_json) read back."""
    return parse(json.dumps(raw), "stored rules")
