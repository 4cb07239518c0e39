"""Which intake system a token belongs to, remembered by the process (the air stations'
TokenCache: confirmed in one query every GRIDGOV_TOKEN_CACHE_SECONDS; issuing a token or
switching a system off in this process forgets at once)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from gridgov.air.stations import TokenCache
from gridgov.intake.models import TOKEN_PREFIX, IntakeSystem, token_hash


def _systems_by_token(digests: list[str]) -> dict[str, Any]:
    found = IntakeSystem.objects.filter(token_hash__in=digests, active=True)
    return {s.token_hash: s for s in found if s.token_hash}


system_tokens = TokenCache(_systems_by_token)


def system_for_token(raw: str) -> IntakeSystem | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    system: IntakeSystem | None = system_tokens.get(token_hash(raw))
    if system is not None and (
        system.last_used_at is None or (timezone.now() - system.last_used_at).total_seconds() > 60
    ):
        system.last_used_at = timezone.now()
        IntakeSystem.objects.filter(pk=system.pk).update(last_used_at=system.last_used_at)
    return system


@receiver([post_save, post_delete], sender=IntakeSystem)
def _forget_tokens(**kwargs: Any) -> None:
    system_tokens.clear()
