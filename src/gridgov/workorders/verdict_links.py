"""The reporter's link to their verdict (群众评价链接): a signed, expiring token naming one public
order, and the SMS that carries it when the order closes.

The token is `django.core.signing` over the order's id (salted, with its time): no login, no
row to store, and it expires with the re-opening window (GRIDGOV_REOPEN_DAYS). A token altered,
of another salt, or expired is refused as "no such order" — the same 404 as an unknown number.
The link lives only in the SMS body: the delivery row's title is neutral (notify.text_citizen)
and staff pages never show a citizen SMS's body, so no one but the reporter can use it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.errors import NOT_FOUND, DomainError
from gridgov.inbox.notify import text_citizen
from gridgov.workorders.models import Source, Transition, WorkOrder

SALT = "gridgov.workorders.verdict"
# Orders from the public: a citizen's report (the public page, Open311) or a 12345 call.
PUBLIC_SOURCES = (Source.CITIZEN, Source.HOTLINE)
TOKEN_LIMIT = 200  # longer than any token we sign: refused before it is checked


def window() -> dt.timedelta:
    """How long after closing the reporter may re-open an order (and the link lives)."""
    return dt.timedelta(days=settings.GRIDGOV_REOPEN_DAYS)


def token_for(order: WorkOrder) -> str:
    return signing.dumps({"o": order.pk}, salt=SALT)


def order_id_of(token: str) -> int:
    """The order a token names, or DomainError not_found (altered, foreign or expired)."""
    try:
        if len(token) > TOKEN_LIMIT:
            raise signing.BadSignature("too long")
        data = signing.loads(token, salt=SALT, max_age=window())
        order_id = data["o"]
        if not isinstance(order_id, int) or isinstance(order_id, bool):
            raise signing.BadSignature("no order")
    except (signing.BadSignature, KeyError, TypeError):  # SignatureExpired is a BadSignature
        raise DomainError(NOT_FOUND, _("链接无效或已过期，请凭编号查询")) from None
    return order_id


def link(order: WorkOrder) -> str:
    """The link sent in the SMS: GRIDGOV_PUBLIC_URL + the verdict page's path."""
    path = reverse("public_verdict_link", args=[token_for(order)])
    return settings.GRIDGOV_PUBLIC_URL + path


def text_on_close(order: WorkOrder, t: Transition) -> None:
    """When a public order with a contact phone closes: the SMS with the rating/re-opening link,
    sent once the closing transaction has committed (never for a close that rolled back)."""
    event = order.event
    phone = event.contact_phone
    if event.source not in PUBLIC_SOURCES or not phone or not event.category.public:
        return
    text = _(
        "您反映的问题（编号%(ref)s）已办结。请对办理结果作出评价；如问题未解决，可在%(days)s天内"
        "申请重新办理：%(url)s"
    ) % {"ref": event.reference, "days": settings.GRIDGOV_REOPEN_DAYS, "url": link(order)}
    key = f"verdict-t{t.pk}"
    # robust: a number the SMS boundary refuses (a landline) is logged, the closing stands
    transaction.on_commit(lambda: text_citizen(phone, text, key=key), robust=True)
