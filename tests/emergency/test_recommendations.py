"""预警建议: the trigger rules at their boundaries and as configured, recommendations made from
the district's forecast (idempotent, lapsing), declared or dismissed by the command office only,
scored against made-up observed days, on the page (zh-Hans) and in the API."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from gridgov.air.forecast_models import DailyForecast
from gridgov.emergency import declaring, recommending, warning_rules
from gridgov.emergency.models import Recommendation, RecommendationStatus, Warning
from gridgov.emergency.services import EmergencyError, NotAllowed
from gridgov.emergency.warning_rules import NATIONAL, Condition
from gridgov.inputs import InputError
from tests.air.conftest import make_stations, put_days
from tests.emergency.conftest import CST

pytestmark = pytest.mark.django_db

# PM2.5 (µg/m³) → its IAQI between 150 and 350 is the concentration + 50 (both HJ 633 editions):
# 150 → exactly 200, 151 → 201, 251 → 301; 500 and above → 500. (Below 150 the editions differ:
# those days are only "below 200" here.)


def pm(aqi: int) -> float:
    return 500.0 if aqi >= 500 else float(aqi - 50)


def called(aqis):
    found = warning_rules.called(NATIONAL, aqis)
    return found.level if found else None


# ----------------------------------------------------------------------------- the rules --


def test_the_national_rule_at_its_boundaries():
    assert called([201, 150, 120]) is None  # one day above 200: nothing
    assert called([200, 200, 200]) is None  # exactly 200 does not count
    assert called([201, 201, 100]) == 1  # two consecutive days: yellow
    assert called([100, 201, 250]) == 1
    assert called([201, 100, 201]) is None  # not consecutive
    assert called([201, 201, 201]) == 1  # three days without one above 300: still yellow
    assert called([201, 301, 201]) == 2  # three days with a 301: orange
    assert called([201, 300, 201]) == 1  # 300 is not above 300
    assert called([301, 301, 180]) == 1  # only two days above 200
    assert called([120, 500, 120]) == 3  # a day reaching 500: red
    assert called([499, 120, 120]) is None
    assert called([201, None, 201]) is None  # a day without a forecast breaks the run
    # the four-day branch of red is there, but a 3-day forecast never reaches it
    assert called([301, 301, 201, 201]) == 3 and called([301, 301, 201]) == 2
    found = warning_rules.called(NATIONAL, [120, 201, 301, 250])
    assert (found.level, found.start, found.end) == (2, 1, 4)


def test_configured_rules_are_read_and_bad_ones_named():
    rules = warning_rules.parse(
        '{"yellow": {"aqi_above": 150, "days": 1},'
        ' "red": [{"aqi_above": 200, "days": 2, "peak_above": 300, "peak_days": 1}]}'
    )
    assert rules == {1: (Condition(150, 1),), 3: (Condition(200, 2, 300, 1),)}
    assert warning_rules.called(rules, [151, 120]).level == 1
    assert warning_rules.called(rules, [201, 301]).level == 3
    assert warning_rules.parse("") == NATIONAL
    bad = [
        ("not json", "must be JSON"),
        ("[]", "must be an object"),
        ('{"purple": {"aqi_above": 200, "days": 2}}', "unknown levels purple"),
        ('{"yellow": {"days": 2}}', "yellow.aqi_above is required"),
        ('{"yellow": {"aqi_above": "200", "days": 2}}', "yellow.aqi_above must be a whole"),
        ('{"yellow": {"aqi_above": 200, "days": 0}}', "yellow.days must be a whole"),
        ('{"red": [{"aqi_above": 200, "days": 2, "peak_days": 1}]}', "red[0].peak_above is"),
        ('{"orange": {"aqi_above": 200, "days": 2, "peak_above": 300, "peak_days": 3}}', "peak"),
        ('{"yellow": {"aqi_above": 200, "days": 2, "hours": 48}}', "unknown keys hours"),
        ('{"yellow": []}', "at least one condition"),
    ]
    for text, message in bad:
        with pytest.raises(ValueError, match="GRIDGOV_WARNING_RULES") as info:
            warning_rules.parse(text)
        assert message in str(info.value), (text, str(info.value))
    with pytest.raises(ValueError, match="GRIDGOV_WARNING_BASIS"):
        warning_rules.parse_basis("median")


def test_a_bad_rule_setting_stops_the_start_naming_it(tmp_path):
    env = {
        **os.environ,
        "GRIDGOV_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        "GRIDGOV_WARNING_RULES": '{"yellow": {"aqi_above": 200, "days": 2, "peak_days": 1}}',
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode != 0
    assert "GRIDGOV_WARNING_RULES: yellow.peak_above is required" in result.stderr


# ------------------------------------------------------------------- from the forecast --


@pytest.fixture
def stations(territory):
    return make_stations(territory)


def issue(stations, now, aqis, spread=20.0, issued=None, first=1):
    """A forecast issued an hour before `now` for the district's two micro-stations: one day
    per AQI from `first` days after today, PM2.5 alone, with an interval of ± `spread`."""
    issued = issued or now - dt.timedelta(hours=1)
    today = now.astimezone(CST).date()
    for station in (stations["micro"], stations["micro2"]):
        for i, a in enumerate(aqis):
            value = pm(a)
            DailyForecast.objects.create(
                station=station,
                issued_at=issued,
                date=today + dt.timedelta(days=first + i),
                lead=first + i,
                pm25=value,
                pm25_lo=max(0.0, value - spread),
                pm25_hi=value + spread,
            )
    return issued


@pytest.mark.dates
def test_a_recommendation_is_made_once_per_issue_and_level(stations, clock):
    now = clock.now()
    assert recommending.recommend(now) == []  # no forecast yet
    issued = issue(stations, now, [120, 221, 230])
    made = recommending.recommend(now)
    assert [r.level for r in made] == [1]
    rec = made[0]
    assert rec.status == RecommendationStatus.PENDING and rec.issued_at == issued
    today = now.astimezone(CST).date()
    assert (rec.first_date, rec.last_date) == (today + dt.timedelta(1), today + dt.timedelta(3))
    days = rec.forecast["days"]
    assert days[0]["aqi"] < 200 and not days[0]["in_rule"]  # (a low day: not on the line)
    assert [(d["aqi"], d["in_rule"]) for d in days[1:]] == [(221, True), (230, True)]
    assert [(d["aqi_lo"], d["aqi_hi"]) for d in days[1:]] == [(201, 241), (210, 250)]
    assert rec.forecast["issued_at"] == issued.isoformat()
    assert rec.forecast["condition"] == {
        "aqi_above": 200,
        "days": 2,
        "peak_above": None,
        "peak_days": 0,
    }
    assert rec.rule == "黄色预警：预报日均 AQI 连续 2 天及以上 >200（环办大气函〔2018〕875号）"
    # the job runs again (hourly, or the hook after the same issue): nothing new
    assert recommending.recommend(now) == [] and recommending.recommend(now) == []
    assert Recommendation.objects.count() == 1
    # a newer issue calling orange: a new recommendation, the old pending one lapses
    later = now + dt.timedelta(minutes=30)
    issue(stations, later, [201, 301, 230], issued=now)
    assert [r.level for r in recommending.recommend(later)] == [2]
    rec.refresh_from_db()
    assert rec.status == RecommendationStatus.LAPSED and rec.reason == "已被新一期预报取代"
    assert [r.level for r in recommending.pending(later)] == [2]


@pytest.mark.dates
def test_the_whole_run_above_the_line_is_behind_it(stations, clock):
    now = clock.now()
    issue(stations, now, [230, 221, 240])  # yellow needs two days; all three are above 200
    rec = recommending.recommend(now)[0]
    assert rec.level == 1
    assert [d["in_rule"] for d in rec.forecast["days"]] == [True, True, True]


@pytest.mark.dates
def test_red_from_a_day_reaching_500_and_none_under_a_warning_as_high(stations, clock, users):
    now = clock.now()
    issue(stations, now, [120, 520, 200])
    made = recommending.recommend(now)
    assert [r.level for r in made] == [3]
    assert "达到 500" in made[0].rule
    Recommendation.objects.all().delete()
    # an orange warning in force: an orange forecast recommends nothing, and a pending one lapses
    issue(stations, now, [201, 301, 201], issued=now - dt.timedelta(minutes=30))
    pending = recommending.recommend(now)
    assert [r.level for r in pending] == [2]
    declaring.declare(users["command"], 2, now, now + dt.timedelta(days=3), "人工发布", now=now)
    assert recommending.pending(now) == []  # at once, at read time
    assert recommending.recommend(now) == []
    pending[0].refresh_from_db()
    assert pending[0].status == RecommendationStatus.LAPSED
    assert pending[0].reason == "已有同级或更高级别的预警"


@pytest.mark.dates
def test_the_upper_bound_basis(stations, clock, settings):
    now = clock.now()
    issue(stations, now, [190, 195, 120], spread=15.0)  # upper bounds 205, 210
    assert recommending.recommend(now) == []
    settings.GRIDGOV_WARNING_BASIS = "upper"
    made = recommending.recommend(now)
    assert [r.level for r in made] == [1]
    assert made[0].rule.startswith("黄色预警：预报区间上限日均 AQI 连续 2 天及以上 >200")


# ------------------------------------------------------------------------- deciding --


@pytest.fixture
def pending_rec(stations, clock):
    now = clock.now()
    issue(stations, now, [201, 301, 230])
    return recommending.recommend(now)[0]


@pytest.mark.dates
def test_dismiss_needs_the_command_office_and_a_reason(pending_rec, users, s1_official, clock):
    # a street official issues commands, but only the command office decides (403)
    for name in ("s1_official", "east_secretary", "g1_leader", "nobody"):
        with pytest.raises(NotAllowed):
            recommending.dismiss(users[name], pending_rec.pk, "不采纳")
    with pytest.raises(EmergencyError) as info:
        recommending.dismiss(users["command"], pending_rec.pk + 1000, "不采纳")
    assert info.value.kind == "not_found"
    for reason in ("", "   ", None):
        with pytest.raises(EmergencyError) as info:
            recommending.dismiss(users["command"], pending_rec.pk, reason)
        assert info.value.field == "reason"
    with pytest.raises(InputError) as info:
        recommending.dismiss(users["command"], pending_rec.pk, "长" * 201)
    assert info.value.field == "reason"
    with pytest.raises(InputError) as info:
        recommending.dismiss(users["command"], pending_rec.pk, "坏\u0001字")
    assert info.value.field == "reason"
    rec = recommending.dismiss(users["command"], pending_rec.pk, "长" * 200)
    assert rec.status == RecommendationStatus.DISMISSED and rec.decided_by == users["command"]
    with pytest.raises(EmergencyError) as info:
        recommending.dismiss(users["command"], pending_rec.pk, "再次")
    assert info.value.kind == "conflict"
    # dismissed: the same issue does not recommend it again
    assert recommending.recommend(clock.now()) == []


@pytest.mark.dates
def test_declare_from_a_recommendation_links_the_warning(pending_rec, users, s1_official, clock):
    now = clock.now()
    initial = recommending.declare_initial(pending_rec, now)
    assert initial["level"] == 2 and "预警建议：橙色预警" in initial["reason"]
    assert "AQI 301（281–321）" in initial["reason"]
    first = pending_rec.first_date
    assert initial["starts_at"] == dt.datetime.combine(first, dt.time(0), CST)
    assert initial["ends_at"] == dt.datetime.combine(first + dt.timedelta(3), dt.time(0), CST)
    with pytest.raises(NotAllowed):
        recommending.declare_from(users["s1_official"], pending_rec.pk, **initial, now=now)
    assert not Warning.objects.exists()
    done = recommending.declare_from(users["command"], pending_rec.pk, **initial, now=now)
    pending_rec.refresh_from_db()
    assert pending_rec.status == RecommendationStatus.DECLARED
    assert pending_rec.warning == done.warning and done.warning.level == 2
    assert pending_rec.decided_by == users["command"]
    with pytest.raises(EmergencyError) as info:
        recommending.declare_from(users["command"], pending_rec.pk, **initial, now=now)
    assert info.value.kind == "conflict" and Warning.objects.count() == 1


# --------------------------------------------------------------------------- scoring --


def observed(stations, first, aqis):
    """Made-up observed days at the district's micro-station (PM2.5 decides the AQI)."""
    put_days(stations["micro"], first, [pm(a) for a in aqis])


