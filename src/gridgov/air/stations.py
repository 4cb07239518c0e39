"""Stations: create and update (located into a grid), ingestion tokens, the CSV registry import."""

from __future__ import annotations

import csv
import hashlib
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from gridgov.air.hj212 import devices, peers
from gridgov.air.models import DEFAULT_INTERVAL, Gateway, Station, StationKind
from gridgov.core.sheets import RowError

TOKEN_PREFIX = "ggs_"  # noqa: S105  (a public marker, not a secret)
KIND_NAMES = {str(label): value for value, label in StationKind.choices} | {
    "国控": StationKind.NATIONAL,
    "省控": StationKind.PROVINCIAL,
    "微站": StationKind.MICRO,
    "移动": StationKind.MOBILE,
    "污染源": StationKind.EMISSION,
}


ALLOWED_INTERVALS = {1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60}


def token_hash(token: str) -> str:
    """Tokens are stored as their SHA-256 (stations and gateways alike)."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenCache:
    """Which station (or gateway) a token belongs to, remembered by this process.

    Looking the token up on every post cost more than the rest of a single-reading post: on
    SQLite each request opened a database connection for it. Instead each process remembers the
    holders of the tokens that work and confirms them all together, in one query, once every
    settings.GRIDGOV_TOKEN_CACHE_SECONDS (5 by default): a station that posts once a minute is
    not looked up once a minute, and a gateway posting many times a minute not every time.

    Revocation: issuing or revoking a token, or saving or deleting a station or gateway, in this
    process empties its cache at once (the next post is looked up afresh). A revocation or
    deactivation elsewhere (another server worker, `gridgov station-token --revoke`, a second
    machine) is noticed at the next confirmation: a revoked or deactivated token is refused
    everywhere at most GRIDGOV_TOKEN_CACHE_SECONDS after the change, and an edit of a station
    (interval, kind, grid) reaches ingestion within the same delay. 0 turns the cache off.

    Only working tokens are remembered (by their SHA-256, as stored), so an unknown token is
    looked up every time and a token issued elsewhere works at once; the cache holds at most one
    entry per active station or gateway. Holders are shared by the request threads: read-only."""

    CHUNK = 500  # token hashes per confirming query (SQLite's limit on parameters)

    def __init__(
        self,
        load_many: Callable[[list[str]], dict[str, Any]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load_many = load_many  # {token hash: holder} of the active holders among these
        self._clock = clock
        self._entries: dict[str, Any] = {}
        self._confirmed_at = -math.inf
        self._generation = 0  # moves on every clear(): a lookup racing a revocation is dropped
        self._lock = threading.Lock()

    def get(self, digest: str) -> Any:
        """The active holder of the token whose hash is `digest`, or None."""
        seconds = settings.GRIDGOV_TOKEN_CACHE_SECONDS
        if seconds <= 0:
            return self._load_many([digest]).get(digest)
        if self._clock() - self._confirmed_at >= seconds:
            self._confirm(seconds)
        holder = self._entries.get(digest)
        if holder is not None:
            return holder
        generation = self._generation
        holder = self._load_many([digest]).get(digest)
        if holder is not None:
            with self._lock:
                if generation == self._generation:
                    self._entries[digest] = holder
        return holder

    def _confirm(self, seconds: float) -> None:
        """Reload every remembered holder (fresh rows; revoked or inactive ones drop out)."""
        with self._lock:  # one thread confirms; the others wait for it (a query, rarely)
            if self._clock() - self._confirmed_at < seconds:
                return  # another thread just did
            digests = list(self._entries)
            fresh: dict[str, Any] = {}
            for i in range(0, len(digests), self.CHUNK):
                fresh.update(self._load_many(digests[i : i + self.CHUNK]))
            self._entries = fresh
            self._confirmed_at = self._clock()

    def clear(self) -> None:
        """Forget every holder (the next post of each token is looked up afresh)."""
        with self._lock:
            self._generation += 1
            self._entries = {}
            self._confirmed_at = -math.inf


def _stations_by_token(digests: list[str]) -> dict[str, Any]:
    return {s.token_hash: s for s in Station.objects.filter(token_hash__in=digests, active=True)}


station_tokens = TokenCache(_stations_by_token)


@receiver([post_save, post_delete], sender=Station)
@receiver([post_save, post_delete], sender=Gateway)
def _forget_tokens(**kwargs: Any) -> None:
    """A station or gateway changed here (active, interval, token): no stale holder is used,
    and the HJ 212 receivers re-read the stations at once (hj212/peers.py, with REDIS_URL)."""
    forget_tokens()
    peers.stations_changed()


def forget_tokens() -> None:
    """Empty this process's token caches, now and once more when the current transaction
    commits (until then another thread could still read, and remember, the old row)."""
    from gridgov.air.gateways import gateway_tokens

    for cache in (station_tokens, gateway_tokens):
        cache.clear()
        transaction.on_commit(cache.clear)


def issue_for(holder: Any, prefix: str) -> str:
    """A new token for a station or a gateway (the old one stops working). Shown once."""
    raw = prefix + secrets.token_urlsafe(32)
    holder.token_hash = token_hash(raw)
    holder.token_prefix = raw[:10]
    holder.token_revoked_at = None
    holder.save(update_fields=["token_hash", "token_prefix", "token_revoked_at"])
    forget_tokens()
    return raw


def revoke_for(holder: Any) -> None:
    """The holder's token stops working: at once in this process, within
    settings.GRIDGOV_TOKEN_CACHE_SECONDS in the others (see TokenCache)."""
    holder.token_hash = ""
    holder.token_revoked_at = timezone.now()
    holder.save(update_fields=["token_hash", "token_revoked_at"])
    forget_tokens()


def refused_within() -> str:
    """For the token commands, which run in their own process: when the running servers stop
    accepting the token just revoked (TokenCache)."""
    seconds = settings.GRIDGOV_TOKEN_CACHE_SECONDS
    return f"; running servers refuse it within {seconds:g} s" if seconds > 0 else ""


def issue_token(station: Station) -> str:
    """A new ingestion token for the station (the old one stops working). Shown once."""
    return issue_for(station, TOKEN_PREFIX)


def revoke_token(station: Station) -> None:
    revoke_for(station)


def station_for_token(raw: str) -> Station | None:
    """The active station whose token this is (remembered by the process: TokenCache)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    station: Station | None = station_tokens.get(token_hash(raw))
    return station


