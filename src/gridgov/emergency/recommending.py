"""预警建议: the warning level the trigger rules (emergency/warning_rules.py) call on the
district's latest forecast, the command office's decision on it, and its score.

- `recommend(now)` runs after each forecast issue (the air forecast job's hook, registered in
  emergency/plugins.py) and hourly (emergency/tasks.py): from the district's forecast
  (air.forecast.for_region) it finds the highest level whose rule the forecast days meet and,
  when no warning at that level or higher is in force or declared to come, stores one
  recommendation per issue and level (idempotent). Pending recommendations a newer issue
  replaces, a warning declared otherwise covers, or whose dates passed undecided lapse.
- The command office (services.can_declare) declares a warning from a recommendation (through
  declaring.declare, the one declare path) or dismisses it with a reason (≤ 200 characters).
  Recommendations are shown to the accounts that see the whole district.
- Scoring, at read time from `now`: a recommendation whose forecast dates are past is a hit
  when the district's observed daily AQI on those dates (air.assessment.daily_aqi, all six
  pollutants) meets the rule of its level, a false alarm when it does not (no data: not
  scored); a miss is a run of observed days over the period that meets some level's rule
  with no recommendation whose dates overlap it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.air import forecast
from gridgov.air.aggregate import date_number
from gridgov.air.assessment import daily_aqi, daily_series, region_units
from gridgov.core.actor import Account, recorded_user
from gridgov.emergency import declaring, warning_rules
from gridgov.emergency.models import (
    MAX_DISMISS_REASON,
    Level,
    Recommendation,
    RecommendationStatus,
    Warning,
)
from gridgov.emergency.services import Conflict, EmergencyError, NotAllowed, can_declare
from gridgov.emergency.warning_rules import Condition, Rules
from gridgov.errors import NOT_FOUND
from gridgov.people import scope
from gridgov.territory.models import Region

CST = forecast.CST
SCORE_DAYS = 90  # the period the history's counts cover by default, up to yesterday
HISTORY = 20
Status = RecommendationStatus


class NoSuchRecommendation(EmergencyError):
    kind = NOT_FOUND


def current_rules() -> Rules:
    return dict(getattr(settings, "GRIDGOV_WARNING_RULES", warning_rules.NATIONAL))


def current_basis() -> str:
    return str(getattr(settings, "GRIDGOV_WARNING_BASIS", "value"))


def district() -> Region | None:
    """The unit the recommendations are about: the root of the territory (the city, or the
    district; the first, as the bulletins take it)."""
    return (
        Region.objects.active()
        .filter(parent__isnull=True)
        .defer("geometry")
        .order_by("level", "code")
        .first()
    )


def can_read(user: Account) -> bool:
    return bool(user is not None and user.is_authenticated and scope.sees_everything(user))


# ------------------------------------------------------------------------------ the rule text --


def condition_text(condition: Condition, subject: str) -> str:
    if condition.days == 1 and condition.aqi_above == 499 and not condition.peak_days:
        return _("%(subject)s日均 AQI 达到 500") % {"subject": subject}
    if condition.days == 1:
        text = _("%(subject)s日均 AQI 有 1 天 >%(above)s")
    else:
        text = _("%(subject)s日均 AQI 连续 %(days)s 天及以上 >%(above)s")
    text %= {"subject": subject, "days": condition.days, "above": condition.aqi_above}
    if condition.peak_days:
        text += _("，且其中至少 %(n)s 天 >%(peak)s") % {
            "n": condition.peak_days,
            "peak": condition.peak_above,
        }
    return text


def rule_text(level: int, conditions: Sequence[Condition], basis: str, rules: Rules) -> str:
    """One level's rule in words: 橙色预警：预报日均 AQI 连续 3 天及以上 >200，…（source）."""
    subject = _("预报区间上限") if basis == "upper" else _("预报")
    parts = _("；或").join(condition_text(c, subject) for c in conditions)
    source = warning_rules.SOURCE if rules == warning_rules.NATIONAL else _("本地配置")
    return _("%(level)s：%(rule)s（%(source)s）") % {
        "level": Level(level).label,
        "rule": parts,
        "source": source,
    }


def rules_described(rules: Rules | None = None, basis: str | None = None) -> list[str]:
    rules = current_rules() if rules is None else rules
    basis = current_basis() if basis is None else basis
    return [rule_text(level, cs, basis, rules) for level, cs in sorted(rules.items())]


# ---------------------------------------------------------------------------- recommending --


