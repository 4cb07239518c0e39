"""The maps' base layer: the tile settings (checked, and the only image host the policy adds),
the public boundaries endpoint (streets and communities, simplified, labelled, cached under the
boundary revision), and what the pages hand to basemap.js."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from shapely.geometry import Point, shape

from gridgov.web import tiles

TDT = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk=KEY"
)


def test_tile_hosts_are_exact_one_per_subdomain():
    assert tiles.hosts("", "") == []
    assert tiles.hosts("http://tiles.intra:8080/{z}/{x}/{y}.png", "") == ["http://tiles.intra:8080"]
    assert tiles.hosts(TDT, "01") == ["https://t0.tianditu.gov.cn", "https://t1.tianditu.gov.cn"]
    assert tiles.hosts("https://{s}.tile.example/{z}/{x}/{y}.png", "a,b") == [
        "https://a.tile.example",
        "https://b.tile.example",
    ]


@pytest.mark.parametrize(
    ("url", "subdomains", "problem"),
    [
        ("ftp://x/{z}/{x}/{y}", "", "http"),
        ("https://x/{z}/{x}.png", "", "{y}"),
        ("https://t{s}.x/{z}/{x}/{y}", "", "SUBDOMAINS"),
        ("https://x/{s}/{z}/{x}/{y}", "ab", "host"),
    ],
)
def test_bad_tile_urls_are_refused(url, subdomains, problem):
    with pytest.raises(ValueError, match=problem):
        tiles.check_url(url, subdomains)


def _settings_with(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "gridgov.settings", **env},
        timeout=120,
    )


def test_policy_allows_images_from_the_tile_host_only():
    plain = _settings_with({"GRIDGOV_TILES_URL": ""})
    assert json.loads(plain.stdout) == ["'self'", "data:", "blob:"]
    configured = _settings_with({"GRIDGOV_TILES_URL": TDT, "GRIDGOV_TILES_SUBDOMAINS": "01"})
    assert json.loads(configured.stdout)[3:] == [
        "https://t0.tianditu.gov.cn",
        "https://t1.tianditu.gov.cn",
    ]
    refused = _settings_with({"GRIDGOV_TILES_URL": "https://x/{z}/{x}.png"})
    assert refused.returncode != 0 and "{y}" in refused.stderr


def test_boundaries_are_public_labelled_and_simplified(client, territory):
    response = client.get("/map/boundaries.geojson")
    assert response.status_code == 200 and "max-age" in response["Cache-Control"]
    features = response.json()["features"]
    by_code = {f["properties"]["code"]: f for f in features}
    assert set(by_code) == {"D-S1", "D-S2", "D-S1-C1", "D-S2-C2"}  # no district, no grids
    east = by_code["D-S1"]
    assert east["properties"]["name"] == "东街道" and east["properties"]["level"] == "street"
    lat, lon = east["properties"]["label"]
    assert shape(east["geometry"]).buffer(1e-6).contains(Point(lon, lat))
    assert by_code["D-S1-C1"]["properties"]["parent"] == territory["D-S1"].pk
    assert set(east["properties"]) == {"id", "code", "name", "level", "parent", "label"}


def test_boundaries_are_cached_under_the_boundary_revision(client, territory):
    from gridgov.territory.models import Region
    from gridgov.territory.services import bump_revision

    def west_name() -> str:
        features = client.get("/map/boundaries.geojson").json()["features"]
        return next(f for f in features if f["properties"]["code"] == "D-S2")["properties"]["name"]

    assert west_name() == "西街道"
    Region.objects.filter(code="D-S2").update(name="西城街道")  # behind the write path's back
    assert west_name() == "西街道"  # the cached answer
    bump_revision()  # what every boundary write does
    assert west_name() == "西城街道"


def test_pages_hand_basemap_js_its_settings(login, settings, territory):
    settings.GRIDGOV_TILES_URL = TDT
    settings.GRIDGOV_TILES_SUBDOMAINS = "01"
    settings.GRIDGOV_TILES_ATTRIBUTION = "天地图"
    html = login("east_secretary").get("/air/").content.decode()
    start = html.index('id="gridgov-basemap"')
    block = html[html.index(">", start) + 1 : html.index("</script>", start)]
    config = json.loads(block)
    assert config["tiles"]["url"] == TDT and config["tiles"]["subdomains"] == ["0", "1"]
    assert config["tiles"]["attribution"] == "天地图" and config["tiles"]["maxZoom"] == 18
    assert config["boundaries"] == "/map/boundaries.geojson"
    c1 = territory["D-S1-C1"]
    assert config["home"] == [[int(i) for i in c1.path.strip("/").split("/")]]


def test_public_report_page_gets_the_basemap_with_no_home(client, territory):
    html = client.get("/report/").content.decode()
    assert 'id="gridgov-basemap"' in html and "web/basemap.js" in html
    assert '"home": []' in html and '"tiles": null' in html
