"""The only write path of people's mediation, and the scoped questions asked of it.

Every door (pages, phone, API, admin, Excel, demo) calls these. A refusal is a `MediationError`
(a `DomainError`) naming its kind and the field. A case is seen by accounts with
`mediation.view_case` whose scope holds the case's grid; "not yours" and "no such case" are the
same not_found. Parties' names, phones and ID numbers are shown in scope on the pages; the API
and the exports mask them unless the account has `mediation.view_party_identity`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import inputs
from gridgov.core.actor import Account, Reader
from gridgov.core.privacy import mask_name, mask_phone
from gridgov.core.scopes import under_paths as _paths_q
from gridgov.errors import CONFLICT, FORBIDDEN, INVALID, NOT_FOUND, DomainError
from gridgov.mediation.models import (
    Case,
    CaseSource,
    Committee,
    FollowUp,
    Kind,
    Outcome,
    Party,
    State,
    Training,
)
from gridgov.people import identity, scope
from gridgov.people.models import Person, Post
from gridgov.territory import ladder
from gridgov.territory.models import Level, Region

VIEW = "mediation.view_case"
ADD = "mediation.add_case"
CHANGE = "mediation.change_case"
IDENTITY = "mediation.view_party_identity"
VIEW_TRAINING = "mediation.view_training"
MANAGE_TRAINING = "mediation.change_training"
MEDIATOR_POST = "mediator"

MAX_AMOUNT = Decimal("1000000000000")
LIMITS = {
    "title": 120,
    "facts": 4000,
    "address": 200,
    "referral": 120,
    "place": 120,
    "notes": 4000,
    "outcome_note": 2000,
    "terms": 4000,
    "court": 80,
    "ruling": 60,
    "findings": 2000,
    "topic": 120,
    "name": 80,
    "phone": 20,
    "id_number": 18,
}
MAX_PARTIES = 20
MAX_MEDIATORS = 20

# Which dispute category of a work order becomes which kind of case.
ORDER_KINDS = {
    "neighbour_dispute": Kind.NEIGHBOUR,
    "labour_dispute": Kind.LABOUR,
}

# From each state, the outcomes and moves allowed (and nothing else).
OUTCOME_STATES = (State.RECEIVED, State.MEDIATING)
OUTCOME_TO_STATE = {
    Outcome.AGREEMENT: State.SUCCEEDED,
    Outcome.FAILED: State.FAILED,
    Outcome.COURT: State.REFERRED,
    Outcome.ARBITRATION: State.REFERRED,
    Outcome.PETITION: State.REFERRED,
}
ARCHIVABLE = (State.FOLLOWED_UP, State.FAILED, State.REFERRED)
OPEN_STATES = (State.RECEIVED, State.MEDIATING)

ACTION_LABELS = {
    "create": gettext_lazy("受理登记"),
    "from_order": gettext_lazy("工单转入"),
    "session": gettext_lazy("调解记录"),
    "outcome": gettext_lazy("调解结果"),
    "sign": gettext_lazy("协议签署"),
    "judicial": gettext_lazy("司法确认"),
    "followup": gettext_lazy("回访"),
    "archive": gettext_lazy("归档"),
}


class MediationError(DomainError):
    """A refused request about mediation (kind invalid, forbidden, not_found or conflict)."""


def invalid(field: str, message: str) -> MediationError:
    return MediationError(INVALID, message, field)


def not_found(message: str) -> MediationError:
    return MediationError(NOT_FOUND, message)


def forbidden(message: str) -> MediationError:
    return MediationError(FORBIDDEN, message)


def conflict(message: str, field: str | None = None) -> MediationError:
    return MediationError(CONFLICT, message, field)


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


# ------------------------------------------------------------------------------- access --


_has = scope.has_perm


def can_view(user: Reader | None) -> bool:
    return _has(user, VIEW)


def can_add(user: Account) -> bool:
    return _has(user, ADD)


def can_change(user: Account) -> bool:
    return _has(user, CHANGE)


def sees_identity(user: Account) -> bool:
    return _has(user, IDENTITY)


def can_view_training(user: Account) -> bool:
    return _has(user, VIEW_TRAINING)


def can_manage_training(user: Account) -> bool:
    return _has(user, MANAGE_TRAINING)


_ancestors = scope.ancestor_paths


def cases_for(user: Reader | None, qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases whose grid lies in the account's scope."""
    qs = Case.objects.all() if qs is None else qs
    if not can_view(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_paths_q(paths, "region_path"))


