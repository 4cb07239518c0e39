"""The shared Excel import (gridgov/core/sheets.py): header matching, typed cells, row errors
naming row and column, and export → read round trips. DomainError's API mapping."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from gridgov.core import sheets
from gridgov.core.sheets import Column
from gridgov.errors import DomainError

COLUMNS = [
    Column("name", "名称", sheets.text(10), required=True),
    Column("staff", "人数", sheets.integer(0, 1000)),
    Column("amount", "金额", sheets.decimal(Decimal(0), Decimal("1000000"))),
    Column("opened", "成立日期", sheets.date()),
    Column("party", "党组织", sheets.boolean()),
    Column("kind", "类型", sheets.choice([("economic", "新经济组织"), ("social", "新社会组织")])),
    Column("tags", "标签", sheets.listing(sheets.text(5))),
]


def book(*rows: list[object]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_good_rows_parse_to_typed_values():
    data = book(
        ["名称 name", "staff", "金额", "成立日期", "党组织", "类型", "标签"],
        ["甲公司", 12, 3.5, dt.datetime(2024, 5, 1), "是", "新经济组织", "a、b，c"],
        [None, None, None, None, None, None, None],  # blank rows are skipped
        ["乙协会", "7", "1,200.25", "2023/2/28", "否", "social", ""],
    )
    report = sheets.read(data, COLUMNS)
    assert report.ok, report.errors
    first, second = report.rows
    assert first == {
        "_row": 2, "name": "甲公司", "staff": 12, "amount": Decimal("3.50"),
        "opened": dt.date(2024, 5, 1), "party": True, "kind": "economic", "tags": ["a", "b", "c"],
    }  # fmt: skip
    assert second["_row"] == 4
    assert second["amount"] == Decimal("1200.25")
    assert second["opened"] == dt.date(2023, 2, 28)
    assert (second["party"], second["kind"], second["tags"]) == (False, "social", [])


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("名称", "超过十个字的一个很长的名称啊", "at most 10 characters"),
        ("人数", 1.5, "whole number"),
        ("人数", 5000, "between"),
        ("人数", "9" * 30, "whole number"),
        ("金额", "NaN", "finite"),
        ("金额", "1.234", "decimal places"),
        ("金额", "abc", "not a number"),
        ("成立日期", "2026-02-30", "not a calendar date"),
        ("成立日期", "2026-13-01", "not a calendar date"),
        ("成立日期", "1850-01-01", "year must be"),
        ("成立日期", "next week", "not a date"),
        ("党组织", "maybe", "是/否"),
        ("类型", "政府", "unknown value"),
    ],
)
def test_bad_cells_are_row_errors_naming_row_and_column(column, value, reason):
    header = [c.label for c in COLUMNS]
    good = ["丙公司", 1, 1, "2024-01-01", "是", "economic", ""]
    bad = list(good)
    bad[header.index(column)] = value
    report = sheets.read(book(header, good, bad), COLUMNS)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, column)]
    assert reason in report.errors[0].reason
    assert str(report.errors[0]).startswith(f"row 3, {column}:")


def test_control_characters_and_non_finite_numbers_are_refused_by_the_parsers():
    # A workbook cannot even hold most control characters; a CSV-born cell might.
    with pytest.raises(sheets.CellError, match="control character"):
        sheets.text(20)("bad\x07name")
    with pytest.raises(sheets.CellError, match="finite"):
        sheets.decimal(Decimal(0), Decimal(10))(float("inf"))


def test_required_cells_and_columns():
    report = sheets.read(book(["名称", "人数"], ["", 3]), COLUMNS)
    assert [(e.row, e.column, e.reason) for e in report.errors] == [(2, "名称", "required")]
    missing = sheets.read(book(["人数"], [3]), COLUMNS)
    assert [(e.row, e.column, e.reason) for e in missing.errors] == [(1, "名称", "column missing")]
    assert missing.rows == []


def test_not_a_workbook_is_one_error():
    report = sheets.read(b"this is not a zip", COLUMNS)
    assert [(e.row, e.column) for e in report.errors] == [(0, "file")]


def test_export_reads_back_the_same_rows_and_neutralises_formulas():
    rows = [
        ["甲公司", 12, Decimal("3.50"), dt.date(2024, 5, 1), True, "economic", ["a", "b"]],
        ["=1+1", None, None, None, False, "social", []],
    ]
    data = sheets.export(COLUMNS, rows, title="组织")
    back = sheets.read(data, COLUMNS)
    assert back.ok, back.errors
    assert back.rows[0]["tags"] == ["a", "b"]
    assert back.rows[0]["amount"] == Decimal("3.50")
    assert back.rows[0]["opened"] == dt.date(2024, 5, 1)
    assert back.rows[1]["name"] == "'=1+1"  # stored as text, never run as a formula
    assert back.rows[1]["party"] is False


def test_domain_error_kinds():
    exc = DomainError.invalid("amount", "too large")
    assert (exc.kind, exc.field, exc.message) == ("invalid", "amount", "too large")
    assert DomainError.not_found("no such case").kind == "not_found"
    with pytest.raises(ValueError):
        DomainError("teapot", "no")


def test_the_api_answers_a_domain_error_with_its_status_and_field(rf):
    from gridgov.api import on_domain_error

    request = rf.get("/api/v1/x")
    response = on_domain_error(request, DomainError.invalid("amount", "too large"))
    assert response.status_code == 400
    assert b'"field": "amount"' in response.content
    assert on_domain_error(request, DomainError.not_found("gone")).status_code == 404
    assert on_domain_error(request, DomainError.conflict("twice")).status_code == 409


# --- number cells openpyxl cannot read (NaN, INF, -INF): a row error, never a traceback ------


def not_a_number(headers: list[str], bad: str = "NaN", column: int = 0) -> bytes:
    """A workbook with `headers` and one row whose cell `column` is a number cell holding
    `bad` (written as 11111, then patched in the sheet's XML: Excel never writes this, a
    broken exporter may)."""
    import zipfile

    wb = Workbook()
    row: list[object] = ["x"] * len(headers)
    row[column] = 11111
    wb.active.append(headers)
    wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>11111</v>" in data
                data = data.replace(b"<v>11111</v>", f"<v>{bad}</v>".encode())
            zout.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("bad", ["NaN", "INF", "-INF"])
def test_a_number_cell_that_is_not_a_number_is_a_row_error(bad):
    report = sheets.read(not_a_number(["名称", "人数"], bad, column=1), COLUMNS)
    assert not report.ok
    assert [str(e) for e in report.errors] == [f"row 2, 人数: not a finite number: {bad!r}"]


@pytest.mark.django_db
def test_every_importer_names_the_row_and_column_of_a_nan_cell(crew, territory, tmp_path):
    from gridgov.customs import excel as customs_excel
    from gridgov.organisations import excel as org_excel
    from gridgov.people import roster
    from gridgov.projects import excel as project_excel
    from gridgov.sources import excel as source_excel

    user = crew["command"]
    first = {
        "organisations": org_excel.COLUMNS[0].label,
        "projects": project_excel.COLUMNS[0].label,
        "customs": customs_excel.COLUMNS[0].label,
    }
    found = {
        "organisations": org_excel.import_sheet(
            user, not_a_number([c.header for c in org_excel.COLUMNS])
        ).report.errors,
        "projects": project_excel.import_projects(
            user, not_a_number([c.header for c in project_excel.COLUMNS])
        ).errors,
        "customs": customs_excel.import_registrations(
            user, not_a_number([c.header for c in customs_excel.COLUMNS])
        )[0].errors,
    }
    for name, errors in found.items():
        assert [(e.row, e.column) for e in errors] == [(2, first[name])], name
        assert "not a finite number" in errors[0].reason
    sheet = tmp_path / "sources.xlsx"
    sheet.write_bytes(not_a_number(source_excel.headers("construction_site")))
    report = source_excel.read_sources(sheet, "construction_site", user=user)
    assert [(e.row, e.column) for e in report.errors] == [(2, "code")]  # its first column
    people = tmp_path / "roster.xlsx"
    people.write_bytes(not_a_number(roster.EXPORT_HEADERS))
    errors = roster.read_roster(people, user).errors
    assert [(e.row, e.column) for e in errors] == [(2, "name")]


def test_header_keys_take_either_word_in_any_case_and_skip_unknown_columns():
    spellings = {"name": ("name", "姓名"), "phone": ("phone", "手机", "手机号")}
    header = ["姓名 NAME", "备注", "Phone", None, "手机号"]
    assert sheets.header_keys(header, spellings) == {0: "name", 2: "phone", 4: "phone"}


def test_records_skip_blank_rows_and_number_rows_as_the_sheet_does():
    rows = [("甲", "x", 1), (None, "ignored", "  "), ("乙",), ("", None, None)]
    found = list(sheets.records(rows, {0: "name", 2: "count"}))
    assert found == [(2, {"name": "甲", "count": 1}), (4, {"name": "乙"})]


def test_cell_text_is_what_a_person_typed():
    assert sheets.cell_text(None) == ""
    assert sheets.cell_text(12.0) == "12"
    assert sheets.cell_text(dt.datetime(2026, 5, 1, 8, 30)) == "2026-05-01"
    assert sheets.cell_text("  东街道 ") == "东街道"


def test_a_head_row_is_bold_frozen_and_sized():
    from openpyxl import load_workbook

    wb = Workbook()
    sheets.head_row(wb.active, ["名称 name", "备注 notes"], [10, 30])
    wb.active.append(["甲", "乙"])
    ws = load_workbook(io.BytesIO(sheets.book_bytes(wb))).active
    assert [c.value for c in ws[1]] == ["名称 name", "备注 notes"]
    assert all(c.font.b for c in ws[1]) and not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert (ws.column_dimensions["A"].width, ws.column_dimensions["B"].width) == (10, 30)


def test_one_row_error_for_every_importer():
    from gridgov.people import roster
    from gridgov.sources import excel

    assert roster.RowError is sheets.RowError is excel.RowError
    assert str(sheets.RowError(3, "phone", "missing")) == "row 3, phone: missing"