@pytest.mark.dates
def test_scoring_hits_false_alarms_and_misses(stations, clock):
    now = clock.now()
    today = now.astimezone(CST).date()
    day = dt.timedelta(days=1)
    issue(stations, now, [221, 301, 230])
    hit = recommending.recommend(now)[0]  # orange, for today+1 … today+3
    assert recommending.scoreboard(now).outcomes[hit.pk] == recommending.WAITING
    # an earlier yellow recommendation whose days stayed clean: a false alarm
    false_alarm = Recommendation.objects.create(
        level=1,
        issued_at=now - 12 * day,
        created_at=now - 12 * day,
        first_date=today - 11 * day,
        last_date=today - 9 * day,
        forecast={"days": [], "rules": warning_rules.to_json(NATIONAL)},
        rule="黄色预警",
        status=RecommendationStatus.DISMISSED,
        reason="不采纳",
    )
    observed(stations, today - 11 * day, [180, 201, 120])  # only one day above 200
    # days that met the yellow rule with no recommendation: a miss
    observed(stations, today - 30 * day, [120, 251, 260, 120])
    # the orange recommendation's days as they came: 201, 301, 230 — its rule met
    observed(stations, today + day, [201, 301, 230])
    later = now + 5 * day
    board = recommending.scoreboard(later)
    assert board.outcomes[hit.pk] == recommending.HIT
    assert board.outcomes[false_alarm.pk] == recommending.FALSE_ALARM
    assert (board.hits, board.false_alarms, board.misses) == (1, 1, 1)
    assert board.missed == [
        recommending.Episode(today - 29 * day, today - 28 * day, 1, 260),
    ]
    # the same orange forecast against days that did not reach 300: a false alarm
    from gridgov.air.models import DailyAggregate

    DailyAggregate.objects.filter(day__gte=today + day).delete()
    observed(stations, today + day, [201, 290, 230])
    board = recommending.scoreboard(later)
    assert board.outcomes[hit.pk] == recommending.FALSE_ALARM
    assert (board.hits, board.false_alarms, board.misses) == (0, 2, 1)
    # before the misses' days the period holds nothing of them
    assert recommending.scoreboard(later, days=20).misses == 0


