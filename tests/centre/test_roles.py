"""Every role lands on its own unit: `/` on a desktop leads each account to an overview framed
by its own unit's outline (and, below the street, its grids), with its own figures and no other
unit's names; a grid without stations says so and lists the nearest ones with their distance."""

from __future__ import annotations

import pytest

from gridgov.centre import overview as ov
from tests.conftest import _person

pytestmark = pytest.mark.django_db

DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120"

NAMES = {
    "D": "测试区",
    "D-S1": "东街道",
    "D-S2": "西街道",
    "D-S1-C1": "东一社区",
    "D-S2-C2": "西一社区",
    "D-S1-C1-G1": "东一第1网格",
    "D-S1-C1-G2": "东一第2网格",
    "D-S2-C2-G3": "西一第1网格",
}

# username → (own units, grids on its map)
ROLES = {
    "command": (["D"], None),
    "reviewer": (["D"], None),
    "s1_official": (["D-S1"], None),
    "east_secretary": (["D-S1-C1"], {"D-S1-C1-G1", "D-S1-C1-G2"}),
    "g1_leader": (["D-S1-C1-G1"], {"D-S1-C1-G1"}),
    "g1_worker": (["D-S1-C1-G1"], {"D-S1-C1-G1"}),
}


@pytest.fixture(autouse=True)
def uncached(settings):
    from django.core.cache import cache

    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def accounts(centre, crew, territory):
    reviewer = _person("审核员", "13900000009", "data_reviewer", territory["D"], "reviewer")
    g2 = _person("孙网格", "13900000011", "grid_worker", territory["D-S1-C1-G2"], "g2_worker")
    return {**crew, "reviewer": reviewer.user, "g2_worker": g2.user}


def others(own: list[str]) -> set[str]:
    """Names of units neither inside the viewer's units nor above them."""
    return {
        name
        for code, name in NAMES.items()
        if not any(code.startswith(o) or o.startswith(code) for o in own)
    }


@pytest.mark.parametrize("username", list(ROLES))
def test_each_role_lands_on_its_own_unit(client, accounts, username):
    own, grids = ROLES[username]
    client.force_login(accounts[username])
    landing = client.get("/", HTTP_USER_AGENT=DESKTOP)
    assert landing.status_code == 302 and landing.url == "/overview/"
    page = client.get(landing.url, HTTP_USER_AGENT=DESKTOP)
    assert page.status_code == 200
    o = page.context["o"]
    assert [u.code for u in o.units] == own
    html = page.content.decode()
    for name in others(own):
        assert name not in html, (username, name)
    # the map: framed by the unit's outline; below the street its grids are drawn at once
    data = client.get("/api/v1/overview/map?layers=units,grids").json()
    assert [u["code"] for u in data["units"]] == own
    assert all(u["geometry"]["type"] in ("Polygon", "MultiPolygon") for u in data["units"])
    names = {g["name"] for g in data["grids"]}
    assert not names & others(own)
    assert page.context["map_config"]["local"] is (grids is not None)
    if grids is None:
        assert o.local is None
    else:
        assert {g["code"] for g in data["grids"]} == grids
        assert {g.code for g in o.local.grids} == grids


def test_the_community_sees_its_grids_figures(accounts):
    o = ov.overview(accounts["east_secretary"], ov.timezone.localdate())
    assert o.local.level == 3
    grids = {g.code: g for g in o.local.grids}
    assert (grids["D-S1-C1-G1"].stations, grids["D-S1-C1-G2"].stations) == (2, 0)
    assert grids["D-S1-C1-G1"].aqi is not None and grids["D-S1-C1-G2"].aqi is None
    assert (grids["D-S1-C1-G1"].open, grids["D-S1-C1-G1"].overdue) == (2, 1)
    assert grids["D-S1-C1-G2"].open == 0
    assert o.local.own_stations == 2 and all(s.inside for s in o.local.stations)


def test_the_grid_sees_its_orders_by_urgency_and_its_stations(accounts, centre):
    o = ov.overview(accounts["g1_worker"], ov.timezone.localdate())
    assert o.local.level == 4
    assert o.local.own_stations == 2
    assert {s.code for s in o.local.stations} == {"M1", "M2"}
    assert all(s.distance_m == 0 and s.url for s in o.local.stations)
    assert o.local.orders_open == 2
    first = o.local.orders[0]
    assert first.id == centre.g1_order and first.urgency == "red"  # the overdue one first
    assert "西边的工地" not in [r.title for r in o.local.orders]


def test_a_grid_without_stations_says_so_and_lists_the_nearest(client, accounts):
    user = accounts["g2_worker"]
    o = ov.overview(user, ov.timezone.localdate())
    assert o.air.stations == 0
    near = o.local.stations
    assert o.local.own_stations == 0 and len(near) == 3
    assert [s.code for s in near[:2]] in (["M1", "M2"], ["M2", "M1"])  # G1, next door
    assert near[2].code == "M3"  # 西街道, farther
    distances = [s.distance_m for s in near]
    assert distances == sorted(distances) and distances[0] > 1000
    assert not any(s.inside for s in near)
    assert all(s.url is None for s in near)  # outside the worker's grid: no page to open
    assert near[0].aqi is not None
    client.force_login(user)
    html = client.get("/overview/").content.decode()
    assert "本单位无监测站点" in html
    assert "0/0" not in html and ">NA<" not in html
    assert "相距" in html


def test_the_api_gives_the_same_local_figures(client, accounts):
    client.force_login(accounts["g2_worker"])
    data = client.get("/api/v1/overview").json()  # checked against the OpenAPI document
    local = data["local"]
    assert local["level"] == 4 and local["own_stations"] == 0
    assert [s["code"] for s in local["stations"]][2] == "M3"
    assert all(s["url"] is None and s["distance_m"] > 0 for s in local["stations"])
    client.force_login(accounts["command"])
    assert client.get("/api/v1/overview").json()["local"] is None


@pytest.mark.parametrize("username", ["east_secretary", "g1_worker", "g2_worker"])
def test_every_local_link_answers(client, accounts, username):
    user = accounts[username]
    local = ov.overview(user, ov.timezone.localdate()).local
    links = [local.orders_url, local.sources_url, local.due_url]
    links += [s.url for s in local.stations if s.url] + [g.url for g in local.grids]
    links += [r.url for r in local.orders] + [s.url for s in local.sources]
    links += [d.url for d in local.due]
    client.force_login(user)
    for address in links:
        assert client.get(address).status_code == 200, (username, address)