def aligned(days: Sequence[forecast.DayForecast], basis: str) -> tuple[list[dt.date], list[Any]]:
    """Consecutive dates from the first forecast day to the last, with the AQI judged (the
    point value or the interval's upper bound; None where a date has none)."""
    if not days:
        return [], []
    by_date = {d.date: (d.aqi_hi if basis == "upper" else d.aqi) for d in days}
    first, last = days[0].date, days[-1].date
    dates = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return dates, [by_date.get(d) for d in dates]


def active_level(now: dt.datetime) -> int:
    """The highest level of the warnings in force or declared to come at `now` (0: none)."""
    found = (
        Warning.objects.filter(ends_at__gt=now)
        .filter(Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=now))
        .order_by("-level")
        .values_list("level", flat=True)
        .first()
    )
    return int(found or 0)


def _lapse(now: dt.datetime, latest: dt.datetime | None) -> None:
    today = now.astimezone(CST).date()
    pending = Recommendation.objects.filter(status=Status.PENDING)
    with translation.override("zh-hans"):
        if latest is not None:
            pending.filter(issued_at__lt=latest).update(
                status=Status.LAPSED, reason=_("已被新一期预报取代")
            )
        pending.filter(last_date__lt=today).update(
            status=Status.LAPSED, reason=_("预报时段已过，未处理")
        )
        level = active_level(now)
        if level:
            pending.filter(level__lte=level).update(
                status=Status.LAPSED, reason=_("已有同级或更高级别的预警")
            )


def recommend(now: dt.datetime | None = None) -> list[Recommendation]:
    """The recommendations the district's latest forecast calls for, made now (none when they
    were made before: one per issue and level)."""
    now = now or timezone.now()
    region = district()
    if region is None:
        return []
    fc = forecast.for_region(region, now)
    _lapse(now, fc.issued_at)
    if fc.issued_at is None or not fc.days:
        return []
    rules, basis = current_rules(), current_basis()
    dates, aqis = aligned(fc.days, basis)
    found = warning_rules.called(rules, aqis)
    if found is None or active_level(now) >= found.level:
        return []
    # The days behind it: the window met, widened over the run of days above the line.
    start, end = found.start, found.end
    above = found.condition.aqi_above
    while start > 0 and (aqis[start - 1] or 0) > above:
        start -= 1
    while end < len(aqis) and (aqis[end] or 0) > above:
        end += 1
    in_rule = set(dates[start:end])
    snapshot = {
        "issued_at": fc.issued_at.isoformat(),
        "basis": basis,
        "stations": fc.stations,
        "days": [
            {
                "date": d.date.isoformat(),
                "lead": d.lead,
                "aqi": d.aqi,
                "aqi_lo": d.aqi_lo,
                "aqi_hi": d.aqi_hi,
                "level": d.level,
                "primary": list(d.primary),
                "in_rule": d.date in in_rule,
            }
            for d in fc.days
        ],
        "rules": warning_rules.to_json(rules),
        "condition": found.condition.as_dict(),
    }
    with translation.override("zh-hans"):
        text = rule_text(found.level, rules[found.level], basis, rules)
    rec, made = Recommendation.objects.get_or_create(
        issued_at=fc.issued_at,
        level=found.level,
        defaults={
            "created_at": now,
            "first_date": dates[0],
            "last_date": dates[-1],
            "forecast": snapshot,
            "rule": text[:255],
        },
    )
    return [rec] if made else []


def recommend_after_issue(now: dt.datetime) -> None:
    """The hook the air forecast job calls after an issue (air/forecast_hooks.py)."""
    recommend(now)


# ------------------------------------------------------------------------------ deciding --


def _check_reason(reason: Any) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise EmergencyError("reason", _("请填写不予采纳的理由"))
    return inputs.check_text("reason", reason.strip(), MAX_DISMISS_REASON)


def _locked(user: Account, recommendation_id: int) -> Recommendation:
    if not can_declare(user):
        raise NotAllowed("user", _("只有指挥中心可以处理预警建议"))
    rec = Recommendation.objects.select_for_update().filter(pk=recommendation_id).first()
    if rec is None:
        raise NoSuchRecommendation("recommendation", _("预警建议不存在"))
    if rec.status != Status.PENDING:
        raise Conflict("recommendation", _("该预警建议已处理或已失效"))
    return rec


def dismiss(
    user: Account, recommendation_id: int, reason: Any, *, now: dt.datetime | None = None
) -> Recommendation:
    """不予采纳: the command office records why not (required, at most 200 characters)."""
    now = now or timezone.now()
    with transaction.atomic():
        rec = _locked(user, recommendation_id)
        rec.reason = _check_reason(reason)
        rec.status = Status.DISMISSED
        rec.decided_by = recorded_user(user)
        rec.decided_at = now
        rec.save(update_fields=["reason", "status", "decided_by", "decided_at"])
    return rec


