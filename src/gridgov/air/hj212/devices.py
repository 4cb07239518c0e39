"""Device credentials (HJ 212 MN and PW) of stations.

The access password is stored as a salted SHA-256, not with Django's password hasher: the
receiver compares it on every packet, thousands a second, and a device's PW is a shared
configuration value of a logger, not a person's password (a slow hash would protect little and
cost the receiver its throughput). The receiver remembers a (MN, PW) pair it has verified for as
long as the connection lasts.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets

SCHEME = "sha256"


def hash_password(pw: str) -> str:
    """`sha256$salt$hexdigest` of a device password."""
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((salt + pw).encode()).hexdigest()
    return f"{SCHEME}${salt}${digest}"


def check_password(pw: str, stored: str) -> bool:
    """Whether `pw` is the password stored as `stored` (False when none is stored)."""
    scheme, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if scheme != SCHEME or not salt or not digest:
        return False
    given = hashlib.sha256((salt + pw).encode()).hexdigest()
    return hmac.compare_digest(given, digest)


# --- pollutant codes and unit factors ---------------------------------------------------------

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")
# HJ 212-2017 ambient-air codes of the six pollutants (µg/m³; CO mg/m³).
STANDARD_CODES = {
    "a34004": "pm25",
    "a34002": "pm10",
    "a21026": "so2",
    "a21004": "no2",
    "a21005": "co",
    "a05024": "o3",
}
MAX_CODE_LENGTH = 20
MAX_FACTOR = 1e6


class DeviceConfigError(ValueError):
    """A station's codes or factors that cannot be used; the message names the entry."""


def clean_codes(value: object) -> dict[str, str]:
    """`device_codes`: vendor code → one of the six pollutants, e.g. {"PM25": "pm25"}."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise DeviceConfigError('must be an object of code → pollutant, e.g. {"PM25": "pm25"}')
    out: dict[str, str] = {}
    for code, pollutant in value.items():
        if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_LENGTH:
            raise DeviceConfigError(f"code {str(code)[:30]!r}: 1 to {MAX_CODE_LENGTH} characters")
        if not all(c.isalnum() or c in "_." for c in code.strip()):
            raise DeviceConfigError(f"code {code!r}: letters, digits, '_' and '.' only")
        if pollutant not in POLLUTANTS:
            raise DeviceConfigError(
                f"code {code!r}: unknown pollutant {str(pollutant)[:30]!r} "
                f"(one of {', '.join(POLLUTANTS)})"
            )
        out[code.strip()] = str(pollutant)
    return out


def clean_factors(value: object) -> dict[str, float]:
    """`device_factors`: pollutant → positive finite multiplier, e.g. {"pm25": 0.001}."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise DeviceConfigError('must be an object of pollutant → factor, e.g. {"pm25": 0.001}')
    out: dict[str, float] = {}
    for pollutant, factor in value.items():
        if pollutant not in POLLUTANTS:
            raise DeviceConfigError(
                f"unknown pollutant {str(pollutant)[:30]!r} (one of {', '.join(POLLUTANTS)})"
            )
        if isinstance(factor, bool) or not isinstance(factor, int | float):
            raise DeviceConfigError(f"{pollutant}: the factor must be a number")
        number = float(factor)
        if not math.isfinite(number) or not 0 < number <= MAX_FACTOR:
            raise DeviceConfigError(
                f"{pollutant}: the factor must be a finite number above 0 and at most "
                f"{MAX_FACTOR:g} (got {factor!r})"
            )
        out[pollutant] = number
    return out


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """`"PM25=pm25;PM10=pm10"` → {"PM25": "pm25", "PM10": "pm10"} (CSV cells)."""
    out: dict[str, str] = {}
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, val = part.partition("=")
        if not sep or not key.strip() or not val.strip():
            raise DeviceConfigError(f"{part[:30]!r} is not {what}=value")
        out[key.strip()] = val.strip()
    return out


def parse_codes_text(text: str) -> dict[str, str]:
    return clean_codes(parse_pairs(text, "code"))


def parse_factors_text(text: str) -> dict[str, float]:
    pairs = parse_pairs(text, "pollutant")
    numbers: dict[str, object] = {}
    for key, val in pairs.items():
        try:
            numbers[key] = float(val)
        except ValueError:
            raise DeviceConfigError(f"{key}: {val[:30]!r} is not a number") from None
    return clean_factors(numbers)


MN_MAX = 24
PW_MAX = 32


def check_mn(mn: str) -> str:
    """A device id as HJ 212 allows it: 1–24 printable ASCII characters, no `;`, `=`, `&`, `,`."""
    if not 1 <= len(mn) <= MN_MAX:
        raise DeviceConfigError(f"the MN must be 1 to {MN_MAX} characters")
    if not all(33 <= ord(c) < 127 and c not in ";=&," for c in mn):
        raise DeviceConfigError("the MN may hold printable ASCII only, without ; = & ,")
    return mn


NO_PASSWORD = "-"  # noqa: S105 — a cell meaning "the device sends an empty PW"
CRC_VARIANTS = ("hj212", "modbus", "swapped")


def parse_pw_cell(text: str) -> str:
    """A password as entered: `-` for none (some loggers send `PW=`), else check_pw."""
    return "" if text == NO_PASSWORD else check_pw(text)


def check_crc(text: str) -> str:
    """A CRC variant: hj212 (the standard's, the default), modbus or swapped."""
    variant = text.strip().lower()
    if variant not in CRC_VARIANTS:
        raise DeviceConfigError(f"the CRC must be one of {', '.join(CRC_VARIANTS)}")
    return variant


def check_pw(pw: str) -> str:
    """A device password: 1–32 printable ASCII characters, no `;`, `=`, `&`, `,`."""
    if not 1 <= len(pw) <= PW_MAX:
        raise DeviceConfigError(f"the password must be 1 to {PW_MAX} characters")
    if not all(33 <= ord(c) < 127 and c not in ";=&," for c in pw):
        raise DeviceConfigError("the password may hold printable ASCII only, without ; = & ,")
    return pw
