"""An account sees and changes only its subtree: API, pages, admin and exports alike."""

import io

import pytest
from openpyxl import load_workbook

from gridgov.people.models import Person
from gridgov.people.scope import people_for, regions_for, scope_paths


def codes(response):
    return sorted(item["code"] for item in response.json()["items"])


def test_scope_follows_current_posts(users, territory):
    assert scope_paths(users["command"]) is None  # the command office sees everything
    assert sorted(r.code for r in regions_for(users["east_secretary"])) == [
        "D-S1-C1",
        "D-S1-C1-G1",
        "D-S1-C1-G2",
    ]
    assert [r.code for r in regions_for(users["g1_leader"])] == ["D-S1-C1-G1"]
    assert not regions_for(users["nobody"]).exists()


def test_the_system_and_a_stand_in_without_its_own_scope_see_no_region(territory):
    class StandIn:  # a reader that is not an account (core.actor.Reader) and brings no scope
        is_authenticated = True
        is_active = True
        is_superuser = False

        def has_perm(self, perm, obj=None):
            return True

    assert scope_paths(None) == []
    assert not regions_for(None).exists()
    assert scope_paths(StandIn()) == []


def test_an_ended_post_no_longer_gives_scope(users, people):
    import datetime as dt

    post = people["east_secretary"].posts.get()
    post.end_date = dt.date(2024, 6, 30)
    post.save()
    assert not regions_for(users["east_secretary"]).exists()


def test_people_scope(users, people):
    east = sorted(p.name for p in people_for(users["east_secretary"]))
    assert east == ["东书记", "张网格", "李专职"]


# --- API -------------------------------------------------------------------------------------


def test_community_user_lists_only_its_own_regions(client, bearer, territory):
    response = client.get("/api/v1/regions", **bearer("east_secretary"))
    assert codes(response) == ["D-S1-C1", "D-S1-C1-G1", "D-S1-C1-G2"]


def test_community_user_cannot_read_another_communitys_region(client, bearer, territory):
    headers = bearer("east_secretary")
    assert client.get("/api/v1/regions/D-S2-C2-G3", **headers).status_code == 404
    assert client.get("/api/v1/regions/D-S2-C2", **headers).status_code == 404
    assert client.get("/api/v1/regions/D-S1-C1-G1", **headers).status_code == 200
    assert client.get("/api/v1/regions/NOPE", **headers).status_code == 404


def test_community_user_cannot_list_another_communitys_people(client, bearer, people):
    headers = bearer("east_secretary")
    names = sorted(p["name"] for p in client.get("/api/v1/people", **headers).json()["items"])
    assert names == ["东书记", "张网格", "李专职"]
    assert client.get("/api/v1/people", {"region": "D-S2-C2"}, **headers).status_code == 404
    other = people["g3_worker"].pk
    assert client.get(f"/api/v1/people/{other}", **headers).status_code == 404
    assert client.get("/api/v1/people/999999", **headers).status_code == 404


def test_community_user_gets_only_its_grids_on_the_map_layer(client, bearer, territory):
    data = client.get("/api/v1/grids.geojson", **bearer("east_secretary")).json()
    assert [f["properties"]["code"] for f in data["features"]] == ["D-S1-C1-G1", "D-S1-C1-G2"]


def test_the_map_layer_revalidates_by_etag_per_scope(client, bearer, territory):
    from gridgov.territory.models import Region

    east = bearer("east_secretary")
    first = client.get("/api/v1/grids.geojson", **east)
    etag = first["ETag"]
    again = client.get("/api/v1/grids.geojson", HTTP_IF_NONE_MATCH=etag, **east)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    # another scope has another tag: the east secretary's copy never answers for the command
    other = client.get("/api/v1/grids.geojson", HTTP_IF_NONE_MATCH=etag, **bearer("command"))
    assert other.status_code == 200 and other["ETag"] != etag
    # a renamed grid is a new version
    Region.objects.filter(code="D-S1-C1-G1").update(name="东一第1网格（新）")
    Region.objects.get(code="D-S1-C1-G1").save()
    changed = client.get("/api/v1/grids.geojson", HTTP_IF_NONE_MATCH=etag, **east)
    assert changed.status_code == 200
    names = [f["properties"]["name"] for f in changed.json()["features"]]
    assert "东一第1网格（新）" in names


