"""gridgov import-regions: dry-run by default, --commit in one transaction; a bad file is
refused whole."""

import json

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