@dataclass
class StationSpec:
    code: str
    name: str
    kind: str
    lat: float
    lon: float
    interval_minutes: int
    row: int = 0
    # HJ 212 device (optional columns; None: the column is absent or the cell blank, which
    # leaves the station's current value as it is).
    mn: str | None = None
    pw: str | None = None
    codes: dict[str, str] | None = None
    factors: dict[str, float] | None = None
    crc: str | None = None


@dataclass
class StationReport:
    specs: list[StationSpec] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)


def parse_kind(value: str) -> str | None:
    text = value.strip()
    if text.lower() in StationKind.values:
        return text.lower()
    return KIND_NAMES.get(text)


def read_stations_csv(path: Path) -> StationReport:
    report = StationReport()
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        report.problems.append(RowError(0, "file", str(exc)))
        return report
    with handle:
        reader = csv.DictReader(handle)
        missing = [
            c for c in ("code", "name", "kind", "lat", "lon") if c not in (reader.fieldnames or [])
        ]
        if missing:
            report.problems.append(RowError(1, ",".join(missing), "required column missing"))
            return report
        seen: dict[str, int] = {}
        seen_mn: dict[str, int] = {}
        for number, row in enumerate(reader, start=2):
            problems = _parse_row(row, number, seen, report.specs)
            problems.extend(_parse_device(row, number, seen_mn, report.specs, problems))
            report.problems.extend(problems)
    _check_mn_owners(report)
    _diff(report)
    return report


def _parse_row(
    row: dict[str, Any], number: int, seen: dict[str, int], specs: list[Any]
) -> list[Any]:
    problems = []
    code = (row.get("code") or "").strip()
    if not code:
        problems.append(RowError(number, "code", "missing"))
    elif code in seen:
        problems.append(RowError(number, "code", f"duplicate of row {seen[code]}"))
    seen.setdefault(code, number)
    name = (row.get("name") or "").strip()
    if not name:
        problems.append(RowError(number, "name", "missing"))
    kind = parse_kind(row.get("kind") or "")
    if kind is None:
        allowed = ", ".join(StationKind.values)
        problems.append(RowError(number, "kind", f"unknown kind {row.get('kind')!r} ({allowed})"))
    coords = {}
    for column, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        try:
            value = float(row.get(column) or "")
            if not math.isfinite(value) or not low <= value <= high:
                raise ValueError
            coords[column] = value
        except ValueError:
            problems.append(RowError(number, column, f"must be a number in [{low}, {high}]"))
    interval_text = (row.get("interval_minutes") or "").strip()
    interval = DEFAULT_INTERVAL[StationKind(kind)] if kind else 1
    if interval_text:
        if interval_text.isdigit() and int(interval_text) in ALLOWED_INTERVALS:
            interval = int(interval_text)
        else:
            problems.append(
                RowError(number, "interval_minutes", "must divide an hour (1, 5, 15, 60 …)")
            )
    if not problems:
        specs.append(
            StationSpec(code, name, kind or "", coords["lat"], coords["lon"], interval, number)
        )
    return problems


