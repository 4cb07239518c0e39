"""Read regions from a GeoJSON FeatureCollection into RegionSpecs (no database writes here)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridgov import inputs
from gridgov.errors import DomainError
from gridgov.territory import geometry as geo
from gridgov.territory import ladder
from gridgov.territory.levels import accepted_names, parse_level
from gridgov.territory.models import GridKind, Level, Region
from gridgov.territory.services import Problem, RegionSpec, tolerance

ID_MEMBER = "id"  # --code-field id: the Feature's own `id` member (RFC 7946 §3.2)
DATAV_CODE = "adcode"  # DataV / 阿里云 GeoJSON: the 行政区划代码, used when there is no `code`
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
    repairs: list[Problem] = field(default_factory=list)  # accepted, but said per row


def parse_kind(value: Any) -> str:
    text = str(value or "").strip()
    if text.lower() in GridKind.values:
        return text.lower()
    return KIND_NAMES.get(text, text)


def code_text(value: Any) -> tuple[str, str | None]:
    """A region code as stored text: 110105 and 110105.0 become "110105" (DataV's adcode and
    many `id`s are numbers). Returns (text, problem)."""
    if value is None:
        return "", None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "", f"must be text or a whole number, not {type(value).__name__}"
    if isinstance(value, float):
        if not value.is_integer():
            return "", f"must be text or a whole number, not {value!r}"
        value = int(value)
    return str(value).strip(), None


def read_feature_collection(
    path: Path,
    fields: FieldMap | None = None,
    level: Level | None = None,
    parent: str | None = None,
) -> ParsedFile:
    """Read the file's features. `level` is every feature's level where the file gives none;
    `parent` the parent of every top-level feature (one whose parent is not in the file)."""
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
        spec, problems = _read_feature(number, feature, fields, level)
        out.problems.extend(problems)
        if spec is not None:
            out.specs.append(spec)
            fixed = geo.repaired(spec.geometry, tolerance())
            if fixed is not None:
                spec.geometry = geo.to_geojson(fixed[0])
                reason = f"repaired ({fixed[1]}); area changed by {fixed[2]:.4%}"
                out.repairs.append(Problem(spec.code, "geometry", reason, number))
    if parent:
        out.problems.extend(_give_parent(out.specs, parent, fields))
    return out


def _read_feature(
    number: int, feature: Any, fields: FieldMap, level: Level | None
) -> tuple[RegionSpec | None, list[Problem]]:
    props = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(props, dict):
        return None, [Problem("", "properties", "feature has no properties", number)]
    if fields.code == ID_MEMBER:
        if feature.get(ID_MEMBER) is None:
            reason = "feature has no id member (--code-field id reads the Feature's own id)"
            return None, [Problem("", ID_MEMBER, reason, number)]
        code_field, raw_code = ID_MEMBER, feature[ID_MEMBER]
    elif fields.code == FieldMap.code and fields.code not in props and DATAV_CODE in props:
        code_field, raw_code = DATAV_CODE, props[DATAV_CODE]
    else:
        code_field, raw_code = fields.code, props.get(fields.code)
    code, problem = code_text(raw_code)
    if problem:
        return None, [Problem("", code_field, problem, number)]
    texts = {code_field: code} | {str(k): v for k, v in props.items() if isinstance(v, str)}
    bad = [
        Problem(inputs.cleaned(code), key, problem, number)
        for key, text in texts.items()
        if (problem := inputs.bad_char(text))
    ]
    if bad:
        return None, bad
    found, problem = _level(props.get(fields.level), level)
    if found is None:
        return None, [Problem(code, fields.level, problem or "", number)]
    parent, problem = code_text(props.get(fields.parent))
    if problem:
        return None, [Problem(code, fields.parent, problem, number)]
    raw_lines = props.get(fields.lines) or []
    if isinstance(raw_lines, str):
        raw_lines = [part for part in raw_lines.replace(";", ",").split(",")]
    spec = RegionSpec(
        code=code,
        name=str(props.get(fields.name) or "").strip(),
        level=found,
        parent_code=parent or None,
        geometry=feature.get("geometry"),
        kind=parse_kind(props.get(fields.kind)) if found == Level.GRID else "",
        lines=[str(x).strip() for x in raw_lines if str(x).strip()],
        row=number,
    )
    return spec, []


def _level(raw: Any, option: Level | None) -> tuple[Level | None, str | None]:
    """The feature's level from its property, else from --level; or a problem."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if option is None:
            return None, "missing (give the file's level with --level)"
        return option, None
    found = parse_level(raw)
    if found is None:
        return None, f"unknown level {raw!r} (accepted: -1 to 4 or {accepted_names()})"
    if option is not None and found != option:
        return None, f"the file says level {int(found)} ({raw}), --level says {int(option)}"
    return found, None


def _give_parent(specs: list[RegionSpec], parent: str, fields: FieldMap) -> list[Problem]:
    """--parent: every top-level feature (parent not in the file) gets `parent`."""
    codes = {spec.code for spec in specs}
    problems = []
    for spec in specs:
        if spec.parent_code in codes:
            continue
        if spec.parent_code and spec.parent_code != parent:
            reason = f"the file says parent {spec.parent_code}, --parent says {parent}"
            problems.append(Problem(spec.code, fields.parent, reason, spec.row))
        spec.parent_code = parent
    return problems


def resolve_parent(code: str, level: Level | None) -> Region:
    """The stored region --parent names: it must exist, be active, and sit at the configured
    level right above `level` (when --level is given; otherwise above some level, i.e. not be a
    grid)."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError.not_found(f"--parent {code}: no such region")
    if region.retired_at is not None:
        raise DomainError.invalid("parent", f"--parent {code}: that region is retired")
    if level is not None:
        wanted = ladder.above(level)
        if wanted is None:
            raise DomainError.invalid(
                "parent", f"--parent: level {int(level)} is the top configured level, no parent"
            )
        if region.level != wanted:
            raise DomainError.invalid(
                "parent",
                f"--parent {code} is at level {region.level}; "
                f"level-{int(level)} features need a level-{int(wanted)} parent",
            )
    if region.level == Level.GRID:
        raise DomainError.invalid("parent", f"--parent {code} is a grid; grids have no children")
    return region
