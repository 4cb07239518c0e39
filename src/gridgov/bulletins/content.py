"""What a dispatch bulletin (调度通报) says, as plain data: a list of numbered sections, each with
its paragraphs, tables, charts and a JSON snapshot of its figures. The PDF and the Excel file
are drawn from this, and the stored bulletin keeps the snapshot.

The bulletin's own sections are the air's (`air_sections`: the air against its targets, the
rankings) and the work section, made of the parts the apps register (orders, inspections,
cases); the others (the emergency, the commands not signed for, the horse race) are registered
by their apps (`sections`). Every figure comes from the domain functions the pages and the API
use, read with the scope of the bulletin's unit (`UnitReader`): a street's bulletin shows what
that street's own office would see, the district's what the command office sees.

The document text is Chinese only: a bulletin is an official document (公文) of a Chinese
office, and its wording (通报, 倒数三名) has no English form that the recipients would use.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from gridgov.bulletins import sections
from gridgov.bulletins.air_sections import air_section, ranking_section
from gridgov.bulletins.command_section import commands_section
from gridgov.bulletins.periods import Period
from gridgov.bulletins.shapes import Chart, Content, Section, Table, UnitReader
from gridgov.territory.models import Region

__all__ = ["Chart", "Content", "Section", "Table", "UnitReader", "build", "ranking_section"]


def work_section(region: Region, period: Period, reader: UnitReader) -> Section:
    """3. 工单、巡查与执法情况: the parts the apps register (orders, inspections, cases)."""
    return sections.composite("work", "工单、巡查与执法情况", region, period, reader)


def _air_section(region: Region, period: Period, _reader: UnitReader) -> Section:
    return air_section(region, period)


def register() -> None:
    """The bulletin's own sections, before and around the apps' ones (AppConfig.ready)."""
    sections.register_section(
        "air", lambda region, period, _reader: air_section(region, period), 10
    )
    sections.register_section("ranking", ranking_section, 20)
    sections.register_section("work", work_section, 30)
    sections.register_section("commands", commands_section, 50)


def build(region: Region, period: Period, issuer: str, now: dt.datetime | None = None) -> Content:
    """The bulletin's content for a district or street and a period, in Chinese whatever the
    language of the request (labels such as the target risk come from translated tables)."""
    reader = UnitReader(region)
    with translation.override("zh-hans"):
        found = sections.sections(region, period, reader)
    return Content(
        period.kind,
        period,
        region.code,
        region.name,
        issuer,
        now or timezone.now(),
        found,
    )
