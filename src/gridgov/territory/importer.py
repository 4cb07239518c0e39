"""Read regions from a GeoJSON FeatureCollection into RegionSpecs (no database writes here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridgov import inputs
from gridgov.territory.models import GridKind, Level
from gridgov.territory.services import Problem, RegionSpec

LEVEL_NAMES = {
    "district": Level.DISTRICT,
    "区": Level.DISTRICT,
    "street": Level.STREET,
    "town": Level.STREET,
    "街道": Level.STREET,
    "镇": Level.STREET,
    "街道/镇": Level.STREET,
    "community": Level.COMMUNITY,
    "village": Level.COMMUNITY,
    "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY,
    "社区/村": Level.COMMUNITY,
    "grid": Level.GRID,
    "网格": Level.GRID,
}
KIND_NAMES = {str(label): value for value, label in GridKind.choices} | {
    "农村": GridKind.RURAL,
    "城市社区": GridKind.URBAN,
    "专属": GridKind.DEDICATED,
}


@dataclass
class FieldMap:
    """Which feature property holds each field (override for files from other systems)."""

    code: str = "code"
    name: str = "name"
    level: str = "level"
    parent: str = "parent_code"
    kind: str = "kind"
    lines: str = "lines"


@dataclass
class ParsedFile:
    specs: list[RegionSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse_level(value: Any) -> int | None:
    if isinstance(value, int) and value in Level.values:
        return value
    text = str(value).strip().lower()
    if text.isdigit() and int(text) in Level.values:
        return int(text)
    return LEVEL_NAMES.get(text)


def parse_kind(value: Any) -> str:
    text = str(value or "").strip()
    if text.lower() in GridKind.values:
        return text.lower()
    return KIND_NAMES.get(text, text)


def read_feature_collection(path: Path, fields: FieldMap | None = None) -> ParsedFile:
    fields = fields or FieldMap()
    out = ParsedFile()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        out.problems.append(Problem("", "file", f"cannot read GeoJSON: {exc}"))
        return out
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        out.problems.append(Problem("", "file", "expected a GeoJSON FeatureCollection"))
        return out
    features = data.get("features")
    if not isinstance(features, list):
        out.problems.append(Problem("", "features", "missing or not a list"))
        return out
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            out.problems.append(Problem("", "properties", "feature has no properties", number))
            continue
        code = str(props.get(fields.code) or "").strip()
        bad = [(k, inputs.bad_char(v)) for k, v in props.items() if isinstance(v, str)]
        if any(problem for _k, problem in bad):
            for key, problem in bad:
                if problem:
                    out.problems.append(Problem(inputs.cleaned(code), str(key), problem, number))
            continue
        level = parse_level(props.get(fields.level))
        if level is None:
            out.problems.append(
                Problem(code, fields.level, f"unknown level {props.get(fields.level)!r}", number)
            )
            continue
        raw_lines = props.get(fields.lines) or []
        if isinstance(raw_lines, str):
            raw_lines = [part for part in raw_lines.replace(";", ",").split(",")]
        parent = str(props.get(fields.parent) or "").strip() or None
        out.specs.append(
            RegionSpec(
                code=code,
                name=str(props.get(fields.name) or "").strip(),
                level=level,
                parent_code=parent,
                geometry=feature.get("geometry"),
                kind=parse_kind(props.get(fields.kind)) if level == Level.GRID else "",
                lines=[str(x).strip() for x in raw_lines if str(x).strip()],
                row=number,
            )
        )
    return out