def _parse_device(
    row: dict[str, Any],
    number: int,
    seen_mn: dict[str, int],
    specs: list[Any],
    problems: list[Any],
) -> list[RowError]:
    """The optional device columns mn, pw (`-`: an empty password), crc (hj212, modbus or
    swapped), codes ("PM25=pm25;PM10=pm10") and factors ("pm25=0.001") of a row; their values
    go onto the row's spec when the row is good."""
    found: list[RowError] = []
    values: dict[str, Any] = {}
    for column, parse in (
        ("mn", devices.check_mn),
        ("pw", devices.parse_pw_cell),
        ("crc", devices.check_crc),
        ("codes", devices.parse_codes_text),
        ("factors", devices.parse_factors_text),
    ):
        text = (row.get(column) or "").strip()
        if not text:
            continue
        try:
            values[column] = parse(text)
        except devices.DeviceConfigError as exc:
            found.append(RowError(number, column, str(exc)))
    mn = values.get("mn")
    if mn is not None:
        if mn in seen_mn:
            found.append(RowError(number, "mn", f"duplicate of row {seen_mn[mn]}"))
        seen_mn.setdefault(mn, number)
    if not problems and not found and specs and specs[-1].row == number:
        spec = specs[-1]
        spec.mn, spec.pw = values.get("mn"), values.get("pw")
        spec.codes, spec.factors = values.get("codes"), values.get("factors")
        spec.crc = values.get("crc")
    return found


def _check_mn_owners(report: StationReport) -> None:
    """An MN already held by another station is refused (row named)."""
    wanted = {s.mn: s for s in report.specs if s.mn}
    if not wanted:
        return
    for mn, code in Station.objects.filter(mn__in=list(wanted)).values_list("mn", "code"):
        spec = wanted[str(mn)]
        if code != spec.code:
            report.problems.append(
                RowError(spec.row, "mn", f"{mn} is already the device of station {code}")
            )


def _diff(report: StationReport) -> None:
    existing = {s.code: s for s in Station.objects.filter(code__in=[s.code for s in report.specs])}
    for spec in report.specs:
        current = existing.get(spec.code)
        if current is None:
            report.created.append(spec.code)
            continue
        changes = [
            f
            for f in ("name", "kind", "lat", "lon", "interval_minutes")
            if getattr(current, f) != getattr(spec, f)
        ]
        for f, attr in (
            ("mn", "mn"),
            ("codes", "device_codes"),
            ("factors", "device_factors"),
            ("crc", "crc_variant"),
        ):
            given = getattr(spec, f)
            if given is not None and given != getattr(current, attr):
                changes.append(f)
        if spec.pw is not None and not devices.check_password(spec.pw, current.pw_hash):
            changes.append("pw")
        if changes:
            report.changed[spec.code] = changes
        else:
            report.unchanged.append(spec.code)


@transaction.atomic
def apply_stations(report: StationReport) -> None:
    if report.problems:
        raise ValueError("the file has problems; nothing was written")
    for spec in report.specs:
        save_station(spec)


def save_station(spec: StationSpec) -> Station:
    """Create or update a station; its grid is where its location falls (none outside)."""
    from gridgov.territory.locate import locate  # here: numpy and shapely load only to locate

    where = locate(spec.lat, spec.lon)
    grid_id = where.grid.id if where.inside and where.grid else None
    defaults: dict[str, Any] = {
        "name": spec.name,
        "kind": spec.kind,
        "lat": spec.lat,
        "lon": spec.lon,
        "interval_minutes": spec.interval_minutes,
        "grid_id": grid_id,
    }
    if spec.mn is not None:
        defaults["mn"] = spec.mn
    if spec.codes is not None:
        defaults["device_codes"] = spec.codes
    if spec.factors is not None:
        defaults["device_factors"] = spec.factors
    if spec.crc is not None:
        defaults["crc_variant"] = spec.crc
    station, _ = Station.objects.update_or_create(code=spec.code, defaults=defaults)
    if spec.pw is not None and not devices.check_password(spec.pw, station.pw_hash):
        station.pw_hash = devices.hash_password(spec.pw)
        station.save(update_fields=["pw_hash"])
    return station
