"""gridgov import-people / export-people: the roster in Excel."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from gridgov.people.models import Person, Post

HEADER = ["姓名", "手机", "岗位", "区域代码", "开始日期", "身份证号"]
GOOD = [
    ["周网格", "13811112222", "网格长", "D-S1-C1-G2", dt.date(2024, 3, 1), "410802199001011232"],
    ["周网格", "13811112222", "grid_worker_part", "D-S1-C1-G1", "2024-05-01", ""],
    ["吴专职", "138 1111 3333", "专职网格员", "D-S2-C2-G3", "2023/09/01", ""],
]


def roster(tmp_path, rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    path = tmp_path / "roster.xlsx"
    wb.save(path)
    return path


def test_dry_run_reports_and_writes_nothing(territory, tmp_path, capsys):
    call_command("import_people", str(roster(tmp_path, GOOD)))
    out = capsys.readouterr().out
    assert "2 new people" in out and "3 new posts" in out and "Dry run" in out
    assert not Person.objects.filter(phone="13811112222").exists()


def test_commit_creates_people_and_posts(territory, tmp_path):
    call_command("import_people", str(roster(tmp_path, GOOD)), "--commit")
    zhou = Person.objects.get(phone="13811112222")
    assert zhou.id_number_masked == "410802********1232"
    assert sorted(zhou.posts.values_list("post_type__code", "region__code")) == [
        ("grid_leader", "D-S1-C1-G2"),
        ("grid_worker_part", "D-S1-C1-G1"),
    ]
    assert Post.objects.get(person__phone="13811113333").start_date == dt.date(2023, 9, 1)


def test_importing_twice_adds_nothing(territory, tmp_path, capsys):
    path = roster(tmp_path, GOOD)
    call_command("import_people", str(path), "--commit")
    capsys.readouterr()
    call_command("import_people", str(path), "--commit")
    assert "0 new posts, 3 posts unchanged" in capsys.readouterr().out
    assert Post.objects.filter(person__phone="13811112222").count() == 2


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (["", "13811114444", "网格长", "D-S1-C1-G1", "2024-01-01", ""], "name", "missing"),
        (["孙", "12345", "网格长", "D-S1-C1-G1", "2024-01-01", ""], "phone", "mobile"),
        (["孙", "13811114444", "船长", "D-S1-C1-G1", "2024-01-01", ""], "post", "unknown post"),
        (
            ["孙", "13811114444", "网格长", "NOPE", "2024-01-01", ""],
            "region_code",
            "unknown region",
        ),
        (["孙", "13811114444", "网格长", "D-S1-C1", "2024-01-01", ""], "post", "level-3"),
        (
            ["孙", "13811114444", "网格长", "D-S1-C1-G1", "yesterday", ""],
            "start_date",
            "not a date",
        ),
        (["孙", "13811114444", "网格长", "D-S1-C1-G1", "", ""], "start_date", "missing"),
        (
            ["孙", "13811114444", "网格长", "D-S1-C1-G1", "2024-01-01", "410802199001011230"],
            "id_number",
            "ID card",
        ),
        (["别人", "13811112222", "网格长", "D-S1-C1-G1", "2024-01-01", ""], "phone", "row 2"),
    ],
    ids=[
        "no-name",
        "bad-phone",
        "unknown-post",
        "unknown-region",
        "wrong-level",
        "bad-date",
        "no-date",
        "bad-id",
        "phone-clash",
    ],
)
def test_row_errors_name_row_and_column_and_nothing_is_written(
    territory, tmp_path, capsys, row, column, reason
):
    path = roster(tmp_path, [*GOOD, row])
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_people", str(path), "--commit")
    out = capsys.readouterr().out
    assert f"row 5, {column}:" in out
    assert reason in out
    assert Person.objects.filter(phone__startswith="138111").count() == 0


def test_missing_required_column_is_reported(territory, tmp_path, capsys):
    path = roster(tmp_path, [r[:3] for r in GOOD], header=HEADER[:3])
    with pytest.raises(CommandError):
        call_command("import_people", str(path))
    assert "region_code: required column is missing" in capsys.readouterr().out


def test_phone_of_an_existing_person_with_another_name_is_refused(people, tmp_path, capsys):
    row = ["冒名", "13900000004", "网格长", "D-S1-C1-G2", "2024-01-01", ""]
    with pytest.raises(CommandError):
        call_command("import_people", str(roster(tmp_path, [row])), "--commit")
    assert "belongs to 张网格" in capsys.readouterr().out


def test_user_scope_limits_the_regions_a_roster_may_touch(users, tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_people", str(roster(tmp_path, GOOD)), "--user", "east_secretary")
    assert "row 4, region_code: region D-S2-C2-G3 is outside your scope" in capsys.readouterr().out


def test_not_an_excel_file_is_refused(db, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_text("name,phone\n")
    with pytest.raises(CommandError):
        call_command("import_people", str(path))


def test_export_writes_a_roster_that_imports_back_unchanged(people, tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    call_command("export_people", "-o", str(out))
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名 name"
    assert len(rows) == 1 + Post.objects.count()
    capsys.readouterr()
    call_command("import_people", str(out))
    assert "0 new posts" in capsys.readouterr().out


def test_export_for_a_user_is_scoped_and_masks_id_numbers(people, tmp_path):
    out = tmp_path / "east.xlsx"
    call_command("export_people", "-o", str(out), "--user", "east_secretary")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))[1:]
    assert {r[3] for r in rows} == {"D-S1-C1", "D-S1-C1-G1"}
    assert all("*" in r[7] for r in rows)
