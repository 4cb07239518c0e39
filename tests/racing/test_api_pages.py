"""The API (typed, scoped, bad inputs refused naming the field), the Excel export and the pages."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from gridgov.racing import services
from gridgov.territory.models import Level
from tests.racing.conftest import MARCH, WORKED, worked_card

PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def cards(race, fake_metrics):
    fake_metrics.update(WORKED)
    fake_metrics["t_low"].update({f"{k}-C1": v for k, v in WORKED["t_low"].items()})
    fake_metrics["t_high"].update({f"{k}-C1": v for k, v in WORKED["t_high"].items()})
    return {"street": worked_card(), "village": worked_card(Level.COMMUNITY, "测试村书记赛马")}


def test_cards_list(client, race, cards):
    client.force_login(race["users"]["r_s1_official"])
    listed = client.get("/api/v1/racing/cards").json()
    assert [c["name"] for c in listed] == ["测试街道赛马", "测试村书记赛马"]
    first = listed[0]
    assert first["level"] == 2 and first["period_kind"] == "month"
    assert [(i["metric"], i["weight"], i["rule"], i["direction"]) for i in first["indicators"]] == [
        ("t_low", 30.0, "rank", "lower"),
        ("t_high", 20.0, "threshold", "higher"),
    ]
    assert client.get("/api/v1/racing/cards").status_code == 200
    client.logout()
    assert client.get("/api/v1/racing/cards").status_code == 401


def test_results_as_the_command_office_and_as_a_street(client, race, cards):
    client.force_login(race["users"]["r_command"])
    url = f"/api/v1/racing/cards/{cards['street'].pk}/results"
    body = client.get(url, PERIOD).json()
    assert body["from"] == "2026-03-01" and body["previous_from"] == "2026-02-01"
    assert [(r["code"], r["rank"], r["total"]) for r in body["rows"]] == [
        ("R-S1", 1, 100.0),
        ("R-S3", 2, 86.67),
        ("R-S2", 3, 84.0),
        ("R-S4", 4, 60.0),
    ]
    assert body["indicators"][1]["thin"] == ["三街道"]
    s3 = body["rows"][1]
    assert s3["covered"] == 0.6
    assert [c["thin"] for c in s3["cells"]] == [False, True]

    client.force_login(race["users"]["r_s1_official"])
    mine = client.get(url, PERIOD).json()
    assert [(r["code"], r["rank"]) for r in mine["rows"]] == [("R-S1", 1)]
    assert mine["ranked"] == 4 and mine["indicators"][1]["thin"] == []
    village = client.get(f"/api/v1/racing/cards/{cards['village'].pk}/results", PERIOD).json()
    assert [r["code"] for r in village["rows"]] == ["R-S1-C1"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "to"),
        ({"from": "2026-03-01\x00"}, "from"),
    ],
)
def test_bad_periods_are_refused_naming_the_field(client, race, cards, query, field):
    client.force_login(race["users"]["r_command"])
    response = client.get(f"/api/v1/racing/cards/{cards['street'].pk}/results", query)
    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    page = client.get(f"/racing/cards/{cards['street'].pk}/", query)
    assert page.status_code == 400


def test_no_such_card_and_hidden_units_are_the_same_404(client, race, cards):
    client.force_login(race["users"]["r_s1_official"])
    assert client.get("/api/v1/racing/cards/999999/results").status_code == 404
    assert client.get("/api/v1/racing/cards/999999/results.xlsx").status_code == 404
    s1, s3 = race["regions"]["R-S1"], race["regions"]["R-S3"]
    assert client.get(f"/api/v1/racing/units/{s1.pk}/history").status_code == 200
    for region_id in (s3.pk, 999999):
        response = client.get(f"/api/v1/racing/units/{region_id}/history")
        assert response.status_code == 404
        assert client.get(f"/racing/units/{region_id}/").status_code == 404


def test_history_api_and_page(client, race, cards):
    services.snapshot(cards["street"], *MARCH)
    client.force_login(race["users"]["r_s1_official"])
    s1 = race["regions"]["R-S1"]
    body = client.get(f"/api/v1/racing/units/{s1.pk}/history").json()
    assert body["code"] == "R-S1"
    assert body["points"] == [
        {
            "card_id": cards["street"].pk,
            "card": "测试街道赛马",
            "from": "2026-03-01",
            "to": "2026-03-31",
            "rank": 1,
            "total": 100.0,
            "ranked": 4,
        }
    ]
    page = client.get(f"/racing/units/{s1.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="racing-history-data"' in html and "racing/history.js" in html
    assert "<script>" not in html  # page data in json_script blocks only


def test_excel_export_holds_the_visible_rows(client, race, cards):
    client.force_login(race["users"]["r_command"])
    for url in (
        f"/api/v1/racing/cards/{cards['street'].pk}/results.xlsx",
        f"/racing/cards/{cards['street'].pk}/export.xlsx",
    ):
        response = client.get(url, PERIOD)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][:4] == ("名次", "单位代码", "单位", "总分")
        assert [(r[0], r[1], r[3]) for r in rows[2:]] == [
            (1, "R-S1", 100),
            (2, "R-S3", 86.67),
            (3, "R-S2", 84),
            (4, "R-S4", 60),
        ]
        assert rows[3][5:8] == (45, 86.67, None)  # R-S3's t_low: value, score, no note
        assert rows[3][8:11] == (70, None, "样本不足")  # its t_high: listed apart
        notes = list(book.worksheets[1].iter_rows(values_only=True))
        assert notes[2][0] == "测试按时率" and notes[2][4] == "三街道"
    client.force_login(race["users"]["r_s1_official"])
    mine = load_workbook(io.BytesIO(client.get(url, PERIOD).content)).worksheets[0]
    assert [r[1] for r in list(mine.iter_rows(values_only=True))[2:]] == ["R-S1"]


def test_pages_show_scores_and_thin_notes(client, race, cards):
    client.force_login(race["users"]["r_command"])
    page = client.get(f"/racing/cards/{cards['street'].pk}/", PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "三街道" in html and "样本不足" in html
    assert "测试按时率：工单少于 5 件，单列不计分：三街道" in html
    assert "86.67" in html
    index = client.get("/racing/")
    assert index.status_code == 200
    assert "测试街道赛马" in index.content.decode() and "测试村书记赛马" in index.content.decode()
    client.force_login(race["users"]["r_g1_worker"])
    assert "没有您可查看的单位" in client.get("/racing/").content.decode()


def test_cards_filter_by_active_and_refuse_a_bad_flag(client, race, cards):
    cards["village"].active = False
    cards["village"].save()
    client.force_login(race["users"]["r_command"])
    assert [c["name"] for c in client.get("/api/v1/racing/cards?active=true").json()] == [
        "测试街道赛马"
    ]
    response = client.get("/api/v1/racing/cards?active=maybe")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "active"
