"""Checks and masking for Chinese mobile numbers and resident ID card numbers (GB 11643)."""

from __future__ import annotations

import re

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-]", "", str(value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.match(value))


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def is_id_number(value: str) -> bool:
    """18-digit resident ID with a correct GB 11643 check digit."""
    value = value.upper()
    return bool(ID_RE.match(value)) and id_check_digit(value[:17]) == value[17]


def mask_id_number(value: str) -> str:
    """410802********123X: region code and the last four only."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