def test_command_office_sees_everything(client, bearer, people):
    headers = bearer("command")
    assert len(client.get("/api/v1/grids.geojson", **headers).json()["features"]) == 3
    assert client.get("/api/v1/people", **headers).json()["count"] == 6
    assert client.get("/api/v1/regions/D-S2-C2-G3", **headers).status_code == 200


def test_search_is_scoped(client, bearer, people):
    hits = client.get("/api/v1/search", {"q": "书记"}, **bearer("east_secretary")).json()
    assert [h["name"] for h in hits if h["kind"] == "person"] == ["东书记"]


@pytest.mark.parametrize("url", ["/api/v1/export/regions.xlsx", "/api/v1/export/people.xlsx"])
def test_community_user_cannot_export_another_communitys_rows(client, login, people, url):
    response = login("east_secretary").get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    assert "D-S1-C1" in text
    assert "D-S2" not in text and "西书记" not in text and "王兼职" not in text


def test_geojson_export_is_scoped(client, login, territory):
    data = login("east_secretary").get("/api/v1/export/regions.geojson").json()
    assert sorted(f["properties"]["code"] for f in data["features"]) == [
        "D-S1-C1",
        "D-S1-C1-G1",
        "D-S1-C1-G2",
    ]


def test_id_numbers_are_masked_unless_the_role_allows_full_numbers(client, bearer, people):
    east = client.get("/api/v1/people", **bearer("east_secretary")).json()["items"]
    assert all("*" in p["id_number"] for p in east)
    full = client.get("/api/v1/people", **bearer("command")).json()["items"]
    assert "410802199001011232" in [p["id_number"] for p in full]


# --- pages -----------------------------------------------------------------------------------


def test_map_page_counts_only_the_accounts_scope(client, login, people):
    response = login("east_secretary").get("/map/")
    assert response.status_code == 200
    kinds = {k["code"]: k["count"] for k in response.context["kinds"]}
    assert kinds == {"rural": 0, "urban": 1, "dedicated": 1}


def test_pages_need_login(client, territory):
    response = client.get("/map/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- admin -----------------------------------------------------------------------------------


def test_admin_lists_only_the_accounts_people(client, login, people):
    response = login("east_secretary").get("/admin/people/person/")
    assert response.status_code == 200
    listed = sorted(p.name for p in response.context["cl"].result_list)
    assert listed == ["东书记", "张网格", "李专职"]


def test_admin_cannot_open_another_communitys_person_or_region(client, login, people, territory):
    c = login("east_secretary")
    other = Person.objects.get(name="王兼职")
    response = c.get(f"/admin/people/person/{other.pk}/change/")
    assert response.status_code == 302  # Django admin redirects for objects outside get_queryset
    assert c.get(f"/admin/people/person/{people['g1_worker'].pk}/change/").status_code == 200
    g3 = territory["D-S2-C2-G3"]
    assert c.get(f"/admin/territory/region/{g3.pk}/change/").status_code == 302
    regions = c.get("/admin/territory/region/").context["cl"].result_list
    assert sorted(r.code for r in regions) == ["D-S1-C1", "D-S1-C1-G1", "D-S1-C1-G2"]


def test_admin_cannot_post_a_person_into_another_communitys_region(
    client, login, people, territory
):
    c = login("east_secretary")
    response = c.post(
        "/admin/people/post/add/",
        {
            "person": people["g1_worker"].pk,
            "post_type": 3,
            "region": territory["D-S2-C2-G3"].pk,
            "start_date": "2025-01-01",
        },
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert "region" in response.context["adminform"].form.errors
    assert not people["g1_worker"].posts.filter(region__code="D-S2-C2-G3").exists()


def test_groups_follow_the_posts_an_account_holds(users, people, territory):
    import datetime as dt

    from gridgov.people.models import Post, PostType

    leader = users["g1_leader"]
    assert [g.name for g in leader.groups.all()] == ["网格员"]
    Post.objects.create(
        person=people["g1_leader"],
        region=territory["D-S1-C1"],
        post_type=PostType.objects.get(code="secretary"),
        start_date=dt.date(2025, 1, 1),
    )
    assert sorted(g.name for g in leader.groups.all()) == ["社区/村干部", "网格员"]
    people["g1_leader"].posts.filter(post_type__code="grid_leader").update(
        end_date=dt.date(2025, 1, 1)
    )
    people["g1_leader"].save()  # any save of the person re-syncs
    assert [g.name for g in leader.groups.all()] == ["社区/村干部"]
