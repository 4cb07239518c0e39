"""Air pages: live station map, station page, targets, rankings, alarms. Thin: they call the
domain functions and the scope helpers, then render."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from gridgov import inputs
from gridgov.air import alarm_queries as q
from gridgov.air import alarms as alarm_service
from gridgov.air import factor_store, hotspots, periods
from gridgov.air.aqi import LEVELS
from gridgov.air.archive_views import archive_context
from gridgov.air.assessment import assess, rank, target_progress
from gridgov.air.control_views import control_context
from gridgov.air.hj212 import devices
from gridgov.air.models import CST, Alarm, AlarmRule, DeviceStatus, Target
from gridgov.air.rose_views import rose_context
from gridgov.air.stats import RANK_METRICS
from gridgov.core.dbrouter import replica_reads
from gridgov.errors import DomainError
from gridgov.territory import ladder
from gridgov.territory.levels import key as level_key


def _visible_stations(request: HttpRequest) -> Any:
    from gridgov.air.api import visible_stations

    return visible_stations(request)


@login_required
def station_map(request: HttpRequest) -> HttpResponse:
    device_text = {"online": str(_("设备在线")), "offline": str(_("设备离线"))}
    hotspot_text = hotspots.map_text("pm25")
    return render(
        request,
        "air/station_map.html",
        {"levels": LEVELS, "device_text": device_text, "hotspot_text": hotspot_text},
    )


@login_required
def station_page(request: HttpRequest, code: str) -> HttpResponse:
    station = _visible_stations(request).filter(code=code).first()
    if station is None:  # unknown or outside the scope: the same answer, nothing to tell apart
        raise Http404(_("没有这个站点"))
    open_alarms = (
        Alarm.objects.for_user(request.user)
        .filter(station=station, ended_at__isnull=True)
        .select_related("rule")
    )
    device = DeviceStatus.objects.for_user(request.user).filter(station=station).first()
    return render(
        request,
        "air/station.html",
        {
            "station": station,
            "levels": LEVELS,
            "open_alarms": open_alarms,
            "device": device,
            "rejected": sum((device.rejections or {}).values()) if device else 0,
            "tolerance": device_tolerance(station, device),
            "factors": factor_store.station_panel(
                station.pk, int(dt.datetime.now(dt.UTC).timestamp())
            ),
            "control": control_context(request.user, station),
            "tampering": _tampering(request, station),
            "archive": archive_context(station, request.GET.get("archive_day")),
            "rose": rose_context(station.pk, request.GET, dt.datetime.now(CST).date()),
        },
    )


def _tampering(request: HttpRequest, station: Any) -> list[Any] | None:
    """The station's latest tampering findings, for those who may see the data review (None:
    no section)."""
    from gridgov.air.review import can_view
    from gridgov.air.tamper_models import TamperFinding

    if not can_view(request.user):
        return None
    rows = TamperFinding.objects.for_user(request.user).filter(station=station)
    latest = list(rows.order_by("-start", "-pk")[:20])
    latest.sort(key=lambda f: f.status != "open")  # open first, each part newest first
    return latest[:10]


# Tolerated variants as the station page names them (DeviceStatus.variants keys).
VARIANT_NAMES = {
    "crc_modbus": gettext_lazy("Modbus CRC"),
    "crc_swapped": gettext_lazy("CRC 高低字节互换"),
    "length_with_crc": gettext_lazy("长度含CRC与包尾"),
    "header_2005_no_qn": gettext_lazy("2005版包头（无QN）"),
    "header_2005_no_flag": gettext_lazy("无Flag"),
    "empty_pw": gettext_lazy("空密码"),
}


def device_tolerance(station: Any, device: DeviceStatus | None) -> dict[str, Any]:
    """What the station page shows of a device's options and faults: the CRC variant and empty
    password options, each tolerated variant with the packets that needed it, the untracked
    factor codes, and the last refused packets."""
    variants = (device.variants or {}) if device else {}
    return {
        "crc": station.get_crc_variant_display(),
        "crc_custom": station.crc_variant != "hj212",
        "empty_password": bool(station.mn) and devices.check_password("", station.pw_hash),
        "variants": [(str(VARIANT_NAMES.get(k, k)), n) for k, n in sorted(variants.items())],
        "untracked": sorted(((device.untracked or {}) if device else {}).items()),
        "faults": list(reversed((device.faults or []) if device else [])),
    }


def _parse_date(text: str | None, default: dt.date, field: str) -> dt.date:
    return inputs.parse_date(field, text, default)


def _given_date(field: str, text: str | None) -> dt.date | None:
    """A date the request names, or None when it names none (the default is decided later)."""
    return inputs.parse_date(field, text) if text and text.strip() else None


@login_required
def targets_page(request: HttpRequest) -> HttpResponse:
    today = dt.datetime.now(CST).date()
    as_of = _parse_date(request.GET.get("as_of"), today, "as_of")
    targets = (
        Target.objects.for_user(request.user).filter(start__lte=as_of).select_related("region")
    )
    rows = [target_progress(t, as_of) for t in targets]
    return render(request, "air/targets.html", {"rows": rows, "as_of": as_of})


def level_choices() -> list[tuple[str, str]]:
    """The levels a ranking may list: the configured unit levels below the stored trees' root
    (districts and below in a city's deployment, streets and below in a district's), and
    stations."""
    units = [(level_key(lv), str(lv.label)) for lv in ladder.units_below_root()]
    return [*units, ("station", str(_("站点")))]


METRIC_LABELS = {
    "pm25": "PM2.5",
    "pm10": "PM10",
    "comprehensive_index": "综合指数",
    "good_day_ratio": "优良天数比例",
    "pm25_yoy": "PM2.5同比",
}


@login_required
@replica_reads()
def rankings_page(request: HttpRequest) -> HttpResponse:
    from gridgov.air.api import requested_units

    start, end = periods.resolve(
        _given_date("from", request.GET.get("from")), _given_date("to", request.GET.get("to"))
    )
    if start > end:
        start = end.replace(day=1)
    levels = level_choices()
    level = request.GET.get("level") or periods.default_level(request.user)
    if level not in dict(levels):
        level = periods.default_level(request.user)
    metric = request.GET.get("metric", "pm25")
    if metric not in RANK_METRICS:
        metric = "pm25"
    units = requested_units(request, level, None, None)
    ranked, apart = rank(assess(units, start, end), metric)
    return render(
        request,
        "air/rankings.html",
        {
            "ranked": ranked,
            "apart": apart,
            "start": start,
            "end": end,
            "basis": periods.basis(start, end),
            "is_default": "from" not in request.GET and "to" not in request.GET,
            "level": level,
            "metric": metric,
            "levels": levels,
            "metrics": METRIC_LABELS.items(),
            "isfinite": math.isfinite,
        },
    )


def _alarm_filter(request: HttpRequest) -> q.AlarmFilter:
    """The desk's filters from the query string; a unit, rule or station the account may not
    see is the same 404 as one that does not exist."""
    f = q.AlarmFilter()
    unit = request.GET.get("unit", "")
    if unit:
        f.unit = q.filter_units(request.user).filter(code=unit).first()
        if f.unit is None:
            raise Http404(_("没有这个单位"))
    rule = request.GET.get("rule", "")
    if rule:
        f.rule = (
            AlarmRule.objects.for_user(request.user)
            .filter(pk=inputs.parse_ids("rule", [rule])[0])
            .first()
        )
        if f.rule is None:
            raise Http404(_("没有这个报警规则"))
    station = request.GET.get("station", "").strip()
    if station:
        f.station = q.stations_for(request.user).filter(code=station).first()
        if f.station is None:
            raise Http404(_("没有这个站点"))
    state = request.GET.get("state", q.LIVE)
    f.state = state if state in q.STATE_FILTERS else q.LIVE
    return f


ALARMS_PER_PAGE = 50


@login_required
def alarms_page(request: HttpRequest) -> HttpResponse:
    f = _alarm_filter(request)
    group = request.GET.get("group", "station")
    group = group if group in q.GROUPINGS else "station"
    visible = q.alarms_for(request.user)
    counted = q.counts(q.filtered(visible, q.AlarmFilter(f.unit, f.rule, q.ALL, f.station)))
    page = Paginator(q.ordered(q.filtered(visible, f), group), ALARMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    alarms = list(page.object_list)
    orders = q.orders_of(request.user, alarms)
    for a in alarms:
        a.state = q.state_of(a)  # type: ignore[attr-defined]
        a.order_ref = orders[a.pk]  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "air/alarms.html",
        {
            "f": f,
            "group": group,
            "groups": q.grouped(alarms, group),
            "page": page,
            "query": query.urlencode(),
            "counts": counted,
            "state_labels": q.STATE_LABELS,
            "state_filters": [
                (q.LIVE, _("进行中")),
                *q.STATE_LABELS.items(),
                (q.ALL, _("全部")),
            ],
            "units": q.filter_units(request.user),
            "rules": AlarmRule.objects.for_user(request.user)
            .filter(pk__in=visible.values("rule_id").distinct())
            .order_by("name"),
            "station_codes": visible.values_list("station__code", flat=True)
            .distinct()
            .order_by("station__code")[:1000],
            "limit": q.BULK_LIMIT,
        },
    )


@login_required
@require_POST
def acknowledge_alarm(request: HttpRequest, alarm_id: int) -> HttpResponse:
    alarm = q.alarms_for(request.user).filter(pk=alarm_id).first()
    if alarm is None:
        raise Http404(_("没有这个报警"))
    note = inputs.check_text("note", request.POST.get("note", ""), 200)
    try:
        alarm_service.acknowledge_as(request.user, alarm, note)
    except DomainError as exc:  # seen, not to act on: 403
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("已确认报警"))
    return redirect(_back_to_desk(request))


@login_required
@require_POST
def acknowledge_alarms(request: HttpRequest) -> HttpResponse:
    """Bulk acknowledgement: the checked alarms with one note, all or nothing."""
    ids = inputs.parse_ids("ids", request.POST.getlist("ids"))
    try:
        _alarms, changed = q.acknowledge_many(request.user, ids, request.POST.get("note", ""))
    except q.AlarmsNotVisible as exc:
        raise Http404(_("没有这个报警")) from exc
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    except inputs.InputError as exc:
        if exc.field != "ids":
            raise
        messages.error(request, _("请先勾选要确认的报警。"))
        return redirect(_back_to_desk(request))
    messages.success(
        request,
        ngettext("已确认 %(n)d 条报警", "已确认 %(n)d 条报警", changed) % {"n": changed},
    )
    return redirect(_back_to_desk(request))


DESK_KEYS = ("unit", "rule", "state", "station", "group", "page")


def _back_to_desk(request: HttpRequest) -> str:
    """The desk with the filters the form was sent from (only the desk's own keys)."""
    sent = QueryDict(request.POST.get("back", ""))
    kept = QueryDict(mutable=True)
    for key in DESK_KEYS:
        if sent.get(key):
            kept[key] = sent[key]
    url = reverse("air:alarms")
    return f"{url}?{kept.urlencode()}" if kept else url
