"""The command centre's pages, the desk and the phone home in English: AQI categories in English
(the overview's figures are cached for every language, so the label is chosen when the page is
rendered), the empty emergency state a proper phrase, never Python's "None" on a page."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
CATEGORIES_ZH = ("优", "良", "轻度污染", "中度污染", "重度污染", "严重污染", "无数据")
CATEGORIES_EN = ("Excellent", "Good", "Lightly polluted", "Moderately polluted")


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 0


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|template|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def texts_of(html: str, pattern: str) -> list[str]:
    """The visible text inside every element whose opening tag matches `pattern`."""
    out = []
    for m in re.finditer(rf"<(\w+)[^>]*{pattern}[^>]*>(.*?)</\1>", html, re.S):
        out.append(visible_text(m.group(2)).strip())
    return out


def english_page(client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def assert_no_none(html: str, path: str) -> None:
    found = re.findall(r".{0,40}\bNone\b.{0,20}", visible_text(html))
    assert not found, (path, found)


def test_overview_in_english(english, centre, crew):
    english.login(username="command", password=PASSWORD)
    html = english_page(english, "/overview/", HTTP_USER_AGENT="x")
    assert_no_none(html, "/overview/")
    labels = texts_of(html, 'class="cat"') + texts_of(html, 'class="levels"')
    assert labels and all(not HAN.search(t) for t in labels), labels
    levels = " ".join(texts_of(html, 'class="levels"'))
    for word in CATEGORIES_EN:
        assert word in levels
    assert "No data" in levels
    # no emergency in force: said in words
    assert "Not in force" in visible_text(html)


def test_wall_in_english(english, centre, crew):
    english.login(username="command", password=PASSWORD)
    html = english_page(english, "/overview/wall/")
    assert_no_none(html, "/overview/wall/")
    labels = texts_of(html, "data-cat=") + texts_of(html, 'id="wall-levels"')
    assert len(labels) == 3 and all(not HAN.search(t) for t in labels), labels
    legend = visible_text(html[html.index('id="map-legend"') :].split("</section>")[0])
    assert not HAN.search(legend), legend
    for word in CATEGORIES_ZH:
        assert word not in visible_text(html), word
    # the labels the refresh script writes come in English too
    config = re.search(r'<script id="overview-labels" type="application/json">(.*?)</script>', html)
    assert config
    categories = json.loads(config.group(1))["categories"]
    assert categories["1"] == "Excellent" and categories["0"] == "No data"
    assert "No emergency response in force" in visible_text(html)


def test_desk_and_phone_home_in_english(english, centre, crew):
    english.login(username="command", password=PASSWORD)
    desk = english_page(english, "/orders/")
    assert_no_none(desk, "/orders/")
    queues = texts_of(desk, 'class="queues"')
    assert queues and not HAN.search(queues[0]), queues
    assert "Waiting for me" in queues[0] and "Open" in queues[0]
    english.logout()
    english.cookies["django_language"] = "en"
    english.login(username="g1_worker", password=PASSWORD)
    phone = english_page(english, "/orders/m/")
    assert_no_none(phone, "/orders/m/")
    assert "My tasks" in visible_text(phone)


def test_the_chinese_pages_keep_their_chinese_categories(client, centre, crew):
    client.login(username="command", password=PASSWORD)
    html = client.get("/overview/wall/").content.decode()
    levels = " ".join(texts_of(html, 'id="wall-levels"'))
    for word in ("优", "良", "轻度污染", "严重污染", "无数据"):
        assert word in levels
