"""One cell of the registry's sheet (污染源台账) → the value the services take: a category's
fields by their kind (number, date, choice by code or label, lists, 是/否), a place as GeoJSON
or WKT, the responsible post by its id or its holder's phone. ValueError says why not."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

import shapely.wkt
from django.utils import translation
from shapely.errors import ShapelyError
from shapely.geometry import mapping

from gridgov import inputs
from gridgov.core.sheets import LIST_SPLIT, NO, YES, cell_text
from gridgov.sources import categories
from gridgov.sources.models import Status

FALSE = NO | {""}  # an empty yes/no cell reads as no (or the field's default)
MOBILE = re.compile(r"^1\d{10}$")


def choice_map(pairs: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Accepted spellings → code: the code, its Chinese and its English label."""
    out: dict[str, str] = {}
    for code, label in pairs:
        out[code.lower()] = code
        for language in ("zh-hans", "en"):
            with translation.override(language):
                out[str(label).strip().lower()] = code
    return out


STATUS_MAP = choice_map(Status.choices)


def number(spec_kind: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        number: int | float = value
    else:
        text = cell_text(value).replace(",", "")
        number = (
            int(text) if spec_kind == "int" and re.fullmatch(r"[+-]?\d+", text) else float(text)
        )
    if spec_kind == "int":
        if isinstance(number, float):
            if not number.is_integer():
                raise ValueError("not a whole number")
            number = int(number)
        inputs.check_int("value", number)
    else:
        inputs.check_number("value", float(number))
    return number


def date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {text[:20]!r}") from None
    inputs.check_date("date", day, inputs.ANY_YEARS)
    return day.isoformat()


def cell(spec: categories.FieldSpec, value: Any) -> Any:
    """One category cell → the JSON value the schema checks (ValueError: why not)."""
    empty = value is None or (isinstance(value, str) and not value.strip())
    if spec.kind == "bool":
        text = cell_text(value).lower()
        if isinstance(value, bool):
            return value
        if text in YES:
            return True
        if text in FALSE:
            return False if not empty else spec.default
        raise ValueError(f"是 or 否, not {text[:20]!r}")
    if empty:
        return spec.default if spec.default is not None else ("" if spec.kind == "text" else None)
    if spec.kind in ("int", "float"):
        return number(spec.kind, value)
    if spec.kind == "choice":
        mapping_ = choice_map(
            (c, categories.CHOICE_LABELS.get(spec.name, {}).get(c, c)) for c in spec.choices
        )
        code = mapping_.get(cell_text(value).lower())
        if code is None:
            raise ValueError(f"one of {', '.join(spec.choice_label(c) for c in spec.choices)}")
        return code
    if spec.kind in ("choices", "texts", "dates"):
        parts = [p.strip() for p in LIST_SPLIT.split(cell_text(value)) if p.strip()]
        if spec.kind == "texts":
            return parts
        if spec.kind == "dates":
            return [date(p) for p in parts]
        mapping_ = choice_map(
            (c, categories.CHOICE_LABELS.get(spec.name, {}).get(c, c)) for c in spec.choices
        )
        out = []
        for part in parts:
            code = mapping_.get(part.lower())
            if code is None:
                allowed = ", ".join(spec.choice_label(c) for c in spec.choices)
                raise ValueError(f"{part[:20]!r}: each one of {allowed}")
            out.append(code)
        return out
    if spec.kind == "date":
        return date(value)
    return cell_text(value)


def parse_geometry_text(text: str) -> dict[str, Any]:
    """A geometry cell: GeoJSON (an object, or a Feature's geometry) or WKT."""
    text = text.strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not GeoJSON: {exc}") from None
        if isinstance(parsed, dict) and parsed.get("type") == "Feature":
            parsed = parsed.get("geometry")
        if not isinstance(parsed, dict):
            raise ValueError("not a GeoJSON geometry")
        problems = inputs.json_problems(parsed, 1)
        if problems:
            raise ValueError(problems[0].message)
        return parsed
    try:
        return dict(mapping(shapely.wkt.loads(text)))
    except (ShapelyError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"neither GeoJSON nor WKT ({exc})") from None


def plain_json(value: Any) -> Any:
    """Tuples from shapely's mapping → lists, as JSON has them."""
    if isinstance(value, tuple | list):
        return [plain_json(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    return value


def responsible(text: str, posts_by_phone: dict[str, int]) -> int | None:
    if not text:
        return None
    if MOBILE.match(text):
        if text not in posts_by_phone:
            raise ValueError(f"no current responsible post held by {text}")
        return posts_by_phone[text]
    if text.isdigit():
        return inputs.check_int("responsible", int(text))
    raise ValueError("a post id or a mobile number")
