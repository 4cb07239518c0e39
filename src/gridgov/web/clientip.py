"""The client's address, one rule for every place that needs it (the public page's per-client
limit, login throttling): the first entry of the configured proxy header
(`GRIDGOV_CLIENT_IP_HEADER`, e.g. "X-Real-IP"), else the connection's own address."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address, or None when there is no valid one (a request made in code, a bad header)."""
    header = getattr(settings, "GRIDGOV_CLIENT_IP_HEADER", "")
    if header:
        forwarded = request.headers.get(header, "")
        if forwarded:
            found = _valid(forwarded.split(",")[0])
            if found:
                return found
    return _valid(request.META.get("REMOTE_ADDR") or "")
