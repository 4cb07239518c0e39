"""gridgov import-regions: dry-run by default, --commit in one transaction; a bad file is
refused whole."""

import json
import re

import pytest
from django.core.management import CommandError, call_command

from gridgov.territory.importer import FieldMap, read_feature_collection
from gridgov.territory.models import BoundaryVersion, Region
from gridgov.territory.services import validate_plan
from tests.conftest import box, territory_specs


def feature(code, name, level, parent, geometry, kind=None, **extra):
    props = {"code": code, "name": name, "level": level, "parent_code": parent, "kind": kind}
    props.update(extra)
    return {"type": "Feature", "properties": props, "geometry": geometry}


def good_features():
    return [
        feature(s.code, s.name, s.level, s.parent_code, s.geometry, s.kind or None, lines=s.lines)
        for s in territory_specs()
    ]


def write(tmp_path, features, name="regions.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def test_dry_run_reports_and_writes_nothing(db, tmp_path, capsys):
    call_command("import_regions", str(write(tmp_path, good_features())))
    out = capsys.readouterr().out
    assert "Would create 8" in out
    assert "Dry run" in out
    assert Region.objects.count() == 0


def test_commit_writes_all_regions_with_paths_and_history(db, tmp_path):
    call_command("import_regions", str(write(tmp_path, good_features())), "--commit")
    assert Region.objects.count() == 8
    g1 = Region.objects.get(code="D-S1-C1-G1")
    assert g1.kind == "urban"
    assert g1.parent.code == "D-S1-C1"
    assert sorted(line.code for line in g1.lines.all()) == ["environment", "governance"]
    assert g1.path.startswith(Region.objects.get(code="D").path)
    assert BoundaryVersion.objects.filter(region=g1, version=1, valid_to__isnull=True).exists()


def test_reimporting_the_same_file_changes_nothing(db, tmp_path, capsys):
    path = write(tmp_path, good_features())
    call_command("import_regions", str(path), "--commit")
    capsys.readouterr()
    call_command("import_regions", str(path))
    assert "change 0, leave 8 unchanged" in capsys.readouterr().out
    call_command("import_regions", str(path), "--commit")
    assert BoundaryVersion.objects.count() == 8


def test_a_changed_boundary_is_reported_and_versioned(territory, tmp_path, capsys):
    features = good_features()
    # Move the G1/G2 border east: both grids change shape, nothing overlaps.
    features[5]["geometry"] = box(113.0, 35.0, 113.15, 35.4)
    features[6]["geometry"] = box(113.15, 35.0, 113.2, 35.4)
    path = write(tmp_path, features)
    call_command("import_regions", str(path))
    out = capsys.readouterr().out
    assert "change 2" in out and "geometry" in out
    call_command("import_regions", str(path), "--commit")
    g1 = Region.objects.get(code="D-S1-C1-G1")
    assert g1.version == 2
    versions = list(g1.boundary_versions.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].valid_to is not None and versions[1].valid_to is None
    assert versions[0].geometry["coordinates"][0][1][0] == 113.1  # the old shape is kept


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[113.0, 35.0], [113.1, 35.4], [113.1, 35.0], [113.0, 35.4], [113.0, 35.0]]],
}


@pytest.mark.parametrize(
    ("mutate", "code", "reason"),
    [
        (lambda f: f[5].__setitem__("geometry", BOWTIE), "D-S1-C1-G1", "invalid geometry"),
        (
            lambda f: f[5].__setitem__("geometry", {"type": "Point", "coordinates": [113, 35]}),
            "D-S1-C1-G1",
            "Polygon or MultiPolygon",
        ),
        (
            lambda f: f[5]["properties"].__setitem__("parent_code", "NOPE"),
            "D-S1-C1-G1",
            "unknown parent",
        ),
        (
            lambda f: f.append(
                feature("D-S1-C1-G1", "重复", 4, "D-S1-C1", box(113.0, 35.0, 113.05, 35.1), "urban")
            ),
            "D-S1-C1-G1",
            "duplicate code",
        ),
        (
            lambda f: f[6].__setitem__("geometry", box(113.05, 35.0, 113.2, 35.4)),
            "D-S1-C1-G",
            "overlaps",
        ),
        (
            lambda f: f[5].__setitem__("geometry", box(112.9, 35.0, 113.1, 35.4)),
            "D-S1-C1-G1",
            "outside its parent",
        ),
        (lambda f: f[5]["properties"].__setitem__("kind", "castle"), "D-S1-C1-G1", "kind"),
        (
            lambda f: f[5]["properties"].__setitem__("parent_code", "D"),
            "D-S1-C1-G1",
            "level-3 parent",
        ),
    ],
    ids=[
        "bowtie",
        "point",
        "unknown-parent",
        "duplicate",
        "overlap",
        "outside-parent",
        "bad-kind",
        "wrong-level-parent",
    ],
)
def test_bad_file_is_refused_naming_the_code_and_nothing_is_written(
    db, tmp_path, capsys, mutate, code, reason
):
    features = good_features()
    mutate(features)
    path = write(tmp_path, features)
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_regions", str(path), "--commit")
    out = capsys.readouterr().out
    assert code in out
    assert reason in out
    assert Region.objects.count() == 0


