"""The emergency pages: the banner on every page, the declare form with its preview, ending
early, the history with its record; Chinese first, no inline script or style."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from gridgov.emergency import declaring
from gridgov.emergency.models import Warning

pytestmark = pytest.mark.django_db


def _form(hours=0, days=3, level=2, reason="预计连续重度污染"):
    start = timezone.localtime() + dt.timedelta(hours=hours)
    end = start + dt.timedelta(days=days)
    return {
        "level": str(level),
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": end.strftime("%Y-%m-%dT%H:%M"),
        "reason": reason,
    }


def _clean(html: str) -> None:
    # data blocks (json_script: type="application/json") are data, not script
    code = r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    assert not re.search(code, html), "inline script"
    assert " style=" not in html


def test_preview_then_confirm(login, fronts, s1_official):
    client = login("command")
    page = client.get("/emergency/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "当前无预警" in html and "发布预警" in html and "em-flag" not in html
    _clean(html)
    preview = client.post("/emergency/", {**_form(), "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200 and "涉及污染源预览" in html and "确认发布" in html
    assert "东街道" in html and "西街道" in html and "D-S2-C2" in html
    assert not Warning.objects.exists()
    done = client.post("/emergency/", {**_form(), "confirm": "1"})
    w = Warning.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/emergency/{w.pk}/"
    html = client.get(done["Location"]).content.decode()
    _clean(html)
    assert "橙色预警" in html and "生效中" in html and "渣土车禁止上路" in html
    assert "东一土方工地" in html and "<progress" in html and "未签收" in html
    assert "待检查" in html and "本周期还有 8 处未检查" in html
    # the banner is on other pages too (the desk's header and the phone pages)
    assert "橙色预警 生效中" in client.get("/orders/").content.decode()
    assert "橙色预警 生效中" in client.get("/orders/m/").content.decode()


def test_bad_form_input_is_a_form_error(login, fronts):
    client = login("command")
    # an impossible date is refused at the input boundary, naming the field
    r = client.post("/emergency/", {**_form(), "starts_at": "2026-02-30T08:00", "confirm": "1"})
    assert r.status_code == 400 and "<code>starts_at</code>" in r.content.decode()
    r = client.post("/emergency/", {**_form(), "reason": "坏\u0001字", "confirm": "1"})
    assert r.status_code == 400 and "<code>reason</code>" in r.content.decode()
    bad = [
        ({**_form(), "starts_at": "yesterday"}, "starts_at"),
        ({**_form(), "reason": "x" * 2001}, "reason"),
        ({**_form(days=20), "confirm": "1"}, "ends_at"),
        ({**_form(hours=-30), "confirm": "1"}, "starts_at"),
        ({**_form(reason="")}, "reason"),
        ({**_form(level=7)}, "level"),
    ]
    for data, field in bad:
        r = client.post("/emergency/", {"preview": "1", **data})
        assert r.status_code == 200, field
        assert field in r.context["form"].errors, (field, r.context["form"].errors)
    assert not Warning.objects.exists()


def test_non_command_accounts_see_but_cannot_declare(login, fronts, s1_official):
    client = login("s1_official")
    html = client.get("/emergency/").content.decode()
    assert "发布预警" not in html
    assert client.post("/emergency/", {**_form(), "confirm": "1"}).status_code == 403
    assert not Warning.objects.exists()


def test_end_early_and_history(login, fronts, users, s1_official):
    client = login("command")
    now = timezone.now()
    old = declaring.declare(
        users["command"], 1, now - dt.timedelta(hours=20), now + dt.timedelta(days=1), "旧"
    ).warning
    declaring.end_early(users["command"], old.pk, now - dt.timedelta(hours=2), "好转")
    current = declaring.declare(
        users["command"], 3, now, now + dt.timedelta(days=2), "红色"
    ).warning
    html = client.get("/emergency/").content.decode()
    assert "红色预警" in html and "历次预警" in html and f"/emergency/{old.pk}/" in html
    r = client.post(f"/emergency/{current.pk}/end/", {"reason": "冷空气到达"})
    assert r.status_code == 302
    current.refresh_from_db()
    assert current.ended_early_at is not None and current.end_reason == "冷空气到达"
    r = client.post(f"/emergency/{current.pk}/end/", {"reason": "again"}, follow=True)
    assert "已解除" in r.content.decode()
    assert client.post("/emergency/999999/end/", {"reason": "x"}).status_code == 404
    assert login("g1_leader").post(f"/emergency/{old.pk}/end/", {"reason": "x"}).status_code == 403
    record = client.get(f"/emergency/{old.pk}/").content.decode()
    assert "提前解除" in record and "好转" in record
    assert client.get("/emergency/999999/").status_code == 404


def test_english_comes_from_the_catalogue(login, fronts):
    client = login("command")
    client.cookies["django_language"] = "en"
    assert client.get("/emergency/").status_code == 200
