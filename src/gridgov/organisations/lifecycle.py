"""An organisation's life (组织登记): input check, creation, moves, closing, changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account, actor_name
from gridgov.organisations.models import (
    EventKind,
    Organisation,
    OrgEvent,
    OrgKind,
    PartyOrg,
    SocialForm,
)
from gridgov.organisations.services import (
    CHANGE,
    MAX_NAME,
    MAX_NOTE,
    _count,
    _date,
    _own_for,
    _text,
    can_add,
    check_credit_code,
    conflict,
    forbidden,
    invalid,
    pick_grid,
)
from gridgov.territory.models import Region

# ----------------------------------------------------------------------- organisations --


@dataclass
class OrgInput:
    name: str
    kind: str
    credit_code: str
    opened: dt.date
    grid_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    social_form: str = ""
    industry: str = ""
    staff: int = 0
    party_members: int = 0
    address: str = ""
    party_org: str = PartyOrg.NONE
    party_org_date: dt.date | None = None
    contact: str = ""
    contact_phone: str = ""


def clean_input(data: OrgInput) -> dict[str, Any]:
    """Every field checked (no database beyond nothing): the model's fields, grid aside."""
    if data.kind not in OrgKind.values:
        raise invalid("kind", _("没有这个类别"))
    social_form = data.social_form or ""
    if data.kind == OrgKind.SOCIAL:
        if social_form not in SocialForm.values:
            raise invalid("social_form", _("新社会组织须注明社会团体、基金会或社会服务机构"))
    elif social_form:
        raise invalid("social_form", _("新经济组织不填社会组织类型"))
    if data.party_org not in PartyOrg.values:
        raise invalid("party_org", _("没有这种党组织建立方式"))
    opened = _date("opened", data.opened)
    party_date = _date("party_org_date", data.party_org_date) if data.party_org_date else None
    if data.party_org == PartyOrg.NONE and party_date is not None:
        raise invalid("party_org_date", _("未建立党组织时不填成立日期"))
    staff = _count("staff", data.staff)
    members = _count("party_members", data.party_members)
    if members > staff and staff:
        raise invalid("party_members", _("党员数不能超过从业人员数"))
    phone = _text("contact_phone", data.contact_phone, 20)
    if phone and not all(c.isdigit() or c in "-+ " for c in phone):
        raise invalid("contact_phone", _("联系电话只能含数字"))
    return {
        "name": _text("name", data.name, MAX_NAME, required=True),
        "kind": data.kind,
        "social_form": social_form,
        "credit_code": check_credit_code(data.credit_code),
        "industry": _text("industry", data.industry, 40),
        "staff": staff,
        "party_members": members,
        "address": _text("address", data.address, 200),
        "lat": data.lat,
        "lon": data.lon,
        "party_org": data.party_org,
        "party_org_date": party_date,
        "opened": opened,
        "contact": _text("contact", data.contact, 50),
        "contact_phone": phone,
    }


def _event(org: Organisation, kind: str, day: dt.date, user: Account, **kw: Any) -> OrgEvent:
    return OrgEvent.objects.create(
        organisation=org, kind=kind, date=day, actor_name=actor_name(user)[:50], **kw
    )


def write_new(user: Account, values: dict[str, Any], grid: Region) -> Organisation:
    org = Organisation.objects.create(grid=grid, region_path=grid.path, **values)
    _event(org, EventKind.OPENED, org.opened, user, grid=grid)
    if org.party_org != PartyOrg.NONE:
        _event(org, EventKind.PARTY_ORG, org.party_org_date or org.opened, user,
               party_org=org.party_org)  # fmt: skip
    return org


def create_organisation(user: Account, data: OrgInput) -> Organisation:
    """纳入: a new organisation enters the database, in a grid of the account's scope."""
    if not can_add(user):
        raise forbidden(_("无权登记两新组织"))
    values = clean_input(data)
    grid = pick_grid(user, data.grid_id, data.lat, data.lon)
    with transaction.atomic():
        if Organisation.objects.filter(credit_code=values["credit_code"]).exists():
            raise conflict(_("该统一社会信用代码已登记"), "credit_code")
        return write_new(user, values, grid)


def last_change(org: Organisation) -> dt.date:
    dated = (EventKind.OPENED, EventKind.MOVED, EventKind.PARTY_ORG, EventKind.ASSIGNED)
    last = org.events.filter(kind__in=dated).aggregate(d=Max("date"))["d"]
    return last or org.opened


