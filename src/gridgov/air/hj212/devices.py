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
