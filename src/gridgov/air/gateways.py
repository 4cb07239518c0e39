"""Gateways (数据网关): one token for a vendor gateway or data platform that posts the readings of
many stations. A gateway may post only for its own stations — those bound to it and every active
station inside its region — and each post is still all or nothing, row by row checked like a
station's own."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gridgov.air.models import Gateway, Station
from gridgov.air.stations import TokenCache, issue_for, revoke_for, token_hash

TOKEN_PREFIX = "ggw_"  # noqa: S105  (a public marker, not a secret)


def issue_gateway_token(gateway: Gateway) -> str:
    """A new token for the gateway (the old one stops working). Shown once."""
    return issue_for(gateway, TOKEN_PREFIX)


def revoke_gateway_token(gateway: Gateway) -> None:
    revoke_for(gateway)


def gateway_for_token(raw: str) -> Gateway | None:
    """The active gateway whose token this is (remembered by the process, as a station's:
    stations.TokenCache)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    gateway: Gateway | None = gateway_tokens.get(token_hash(raw))
    return gateway


def _gateways_by_token(digests: list[str]) -> dict[str, Any]:
    found = Gateway.objects.select_related("region").filter(token_hash__in=digests, active=True)
    return {g.token_hash: g for g in found}


gateway_tokens = TokenCache(_gateways_by_token)


def gateway_stations(gateway: Gateway, codes: set[str] | None = None) -> dict[str, Station]:
    """The active stations this gateway may post for, by code (only `codes` when given)."""
    mine = Q(gateways=gateway)
    if gateway.region is not None:
        mine |= Q(grid__path__startswith=gateway.region.path)
    qs = Station.objects.filter(mine, active=True).distinct()
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return {s.code: s for s in qs}


def station_lookup(gateway: Gateway, records: list[Any]) -> tuple[dict[str, Station], Any]:
    """The gateway's stations named in these records, and `station_of(record)` for
    batches.from_records (KeyError with the reason for a row it may not post)."""
    codes = {str(r.get("station", "")) for r in records if isinstance(r, dict)}
    allowed = gateway_stations(gateway, codes)

    def station_of(record: Any) -> int:
        code = record.get("station")
        if not code:
            raise KeyError("a gateway names the station of every reading")
        found = allowed.get(str(code))
        if found is None:
            raise KeyError(f"{code!r} is not one of this gateway's active stations")
        return found.pk

    return allowed, station_of
