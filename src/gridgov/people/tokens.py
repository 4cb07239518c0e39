"""API bearer tokens: issued once, stored hashed, expiring, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from gridgov.core.actor import Account
from gridgov.people.models import ApiToken

TOKEN_PREFIX = "ggv_"  # noqa: S105  (a public marker, not a secret)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = (timezone.now() + dt.timedelta(days=settings.GRIDGOV_API_TOKEN_DAYS)).replace(
        microsecond=0
    )
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=_hash(raw), prefix=raw[:8], expires_at=expires_at
    )
    return token, raw


def token_for(raw: str) -> ApiToken | None:
    """The live token (not revoked, not expired, its account active) for a raw token."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_for_token(raw: str) -> User | None:
    token = token_for(raw)
    return token.user if token else None


def tokens_of(user: Account) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (live, expired and revoked); the anonymous visitor has
    none."""
    if user is None or not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def revoke(raw: str) -> bool:
    return bool(
        ApiToken.objects.filter(key_hash=_hash(raw), revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def revoke_own(user: Account, token_id: int) -> bool:
    """Revoke one of the user's own tokens by id; False when the user has no such token (another
    account's token counts as none). Revoking a revoked token keeps its first revocation time."""
    if user is None or not user.is_authenticated:
        return False
    mine = ApiToken.objects.filter(pk=token_id, user=user)
    if not mine.exists():
        return False
    mine.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    return True
