"""Region files with 市 and 区 levels: the importer reads the province's and the city's names,
checks each parent against the configured ladder, and the export reads back."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from gridgov.territory.importer import read_feature_collection
from gridgov.territory.models import Level, Region
from tests.conftest import box

pytestmark = pytest.mark.django_db


def feature(code, name, level, parent, geometry):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent},
        "geometry": geometry,
    }


def city_file(tmp_path, district_level="区"):
    path = tmp_path / "city.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature("410800", "焦作市", "地级市", None, box(113.0, 35.0, 113.8, 35.4)),
                    feature(
                        "410802", "解放区", district_level, "410800", box(113.0, 35.0, 113.4, 35.4)
                    ),
                    feature("410821", "修武县", "县", "410800", box(113.4, 35.0, 113.8, 35.4)),
                    feature("410821001", "城关镇", "镇", "410821", box(113.4, 35.0, 113.6, 35.4)),
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def test_a_file_with_city_and_district_levels_imports(tmp_path):
    path = city_file(tmp_path)
    parsed = read_feature_collection(path)
    assert parsed.problems == []
    assert [s.level for s in parsed.specs] == [0, 1, 1, 2]
    call_command("import_regions", str(path), "--commit")
    city = Region.objects.get(code="410800")
    assert city.level == Level.CITY and city.parent is None
    assert {r.code for r in city.children.all()} == {"410802", "410821"}
    assert Region.objects.get(code="410821001").path.count("/") == 4  # /city/county/town/


def test_a_street_directly_under_the_city_is_refused(tmp_path, capsys):
    path = city_file(tmp_path, district_level="街道")
    with pytest.raises(Exception, match="nothing was written"):
        call_command("import_regions", str(path), "--commit")
    assert (
        "410802: parent: parent '410800' is at level 0, a level-2 region needs a level-1 parent"
        in capsys.readouterr().out
    )
    assert not Region.objects.exists()


def test_a_district_file_under_a_stored_city(tmp_path):
    call_command("import_regions", str(city_file(tmp_path)), "--commit")
    more = tmp_path / "more.geojson"
    more.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "410802001", "name": "焦南街道"},
                        "geometry": box(113.0, 35.0, 113.2, 35.4),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    call_command("import_regions", str(more), "--level", "街道", "--parent", "410802", "--commit")
    assert Region.objects.get(code="410802001").parent.code == "410802"
    with pytest.raises(Exception, match="level-1 features need a level-0 parent"):
        call_command("import_regions", str(more), "--level", "区", "--parent", "410802")


def test_the_export_names_the_city_level_and_reads_back(tmp_path):
    from gridgov.territory.export import workbook_bytes
    from gridgov.territory.levels import parse_level

    call_command("import_regions", str(city_file(tmp_path)), "--commit")
    data = workbook_bytes(Region.objects.all().order_by("level", "code"))
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(data)).active.iter_rows(values_only=True))
    levels = [row[2] for row in rows[1:]]
    assert levels[0] == "市" and parse_level(levels[0]) == Level.CITY
