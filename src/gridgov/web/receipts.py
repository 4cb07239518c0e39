"""提交回执: each phone submission carried out once, by its idempotency key.

The phone's offline queue (web/static/web/queue.js) sends every queued form with a `submission`
key made on the phone. A re-send — the answer was lost, the phone retried — must not act twice:
`once()` runs the action and writes a `SubmissionReceipt` in the same transaction, the receipt
first, so a second request with the key waits for the first one's commit, then finds the
receipt and is answered with the first result. A key is the account's own: the same key from
another account, or for another kind of submission, is refused (never a peek at another's
result). Without a key (a plain form without JavaScript) the action simply runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core.actor import Account
from gridgov.errors import DomainError
from gridgov.web.models import SubmissionReceipt

KEY_LIMIT = 40


@dataclass(frozen=True)
class Outcome:
    """Where the answer leads and what it says; `repeated`: a replay, nothing was done."""

    url: str
    message: str
    repeated: bool


def checked_key(key: str | None) -> str:
    """The key as sent, checked at the one boundary ("" when there is none)."""
    try:
        return inputs.check_text("submission", (key or "").strip(), KEY_LIMIT)
    except inputs.InputError as exc:
        raise DomainError.invalid(exc.field, exc.message) from None


def once(user: Account, kind: str, key: str | None, act: Callable[[], tuple[str, str]]) -> Outcome:
    """Run `act` (which returns the answer's url and message, or raises a `DomainError` that
    undoes everything) unless `key` was already carried out; then answer its first result."""
    key = checked_key(key)
    if not key or not isinstance(user, User):  # no key, or nobody to hold it: just act
        url, message = act()
        return Outcome(url, message, False)
    seen = _seen(user, kind, key)
    if seen is not None:
        return seen
    try:
        with transaction.atomic():
            receipt = SubmissionReceipt.objects.create(
                key=key, account=user, kind=kind, created_at=timezone.now()
            )
            url, message = act()
            receipt.url, receipt.message = url[:300], message[:300]
            receipt.save(update_fields=["url", "message"])
    except IntegrityError:
        seen = _seen(user, kind, key)  # the same submission, sent twice at once: one won
        if seen is None:
            raise
        return seen
    return Outcome(url, message, False)


def _seen(user: Account, kind: str, key: str) -> Outcome | None:
    found = SubmissionReceipt.objects.filter(key=key).first()
    if found is None:
        return None
    if found.account_id != getattr(user, "pk", None) or found.kind != kind:
        raise DomainError.invalid("submission", _("该提交编号已被使用，请重新提交"))
    return Outcome(found.url, found.message, True)
