"""The registry's write path: category fields, geometry → grids, responsibility, history, near."""

from __future__ import annotations

import pytest

from gridgov.sources import categories
from gridgov.sources.models import PollutionSource, SourceChange, Status
from gridgov.sources.services import (
    SourceError,
    SourceInput,
    create_source,
    near,
    point_geometry,
    responsible_of,
    set_status,
    sources_for,
    update_source,
)

pytestmark = pytest.mark.django_db

VALID_CREDIT = "91350100M000100Y43"


def site(**over) -> SourceInput:
    data = SourceInput(
        category="construction_site",
        name="东一花园二期工地",
        geometry=point_geometry(35.2, 113.05),
        attributes={"permit_number": "410802202601", "phase": "earthwork", "area_m2": 12000},
    )
    for key, value in over.items():
        setattr(data, key, value)
    return data


def test_credit_code_check_character():
    assert categories.is_credit_code(VALID_CREDIT)
    assert not categories.is_credit_code(VALID_CREDIT[:-1] + "2")
    assert not categories.is_credit_code("91350100M000100Y4")  # 17 characters
    made = "9141080212345678X"
    assert categories.is_credit_code(made + categories.credit_code_check(made))


def test_create_locates_and_records_history(people, territory):
    source = create_source(site(), people["command"].user)
    assert source.code == "GD-00001"
    assert source.grid == territory["D-S1-C1-G1"]
    assert source.region_path == territory["D-S1-C1-G1"].path
    assert source.attributes["dust_measures"] == []
    assert source.attributes["area_m2"] == 12000
    change = SourceChange.objects.get(source=source)
    assert change.action == "created" and change.actor_name == "指挥长"
    assert create_source(site(name="二号工地")).code == "GD-00002"


def test_road_crossing_grids_links_each_and_scopes_both_streets(people, territory, users):
    road = create_source(
        SourceInput(
            category="road_section",
            name="人民路",
            geometry={"type": "LineString", "coordinates": [[113.05, 35.1], [113.35, 35.1]]},
            attributes={"cleaning_class": "1", "sweeps_per_day": 3},
        )
    )
    linked = set(road.grid_links.values_list("region__code", flat=True))
    assert linked == {"D-S1-C1-G1", "D-S1-C1-G2", "D-S2-C2-G3"}
    assert road.grid.code == "D-S1-C1-G2"  # the grid of the point on the line
    for username in ("east_secretary", "west_secretary", "g1_leader", "command"):
        assert sources_for(users[username]).filter(pk=road.pk).exists(), username
    assert not sources_for(users["nobody"]).exists()


def test_scope_excludes_other_streets(people, users):
    source = create_source(site())
    assert sources_for(users["east_secretary"]).filter(pk=source.pk).exists()
    assert not sources_for(users["west_secretary"]).filter(pk=source.pk).exists()


@pytest.mark.parametrize(
    ("category", "attributes", "field"),
    [
        ("construction_site", {"area_m2": -1}, "attributes.area_m2"),
        ("construction_site", {"area_m2": float("nan")}, "attributes.area_m2"),
        ("construction_site", {"phase": "dancing"}, "attributes.phase"),
        ("construction_site", {"surprise": 1}, "attributes.surprise"),
        ("construction_site", {"builder": "a\x00b"}, "attributes.builder"),
        ("construction_site", {"builder": "长" * 101}, "attributes.builder"),
        ("enterprise", {"credit_code": "91350100M000100Y44"}, "attributes.credit_code"),
        ("enterprise", {"grade": "E"}, "attributes.grade"),
        ("enterprise", {"monitor_mns": ["a b"]}, "attributes.monitor_mns"),
        ("vehicle", {"owner": "某公司"}, "attributes.registration"),
        ("restaurant", {"cleaning_dates": ["2026-02-30"]}, "attributes.cleaning_dates.0"),
        ("restaurant", {"seats": 10**20}, "attributes.seats"),
    ],
)
def test_category_fields_refused_with_field_named(territory, category, attributes, field):
    data = site(category=category, attributes=attributes)
    with pytest.raises(SourceError) as err:
        create_source(data)
    assert err.value.field == field
    assert not PollutionSource.objects.exists()