def test_overlap_with_a_grid_already_in_the_database_is_refused(territory, tmp_path):
    intruder = feature(
        "D-S1-C1-G9", "新网格", 4, "D-S1-C1", box(113.05, 35.1, 113.15, 35.2), "urban"
    )
    with pytest.raises(CommandError):
        call_command("import_regions", str(write(tmp_path, [intruder])), "--commit")
    assert not Region.objects.filter(code="D-S1-C1-G9").exists()


def test_a_small_overlap_within_tolerance_is_accepted(db):
    specs = territory_specs()
    specs[6].geometry = box(113.0999999, 35.0, 113.2, 35.4)  # ~1 cm of overlap
    assert validate_plan(specs).ok


def test_property_names_can_be_mapped(db, tmp_path):
    features = []
    for f in good_features():
        p = f["properties"]
        f["properties"] = {
            "QHDM": p["code"],
            "QHMC": p["name"],
            "JB": p["level"],
            "SJDM": p["parent_code"],
            "LX": p["kind"],
        }
        features.append(f)
    path = write(tmp_path, features)
    call_command(
        "import_regions",
        str(path),
        "--commit",
        "--code-field",
        "QHDM",
        "--name-field",
        "QHMC",
        "--level-field",
        "JB",
        "--parent-field",
        "SJDM",
        "--kind-field",
        "LX",
    )
    assert Region.objects.get(code="D-S2-C2-G3").name == "西一第1网格"


def test_level_and_kind_accept_chinese_names(tmp_path):
    path = write(tmp_path, [feature("X", "某网格", "网格", "C", box(0, 0, 1, 1), "农村网格")])
    parsed = read_feature_collection(path, FieldMap())
    assert parsed.specs[0].level == 4 and parsed.specs[0].kind == "rural"


@pytest.mark.parametrize(
    "content", ["not json", '{"type": "Feature"}', '{"type": "FeatureCollection"}']
)
def test_unreadable_files_are_refused(db, tmp_path, content):
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(CommandError):
        call_command("import_regions", str(path), "--commit")


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_regions", str(tmp_path / "missing.geojson"))


def test_export_round_trips_through_import(territory, tmp_path, capsys):
    out = tmp_path / "out.geojson"
    call_command("export_regions", "-o", str(out))
    data = json.loads(out.read_text())
    assert len(data["features"]) == 8
    capsys.readouterr()
    call_command("import_regions", str(out))
    assert "leave 8 unchanged" in capsys.readouterr().out


