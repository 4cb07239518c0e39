"""One wording for a target's risk: the overview, the targets page and the bulletin say the
same words for the same unit's target (air.assessment.risk_label), "cannot judge yet"
included."""

from __future__ import annotations

import datetime as dt
import re

from django.template.loader import render_to_string

from gridgov.air.assessment import RISK_LABELS, Risk
from gridgov.air.models import Station, Target
from gridgov.bulletins import services
from gridgov.centre import overview as ov
from tests.air.conftest import put_days

DEC = dt.date(2026, 12, 1)
AS_OF = dt.date(2026, 12, 4)


def test_overview_targets_page_and_bulletin_say_the_same_risk(territory, users, login, settings):
    settings.GRIDGOV_OVERVIEW_AIR_CACHE_SECONDS = 0
    east = Station.objects.create(
        code="E1", name="东站", kind="micro", lat=35.2, lon=113.05, grid=territory["D-S1-C1-G1"]
    )
    west = Station.objects.create(
        code="W1", name="西站", kind="micro", lat=35.2, lon=113.3, grid=territory["D-S2-C2-G3"]
    )
    put_days(east, DEC, [40.0] * 4)  # no last year anywhere: cannot be judged yet
    put_days(west, DEC, [300.0] * 4)  # 1200 > 35 × 31: already out of reach
    for street in ("D-S1", "D-S2"):
        Target.objects.create(
            region=territory[street], metric="pm25", start=DEC, end=dt.date(2026, 12, 31), value=35
        )
    expected = {"东街道": RISK_LABELS[Risk.UNKNOWN], "西街道": RISK_LABELS[Risk.OUT_OF_REACH]}
    assert expected == {"东街道": "无法判断", "西街道": "基本无法达成"}

    # The targets page: the unit's row.
    page = login("command").get(f"/air/targets/?as_of={AS_OF}").content.decode()
    rows = re.findall(
        r"<tr class=[^>]*>\s*<td[^>]*>(?:<b>)?([^<]+)(?:</b>)?</td>"
        r".*?class=\"risk [^\"]*\">([^<]+)<",
        page,
        re.S,
    )
    assert dict(rows) == expected

    # The overview (and its partial, shared with the wall).
    shown = {t.region_name: t for t in ov.overview(users["command"], AS_OF).targets}
    assert {name: t.risk_label for name, t in shown.items()} == expected
    for name, label in expected.items():
        html = render_to_string("centre/_target.html", {"t": shown[name]})
        assert f">{label}</span>" in html
        assert "可控" not in html and "需关注" not in html

    # The bulletin of each street: its target table's last column, and its text.
    for code, name in (("D-S1", "东街道"), ("D-S2", "西街道")):
        b, _ = services.generate("month", AS_OF, territory[code], on=AS_OF + dt.timedelta(days=1))
        (table,) = [
            t for s in b.figures["document"] for t in s["tables"] if t["sheet"] == "目标完成"
        ]
        assert table["headers"][-1] == "能否完成目标"
        assert [row[-1] for row in table["rows"]] == [expected[name]]
        assert b.figures["sections"]["air"]["targets"][0]["risk_label"] == expected[name]
