"""The bulletin's content: periods, the sections and their figures, a day with no data."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.bulletins import content
from gridgov.bulletins.periods import PeriodError, period_for
from gridgov.bulletins.services import issuer_of

TODAY = dt.date(2026, 12, 2)


def test_week_is_monday_to_sunday_containing_the_date():
    p = period_for("week", dt.date(2026, 11, 20), TODAY)  # a Friday
    assert (p.start, p.end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert (p.previous_start, p.previous_end) == (dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert (p.last_year_start, p.last_year_end) == (dt.date(2025, 11, 16), dt.date(2025, 11, 22))


def test_a_period_not_over_ends_at_the_date():
    p = period_for("week", dt.date(2026, 12, 1), TODAY)  # Tuesday of this week
    assert (p.start, p.end) == (dt.date(2026, 11, 30), dt.date(2026, 12, 1))
    m = period_for("month", dt.date(2026, 12, 2), TODAY)
    assert (m.start, m.end) == (dt.date(2026, 12, 1), dt.date(2026, 12, 2))
    assert (m.previous_start, m.previous_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 2))


def test_a_whole_month_compares_with_the_whole_month_before():
    p = period_for("month", dt.date(2026, 3, 15), TODAY)
    assert (p.start, p.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (p.previous_start, p.previous_end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@pytest.mark.parametrize(
    ("kind", "day", "field"),
    [("year", dt.date(2026, 11, 1), "period"), ("day", dt.date(2026, 12, 3), "date")],
)
def test_bad_periods_are_refused(kind, day, field):
    with pytest.raises(PeriodError) as caught:
        period_for(kind, day, TODAY)
    assert caught.value.field == field


def build(region, kind="month", day=dt.date(2026, 11, 30)):
    return content.build(region, period_for(kind, day, TODAY), issuer_of(region))


def test_month_content_ranks_streets_and_names_the_bottom(territory, air_data):
    c = build(territory["D"])
    assert [s.key for s in c.sections] == [
        "air",
        "ranking",
        "hotspots",
        "work",
        "emergency",
        "commands",
        "racing",
    ]
    street = c.section("ranking").data["street"]
    assert [(r["code"], r["rank"]) for r in street["ranked"]] == [("D-S1", 1), ("D-S2", 2)]
    # 东街道 is the mean of M1 and M2: 42 and 50 → 46; October M1 only: 60.
    east = street["ranked"][0]
    assert east["pm25"] == 46
    assert east["change_previous"] == -14.0
    assert street["bottom"] == ["D-S2"]
    text = " ".join(c.section("ranking").paragraphs)
    assert "倒数三名依次为：西街道" in text and "予以通报" in text
    air = c.section("air")
    assert air.data["targets"][0]["target"] == 38.0
    assert len(air.data["daily_pm25"]) == 30
    assert len(c.section("ranking").charts) == 2  # streets and communities


def test_a_street_bulletin_ranks_only_its_communities(territory, air_data):
    c = build(territory["D-S1"])
    ranking = c.section("ranking").data
    assert list(ranking) == ["community"]
    assert [r["code"] for r in ranking["community"]["ranked"]] == ["D-S1-C1"]
    assert ranking["community"]["bottom"] == []  # one unit: nobody is named


def test_orders_and_commands_by_unit(territory, air_data, orders, late_command):
    c = build(territory["D"])
    rows = {r["key"]: r for r in c.section("work").data["orders"]["rows"]}
    # Made on 10 November and never signed for: all three are past their deadline (as of now).
    assert rows["D-S1"]["received"] == 3 and rows["D-S1"]["overdue"] == 3
    assert rows["D-S1"]["escalated"] == 1
    assert rows["D-S2"]["received"] == 2 and rows["D-S2"]["escalated"] == 0
    pending = c.section("commands").data["not_acknowledged"]
    assert [p["unit"] for p in pending] == ["D-S1-C1"]
    # Issued 20 Nov 09:00, due 21 Nov 09:00; the period ends 1 Dec 00:00 (China time).
    assert pending[0]["hours_waiting"] == 255.0 and pending[0]["hours_late"] == 231.0


def test_a_command_acknowledged_in_the_period_is_not_listed(territory, crew, late_command):
    from gridgov.inbox import commands

    commands.acknowledge(
        late_command.pk, crew["east_secretary"], now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    )
    c = build(territory["D"])
    assert c.section("commands").data["not_acknowledged"] == []


def test_a_day_with_no_data_says_so(territory):
    c = build(territory["D"], "day", dt.date(2026, 11, 25))
    assert "无有效空气质量监测数据" in c.section("air").paragraphs[0]
    assert c.section("ranking").data["street"]["ranked"] == []
    assert "不参与排名" in " ".join(c.section("ranking").paragraphs)
    assert c.section("emergency").paragraphs == ["本期未启动重污染天气预警。"]
    assert c.section("work").data["orders"]["rows"] == []


def test_a_warning_in_the_period_reports_its_compliance(territory, crew, fronts):
    from gridgov.emergency import declaring
    from gridgov.emergency import services as emergency
    from gridgov.emergency.models import Level

    cst = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(2026, 11, 10, tzinfo=cst)
    done = declaring.declare(
        crew["command"],
        Level.ORANGE,
        start,
        start + dt.timedelta(days=3),
        "PM2.5 预计连续 3 天重度污染",
        now=start - dt.timedelta(hours=4),
    )
    c = build(territory["D"])
    section = c.section("emergency")
    [record] = section.data["warnings"]
    # The same figures as the warning's own record, as the command office sees it.
    theirs = emergency.compliance(done.warning, crew["command"]).total
    assert record["total"]["sources"] == theirs.sources > 0
    assert record["total"]["required"] == theirs.required
    assert record["total"]["recipients"] == theirs.recipients
    assert "启动橙色预警" in section.paragraphs[0] or "启动" in section.paragraphs[0]
    assert [row[0] for row in section.tables[0].rows] == ["东街道", "西街道"]
    # A week before the warning reports none.
    before = build(territory["D"], "week", dt.date(2026, 11, 3))
    assert before.section("emergency").data["warnings"] == []
