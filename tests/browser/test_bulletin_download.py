"""A dispatch bulletin in a real browser, under the CSP: the command office generates last
month's bulletin from /bulletins/, finds it listed and downloads the PDF and the workbook."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from tests.air.conftest import stations  # noqa: F401  (fixture)
from tests.browser.test_csp_pages import Watched
from tests.browser.test_grid_worker_day import (  # noqa: F401  (fixtures)
    CHROMIUM,
    browser,
    log_in,
    shots,
)
from tests.centre.conftest import centre  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]


def test_generate_and_download_a_bulletin(live_server, browser, centre, crew, shots):  # noqa: F811
    from gridgov.bulletins.models import Bulletin

    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True
    )
    w = Watched(context)
    log_in(w.page, base, "command", "/bulletins/")
    w.page.wait_for_url(f"{base}/bulletins/")
    last_month = centre.today.replace(day=1) - dt.timedelta(days=1)
    w.page.click("#generate summary")
    w.page.select_option("#id_kind", "month")
    w.page.fill("#id_date", last_month.isoformat())
    w.page.click("#generate button.primary")
    w.page.wait_for_selector("a:has-text('PDF')")
    bulletin = Bulletin.objects.get()
    assert (bulletin.kind, bulletin.end) == ("month", last_month)
    with w.page.expect_download() as pdf:
        w.page.click("a:has-text('PDF')")
    data = Path(pdf.value.path()).read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile2" in data
    with w.page.expect_download() as xlsx:
        w.page.click("a:has-text('Excel')")
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    assert len(book.sheetnames) >= 3
    w.page.screenshot(path=str(shots / "bulletins.png"), full_page=True)
    assert w.problems == []
    context.close()
