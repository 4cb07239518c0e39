"""The customs pages: the village list and page (rules, compare, council, limits, forms), the
registration form with its check, the follow-up, the statistics, the phone form; scope (another
village's page and registration are 404) and the forms' errors shown."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.customs import ceremonies, rulebook
from gridgov.customs.models import CouncilMember, Limit, Registration, RulesVersion
from tests.customs.conftest import wedding

pytestmark = pytest.mark.django_db


def test_list_and_village_page(login, villages):
    c = login("g1_worker")
    page = c.get("/customs/").content.decode()
    assert "东一社区" in page and "西一社区" not in page
    page = c.get(f"/customs/{villages.east.pk}/").content.decode()
    assert "第二条 婚事新办，丧事简办。" in page and "赵理事" in page
    assert 'id="rules-new"' not in page  # a grid worker does not keep the rules
    assert c.get(f"/customs/{villages.west.pk}/").status_code == 404
    assert login("east_secretary").get(f"/customs/{villages.west.pk}/").status_code == 404


def test_compare_two_versions_on_the_page(login, villages, users):
    v2 = rulebook.add_rules(
        users["command"], villages.east.pk, "修订", dt.date(2026, 2, 1),
        "第一条 爱党爱国。\n第二条 婚事新办，丧事简办，婚事不超过 20 桌。\n第三条 邻里和睦。",
    )  # fmt: skip
    c = login("east_secretary")
    page = c.get(f"/customs/{villages.east.pk}/?a={villages.east_rules.pk}&b={v2.pk}").content
    text = page.decode()
    assert 'id="compare"' in text and 'class="replace"' in text
    assert "婚事不超过 20 桌" in text
    # a version of another village is not compared
    other = c.get(f"/customs/{villages.east.pk}/?a={villages.west_rules.pk}&b={v2.pk}")
    assert 'id="compare"' not in other.content.decode()


def test_village_forms(login, villages, people):
    c = login("east_secretary")
    url = f"/customs/{villages.east.pk}"
    r = c.post(f"{url}/rules/", {"title": "新公约", "adopted": "2026-05-01", "text": "第一条",
                                 "meeting_kind": "resident_reps", "meeting_date": "2026-04-30",
                                 "attendance": "30", "entitled": "20"})  # fmt: skip
    assert r.status_code == 200 and "到会人数不能多于应到人数" in r.content.decode()
    assert RulesVersion.objects.filter(community=villages.east).count() == 1
    r = c.post(f"{url}/rules/", {"title": "新公约", "adopted": "2026-05-01", "text": "第一条",
                                 "meeting_kind": "resident_reps", "meeting_date": "2026-04-30",
                                 "attendance": "30", "entitled": "40"})  # fmt: skip
    assert r.status_code == 302
    assert RulesVersion.objects.filter(community=villages.east).count() == 2
    r = c.post(f"{url}/member/", {"name": "孙成员", "role": "member", "start_date": "2026-05-01"})
    assert r.status_code == 302 and CouncilMember.objects.filter(name="孙成员").exists()
    leader = people["g1_leader"]  # a post in the village's grid: a platform member
    r = c.post(f"{url}/member/", {"person": leader.pk, "role": "vice", "start_date": "2026-05-01"})
    assert r.status_code == 302
    assert CouncilMember.objects.get(person=leader).name == leader.name
    west = people["west_secretary"]
    r = c.post(f"{url}/member/", {"person": west.pk, "role": "vice", "start_date": "2026-05-01"})
    assert r.status_code == 200 and not CouncilMember.objects.filter(person=west).exists()
    r = c.post(f"{url}/limit/", {"kind": "other", "effective_from": "2026-05-01",
                                 "source": "council", "max_tables": "8"})  # fmt: skip
    assert r.status_code == 302 and Limit.objects.filter(kind="other").exists()
    r = c.post(f"{url}/limit/", {"kind": "other", "effective_from": "2026-05-01",
                                 "source": "council", "max_tables": "9"})  # fmt: skip
    assert r.status_code == 200 and "已有同日或更晚生效的同类标准" in r.content.decode()
    assert login("g1_worker").post(f"{url}/member/", {}).status_code == 403
    assert c.post(f"/customs/{villages.west.pk}/member/", {}).status_code == 404


def test_registration_form_shows_the_check(login, villages):
    c = login("g1_worker")
    form = {"grid": villages.g1.pk, "kind": "wedding", "date": "2026-06-06",
            "family_head": "张大山", "tables": "22", "cost": "22000", "days": "1"}  # fmt: skip
    r = c.post("/customs/registrations/new/", form)
    assert r.status_code == 302
    reg = Registration.objects.get()
    page = c.get(r["Location"]).content.decode()
    assert "超出操办标准" in page and "桌数：上限 20，实际 22" in page
    assert reg.order.event.reference in page
    r = c.post("/customs/registrations/new/", {**form, "family_head": "", "grid": villages.g2.pk})
    assert r.status_code == 200 and Registration.objects.count() == 1
    assert c.get(f"/customs/registrations/{reg.pk}/").status_code == 200
    assert login("west_secretary").get(f"/customs/registrations/{reg.pk}/").status_code == 404


def test_follow_up_form(login, villages, users):
    reg = ceremonies.register(users["g1_worker"], wedding(villages.g1, tables=30))
    c = login("east_secretary")
    r = c.post(f"/customs/registrations/{reg.pk}/", {"advised_on": "2026-06-01", "outcome": ""})
    assert r.status_code == 200 and 'class="error"' in r.content.decode()
    r = c.post(f"/customs/registrations/{reg.pk}/",
               {"advised_on": "2026-06-01", "outcome": "已减桌"})  # fmt: skip
    assert r.status_code == 302
    reg.refresh_from_db()
    assert reg.follow_up == "advised" and reg.outcome == "已减桌"
    assert login("g1_worker").post(f"/customs/registrations/{reg.pk}/", {}).status_code == 403


def test_statistics_page(login, villages, users):
    ceremonies.register(users["g1_worker"], wedding(villages.g1, tables=30))
    c = login("command")
    page = c.get("/customs/stats/?start=2026-01-01&end=2026-12-31&by=community").content.decode()
    assert "东一社区" in page and "100.0%" in page
    r = c.get("/customs/stats/?start=2026-12-31&end=2026-01-01")
    assert "结束日期不能早于开始日期" in r.content.decode()
    assert login("g1_worker").get("/customs/stats/").status_code == 200


def test_phone_form(login, villages):
    c = login("g1_worker")
    page = c.get("/customs/m/new/").content.decode()
    assert "workorders/phone.css" in page
    r = c.post("/customs/m/new/", {"grid": villages.g1.pk, "kind": "funeral",
                                   "date": "2026-06-06", "family_head": "李家", "tables": "10",
                                   "days": "1"})  # fmt: skip
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "符合操办标准" in page


def test_pages_need_the_permission(client, login, villages):
    assert client.get("/customs/").status_code == 302  # anonymous: to the login
    c = login("g1_leader")  # 网格员 group: may view and register
    assert c.get("/customs/").status_code == 200
    assert c.get("/customs/registrations/").status_code == 200


def test_rules_file_uploaded_on_the_page(login, villages, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    c = login("east_secretary")
    form = {"title": "新公约", "adopted": "2026-05-01", "text": "第一条"}
    bad = SimpleUploadedFile("x.pdf", b"MZ not a document")
    r = c.post(f"/customs/{villages.east.pk}/rules/", {**form, "file": bad})
    assert r.status_code == 200 and "只接受 PDF" in r.content.decode()
    assert RulesVersion.objects.filter(community=villages.east).count() == 1  # rolled back
    good = SimpleUploadedFile("公约.pdf", b"%PDF-1.4 signed")
    assert c.post(f"/customs/{villages.east.pk}/rules/", {**form, "file": good}).status_code == 302
    v2 = RulesVersion.objects.get(community=villages.east, number=2)
    got = login("g1_worker").get(f"/customs/rules/{v2.pk}/file")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 signed"
    assert login("west_secretary").get(f"/customs/rules/{v2.pk}/file").status_code == 404


def test_admin_lists_are_scoped(login, villages, users):
    ceremonies.register(users["g1_worker"], wedding(villages.g1))
    ceremonies.register(users["command"], wedding(villages.g3, family_head="西家"))
    page = login("east_secretary").get("/admin/customs/registration/").content.decode()
    assert "张大山" in page and "西家" not in page
    page = login("command").get("/admin/customs/registration/").content.decode()
    assert "张大山" in page and "西家" in page
    page = login("east_secretary").get("/admin/customs/rulesversion/").content.decode()
    assert "东一社区居民公约" in page and "西一社区居民公约" not in page


def test_registration_list_filters_and_masking_hint(login, villages, users):
    ceremonies.register(users["g1_worker"], wedding(villages.g1))
    ceremonies.register(users["g1_worker"], wedding(villages.g1, family_head="李超标", tables=40))
    c = login("g1_worker")
    page = c.get("/customs/registrations/?flagged=1").content.decode()
    assert "李超标" in page and "张大山" not in page
    assert "户主姓名、电话脱敏" in page  # a grid worker's export is masked
    page = login("east_secretary").get("/customs/registrations/?kind=funeral").content.decode()
    assert "李超标" not in page and "户主姓名、电话脱敏" not in page