@pytest.mark.parametrize(
    ("category", "geometry", "message"),
    [
        ("road_section", point_geometry(35.2, 113.05), "type must be one of"),
        ("farmland", {"type": "LineString", "coordinates": [[113.0, 35.0], [113.1, 35.1]]}, "type"),
        (
            "construction_site",
            {"type": "Point", "coordinates": [120.0, 20.0]},
            "outside the district",
        ),
        ("construction_site", {"type": "Point", "coordinates": [113.0, float("inf")]}, "finite"),
        (
            "farmland",
            {
                "type": "Polygon",
                "coordinates": [
                    [[113.0, 35.0], [113.1, 35.1], [113.1, 35.0], [113.0, 35.1], [113.0, 35.0]]
                ],
            },
            "invalid geometry",
        ),
        ("construction_site", "POINT(1 2)", "GeoJSON"),
    ],
)
def test_bad_geometry_refused(territory, category, geometry, message):
    with pytest.raises(SourceError) as err:
        create_source(site(category=category, geometry=geometry, attributes={}))
    assert err.value.field == "geometry"
    assert message in err.value.message


def test_update_keeps_old_and_new_values(people, territory):
    source = create_source(site())
    data = site(name="东一花园二期", geometry=point_geometry(35.2, 113.15))
    data.attributes = dict(source.attributes, phase="structure")
    updated = update_source(source.pk, data, people["command"].user, note="转入主体施工")
    assert updated.grid == territory["D-S1-C1-G2"] and updated.version == 1
    change = updated.changes.first()
    assert change.changes["name"] == ["东一花园二期工地", "东一花园二期"]
    assert change.changes["attributes"][0]["phase"] == "earthwork"
    assert change.changes["attributes"][1]["phase"] == "structure"
    assert change.note == "转入主体施工"
    assert list(updated.grid_links.values_list("region__code", flat=True)) == ["D-S1-C1-G2"]
    # Nothing changed: no new history row, no new version.
    assert update_source(source.pk, data).version == 1
    with pytest.raises(SourceError) as err:
        update_source(source.pk, data, version=0)
    assert err.value.field == "version"


def test_status_change_is_its_own_history_action(territory):
    source = create_source(site())
    set_status(source.pk, Status.SUSPENDED, note="重污染天气停工")
    change = SourceChange.objects.filter(source=source).first()
    assert change.action == "status"
    assert change.changes == {"status": ["active", "suspended"]}
    with pytest.raises(SourceError):
        set_status(source.pk, "gone")


def test_responsible_defaults_to_grid_and_can_be_overridden(people, territory):
    source = create_source(site())
    who = responsible_of(source)
    assert (who.name, who.post_code) == ("张网格", "grid_leader")
    post = people["g1_worker"].posts.get()
    source = update_source(source.pk, site(responsible_post_id=post.pk))
    assert responsible_of(source).name == "李专职"
    with pytest.raises(SourceError) as err:
        update_source(source.pk, site(responsible_post_id=999999))
    assert err.value.field == "responsible_post"


def test_near_measures_to_the_nearest_part_of_lines_and_areas(territory):
    point = create_source(site(geometry=point_geometry(35.2, 113.05)))
    road = create_source(
        SourceInput(
            category="road_section",
            name="南北路",
            geometry={"type": "LineString", "coordinates": [[113.06, 35.0], [113.06, 35.3]]},
        )
    )
    far = create_source(site(name="远处工地", geometry=point_geometry(35.3, 113.15)))
    found = near(35.2, 113.05, 2000)
    assert [n.source for n in found] == [point, road]
    assert found[0].metres == pytest.approx(0, abs=0.5)
    # 0.01° of longitude at 35.2°N is about 909 m.
    assert found[1].metres == pytest.approx(909, rel=0.01)
    assert far not in [n.source for n in near(35.2, 113.05, 5000)]
    wide = {n.source: n for n in near(35.2, 113.05, 15000)}
    assert 35 < wide[far].bearing < 45  # north-east of the point
    assert wide[far].metres == pytest.approx(14_200, rel=0.02)
    with pytest.raises(Exception) as err:
        near(35.2, 113.05, 10**9)
    assert "radius" in str(err.value)
