"""Typed helpers that read configuration from the environment (and only from there)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer; anything else (or one below `minimum`) is an error naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    """A number; anything else (or one below `minimum`) is an error naming the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number, got {raw!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of words (case-insensitive); anything else names the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def env_time(name: str, default: str) -> dt.time:
    """A time of day, "HH:MM"; anything else names the variable."""
    raw = os.environ.get(name, "").strip() or default
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{name} must be a time HH:MM, got {raw!r}") from None


def env_time_range(name: str, default: str) -> tuple[dt.time, dt.time] | None:
    """ "HH:MM-HH:MM" (it may pass midnight), or None when set empty."""
    raw = os.environ.get(name)
    raw = default if raw is None else raw.strip()
    if not raw:
        return None
    start, sep, end = raw.partition("-")
    try:
        if not sep:
            raise ValueError
        return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())
    except ValueError:
        raise ValueError(f"{name} must be HH:MM-HH:MM, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of IP networks (CIDRs, or single addresses); one that is not is
    an error naming the variable."""
    items = env_list(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an IP network (CIDR)") from None
    return items


def data_dir() -> Path:
    """GRIDGOV_DATA_DIR (default ./var/): the SQLite file, the secret key, uploads."""
    path = Path(env_str("GRIDGOV_DATA_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # Write-then-rename so two processes starting at once never read half a key.
    tmp = key_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(key)
    tmp.chmod(0o600)
    if not key_file.exists():
        tmp.replace(key_file)
    else:
        tmp.unlink()
    return key_file.read_text().strip()


def env_floats(name: str, default: dict[str, float]) -> dict[str, float]:
    """`key=number,key=number` → {key: number}; a bad entry names the variable."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    out: dict[str, float] = {}
    for part in raw.split(","):
        key, sep, value = part.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise ValueError(f"{name} must be key=number pairs, got {part.strip()!r}") from None
    return out