# ------------------------------------------------------------------------------ the page --


@pytest.mark.dates
def test_the_page_shows_the_recommendation_and_declares_from_it(pending_rec, login, clock):
    client = login("command")
    html = client.get("/emergency/").content.decode()
    assert f'id="rec-{pending_rec.pk}"' in html and "em-orange" in html
    assert "预警建议：橙色预警" in html and "待处理" in html
    assert "预报日均 AQI 连续 3 天及以上 &gt;200，且其中至少 1 天 &gt;300" in html
    assert "环办大气函〔2018〕875号" in html
    assert 'em-aqi lvl-6">301</b>' in html and "281–321" in html and 'lvl-5">201<' in html
    issued = pending_rec.issued_at.astimezone(CST).strftime("%Y-%m-%d %H:%M")
    assert f"依据 {issued} 发布的全区预报" in html
    assert f'href="?recommendation={pending_rec.pk}#declare"' in html and "不予采纳" in html
    assert "命中 0" in html and "空报 0" in html and "漏报 0" in html
    assert " style=" not in html
    # 发布预警: the declare form filled from the recommendation
    form = client.get(f"/emergency/?recommendation={pending_rec.pk}")
    html = form.content.decode()
    assert form.status_code == 200 and "依据预警建议" in html
    initial = form.context["form"].initial
    assert initial["level"] == 2 and initial["recommendation"] == pending_rec.pk
    assert client.get("/emergency/?recommendation=999999").status_code == 404
    assert client.get("/emergency/?recommendation=x").status_code == 400
    data = {
        "level": "2",
        "starts_at": initial["starts_at"].astimezone(CST).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": initial["ends_at"].astimezone(CST).strftime("%Y-%m-%dT%H:%M"),
        "reason": initial["reason"],
        "recommendation": str(pending_rec.pk),
        "confirm": "1",
    }
    done = client.post("/emergency/", data)
    w = Warning.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/emergency/{w.pk}/"
    pending_rec.refresh_from_db()
    assert pending_rec.status == RecommendationStatus.DECLARED and pending_rec.warning == w
    html = client.get("/emergency/").content.decode()
    assert f'id="rec-{pending_rec.pk}"' not in html and "已发布预警" in html and "待验证" in html


