"""The station page's pollution rose and CPF draw with the vendored ECharts under the
Content-Security-Policy (data passed by json_script)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from gridgov.air.models import CST, Station
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import browser, log_in  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WINDS = ["N", "NE", "E", "SE", "S", "SW", "W", "NW", "calm"]


def test_station_page_draws_the_rose_and_the_cpf(live_server, browser, users, tmp_path):  # noqa: F811
    Station.objects.create(
        code="N1", name="市监测站", kind="national", lat=36.0, lon=113.2, interval_minutes=60
    )
    start = dt.datetime.now(CST).replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    lines = ["station,time,pm25,wd,ws"]
    for h in range(60):
        wd = WINDS[h % len(WINDS)]
        when = (start + dt.timedelta(hours=h)).replace(tzinfo=None).isoformat()
        lines.append(f"N1,{when},{20 + 3 * h},{wd},{0.2 if wd == 'calm' else 1 + h % 7}")
    path = tmp_path / "n1.csv"
    path.write_text("\n".join(lines) + "\n")
    call_command("import_readings", str(path), "--no-alarms")
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    w = Watched(context)
    log_in(w.page, base, "command", "/air/")
    w.visit(f"{base}/air/station/N1/#rose", ready="#rose-chart canvas")
    w.page.wait_for_selector("#cpf-chart canvas")
    assert w.page.locator(".rose-sector").count() == 16
    w.page.locator("#rose").screenshot(path=str(tmp_path / "rose.png"))
    context.close()