def _check_open(org: Organisation, day: dt.date, field_name: str = "date") -> None:
    if org.closed is not None:
        raise conflict(_("该组织已于%(d)s注销/迁出") % {"d": org.closed}, field_name)
    if day < org.opened:
        raise invalid(field_name, _("日期不能早于纳入日期"))
    if day > timezone.localdate():
        raise invalid(field_name, _("日期不能晚于今天"))


def move_organisation(
    user: Account,
    org_id: int,
    day: dt.date,
    grid_id: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    note: str = "",
) -> Organisation:
    """迁移: the organisation moves to another grid (in the account's scope) on `day`."""
    day = _date("date", day)
    address = _text("address", address, 200)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        _check_open(org, day)
        last_move = org.events.filter(kind__in=[EventKind.OPENED, EventKind.MOVED]).aggregate(
            d=Max("date")
        )["d"]
        if last_move is not None and day < last_move:
            raise invalid("date", _("日期不能早于上一次迁移"))
        grid = pick_grid(user, grid_id, lat, lon)
        if grid.pk == org.grid_id:
            raise conflict(_("该组织已在此网格"), "grid")
        org.grid, org.region_path = grid, grid.path
        if address:
            org.address = address
        if lat is not None and lon is not None:
            org.lat, org.lon = lat, lon
        org.save(update_fields=["grid", "region_path", "address", "lat", "lon"])
        _event(org, EventKind.MOVED, day, user, grid=grid, note=note)
    return org


def close_organisation(user: Account, org_id: int, day: dt.date, note: str = "") -> Organisation:
    """注销/迁出: the organisation leaves the database on `day`; its instructor's assignment
    ends with it. The record and its history stay."""
    day = _date("date", day)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        _check_open(org, day)
        if day < last_change(org):
            raise invalid("date", _("日期不能早于该组织最近一次变化"))
        for a in org.assignments.filter(Q(end_date__isnull=True) | Q(end_date__gt=day)):
            a.end_date = max(day, a.start_date)
            a.save(update_fields=["end_date"])
            _event(org, EventKind.UNASSIGNED, a.end_date, user, instructor_id=a.instructor_id)
        org.closed = day
        org.save(update_fields=["closed"])
        _event(org, EventKind.CLOSED, day, user, grid=org.grid, note=note)
    return org


def set_party_org(
    user: Account, org_id: int, form: str, day: dt.date, note: str = ""
) -> Organisation:
    """组织覆盖 gained (单独建/联合建) or lost (未建立) on `day`."""
    if form not in PartyOrg.values:
        raise invalid("party_org", _("没有这种党组织建立方式"))
    day = _date("date", day)
    note = _text("note", note, MAX_NOTE)
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        _check_open(org, day)
        if form == org.party_org:
            raise conflict(_("党组织情况没有变化"), "party_org")
        last = org.events.filter(kind=EventKind.PARTY_ORG).aggregate(d=Max("date"))["d"]
        if last is not None and day < last:
            raise invalid("date", _("日期不能早于上一次党组织变化"))
        org.party_org = form
        org.party_org_date = None if form == PartyOrg.NONE else day
        org.save(update_fields=["party_org", "party_org_date"])
        _event(org, EventKind.PARTY_ORG, day, user, party_org=form, note=note)
    return org


def update_organisation(
    user: Account, org_id: int, *, name: str, industry: str, staff: int, party_members: int,
    address: str, contact: str, contact_phone: str,
) -> Organisation:  # fmt: skip
    """信息变更: the descriptive fields (not the grid, the party organisation or the dates,
    which have their own dated changes); the changed fields are recorded."""
    with transaction.atomic():
        org = _own_for(user, org_id, CHANGE, _("无权变更该组织"))
        values = clean_input(
            OrgInput(
                name=name, kind=org.kind, credit_code=org.credit_code, opened=org.opened,
                social_form=org.social_form, industry=industry, staff=staff,
                party_members=party_members, address=address, contact=contact,
                contact_phone=contact_phone,
            )
        )  # fmt: skip
        keys = ["name", "industry", "staff", "party_members", "address", "contact", "contact_phone"]
        changed = [k for k in keys if getattr(org, k) != values[k]]
        if not changed:
            return org
        for k in changed:
            setattr(org, k, values[k])
        org.save(update_fields=changed)
        labels = "、".join(
            str(getattr(Organisation._meta.get_field(k), "verbose_name", k)) for k in changed
        )
        _event(org, EventKind.CHANGED, timezone.localdate(), user, note=labels[:MAX_NOTE])
    return org