def get_case(user: Account, case_id: int) -> Case:
    case = (
        cases_for(user)
        .select_related("grid", "committee__unit", "order__event")
        .defer("grid__geometry", "committee__unit__geometry")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise not_found(_("调解案件不存在"))
    return case


def _unit_q(paths: list[str], field_name: str) -> Q:
    """The unit is in the scope, or is a street/community above it (a grid worker files into
    the committee of its community or street)."""
    above = Q(
        **{f"{field_name}__path__in": _ancestors(paths), f"{field_name}__level__gte": Level.STREET}
    )
    return _paths_q(paths, f"{field_name}__path") | above


def committees_for(user: Account, qs: QuerySet[Committee] | None = None) -> QuerySet[Committee]:
    qs = Committee.objects.all() if qs is None else qs
    if not (can_view(user) or can_view_training(user)):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    return qs.filter(_unit_q(paths, "unit")) if paths else qs.none()


def trainings_for(user: Account, qs: QuerySet[Training] | None = None) -> QuerySet[Training]:
    """Trainings organised in the scope or above it (the district's reach every street)."""
    qs = Training.objects.all() if qs is None else qs
    if not can_view_training(user):
        return qs.none()
    paths = scope.scope_paths(user)
    if paths is scope.ALL:
        return qs
    if not paths:
        return qs.none()
    above = Q(organiser__path__in=_ancestors(paths))
    return qs.filter(_paths_q(paths, "organiser__path") | above)


def mediator_posts(user: Account, on: dt.date | None = None) -> QuerySet[Post]:
    """Current `mediator` posts in the account's scope."""
    if not (can_view(user) or can_view_training(user)):
        return Post.objects.none()
    qs = Post.objects.current(on).filter(post_type__code=MEDIATOR_POST)
    return scope.posts_for(user, qs).select_related("person", "region")


def mediators_for(user: Account) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=mediator_posts(user).values("person_id")).order_by(
        "name", "pk"
    )


def committee_mediators(user: Account, committee: Committee) -> QuerySet[Person]:
    """Mediators in scope posted in the committee's unit or below it."""
    posts = mediator_posts(user).filter(region__path__startswith=committee.unit.path)
    return Person.objects.filter(pk__in=posts.values("person_id")).order_by("name", "pk")


def intake_grids(user: Account) -> QuerySet[Region]:
    if not can_add(user):
        return Region.objects.none()
    qs = Region.objects.active().grids().defer("geometry").order_by("code")
    return scope.regions_for(user, qs)


def committee_for_grid(grid: Region) -> Committee | None:
    """The community's committee where there is one, else the street's."""
    ids = [int(x) for x in grid.path.strip("/").split("/")]
    found = {
        c.unit_id: c for c in Committee.objects.filter(unit_id__in=ids, active=True).order_by("pk")
    }
    for region_id in reversed(ids):
        if region_id in found:
            return found[region_id]
    return None


# ------------------------------------------------------------------------------ masking --


def mask_id(value: str) -> str:
    return identity.mask_id_number(value) if len(value) > 10 else "*" * len(value)


@dataclass(frozen=True)
class PartyView:
    role: str
    role_label: str
    name: str
    phone: str
    id_number: str
    address: str
    masked: bool


def party_view(party: Party, full: bool) -> PartyView:
    """A party as the caller may see it: all of it, or masked (the address is dropped)."""
    if full:
        return PartyView(
            party.role,
            party.get_role_display(),
            party.name,
            party.phone,
            party.id_number,
            party.address,
            False,
        )
    return PartyView(
        party.role,
        party.get_role_display(),
        mask_name(party.name),
        mask_phone(party.phone),
        mask_id(party.id_number),
        "",
        True,
    )


# ------------------------------------------------------------------------------- checks --


def text(field_name: str, value: Any, *, required: bool = False, limit: int | None = None) -> str:
    out = "" if value is None else str(value).strip()
    try:
        inputs.check_text(field_name, out, limit or LIMITS.get(field_name))
    except inputs.InputError as exc:
        raise invalid(field_name, exc.message) from None
    if required and not out:
        raise invalid(field_name, _("必填"))
    return out