def test_export_to_excel(territory, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "regions.xlsx"
    call_command("export_regions", "-o", str(out), "--level", "4")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["D-S1-C1-G1", "D-S1-C1-G2", "D-S2-C2-G3"]


# --- real county-level files: top-level overlaps, level names, --level/--parent, ids ---------

# An irregular border between two neighbouring districts, south to north.
BORDER = [(113.20, 35.0), (113.23, 35.07), (113.18, 35.15), (113.22, 35.26), (113.19, 35.4)]


def district_feature(code, name, geometry, **props):
    """A feature as DataV / 阿里云 files have them: adcode (a number), name, level."""
    return {
        "type": "Feature",
        "properties": {"adcode": code, "name": name, "level": "district", **props},
        "geometry": geometry,
    }


def neighbours(shift=0.0):
    """West and east of BORDER; the east one reaches `shift` degrees over it (a sliver)."""
    west = [(113.0, 35.0), *BORDER, (113.0, 35.4), (113.0, 35.0)]
    east = [(x - shift, y) for x, y in reversed(BORDER)]
    east = [*east, (113.4, 35.0), (113.4, 35.4), east[0]]
    hole = [(113.05, 35.05), (113.08, 35.05), (113.08, 35.08), (113.05, 35.05)]
    return (
        {"type": "Polygon", "coordinates": [[list(p) for p in west], [list(p) for p in hole]]},
        {"type": "MultiPolygon", "coordinates": [[[list(p) for p in east]]]},
    )


def test_neighbouring_districts_with_a_sliver_along_their_border_are_accepted(db, tmp_path):
    west, east = neighbours(shift=0.00001)  # about a metre over the border
    from shapely.geometry import shape

    share = shape(west).intersection(shape(east)).area / min(shape(west).area, shape(east).area)
    assert 0 < share < 0.001
    path = write(
        tmp_path, [district_feature(110105, "西区", west), district_feature(110106, "东区", east)]
    )
    call_command("import_regions", str(path), "--commit")
    assert sorted(Region.objects.values_list("code", "level")) == [("110105", 1), ("110106", 1)]
    assert Region.objects.get(code="110106").geometry["type"] == "MultiPolygon"
    assert len(Region.objects.get(code="110105").geometry["coordinates"]) == 2  # the hole kept


def test_a_district_duplicated_under_another_code_is_refused(db, tmp_path, capsys):
    west, east = neighbours()
    path = write(
        tmp_path,
        [
            district_feature(110105, "西区", west),
            district_feature(110106, "东区", east),
            district_feature(110199, "西区副本", west),
        ],
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_regions", str(path))
    out = capsys.readouterr().out
    assert "110105" in out and "110199" in out and "100.00%" in out
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_regions", str(path), "--commit")
    assert Region.objects.count() == 0


def test_a_district_overlapping_a_stored_one_by_half_is_refused_in_dry_run_and_commit(
    territory, tmp_path, capsys
):
    before = Region.objects.count()
    intruder = district_feature(410802, "解放区", box(113.2, 35.0, 113.6, 35.4))
    path = write(tmp_path, [intruder])
    for extra in ([], ["--commit"]):
        with pytest.raises(CommandError, match="nothing was written"):
            call_command("import_regions", str(path), *extra)
        out = capsys.readouterr().out
        assert "feature 1, 410802: geometry: overlaps D (测试区, stored) by 50.00%" in out
    assert Region.objects.count() == before


def test_redrawing_a_stored_district_is_not_an_overlap_with_itself(territory, tmp_path):
    bigger = district_feature("D", "测试区", box(112.9, 34.9, 113.5, 35.5))
    call_command("import_regions", str(write(tmp_path, [bigger])), "--commit")
    assert Region.objects.get(code="D").version == 2


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("县", 1),
        ("县级市", 1),
        ("旗", 1),
        ("自治县", 1),
        ("自治旗", 1),
        ("林区", 1),
        ("特区", 1),
        ("区", 1),
        ("乡", 2),
        ("民族乡", 2),
        ("苏木", 2),
        ("镇", 2),
        ("街道", 2),
        ("居委会", 3),
        ("村委会", 3),
        ("嘎查", 3),
        ("社区", 3),
        ("村", 3),
        ("网格", 4),
    ],
)
def test_chinese_level_names_map_onto_the_four_levels(tmp_path, name, level):
    path = write(tmp_path, [feature("X", "某地", name, None, box(0, 0, 1, 1))])
    parsed = read_feature_collection(path)
    assert parsed.problems == [] and parsed.specs[0].level == level


def test_an_unknown_level_is_refused_per_row_with_the_accepted_names(tmp_path):
    path = write(tmp_path, [feature("X", "某大区", "region", None, box(0, 0, 1, 1))])
    [problem] = read_feature_collection(path).problems
    assert (
        problem.row == 1
        and "unknown level 'region'" in problem.reason
        and "村委会" in problem.reason
        and "地级市" in problem.reason
    )


def streets_without_level_or_parent():
    return [
        {
            "type": "Feature",
            "properties": {"code": "D-T1", "name": "北乡"},
            "geometry": box(113.0, 35.2, 113.4, 35.4),
        },
        {
            "type": "Feature",
            "properties": {"code": "D-T2", "name": "南乡"},
            "geometry": box(113.0, 35.0, 113.4, 35.2),
        },
    ]


