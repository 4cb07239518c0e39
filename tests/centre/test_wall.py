"""The wall screen (/overview/wall/) in a district of eight streets: every street is on the page
in every list (the script turns the pages; nothing is cut off in the HTML), the last-ranked
street is pinned, every empty panel says so, the clock starts from the server's China time, and
the JSON the wall refreshes from carries that time too."""

from __future__ import annotations

import datetime as dt
import re
import time
from html import unescape

import pytest
from django.utils import timezone

from gridgov.centre.overview import RankRow
from gridgov.centre.views import split_last
from tests.centre.conftest import STREETS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_air_cache(settings):
    """Each test computes its own figures (the air part is otherwise cached per scope and day)."""
    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 0


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, element_id
    return match.group(2)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|template|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_every_street_is_on_the_wall_and_the_last_is_pinned(client, eight_streets):
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/wall/").content.decode()
    ranked = section(html, "wall-ranking")
    last = section(html, "wall-ranking-last")
    orders = section(html, "wall-orders")
    for name in STREETS:
        assert name in orders, name
        assert name in ranked + last, name
    # the worst street (highest PM2.5) is the last rank, pinned below the pages
    assert "八街道" in last and "八街道" not in ranked
    assert "末位" in last
    assert ">8<" in last
    # the test territory's own two streets, without data, are listed apart, not left out
    apart = section(html, "wall-ranking-apart")
    assert "东街道" in apart and "西街道" in apart
    # pages, not a cut: the lists name their pager and carry no row limit
    assert 'data-pager="pager-ranking"' in html and 'data-pager="pager-orders"' in html
    assert 'data-max="6"' not in html and "slice" not in html


def test_the_wall_api_lists_every_street(client, eight_streets):
    client.login(username="command", password=PASSWORD)
    data = client.get("/api/v1/overview").json()
    assert [r["name"] for r in data["ranking"]["rows"]] == STREETS
    assert {u["name"] for u in data["orders"]["by_unit"]} >= set(STREETS)


def test_every_empty_panel_says_so(client, eight_streets):
    """No live hours (so no worst stations), no alarm, no target: each panel says what it lacks."""
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/wall/").content.decode()
    assert "暂无实时数据。" in section(html, "wall-worst")
    assert "没有进行中的报警。" in section(html, "wall-alarms")
    assert "没有生效的目标。" in section(html, "wall-targets")
    # and the script's redraw has the same texts for when a list empties later
    assert 'data-empty="没有进行中的报警。"' in html
    assert 'data-empty="暂无实时数据。"' in html


def test_an_unranked_period_says_why(client, crew):
    """The test territory's streets have no data: no ranking, with the reason, and both streets
    still listed (apart)."""
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/wall/").content.decode()
    assert "本期数据不足，暂不排名。" in section(html, "wall-ranking")
    apart = section(html, "wall-ranking-apart")
    assert "东街道" in apart and "西街道" in apart
    assert section(html, "wall-ranking-last").strip() == ""


def test_the_clock_starts_from_the_servers_china_time(client, crew):
    client.login(username="command", password=PASSWORD)
    before = time.time() * 1000
    html = client.get("/overview/wall/").content.decode()
    after = time.time() * 1000
    clock = re.search(
        r'<time id="clock"[^>]*data-now="(\d+)" data-tz="(-?\d+)">([^<]+)</time>', html
    )
    assert clock, "the clock carries the server's time"
    ms, minutes, shown = int(clock.group(1)), int(clock.group(2)), clock.group(3)
    assert before - 1000 <= ms <= after + 1000
    assert minutes == 480  # Asia/Shanghai
    china = dt.datetime.fromtimestamp(ms / 1000, dt.timezone(dt.timedelta(hours=8)))
    assert shown == china.strftime("%Y-%m-%d %H:%M:%S")
    assert "北京时间" in html
    # the JSON the wall refreshes from carries the server's time as well
    data = client.get("/api/v1/overview").json()
    generated = dt.datetime.fromisoformat(data["generated_at"].replace("Z", "+00:00"))
    assert generated.tzinfo is not None
    assert abs((generated - timezone.now()).total_seconds()) < 60


def test_the_map_has_a_legend(client, crew):
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/wall/").content.decode()
    start = html.index('id="map-legend"')
    legend = html[start : html.index("</section>", start)]
    for word in ("优", "良", "轻度污染", "中度污染", "重度污染", "严重污染", "无数据"):
        assert word in legend
    for word in ("未结工单", "超期工单", "污染源", "项目"):
        assert word in legend


def test_the_wall_in_english(client, eight_streets):
    client.cookies["django_language"] = "en"
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/wall/").content.decode()
    text = visible_text(html)
    assert not re.search(r"\bNone\b", text)
    assert "Beijing time" in text
    levels = visible_text(section(html, "wall-levels"))
    assert "Excellent" in levels and "Severely polluted" in levels
    assert not re.search(r"[\u4e00-\u9fff]", levels), levels
    assert "Last" in section(html, "wall-ranking-last")


def _row(rank: int | None, code: str) -> RankRow:
    return RankRow(rank, code, code, 1.0, None, None, None, None, "/")


def test_split_last_pins_every_unit_of_the_last_rank():
    rows = [_row(1, "a"), _row(2, "b"), _row(3, "c"), _row(3, "d")]
    head, last = split_last(rows)
    assert [r.code for r in head] == ["a", "b"] and [r.code for r in last] == ["c", "d"]
    assert split_last([]) == ([], [])
    assert split_last([_row(None, "x")]) == ([_row(None, "x")], [])
