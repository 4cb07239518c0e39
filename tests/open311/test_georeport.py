"""Open311 GeoReport v2: every JSON response validates against the official schemas in
../shared/open311/; errors for a missing api_key (403), an unknown service (404) and a bad
location (400); XML too; no personal data."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from gridgov.open311.models import ApiKey
from gridgov.workorders.models import Event

SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "open311"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (SCHEMAS / "request.json").exists(),
        reason="the Open311 schemas live in ../shared/open311 beside the clone (CI has them)",
    ),
]


def validator(name: str) -> Draft7Validator:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        if path.name != "swagger.json":
            resources.append(
                (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT7))
            )
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft7Validator(schema, registry=registry, format_checker=FormatChecker())


def valid(response, schema: str):
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    errors = list(validator(schema).iter_errors(data))
    assert not errors, [e.message for e in errors]
    return data


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.content
    body = json.loads(response.content)
    assert isinstance(body, list) and body[0]["code"] == status
    return body[0]["description"]


@pytest.fixture
def key(db):
    return ApiKey.issue("city-app")[1]


@pytest.fixture
def posted(client, crew, key):
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "construction_dust",
            "lat": "35.2",
            "long": "113.05",
            "description": "工地晚上还在施工，尘土很大",
            "first_name": "小明",
            "last_name": "王",
            "phone": "13812345678",
        },
    )
    assert r.status_code == 200, r.content
    return json.loads(r.content)[0]["service_request_id"]


def test_services_and_definitions_validate(client, crew):
    services = valid(client.get("/open311/v2/services.json"), "services.json")
    codes = {s["service_code"] for s in services}
    assert "construction_dust" in codes and "straw_burning" in codes
    assert "air_quality_alarm" not in codes  # internal categories are not offered to the public
    valid(client.get("/open311/v2/services/construction_dust.json"), "service-definition.json")
    error_of(client.get("/open311/v2/services/nope.json"), 404)


def test_post_then_get_validate_and_show_no_personal_data(client, crew, posted):
    e = Event.objects.get(reference=posted)
    assert e.source == "citizen" and e.contact_phone == "13812345678"
    one = valid(client.get(f"/open311/v2/requests/{posted}.json"), "requests.json")
    assert one[0]["status"] == "open" and one[0]["service_code"] == "construction_dust"
    listed = valid(client.get("/open311/v2/requests.json"), "requests.json")
    assert [r["service_request_id"] for r in listed] == [posted]
    text = client.get("/open311/v2/requests.json").content.decode()
    assert "13812345678" not in text and "小明" not in text


def test_agency_responsible_names_unit_and_post_not_the_person(client, crew, posted):
    from gridgov.workorders.services import perform

    order = Event.objects.get(reference=posted).order
    perform(order.pk, "accept", crew["east_secretary"])
    perform(order.pk, "dispatch", crew["east_secretary"])
    r = valid(client.get(f"/open311/v2/requests/{posted}.json"), "requests.json")[0]
    assert r["agency_responsible"] == "东一第1网格 · 专职网格员"
    assert "李专职" not in json.dumps(r, ensure_ascii=False)


def test_filters(client, crew, posted):
    def ids(query):
        return [
            r["service_request_id"]
            for r in valid(client.get("/open311/v2/requests.json" + query), "requests.json")
        ]

    assert ids("?status=open") == [posted]
    assert ids("?status=closed") == []
    assert ids("?service_code=straw_burning") == []
    assert ids("?service_code=straw_burning,construction_dust") == [posted]
    assert ids(f"?service_request_id={posted},NOPE") == [posted]
    assert ids("?start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z") == []
    error_of(client.get("/open311/v2/requests.json?status=pending"), 400)
    error_of(client.get("/open311/v2/requests.json?start_date=yesterday"), 400)


def test_post_errors(client, crew, key):
    base = {"api_key": key, "service_code": "construction_dust", "lat": "35.2", "long": "113.05"}
    error_of(client.post("/open311/v2/requests.json", {**base, "api_key": ""}), 403)
    error_of(client.post("/open311/v2/requests.json", {**base, "api_key": "o311_wrong"}), 403)
    error_of(client.post("/open311/v2/requests.json", {**base, "service_code": "nope"}), 404)
    error_of(client.post("/open311/v2/requests.json", {**base, "lat": "north"}), 400)
    msg = error_of(
        client.post("/open311/v2/requests.json", {**base, "lat": "30", "long": "100"}), 400
    )
    assert "outside the district" in msg
    msg = error_of(
        client.post("/open311/v2/requests.json", {**base, "lat": "35.3", "long": "113.5"}), 400
    )
    assert "location" in msg  # in the district's extent, outside every grid
    error_of(client.post("/open311/v2/requests.json", {**base, "lat": "135"}), 400)
    assert Event.objects.count() == 0
    error_of(client.get("/open311/v2/requests/NOPE.json"), 404)
    error_of(client.get("/open311/v2/tokens/NOPE.json"), 404)
    assert client.get("/open311/v2/services.yaml").status_code == 400


def test_revoked_key_is_refused(client, crew, key):
    ApiKey.objects.get().revoke()
    r = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "sanitation", "lat": "35.2", "long": "113.05"},
    )
    error_of(r, 403)


def test_token_and_discovery(client, crew, posted):
    t = json.loads(client.get(f"/open311/v2/tokens/{posted}.json").content)
    assert t == [{"service_request_id": posted, "token": posted}]
    d = json.loads(client.get("/open311/v2/discovery.json").content)
    assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert "text/xml" in d["endpoints"][0]["formats"]


def test_xml_responses(client, crew, posted):
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code") is not None
    root = ET.fromstring(client.get(f"/open311/v2/requests/{posted}.xml").content)
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == posted
    r = client.get("/open311/v2/services/nope.xml")
    assert r.status_code == 404
    err = ET.fromstring(r.content)
    assert err.tag == "errors" and err.find("error/code").text == "404"


def test_key_command(capsys, db):
    call_command("open311_key", "create", "hotline")
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("o311_") and ApiKey.verify(raw) is not None
    with pytest.raises(Exception, match="exists"):
        call_command("open311_key", "create", "hotline")
    call_command("open311_key", "revoke", "hotline")
    assert ApiKey.verify(raw) is None


MEDIA = "https://img.example.cn/reports/2026/11/dust.jpg?size=large"


def test_media_url_is_kept_and_returned(client, crew, key):
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "construction_dust",
            "lat": "35.2",
            "long": "113.05",
            "description": "工地未苫盖",
            "media_url": f"  {MEDIA} ",
        },
    )
    ref = json.loads(r.content)[0]["service_request_id"]
    assert Event.objects.get(reference=ref).media_url == MEDIA
    (one,) = valid(client.get(f"/open311/v2/requests/{ref}.json"), "requests.json")
    assert one["media_url"] == MEDIA
    (listed,) = valid(client.get("/open311/v2/requests.json"), "requests.json")
    assert listed["media_url"] == MEDIA
    root = ET.fromstring(client.get(f"/open311/v2/requests.xml?service_request_id={ref}").content)
    assert root.find("request/media_url").text == MEDIA
    # Without one: null in JSON, an empty element in XML.
    r = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "sanitation", "lat": "35.2", "long": "113.05"},
    )
    other = json.loads(r.content)[0]["service_request_id"]
    assert (
        valid(client.get(f"/open311/v2/requests/{other}.json"), "requests.json")[0]["media_url"]
        is None
    )
    root = ET.fromstring(client.get(f"/open311/v2/requests/{other}.xml").content)
    assert root.find("request/media_url").text is None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.cn/a.jpg",
        "data:image/png;base64,AAAA",
        "not a url",
        "//img.example.cn/a.jpg",
        "https://img.example.cn/" + "a" * 500,
        "https://img.example.cn/a\x07.jpg",
    ],
)
def test_media_url_refused_naming_the_field(client, crew, key, url):
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "construction_dust",
            "lat": "35.2",
            "long": "113.05",
            "media_url": url,
        },
    )
    assert error_of(r, 400).startswith("media_url: ")
    assert Event.objects.count() == 0
    r = client.post(
        "/open311/v2/requests.xml",
        {"api_key": key, "service_code": "sanitation", "lat": "35.2", "long": "113.05",
         "media_url": url},
    )  # fmt: skip
    assert r.status_code == 400
    err = ET.fromstring(r.content)
    assert err.find("error/code").text == "400"
    assert err.find("error/description").text.startswith("media_url: ")


@pytest.mark.parametrize(
    "path",
    ["/open311/v2/services", "/open311/v2/requests", "/open311/v2/requests/SJ261127ABCDE",
     "/open311/v2/services/construction_dust", "/open311/v2/discovery", "/open311/v2/requests/"],
)  # fmt: skip
def test_a_path_without_format_suffix_is_the_spec_404(client, crew, path):
    for r in (client.get(path), client.post(path, {"service_code": "sanitation"})):
        description = error_of(r, 404)
        assert r["Content-Type"].startswith("application/json")
        assert f"{path.rstrip('/')}.json" in description and ".xml" in description
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    "path", ["/open311/", "/open311/v1/services.json", "/open311/v2/nothing", "/open311/v3"]
)
def test_any_other_open311_path_is_the_spec_404(client, path):
    r = client.get(path)
    description = error_of(r, 404)
    assert r["Content-Type"].startswith("application/json")
    assert "/open311/v2/" in description and ".json" in description
    r = client.get("/open311/v2/nothing.xml")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/xml")
    assert ET.fromstring(r.content).find("error/code").text == "404"