def test_level_and_parent_options_place_a_file_of_townships_under_a_stored_district(db, tmp_path):
    from gridgov.territory.services import apply_plan

    apply_plan([territory_specs()[0]])  # district D alone
    path = write(tmp_path, streets_without_level_or_parent())
    call_command("import_regions", str(path), "--level", "乡", "--parent", "D", "--commit")
    streets = Region.objects.filter(level=2).select_related("parent")
    assert sorted((r.code, r.parent.code) for r in streets) == [("D-T1", "D"), ("D-T2", "D")]


def test_a_file_without_levels_needs_the_level_option(db, tmp_path, capsys):
    path = write(tmp_path, streets_without_level_or_parent())
    with pytest.raises(CommandError):
        call_command("import_regions", str(path))
    assert "feature 1, D-T1: level: missing (give the file's level with --level)" in (
        capsys.readouterr().out
    )


def test_a_level_property_disagreeing_with_the_level_option_is_refused(db, tmp_path, capsys):
    path = write(tmp_path, [feature("X", "某村", "村", None, box(0, 0, 1, 1))])
    with pytest.raises(CommandError):
        call_command("import_regions", str(path), "--level", "镇")
    assert "--level says 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "大区"], "--level '大区': unknown level name"),
        (["--level", "乡", "--parent", "NOPE"], "--parent NOPE: no such region"),
        (["--level", "乡", "--parent", "D-S1"], "level-2 features need a level-1 parent"),
        (["--level", "县", "--parent", "D"], "level-1 features need a level-0 parent"),
        (["--parent", "D-S1-C1-G1"], "is a grid"),
    ],
)
def test_bad_options_are_a_clear_error(territory, tmp_path, args, message):
    path = write(tmp_path, streets_without_level_or_parent())
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_regions", str(path), *args)


def test_features_outside_the_parent_option_are_refused(territory, tmp_path, capsys):
    features = streets_without_level_or_parent()
    features[0]["geometry"] = box(113.0, 35.2, 113.4, 35.6)  # half of it north of D
    Region.objects.filter(level__gte=2).update(retired_at="2026-01-01T00:00Z")
    with pytest.raises(CommandError):
        call_command(
            "import_regions",
            str(write(tmp_path, features)),
            "--level",
            "2",
            "--parent",
            "D",
            "--commit",
        )
    assert "D-T1: geometry: 50.00% of it lies outside its parent D" in capsys.readouterr().out
    assert not Region.objects.filter(code__startswith="D-T").exists()


def with_id(value, **props):
    return {
        "type": "Feature",
        "id": value,
        "properties": props,
        "geometry": box(113.0, 35.0, 113.4, 35.4),
    }


def test_code_field_id_reads_the_feature_id_and_numbers_become_text(db, tmp_path):
    path = write(tmp_path, [with_id(110105, name="朝阳区", code="ignored")])
    call_command("import_regions", str(path), "--code-field", "id", "--level", "区", "--commit")
    assert list(Region.objects.values_list("code", "name")) == [("110105", "朝阳区")]


def test_code_field_id_refuses_a_feature_without_an_id(db, tmp_path, capsys):
    feature_without = with_id(None, name="无名区")
    del feature_without["id"]
    path = write(tmp_path, [with_id("110105", name="朝阳区"), feature_without])
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_regions", str(path), "--code-field", "id", "--level", "区", "--commit")
    assert "feature 2, (no code): id: feature has no id member" in capsys.readouterr().out
    assert Region.objects.count() == 0


def test_a_ring_touching_itself_is_repaired_and_said_so(db, tmp_path, capsys):
    # One ring that touches itself at (113.2, 35.2): valid to most GIS, not to OGC.
    ring = [
        [113.0, 35.0],
        [113.4, 35.0],
        [113.4, 35.4],
        [113.2, 35.2],
        [113.3, 35.4],
        [113.1, 35.4],
        [113.2, 35.2],
        [113.0, 35.4],
        [113.0, 35.0],
    ]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    call_command(
        "import_regions", str(write(tmp_path, [district_feature(1, "甲区", geometry)])), "--commit"
    )
    assert "feature 1, 1: geometry: repaired (Ring Self-intersection" in capsys.readouterr().out
    from shapely.geometry import shape

    stored = shape(Region.objects.get(code="1").geometry)
    assert stored.is_valid and abs(stored.area - shape(geometry).area) < 1e-9