def declare_from(
    user: Account,
    recommendation_id: int,
    level: Any,
    starts_at: Any,
    ends_at: Any,
    reason: Any,
    *,
    now: dt.datetime | None = None,
) -> declaring.Declared:
    """发布预警 from a recommendation: declared as any warning is (declaring.declare), the
    recommendation linked to it in the same transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        rec = _locked(user, recommendation_id)
        done = declaring.declare(user, level, starts_at, ends_at, reason, now=now)
        rec.status = Status.DECLARED
        rec.warning = done.warning
        rec.decided_by = recorded_user(user)
        rec.decided_at = now
        rec.save(update_fields=["status", "warning", "decided_by", "decided_at"])
    return done


def declare_initial(rec: Recommendation, now: dt.datetime) -> dict[str, Any]:
    """The declare form filled from a recommendation: its level, from the first day the rule
    met (or now) to the end of its last, and the forecast as the reason."""
    days = rec.forecast.get("days", [])
    hit = [dt.date.fromisoformat(d["date"]) for d in days if d.get("in_rule")] or [rec.first_date]
    start = max(dt.datetime.combine(hit[0], dt.time(0), CST), now.astimezone(CST))
    end = dt.datetime.combine(hit[-1] + dt.timedelta(days=1), dt.time(0), CST)
    if end <= start:
        end = start + dt.timedelta(days=1)
    with translation.override("zh-hans"):
        strip = "、".join(
            _("%(date)s AQI %(aqi)s（%(lo)s–%(hi)s）")
            % {
                "date": d["date"][5:],
                "aqi": d.get("aqi") if d.get("aqi") is not None else "—",
                "lo": d.get("aqi_lo") if d.get("aqi_lo") is not None else "—",
                "hi": d.get("aqi_hi") if d.get("aqi_hi") is not None else "—",
            }
            for d in days
        )
        reason = _("预警建议：%(rule)s。预报（%(issued)s 发布）：%(strip)s。") % {
            "rule": rec.rule,
            "issued": timezone.localtime(rec.issued_at).strftime("%Y-%m-%d %H:%M"),
            "strip": strip,
        }
    return {"level": rec.level, "starts_at": start, "ends_at": end, "reason": reason}


def pending(now: dt.datetime) -> list[Recommendation]:
    """The recommendations awaiting a decision now (highest level, newest issue first): not
    lapsed by date, and not covered by a warning in force or to come."""
    today = now.astimezone(CST).date()
    return list(
        Recommendation.objects.filter(
            status=Status.PENDING, last_date__gte=today, level__gt=active_level(now)
        ).order_by("-level", "-issued_at")
    )


# ------------------------------------------------------------------------------- scoring --

HIT, FALSE_ALARM, WAITING, NO_DATA = "hit", "false_alarm", "waiting", "no_data"


def outcome_labels() -> dict[str, str]:
    return {
        HIT: _("命中"),
        FALSE_ALARM: _("空报"),
        WAITING: _("待验证"),
        NO_DATA: _("无实况数据"),
    }


def observed_aqi(region: Region | None, start: dt.date, end: dt.date) -> dict[dt.date, int | None]:
    """The district's observed daily AQI per date (None: no valid day)."""
    if region is None or end < start:
        return {}
    series = daily_series(region_units([region]), start, end)
    report = daily_aqi(series)
    first = date_number(start)
    return {
        start + dt.timedelta(days=int(n) - first): (int(v) if v >= 0 else None)
        for n, v in zip(series.days, report.aqi, strict=True)
    }


def outcome(rec: Recommendation, observed: dict[dt.date, int | None], today: dt.date) -> str:
    """Hit, false alarm, waiting (its dates not all past) or no data, from observed days."""
    if rec.last_date >= today:
        return WAITING
    span = (rec.last_date - rec.first_date).days + 1
    aqis = [observed.get(rec.first_date + dt.timedelta(days=i)) for i in range(span)]
    stored = rec.forecast.get("rules") or warning_rules.to_json(current_rules())
    conditions = warning_rules.from_json(stored).get(rec.level, ())
    if any(warning_rules.window(c, aqis) is not None for c in conditions):
        return HIT
    return NO_DATA if any(a is None for a in aqis) else FALSE_ALARM


@dataclass(frozen=True)
class Episode:
    """Observed days that met a level's rule."""

    first: dt.date
    last: dt.date
    level: int
    peak: int


