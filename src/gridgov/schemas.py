"""The base of every API schema: what django-ninja's lax validation (pydantic's lax mode) would
otherwise accept from a request, refused by the input boundary's rules (gridgov.inputs).

Lax mode turns `true` into the integer 1 (an id), a number or a numeric string into a date-time
(seconds since 1970) and the string "1e309" into an infinite float. For input — a body, a form
or a query a request sends — each field of a `Schema` refuses:

- `true`/`false` where the field takes a number (int, float, Decimal) and not a boolean;
- a number, or a string that is not an ISO date, where it takes a date or date-time;
- a number that is not finite (also when it came as a string: "1e309", "nan", "inf");
- a date outside the stored window (inputs.ANY_YEARS), however it was written;
- a latitude (`lat`) outside ±90 or a longitude (`lon`) outside ±180, by inputs.check_point's
  rule (the district's extent is the domain's check: gridgov.territory.extent).

Inside lists and dicts too (`ids: list[int]`, `concentrations: dict[str, float]`). Answers are
not checked (ninja validates them with a `response_status` in the context): what is stored is
what it is. Every app's api module takes `Schema` from here, not from ninja (a test holds it).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import ninja
from pydantic import ValidationInfo, ValidatorFunctionWrapHandler, field_validator
from pydantic_core import PydanticCustomError

from gridgov import inputs

__all__ = ["Schema"]

_NUMBER = (int, float, Decimal)
_DATE = (dt.date,)  # datetime is a date
_ISO_DATE = re.compile(r"^\s*[+-]?\d{4,}-\d{1,2}-\d{1,2}")
_LATITUDE = {"lat", "latitude"}
_LONGITUDE = {"lon", "lng", "longitude"}


@dataclass
class _Rule:
    """What one annotation accepts, as far as these checks care."""

    number: bool = False
    boolean: bool = False
    date: bool = False
    text: bool = False
    items: _Rule | None = None  # of a list, set, tuple or dict's values
    models: list[Any] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        return self.number or self.date or (self.items is not None and self.items.needed)


def _rule(annotation: Any) -> _Rule:
    rule = _Rule()
    _collect(annotation, rule, depth=0)
    return rule


def _collect(tp: Any, rule: _Rule, depth: int) -> None:
    if depth > 8:
        return
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        _collect(typing.get_args(tp)[0], rule, depth + 1)
    elif origin in (typing.Union, types.UnionType):
        for arm in typing.get_args(tp):
            _collect(arm, rule, depth + 1)
    elif origin in (list, set, frozenset, tuple, dict) or origin is typing.Literal:
        if origin is typing.Literal:
            rule.text = True  # a literal is compared, not converted
            return
        args = [a for a in typing.get_args(tp) if a is not Ellipsis]
        if args:
            items = rule.items or _Rule()
            _collect(args[-1], items, depth + 1)  # dict: the values; tuple: close enough
            rule.items = items
    elif tp is bool:
        rule.boolean = True
    elif isinstance(tp, type) and issubclass(tp, _NUMBER):
        rule.number = True
    elif isinstance(tp, type) and issubclass(tp, _DATE):
        rule.date = True
    else:
        rule.text = True  # str, enums, models (checked by their own validators), Any


@cache
def _field_rule(model: type, name: str) -> _Rule | None:
    info = model.model_fields.get(name)  # type: ignore[attr-defined]
    if info is None:
        return None
    rule = _rule(info.annotation)
    return rule if rule.needed else None


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("input_boundary", message)


def _before(rule: _Rule, value: Any, where: str) -> None:
    """The raw value, before lax conversion."""
    if isinstance(value, bool):
        if rule.number and not rule.boolean:
            raise _refuse(f"{where}must be a number, not true/false")
        if rule.date and not rule.boolean:
            raise _refuse(f"{where}must be a date (YYYY-MM-DD), not true/false")
    elif isinstance(value, _NUMBER):
        if rule.date and not rule.number:
            raise _refuse(f"{where}must be a date (YYYY-MM-DD), not a number")
    elif isinstance(value, str):
        if rule.date and not rule.text and not _ISO_DATE.match(value):
            raise _refuse(f"{where}must be a date (YYYY-MM-DD)")
    elif isinstance(value, list | tuple | set | frozenset) and rule.items is not None:
        for i, item in enumerate(value):
            _before(rule.items, item, f"[{i}]: ")
    elif isinstance(value, dict) and rule.items is not None:
        for key, item in value.items():
            _before(rule.items, item, f"{str(key)[:40]}: ")


def _after(name: str, value: Any, where: str = "") -> None:
    """The converted value: finite, in the stored window, a WGS84 coordinate."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(f"{where}must be a finite number")
        if name in _LATITUDE or name in _LONGITUDE:
            try:
                if name in _LATITUDE:
                    inputs.check_number(name, value, -90, 90)
                else:
                    inputs.check_number(name, value, -180, 180)
            except inputs.InputError as exc:
                raise _refuse(f"{where}{exc.message}") from None
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _refuse(f"{where}must be a finite number")
    elif isinstance(value, dt.date):
        try:
            inputs.check_date(name, value, inputs.ANY_YEARS)
        except inputs.InputError as exc:
            raise _refuse(f"{where}{exc.message}") from None
    elif isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            _after(name, item, f"[{i}]: ")
    elif isinstance(value, dict):
        for key, item in value.items():
            _after(name, item, f"{str(key)[:40]}: ")


def _is_input(info: ValidationInfo) -> bool:
    """Validating what a request sent (ninja passes the request), not an answer."""
    context = info.context
    return isinstance(context, dict) and "request" in context and "response_status" not in context


class Schema(ninja.Schema):
    """ninja's Schema, with the input boundary's rules on every field of what a request sends
    (see the module's docstring)."""

    @field_validator("*", mode="wrap")
    @classmethod
    def _input_boundary(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        if not _is_input(info) or info.field_name is None:
            return handler(value)
        rule = _field_rule(cls, info.field_name)
        if rule is not None:
            _before(rule, value, "")
        out = handler(value)
        if rule is not None or isinstance(out, float):
            _after(info.field_name, out)
        return out
