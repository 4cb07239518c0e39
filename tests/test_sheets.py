"""The shared Excel import (gridgov/ops/sheets.py): header matching, typed cells, row errors
naming row and column, and export → read round trips. DomainError's API mapping."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from gridgov.errors import DomainError
from gridgov.ops import sheets
from gridgov.ops.sheets import Column

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