@pytest.mark.dates
def test_dismissing_on_the_page(pending_rec, login, s1_official):
    url = f"/emergency/recommendations/{pending_rec.pk}/dismiss/"
    assert login("s1_official").post(url, {"reason": "x"}).status_code == 403
    assert login("g1_leader").post(url, {"reason": "x"}).status_code == 403
    # the street official does not see recommendations at all
    assert "预警建议" not in login("s1_official").get("/emergency/").content.decode()
    client = login("command")
    assert client.get(url).status_code == 405
    assert (
        client.post("/emergency/recommendations/999999/dismiss/", {"reason": "x"}).status_code
        == 404
    )
    r = client.post(url, {"reason": ""}, follow=True)
    assert "reason:" in r.content.decode()
    r = client.post(url, {"reason": "长" * 201}, follow=True)
    assert "reason:" in r.content.decode()
    pending_rec.refresh_from_db()
    assert pending_rec.status == RecommendationStatus.PENDING
    r = client.post(url, {"reason": "扩散条件好于预报"}, follow=True)
    html = r.content.decode()
    assert "已记录不予采纳" in html and "扩散条件好于预报" in html
    pending_rec.refresh_from_db()
    assert pending_rec.status == RecommendationStatus.DISMISSED
    assert f'id="rec-{pending_rec.pk}"' not in html


