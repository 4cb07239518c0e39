"""The registry's pages: the list with its map layers' data, a source's page (fields with Chinese
labels, history, files, monitors, sections), the forms per category (errors by field), status
changes, scope (404 outside it) and the write permission."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from gridgov.sources import sections
from gridgov.sources.models import PollutionSource, SourceFile
from gridgov.sources.services import SourceInput, create_source, point_geometry, update_source
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def as_user(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


@pytest.fixture
def sources(people, territory):
    site = create_source(
        SourceInput(
            category="construction_site",
            name="东一花园工地",
            geometry=point_geometry(35.2, 113.05),
            attributes={"phase": "structure", "dust_measures": ["fencing"], "monitor_mn": "GD001"},
        ),
        people["command"].user,
    )
    firm = create_source(
        SourceInput(
            category="enterprise",
            name="宏达化工",
            geometry=point_geometry(35.21, 113.06),
            attributes={"grade": "B", "monitor_mns": ["QY001", "QY404"]},
        )
    )
    west = create_source(
        SourceInput(
            category="farmland",
            name="西村麦田",
            geometry={
                "type": "Polygon",
                "coordinates": [[[113.3, 35.3], [113.31, 35.3], [113.31, 35.31], [113.3, 35.3]]],
            },
        )
    )
    return {"site": site, "firm": firm, "west": west}


def test_registry_lists_counts_and_layers(sources):
    page = as_user("east_secretary").get("/sources/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "东一花园工地" in html and "宏达化工" in html and "西村麦田" not in html
    layers = page.context["layers"]
    by_code = {layer["code"]: layer for layer in layers}
    assert len(layers) == 8
    assert by_code["construction_site"]["count"] == 1 and by_code["farmland"]["count"] == 0
    assert by_code["enterprise"]["url"] == "/api/v1/sources.geojson?category=enterprise"
    assert 'id="source-layers"' in html and "污染源" in html
    # A layer's data: what the map loads (the session is enough).
    layer = as_user("east_secretary").get(by_code["enterprise"]["url"]).json()
    assert [f["properties"]["name"] for f in layer["features"]] == ["宏达化工"]
    filtered = as_user("command").get("/sources/", {"category": "farmland", "region": "D-S2"})
    assert [s.name for s in filtered.context["page"]] == ["西村麦田"]
    assert as_user("east_secretary").get("/sources/", {"region": "D-S2"}).status_code == 404
    assert as_user("command").get("/sources/", {"q": "a\x00"}).status_code == 400


def test_source_page_shows_fields_history_monitors_and_sections(sources, people):
    from gridgov.air.models import DeviceStatus, Station

    station = Station.objects.create(
        code="QYS1", name="宏达排口", kind="micro", lat=35.21, lon=113.06, mn="QY001"
    )
    DeviceStatus.objects.create(station=station, connected=True)
    firm = sources["firm"]
    data = SourceInput(
        category="enterprise",
        name="宏达化工",
        geometry=firm.geometry,
        attributes={**firm.attributes, "grade": "A"},
    )
    update_source(firm.pk, data, people["command"].user, note="复核升级")
    page = as_user("east_secretary").get(f"/sources/{firm.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "绩效分级" in html and "A级" in html  # Chinese labels of fields and choices
    assert "复核升级" in html and "B级" in html  # the history: old → new
    assert "宏达排口" in html and "在线" in html  # QY001 is a registered, connected station
    assert "未登记" in html  # QY404 is no station's MN
    assert "张网格" in html  # the responsible person (the grid's)
    titles = [s["title"] for s in page.context["sections"]]
    assert "检查与整改" in titles
    assert "0" in html


def test_sections_hook(sources):
    def extra(source, user):
        if source.category != "construction_site":
            return None
        return {"title": "执法记录", "template": "sources/sections/inspections.html", "context": {}}

    sections.register(extra)
    try:
        site_page = as_user("command").get(f"/sources/{sources['site'].pk}/")
        firm_page = as_user("command").get(f"/sources/{sources['firm'].pk}/")
    finally:
        sections._SECTIONS.remove(extra)
    assert "执法记录" in [s["title"] for s in site_page.context["sections"]]
    assert "执法记录" not in [s["title"] for s in firm_page.context["sections"]]


def test_scope_and_permission(sources):
    west = sources["west"]
    assert as_user("east_secretary").get(f"/sources/{west.pk}/").status_code == 404
    assert as_user("command").get(f"/sources/{west.pk}/").status_code == 200
    assert as_user("g1_leader").get(f"/sources/{sources['site'].pk}/").status_code == 200
    assert as_user("g1_leader").get("/sources/new/").status_code == 403
    assert as_user("g1_leader").get(f"/sources/{sources['site'].pk}/edit/").status_code == 403
    assert as_user("east_secretary").get(f"/sources/{west.pk}/edit/").status_code == 404
    assert Client().get("/sources/").status_code == 302


def form_data(**over):
    data = {
        "category": "construction_site",
        "name": "新工地",
        "address": "东大街8号",
        "lat": "35.25",
        "lon": "113.07",
        "status": "active",
        "attr_phase": "foundation",
        "attr_dust_measures": ["fencing", "wet_work"],
        "attr_area_m2": "5000",
        "attr_pm10_monitor": "on",
    }
    data.update(over)
    return data


def test_create_through_the_form(sources):
    c = as_user("east_secretary")
    chooser = c.get("/sources/new/")
    assert "建筑工地" in chooser.content.decode()
    form = c.get("/sources/new/", {"category": "construction_site"})
    html = form.content.decode()
    assert 'type="checkbox" name="attr_dust_measures"' in html and "土方阶段" in html
    response = c.post("/sources/new/?category=construction_site", form_data())
    assert response.status_code == 302
    created = PollutionSource.objects.get(name="新工地")
    assert response["Location"] == f"/sources/{created.pk}/"
    assert created.attributes["dust_measures"] == ["fencing", "wet_work"]
    assert created.attributes["pm10_monitor"] is True and created.attributes["area_m2"] == 5000
    assert created.changes.get().actor_name == "东书记"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"name": ""}, "name"),
        ({"lat": "", "lon": ""}, "lat"),
        ({"lat": "35.2", "lon": "113.3"}, "lat"),  # the west: outside the east's area
        ({"lat": "95"}, "lat"),
        ({"attr_phase": "dancing"}, "attr_phase"),
        ({"attr_area_m2": "-5"}, "attr_area_m2"),
        ({"attr_area_m2": "1e400"}, "attr_area_m2"),
        ({"attr_builder": "长" * 101}, "attr_builder"),
        ({"geometry": "{not json"}, "geometry"),
        (
            {"geometry": '{"type": "LineString", "coordinates": [[113.0, 35.0], [113.1, 35.1]]}'},
            "geometry",
        ),
        ({"responsible_post": "999999"}, "responsible_post"),
    ],
)
def test_form_errors_by_field(sources, over, field):
    response = as_user("east_secretary").post(
        "/sources/new/?category=construction_site", form_data(**over)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert f'data-field="{field}"' in response.content.decode()
    assert not PollutionSource.objects.filter(name="新工地").exists()


def test_impossible_date_in_a_form(sources):
    c = as_user("east_secretary")
    response = c.post(
        "/sources/new/?category=fireworks_point",
        {
            "category": "fireworks_point",
            "name": "烟花店",
            "lat": "35.2",
            "lon": "113.05",
            "status": "active",
            "attr_kind": "sales_point",
            "attr_valid_from": "2026-02-30",
        },
    )
    assert response.status_code == 400
    assert not PollutionSource.objects.filter(name="烟花店").exists()


def test_edit_with_version_and_status_change(sources):
    c = as_user("east_secretary")
    site = sources["site"]
    form = c.get(f"/sources/{site.pk}/edit/")
    assert form.status_code == 200 and "东一花园工地" in form.content.decode()
    data = form_data(name="东一花园二期", version="0", note="更名", lat="35.2", lon="113.05")
    data["attr_monitor_mn"] = "GD001"
    assert c.post(f"/sources/{site.pk}/edit/", data).status_code == 302
    site.refresh_from_db()
    assert site.name == "东一花园二期" and site.version == 1
    stale = c.post(f"/sources/{site.pk}/edit/", {**data, "name": "又改", "version": "0"})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    response = c.post(
        f"/sources/{site.pk}/status/",
        {"status": "suspended", "note": "重污染预警停工", "version": "1"},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.status == "suspended"
    page = c.get(f"/sources/{site.pk}/").content.decode()
    assert "重污染预警停工" in page and "停工/停产" in page
    # The phone width: the page declares the viewport and its CSS a narrow layout.
    assert 'name="viewport"' in page


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 120, 30)).save(buf, "PNG")
    return buf.getvalue()


def test_files_upload_and_download(sources):
    c = as_user("east_secretary")
    site = sources["site"]
    photo = io.BytesIO(_png())
    photo.name = "site.png"
    assert (
        c.post(
            f"/sources/{site.pk}/files/", {"kind": "photo", "title": "大门", "file": photo}
        ).status_code
        == 302
    )
    pdf = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
    pdf.name = "permit.pdf"
    assert (
        c.post(f"/sources/{site.pk}/files/", {"kind": "document", "file": pdf}).status_code == 302
    )
    fake = io.BytesIO(b"MZ not a pdf")
    fake.name = "permit.pdf"
    refused = c.post(f"/sources/{site.pk}/files/", {"kind": "document", "file": fake})
    assert refused.status_code == 400 and "PDF" in refused.content.decode()
    fake_photo = io.BytesIO(b"not an image")
    fake_photo.name = "x.jpg"
    assert (
        c.post(f"/sources/{site.pk}/files/", {"kind": "photo", "file": fake_photo}).status_code
        == 400
    )
    stored = list(SourceFile.objects.filter(source=site).order_by("pk"))
    assert [f.kind for f in stored] == ["photo", "document"]
    assert stored[0].content_type == "image/jpeg"  # normalised, EXIF stripped
    got = c.get(f"/sources/files/{stored[1].pk}")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert as_user("west_secretary").get(f"/sources/files/{stored[1].pk}").status_code == 404
    detail = c.get(f"/api/v1/sources/{site.pk}").json()
    assert sorted(f["kind"] for f in detail["files"]) == ["document", "photo"]
    assert any(h["action"] == "file" for h in detail["history"])


def test_excel_from_the_registry_page(sources):
    from openpyxl import load_workbook

    response = as_user("east_secretary").get("/sources/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert set(wb.sheetnames) == {"construction_site", "enterprise"}
    template = as_user("east_secretary").get("/sources/template.xlsx", {"category": "vehicle"})
    assert template.status_code == 200
    assert as_user("east_secretary").get("/sources/template.xlsx").status_code == 404


def test_page_data_is_json_not_inline_script(sources):
    html = as_user("command").get(f"/sources/{sources['west'].pk}/").content.decode()
    marker = 'id="source-geometry" type="application/json">'
    start = html.index(marker) + len(marker)
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["geometry"]["type"] == "Polygon"
    assert "style=" not in html.split("<main>")[1]


def _admin_post(source, **over):
    data = {
        "name": source.name,
        "address": source.address,
        "geometry": json.dumps(source.geometry),
        "status": source.status,
        "attributes": json.dumps(source.attributes),
        "responsible_post": "",
        "notes": source.notes,
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "1000",
    }
    data.update(over)
    return data


def test_admin_edits_through_the_services(sources):
    c = as_user("command")
    site = sources["site"]
    url = f"/admin/sources/pollutionsource/{site.pk}/change/"
    assert c.get(url).status_code == 200
    bad = dict(site.attributes, phase="dancing")
    refused = c.post(url, _admin_post(site, attributes=json.dumps(bad)))
    assert refused.status_code == 200 and "attributes" in refused.context["adminform"].form.errors
    outside = c.post(url, _admin_post(site, geometry='{"type": "Point", "coordinates": [120, 20]}'))
    assert "geometry" in outside.context["adminform"].form.errors
    site.refresh_from_db()
    assert site.version == 0
    moved = c.post(
        url, _admin_post(site, geometry='{"type": "Point", "coordinates": [113.15, 35.2]}')
    )
    assert moved.status_code == 302
    site.refresh_from_db()
    assert site.grid.code == "D-S1-C1-G2" and site.version == 1  # located again by the services
    assert site.changes.first().note == "admin"
    # Scoped: the east's secretary cannot open the west's farmland.
    west = sources["west"]
    assert as_user("east_secretary").get(
        f"/admin/sources/pollutionsource/{west.pk}/change/"
    ).status_code in (302, 404)
