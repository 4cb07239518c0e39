"""The header menu: the one place that lists every entry with who may use it.

An entry is shown only when `may(user)` holds. Where the page refuses an account (403/404),
`may` is that page's own check (the same service function), so the menu never offers a page
that would refuse its user; pages every account may open but that belong to other work (the
command office's wall, meetings, bulletins, the horse race) are shown to the roles that hold
their model's permission. A group with nothing left for the account is not shown; a test GETs
every entry shown to each role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.core.actor import Account
from gridgov.people import scope

Check = Callable[[Any], bool]


def signed_in(user: Account) -> TypeGuard[User]:
    return bool(user is not None and user.is_authenticated)


def perm(*names: str) -> Check:
    """Holds any of the permissions (through the account's groups, or as superuser)."""

    def check(user: Account) -> bool:
        return signed_in(user) and any(user.has_perm(n) for n in names)

    return check


def command_office(user: Account) -> bool:
    """The district command office and those who issue commands (the streets)."""
    return signed_in(user) and (scope.sees_everything(user) or user.has_perm("inbox.issue_command"))


def staff(user: Account) -> bool:
    return signed_in(user) and bool(user.is_staff)


def _lazy(module: str, name: str) -> Check:
    """A page's own check, imported when first asked (the apps import the web app's helpers)."""

    def check(user: Account) -> bool:
        from importlib import import_module

        found: Check = getattr(import_module(module), name)
        return signed_in(user) and bool(found(user))

    return check


@dataclass(frozen=True)
class Entry:
    url_name: str  # or an address starting with "/"
    label: str | Promise
    may: Check
    css: str = ""


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise | None  # None: its entries stand in the bar itself
    entries: tuple[Entry, ...]


NAV: tuple[Group, ...] = (
    Group(
        "home",
        None,
        (
            Entry("centre:overview", _("总览"), signed_in),
            Entry("web:map", _("网格地图"), signed_in),
        ),
    ),
    Group(
        "air",
        _("空气"),
        (
            Entry("air:map", _("空气质量"), signed_in),
            Entry("air:forecast", _("预报"), signed_in),
            Entry("air:targets", _("攻坚目标"), perm("air.view_target")),
            Entry("centre:allowance", _("目标余量"), perm("air.view_target")),
            Entry("air:rankings", _("排名"), signed_in),
            Entry("centre:hotspots", _("热点网格"), signed_in),
            Entry("air:quality", _("设备运维"), signed_in),
            Entry("air:alarms", _("报警"), perm("air.view_alarm")),
            Entry("air:review_queue", _("数据审核"), _lazy("gridgov.air.review", "can_view")),
            Entry("air:tampering", _("干扰监测"), _lazy("gridgov.air.review", "can_view")),
        ),
    ),
    Group(
        "orders",
        _("工单"),
        (
            Entry("workorders:desk", _("工单"), perm("workorders.view_workorder")),
            Entry("inbox:commands", _("指令"), signed_in),
            Entry(
                "inbox:deliveries", _("投递记录"), _lazy("gridgov.inbox.deliverylog", "can_view")
            ),
            Entry("workorders:stats", _("办理统计"), perm("workorders.view_workorder")),
        ),
    ),
    Group(
        "sources",
        _("污染源/巡查/执法"),
        (
            Entry("sources:registry", _("污染源"), perm("sources.view_pollutionsource")),
            Entry("inspections:desk", _("巡查检查"), perm("inspections.view_inspection")),
            Entry("enforcement:list", _("执法案件"), perm("enforcement.view_case")),
        ),
    ),
    Group("emergency", _("应急"), (Entry("emergency:index", _("重污染应急"), signed_in),)),
    Group(
        "command",
        _("指挥调度"),
        (
            Entry("centre:wall", _("大屏模式"), command_office),
            Entry("meetings:list", _("调度会"), perm("meetings.view_meeting")),
            Entry("bulletins:index", _("调度通报"), perm("bulletins.view_bulletin")),
            Entry("racing:index", _("赛马比拼"), perm("racing.view_scorecard")),
            Entry("forces:list", _("专班"), _lazy("gridgov.forces.services", "can_view_forces")),
            Entry(
                "forces:supplies", _("物资"), _lazy("gridgov.forces.services", "can_view_supplies")
            ),
        ),
    ),
    Group(
        "governance",
        _("基层治理"),
        (
            Entry(
                "centre:governance",
                _("基层治理总览"),
                perm(
                    "mediation.view_case",
                    "organisations.view_organisation",
                    "projects.view_project",
                    "customs.view_rulesversion",
                ),
            ),
            Entry("mediation:list", _("人民调解"), _lazy("gridgov.mediation.services", "can_view")),
            Entry(
                "mediation:stats", _("调解统计"), _lazy("gridgov.mediation.services", "can_view")
            ),
            Entry(
                "organisations:list",
                _("新兴领域党建"),
                _lazy("gridgov.organisations.services", "can_view"),
            ),
            Entry(
                "organisations:volunteers",
                _("新就业群体"),
                _lazy("gridgov.organisations.services", "can_view_volunteers"),
            ),
            Entry("projects:list", _("项目库"), _lazy("gridgov.projects.services", "can_view")),
            Entry("projects:map", _("项目地图"), _lazy("gridgov.projects.services", "can_view")),
            Entry("customs:list", _("村规民约"), _lazy("gridgov.customs.services", "can_view")),
            Entry(
                "customs:registrations",
                _("红白事报备"),
                _lazy("gridgov.customs.services", "can_view_registrations"),
            ),
        ),
    ),
    Group("inbox", None, (Entry("centre:inbox", _("消息"), signed_in, css="inbox-link"),)),
    Group(
        "more",
        _("更多"),
        (
            Entry("workorders:phone", _("手机版"), signed_in),
            Entry("admin:index", _("管理后台"), staff),
            Entry("/api/v1/docs", _("接口文档"), signed_in),
        ),
    ),
)


def _address(entry: Entry) -> str:
    return entry.url_name if entry.url_name.startswith("/") else reverse(entry.url_name)


def nav_for(user: Account) -> list[dict[str, Any]]:
    """The groups and entries this account may use, in menu order; empty groups left out."""
    if not signed_in(user):
        return []
    out = []
    for group in NAV:
        entries = [
            {"url": _address(e), "label": e.label, "css": e.css, "name": e.url_name}
            for e in group.entries
            if e.may(user)
        ]
        if entries:
            out.append({"key": group.key, "label": group.label, "entries": entries})
    return out
