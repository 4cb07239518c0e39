"""The stored bulletin's PDF and Excel files; generating twice."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from gridgov.bulletins import services
from gridgov.bulletins.models import Bulletin

TODAY = dt.date(2026, 12, 2)


def test_pdf_embeds_the_cjk_font_and_xlsx_has_one_sheet_per_table(territory, air_data, orders):
    b, made = services.generate("month", dt.date(2026, 11, 30), territory["D"], on=TODAY)
    assert made and b.number == 1 and b.year == 2026
    data = services.file_path(b.pdf_file).read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data
    book = load_workbook(io.BytesIO(services.file_path(b.xlsx_file).read_bytes()))
    assert book.sheetnames == [
        "目标完成",
        "街道（镇）排名",
        "社区（村）排名",
        "热点网格",
        "工单办理",
        "巡查检查",
        "执法案件",
        "指令未签收",
    ]
    ranking = book["街道（镇）排名"]
    assert [c.value for c in ranking[1]][:3] == ["排名", "单位", "PM2.5（微克/立方米）"]
    assert ranking.freeze_panes == "A2"
    assert [c.value for c in ranking[2]][:3] == ["1", "东街道", 46]
    assert ranking.cell(2, 4).number_format == "0.0"
    orders_sheet = book["工单办理"]
    assert [c.value for c in orders_sheet[1]] == [
        "单位",
        "受理",
        "已结案",
        "在办",
        "按时处置率",
        "超期",
        "超期升级",
        "退回",
        "重新打开",
        "群众满意率",
    ]
    assert orders_sheet.cell(2, 5).number_format == "0.0%"


def test_the_same_period_twice_answers_the_stored_one_unless_forced(territory, air_data):
    first, made = services.generate("week", dt.date(2026, 11, 20), territory["D"], on=TODAY)
    again, made_again = services.generate("week", dt.date(2026, 11, 18), territory["D"], on=TODAY)
    assert made and not made_again and again.pk == first.pk
    assert again.generated_at == first.generated_at
    forced, redrawn = services.generate(
        "week", dt.date(2026, 11, 20), territory["D"], force=True, on=TODAY
    )
    assert redrawn and forced.pk == first.pk and forced.number == first.number
    assert Bulletin.objects.count() == 1
    # Each kind is numbered on its own within the year: the first 日报 is 第1期 beside the
    # 周报 第1期; another week takes the next 周报 number, and so does another day.
    day, _ = services.generate("day", dt.date(2026, 11, 20), territory["D"], on=TODAY)
    assert (day.kind, day.number) == ("day", 1)
    week, _ = services.generate("week", dt.date(2026, 11, 27), territory["D"], on=TODAY)
    assert (week.kind, week.number) == ("week", 2)
    next_day, _ = services.generate("day", dt.date(2026, 11, 21), territory["D"], on=TODAY)
    assert next_day.number == 2
    assert str(next_day).endswith("2026年第2期")
    # Another unit counts its own.
    street, _ = services.generate("day", dt.date(2026, 11, 20), territory["D-S1"], on=TODAY)
    assert street.number == 1


def test_a_day_with_no_data_still_makes_both_files(territory):
    b, made = services.generate("day", dt.date(2026, 11, 25), territory["D"], on=TODAY)
    assert made
    assert services.file_path(b.pdf_file).read_bytes().startswith(b"%PDF")
    assert b.figures["sections"]["air"]["unit"]["pm25"] is None
    assert b.figures["sections"]["ranking"]["street"]["ranked"] == []


def test_a_community_is_not_a_bulletin_unit(territory):
    import pytest

    with pytest.raises(services.BulletinError) as caught:
        services.generate("day", dt.date(2026, 11, 25), territory["D-S1-C1"], on=TODAY)
    assert caught.value.field == "region"