def day(field_name: str, value: Any, *, today: dt.date | None = None, past: bool = True) -> dt.date:
    """A real date (2000–2100); not after today when `past`."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = inputs.parse_date(field_name, value)
        except inputs.InputError as exc:
            raise invalid(field_name, exc.message) from None
    if not isinstance(value, dt.date):
        raise invalid(field_name, _("请填写日期"))
    if not 2000 <= value.year <= 2100:
        raise invalid(field_name, _("日期超出范围"))
    if past and value > (today or timezone.localdate()):
        raise invalid(field_name, _("不能晚于今天"))
    return value


def amount(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise invalid("amount", _("须为数字"))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid("amount", _("须为数字")) from None
    if not number.is_finite():
        raise invalid("amount", _("须为有限的数字"))
    if number < 0:
        raise invalid("amount", _("不能为负数"))
    if number > MAX_AMOUNT:
        raise invalid("amount", _("金额过大"))
    if number != number.quantize(Decimal("0.01")):
        raise invalid("amount", _("最多两位小数"))
    return number.quantize(Decimal("0.01"))


def _choice(field_name: str, value: Any, choices: Iterable[str]) -> str:
    if value not in list(choices):
        raise invalid(field_name, _("无效的选项"))
    return str(value)


@dataclass
class PartyInput:
    role: str
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""


@dataclass
class CaseInput:
    kind: str
    title: str
    parties: list[PartyInput]
    facts: str = ""
    source: str = CaseSource.WALK_IN
    referral: str = ""
    amount: Any = None
    lat: float | None = None
    lon: float | None = None
    grid_id: int | None = None
    address: str = ""
    committee_id: int | None = None
    mediator_ids: list[int] = field(default_factory=list)
    received_on: dt.date | None = None
    followup_days: int = 30


# ---------------------------------------------------------------------------- statistics --


@dataclass
class UnitStats:
    unit: Region | None  # None: the total row
    received: int = 0
    mediated: int = 0
    resolved: int = 0
    followups_due: int = 0
    followups_on_time: int = 0
    followups_overdue: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """化解率 = resolved ÷ mediated, in %."""
        return round(100 * self.resolved / self.mediated, 1) if self.mediated else None

    @property
    def followup_rate(self) -> float | None:
        due = self.followups_due
        return round(100 * self.followups_on_time / due, 1) if due else None


def statistics(
    user: Reader | None,
    start: dt.date,
    end: dt.date,
    *,
    level: int = Level.STREET,
    units: list[Region] | None = None,
    today: dt.date | None = None,
) -> list[UnitStats]:
    """Per unit of `level` in the scope (or the `units` given) and a total row last: cases
    received in the period; mediated (an outcome in the period: agreement, failed or
    referred); resolved (agreement); follow-ups due in the period (by today), done by their
    due date, and overdue."""
    today = today or timezone.localdate()
    if units is None:
        qs = Region.objects.active().filter(level=level).defer("geometry").order_by("code")
        units = list(scope.regions_for(user, qs))
    cases = cases_for(user)
    rows = {u.pk: UnitStats(u) for u in units}
    total = UnitStats(None)
    prefixes = [(u.path, rows[u.pk]) for u in units]

    def owners(path: str) -> list[UnitStats]:
        return [r for p, r in prefixes if path.startswith(p)] + [total]

    for path, kind in cases.filter(received_on__gte=start, received_on__lte=end).values_list(
        "region_path", "kind"
    ):
        for r in owners(path):
            r.received += 1
            r.by_kind[kind] = r.by_kind.get(kind, 0) + 1
    for path, outcome in cases.filter(
        outcome_on__gte=start, outcome_on__lte=end, outcome__gt=""
    ).values_list("region_path", "outcome"):
        for r in owners(path):
            r.mediated += 1
            r.resolved += outcome == Outcome.AGREEMENT
    last = min(end, today)
    visits = FollowUp.objects.filter(
        case__in=cases, due_on__gte=start, due_on__lte=end
    ).values_list("case__region_path", "due_on", "done_on")
    for path, due_on, done_on in visits:
        if due_on > last and done_on is None:
            continue  # not due yet
        for r in owners(path):
            r.followups_due += 1
            if done_on is not None and done_on <= due_on:
                r.followups_on_time += 1
            elif done_on is None and due_on < today:
                r.followups_overdue += 1
    return [*rows.values(), total]


def default_level(user: Account) -> int:
    """The level a statistics table shows by default: the configured level just below the
    account's highest unit (districts for a city's office, streets for a district's,
    communities for a street's), a community's own row for a community or a grid."""
    own = scope.own_level(user)
    if own is None:
        return int(Level.STREET)
    return int(min(ladder.sub_unit_level(own), Level.COMMUNITY))


def overdue_followups(user: Account, today: dt.date | None = None) -> QuerySet[FollowUp]:
    today = today or timezone.localdate()
    return FollowUp.objects.filter(
        case__in=cases_for(user), done_on__isnull=True, due_on__lt=today
    ).select_related("case")


def open_followups(user: Account) -> QuerySet[FollowUp]:
    """Visits not yet made, of cases the account may act on (the phone's list)."""
    if not can_change(user):
        return FollowUp.objects.none()
    return (
        FollowUp.objects.filter(
            case__in=cases_for(user), done_on__isnull=True, case__state=State.SUCCEEDED
        )
        .select_related("case", "case__grid")
        .defer("case__grid__geometry")
        .order_by("due_on", "pk")
    )