def episodes(rules: Rules, observed: dict[dt.date, int | None]) -> list[Episode]:
    """The runs of observed days meeting some level's rule (overlapping windows merged), each
    with the highest level met within it."""
    if not observed:
        return []
    dates = sorted(observed)
    first = dates[0]
    span = (dates[-1] - first).days + 1
    aqis = [observed.get(first + dt.timedelta(days=i)) for i in range(span)]
    found = sorted(warning_rules.windows(rules, aqis))
    out: list[list[int]] = []
    for start, end, level in found:
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
            out[-1][2] = max(out[-1][2], level)
        else:
            out.append([start, end, level])
    return [
        Episode(
            first + dt.timedelta(days=s),
            first + dt.timedelta(days=e - 1),
            level,
            max(a for a in aqis[s:e] if a is not None),
        )
        for s, e, level in out
    ]


@dataclass
class Scoreboard:
    """The recommendations' record over [start, end] (end: yesterday)."""

    start: dt.date
    end: dt.date
    hits: int = 0
    false_alarms: int = 0
    misses: int = 0
    waiting: int = 0
    no_data: int = 0
    missed: list[Episode] = field(default_factory=list)
    outcomes: dict[int, str] = field(default_factory=dict)  # recommendation id → outcome


def scoreboard(
    now: dt.datetime, days: int = SCORE_DAYS, shown: Sequence[Recommendation] = ()
) -> Scoreboard:
    """Hits and false alarms of the recommendations whose dates end in the period, misses
    among its observed days, and the outcome of each recommendation in `shown` as well."""
    today = now.astimezone(CST).date()
    end = today - dt.timedelta(days=1)
    start = today - dt.timedelta(days=days)
    counted = list(Recommendation.objects.filter(last_date__gte=start))
    board = Scoreboard(start, end)
    everything = {r.pk: r for r in [*counted, *shown]}
    earliest = min([start, *(r.first_date for r in everything.values())])
    observed = observed_aqi(district(), earliest, end)
    for rec in everything.values():
        board.outcomes[rec.pk] = outcome(rec, observed, today)
    for rec in counted:
        result = board.outcomes[rec.pk]
        if rec.last_date > end:
            board.waiting += 1
        elif result == HIT:
            board.hits += 1
        elif result == FALSE_ALARM:
            board.false_alarms += 1
        elif result == NO_DATA:
            board.no_data += 1
    in_period = {d: v for d, v in observed.items() if start <= d <= end}
    for episode in episodes(current_rules(), in_period):
        covered = any(
            r.first_date <= episode.last and r.last_date >= episode.first for r in counted
        )
        if not covered:
            board.misses += 1
            board.missed.append(episode)
    return board


def history(now: dt.datetime, limit: int = HISTORY) -> list[Recommendation]:
    return list(Recommendation.objects.select_related("warning", "decided_by")[:limit])


# ------------------------------------------------------------------------------- the page --

COLOURS = {1: "yellow", 2: "orange", 3: "red"}


@dataclass(frozen=True)
class StripDay:
    date: dt.date
    lead: int
    aqi: int | None
    aqi_lo: int | None
    aqi_hi: int | None
    level: int  # AQI level 1–6, 0: none
    primary: list[str]
    in_rule: bool


def strip(rec: Recommendation) -> list[StripDay]:
    """The forecast days behind a recommendation, as stored."""
    return [
        StripDay(
            dt.date.fromisoformat(d["date"]),
            int(d.get("lead") or 0),
            d.get("aqi"),
            d.get("aqi_lo"),
            d.get("aqi_hi"),
            int(d.get("level") or 0),
            list(d.get("primary") or []),
            bool(d.get("in_rule")),
        )
        for d in rec.forecast.get("days", [])
    ]


@dataclass
class Row:
    rec: Recommendation
    colour: str
    days: list[StripDay]
    outcome: str
    outcome_label: str


@dataclass
class Panel:
    """The emergency page's recommendations: those awaiting a decision, the history with each
    one's outcome, and the counts over the scoring period."""

    pending: list[Row]
    history: list[Row]
    board: Scoreboard
    rules: list[str]
    basis: str


def _row(rec: Recommendation, board: Scoreboard) -> Row:
    result = board.outcomes.get(rec.pk, WAITING)
    return Row(rec, COLOURS[rec.level], strip(rec), result, outcome_labels()[result])


def panel(user: Account, now: dt.datetime) -> Panel | None:
    """What the page shows the account (None: it does not see the recommendations)."""
    if not can_read(user):
        return None
    waiting = pending(now)
    past = history(now)
    board = scoreboard(now, shown=[*waiting, *past])
    return Panel(
        [_row(r, board) for r in waiting],
        [_row(r, board) for r in past],
        board,
        rules_described(),
        current_basis(),
    )


def get_for(user: Account, recommendation_id: int) -> Recommendation | None:
    """The recommendation if the account sees recommendations and it exists."""
    if not can_read(user):
        return None
    return Recommendation.objects.filter(pk=recommendation_id).first()