# ------------------------------------------------------------------------------- the API --


@pytest.mark.dates
def test_the_api_lists_dismisses_and_declares_from_recommendations(
    pending_rec, client, bearer, s1_official, stations, clock
):
    command = bearer("command")
    r = client.get("/api/v1/emergency/recommendations", **command)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["pending"] == [pending_rec.pk] and body["basis"] == "value"
    assert body["rules"][0].startswith("黄色预警：预报日均 AQI 连续 2 天及以上 >200")
    assert "达到 500" in body["rules"][2]
    item = body["items"][0]
    assert (item["id"], item["level"], item["colour"], item["status"]) == (
        pending_rec.pk,
        2,
        "orange",
        "pending",
    )
    assert [(d["aqi"], d["in_rule"]) for d in item["days"]][1] == (301, True)
    assert item["outcome"] == "waiting"
    assert body["score"]["hits"] == 0 and body["score"]["waiting"] == 1
    assert client.get("/api/v1/emergency/recommendations?days=0", **command).status_code == 400
    for name in ("s1_official", "g1_leader"):
        headers = bearer(name)
        assert client.get("/api/v1/emergency/recommendations", **headers).status_code == 403
        r = client.post(
            f"/api/v1/emergency/recommendations/{pending_rec.pk}/dismiss",
            {"reason": "x"},
            content_type="application/json",
            **headers,
        )
        assert r.status_code == 403
    url = f"/api/v1/emergency/recommendations/{pending_rec.pk}/dismiss"

    def dismiss(body, path=url):
        return client.post(path, body, content_type="application/json", **command)

    for bad in ({}, {"reason": ""}, {"reason": "  "}, {"reason": "长" * 201}):
        r = dismiss(bad)
        assert r.status_code == 400, (bad, r.content)
        # named: `reason` (the boundary) or `payload.reason` (missing from the body)
        assert [e["field"].split(".")[-1] for e in r.json()["errors"]] == ["reason"], r.json()
    assert (
        dismiss({"reason": "x"}, "/api/v1/emergency/recommendations/999999/dismiss").status_code
        == 404
    )
    r = dismiss({"reason": "扩散条件好于预报"})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert r.json()["reason"] == "扩散条件好于预报"
    assert dismiss({"reason": "again"}).status_code == 409
    # declaring from a newer recommendation through the warnings API links them
    later = clock.now() + dt.timedelta(minutes=5)
    issue(stations, later, [221, 230, 120], issued=clock.now())
    yellow = recommending.recommend(later)[0]
    start = later.replace(microsecond=0)
    declared = client.post(
        "/api/v1/emergency/warnings",
        {
            "level": 1,
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(days=2)).isoformat(),
            "reason": "依据预警建议",
            "recommendation": yellow.pk,
        },
        content_type="application/json",
        **command,
    )
    assert declared.status_code == 201, declared.content
    yellow.refresh_from_db()
    assert (
        yellow.status == RecommendationStatus.DECLARED
        and yellow.warning_id == declared.json()["id"]
    )


# ------------------------------------------------------------------- hook, job, settings --


@pytest.mark.dates
def test_the_forecast_hook_and_the_hourly_job_make_it(stations, clock):
    from huey.contrib.djhuey import HUEY

    from gridgov.air import forecast_hooks
    from gridgov.emergency import tasks

    now = clock.now()
    issue(stations, now, [221, 230, 120])
    forecast_hooks.issued(now)  # what the forecast job calls after an issue (air never imports us)
    rec = Recommendation.objects.get()
    assert rec.level == 1
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 12, 7, 9, 17))}
    assert "warning_recommendations" in due
    tasks.warning_recommendations.call_local()  # the same issue: nothing new
    assert list(Recommendation.objects.all()) == [rec]


@pytest.mark.dates
def test_a_configured_rule_set_is_applied_and_named(stations, clock, settings):
    settings.GRIDGOV_WARNING_RULES = warning_rules.parse(
        '{"yellow": {"aqi_above": 150, "days": 1}, "orange": {"aqi_above": 200, "days": 2}}'
    )
    now = clock.now()
    issue(stations, now, [221, 230, 120])
    rec = recommending.recommend(now)[0]
    assert rec.level == 2
    assert rec.rule == "橙色预警：预报日均 AQI 连续 2 天及以上 >200（本地配置）"
    assert rec.forecast["rules"] == {
        "yellow": [{"aqi_above": 150, "days": 1, "peak_above": None, "peak_days": 0}],
        "orange": [{"aqi_above": 200, "days": 2, "peak_above": None, "peak_days": 0}],
    }
