"""The admin lists mediation in the account's scope, cases read-only with masked IDs."""

from __future__ import annotations

import pytest

from tests.mediation.conftest import G3_POINT

pytestmark = pytest.mark.django_db


def test_admin_scoped_and_read_only(login, make_case, med):
    east = make_case()
    west = make_case(point=G3_POINT)
    c = login("east_secretary")
    page = c.get("/admin/mediation/case/").content.decode()
    assert east.number in page and west.number not in page
    detail = c.get(f"/admin/mediation/case/{east.pk}/change/")
    assert detail.status_code == 200
    assert "110105********002X" in detail.content.decode()
    assert c.get(f"/admin/mediation/case/{west.pk}/change/").status_code == 302  # not found
    assert c.get("/admin/mediation/case/add/").status_code == 403
    committees = c.get("/admin/mediation/committee/").content.decode()
    assert "东一社区人民调解委员会" in committees and "西一社区人民调解委员会" not in committees
