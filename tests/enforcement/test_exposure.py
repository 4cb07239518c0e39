"""The exposure board: two-person approval, nothing personal on the public page or API (names,
phones, ID numbers), photos re-encoded without EXIF, unpublishing recorded."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from gridgov.core import evidence
from gridgov.enforcement import handling
from gridgov.enforcement import publication as pubs
from gridgov.enforcement.handling import advance
from gridgov.enforcement.models import Publication, PublicationPhoto
from gridgov.enforcement.services import CaseError
from gridgov.enforcement.steps import Step
from tests.enforcement.conftest import PERSON_ID, basis, png

pytestmark = pytest.mark.django_db


def decided(new_case, user, **over):
    case = new_case(**over)
    for s in (Step.INVESTIGATION, Step.NOTICE):
        case = advance(case.pk, s, user)
    article = "第一百一十五条" if case.party_kind == "org" else "第一百一十九条第一款"
    amount = "30000" if case.party_kind == "org" else "1000"
    return advance(
        case.pk,
        Step.DECISION,
        user,
        penalty_amount=amount,
        legal_basis_ids=[basis(article).pk],
        decision="罚款，责令改正",
    )


@pytest.fixture
def person_case(enf, new_case):
    return decided(
        new_case,
        enf["command"],
        source="g3",
        party_kind="person",
        party_name="王小明",
        party_code=PERSON_ID,
        party_phone="13887654321",
        title="露天焚烧垃圾",
    )


def test_masked_person_names():
    assert pubs.masked_person("王小明") == "王某"
    assert pubs.masked_person("欧阳小明") == "欧阳某"
    assert pubs.masked_person("") == "当事人"


@pytest.mark.parametrize(
    "text",
    [
        "当事人电话13887654321",
        "联系电话 138 8765 4321",
        "座机0371-66668888",
        f"身份证{PERSON_ID}",
        "身份证11010119900307451X",
        "王小明在院内焚烧垃圾",
        "王 小明在院内焚烧垃圾",
    ],
)
def test_personal_data_refuses_publication(enf, person_case, text):
    with pytest.raises(CaseError) as err:
        pubs.propose(person_case.pk, enf["command"], title="露天焚烧垃圾", summary=text)
    assert err.value.field == "summary" and err.value.kind == "invalid"
    with pytest.raises(CaseError) as err:
        pubs.propose(person_case.pk, enf["command"], title=text, summary="焚烧垃圾")
    assert err.value.field == "title"
    assert not Publication.objects.exists()


def test_not_before_a_decision(enf, new_case):
    case = new_case()
    with pytest.raises(CaseError) as err:
        pubs.propose(case.pk, enf["command"], title="t", summary="s")
    assert err.value.kind == "conflict"


def test_two_people_then_public_then_unpublished(enf, new_case, person_case):
    command, second = enf["command"], enf["command2"]
    summary = "2026年3月，西街道某居民在院内露天焚烧生活垃圾，产生浓烟。"
    pub = pubs.propose(person_case.pk, command, title="露天焚烧垃圾被处罚", summary=summary)
    assert pub.state == "proposed" and not pubs.published().exists()
    with pytest.raises(CaseError) as err:
        pubs.approve(pub.pk, command)  # the proposer
    assert err.value.kind == "forbidden"
    with pytest.raises(CaseError) as err:
        pubs.approve(pub.pk, enf["s1_enforcer"])  # cannot see a 西街道 case
    assert err.value.kind == "not_found"
    with pytest.raises(CaseError) as err:
        pubs.approve(pub.pk, enf["west_secretary"])  # sees it, may not approve
    assert err.value.kind == "forbidden"
    with pytest.raises(CaseError) as err:
        pubs.propose(person_case.pk, command, title="again", summary="again")
    assert err.value.kind == "conflict"
    pub = pubs.approve(pub.pk, second)
    assert pub.state == "published" and pub.approved_by == second
    assert pub.approved_by_name == "副指挥长"
    with pytest.raises(CaseError):
        pubs.approve(pub.pk, second)

    client = Client()
    page = client.get("/exposure/").content.decode()
    detail = client.get(f"/exposure/{pub.pk}/").content.decode()
    api = client.get("/api/v1/public/exposure")
    assert api.status_code == 200
    body = api.content.decode("unicode_escape") + api.content.decode()
    [item] = api.json()["items"]
    assert item["party"] == "王某" and item["street"] == "西街道"
    assert item["source_name"] == ""  # a person's restaurant: its name would name them
    assert item["penalty_amount"] == "1000.00"
    assert item["legal_bases"] == ["《中华人民共和国大气污染防治法》第一百一十九条第一款"]
    for text in (page, detail, body):
        assert "王某" in text
        for secret in (
            "王小明",
            "13887654321",
            PERSON_ID,
            "西街老王烧烤",
            "幸福路8号",
            "西一第1网格",
            "指挥长",
            "副指挥长",
        ):
            assert secret not in text, secret
    assert "露天焚烧垃圾被处罚" in page and summary in detail

    with pytest.raises(CaseError) as err:
        pubs.unpublish(pub.pk, second, reason="")
    assert err.value.field == "reason"
    with pytest.raises(CaseError) as err:
        pubs.unpublish(pub.pk, enf["west_secretary"], reason="x")
    assert err.value.kind == "forbidden"
    pub = pubs.unpublish(pub.pk, second, reason="当事人已整改到位，期满撤下")
    assert pub.state == "unpublished" and pub.unpublished_by_name == "副指挥长"
    assert Publication.objects.filter(pk=pub.pk).exists()  # recorded, not deleted
    assert client.get(f"/exposure/{pub.pk}/").status_code == 404
    assert client.get("/api/v1/public/exposure").json()["items"] == []
    assert "露天焚烧垃圾被处罚" not in client.get("/exposure/").content.decode()
    # After unpublishing, a new proposal may follow.
    again = pubs.propose(person_case.pk, command, title="典型案例", summary="焚烧垃圾被处罚")
    assert again.state == "proposed"


def test_org_named_and_photos_reencoded_without_exif(enf, new_case):
    case = decided(new_case, enf["command"])
    data = png(exif=True)
    photo = handling.add_document(
        case.pk, enf["command"], io.BytesIO(data), size=len(data), name="site.jpg"
    )
    pdf = b"%PDF-1.4\n%%EOF\n"
    doc = handling.add_document(
        case.pk, enf["command"], io.BytesIO(pdf), size=len(pdf), name="a.pdf"
    )
    with pytest.raises(CaseError) as err:
        pubs.propose(case.pk, enf["command"], title="t", summary="s", photo_ids=[doc.pk])
    assert err.value.field == "photos"
    pub = pubs.propose(
        case.pk,
        enf["s1_enforcer"],
        title="工地扬尘被罚",
        summary="东一花园二期工地裸土未苫盖",
        photo_ids=[photo.pk],
    )
    with pytest.raises(CaseError) as err:
        pubs.approve(pub.pk, enf["s1_enforcer"])  # no approving permission anyway
    assert err.value.kind == "forbidden"
    pubs.approve(pub.pk, enf["command"])
    [view] = [pubs.public_view(p) for p in pubs.published()]
    assert view["party"] == "东一置业有限公司" and view["source_name"] == "东一花园二期工地"
    assert view["category_label"] == "建筑工地" and view["street"] == "东街道"
    [shown] = PublicationPhoto.objects.filter(publication=pub)
    stored = evidence.stored_path(shown.file).read_bytes()
    assert stored != data and b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()
    client = Client()
    response = client.get(view["photos"][0]["url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    pubs.unpublish(pub.pk, enf["command"], reason="到期")
    assert client.get(view["photos"][0]["url"]).status_code == 404


def test_public_api_is_rate_limited(enf, monkeypatch):
    import gridgov.api  # noqa: F401  (first: it registers the routers; alone, the import cycles)
    from gridgov.enforcement import api

    monkeypatch.setattr(api, "PUBLIC_PER_MINUTE", 2)
    client = Client()
    codes = [client.get("/api/v1/public/exposure").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/exposure/").status_code == 429


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("执法队员李专职到场检查", "姓名"),  # a name on the roster
        ("我是李明，现场制止焚烧", "姓名"),  # a name introduced as one
        ("在幸福小区3号楼2单元门口焚烧垃圾", "楼栋门牌号"),
    ],
)
def test_the_public_text_rule_refuses_publication(enf, person_case, text, found):
    from gridgov.people.models import Person

    Person.objects.create(name="李专职", phone="13900000095")
    with pytest.raises(CaseError) as err:
        pubs.propose(person_case.pk, enf["command"], title="露天焚烧垃圾", summary=text)
    assert err.value.field == "summary" and found in str(err.value)
    assert not Publication.objects.exists()


def test_a_name_added_to_the_roster_after_approval_is_masked(enf, person_case):
    from gridgov.people.models import Person

    summary = "执法队员孙立新到场，责令当事人立即熄灭火源"
    pub = pubs.propose(person_case.pk, enf["command"], title="孙立新现场执法", summary=summary)
    pubs.approve(pub.pk, enf["command2"])
    client = Client()
    assert "孙立新" in client.get(f"/exposure/{pub.pk}/").content.decode()
    Person.objects.create(name="孙立新", phone="13900000096")
    api = client.get("/api/v1/public/exposure")
    [item] = api.json()["items"]
    assert item["summary"] == "执法队员孙**到场，责令当事人立即熄灭火源"
    assert item["title"] == "孙**现场执法"
    for path in ("/exposure/", f"/exposure/{pub.pk}/", "/api/v1/public/exposure"):
        response = client.get(path)
        body = response.content.decode("unicode_escape") + response.content.decode()
        assert "孙立新" not in body and "孙**" in body, path
