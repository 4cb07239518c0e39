"""基层治理总览 (centre/governance.py, /governance/, /api/v1/governance): the units a viewer
compares, the horse race's figures per unit, the period rules, the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.centre import governance as gov
from gridgov.racing.metrics import REGISTRY
from tests.conftest import _person
from tests.mediation.conftest import make_case, med, mediate_to_agreement  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(make_case, med, users):  # noqa: F811
    """Two disputes in G1 (东街道 › 东一社区): one settled by agreement, one not."""
    today = timezone.localdate()
    user = users["command"]
    mediate_to_agreement(user, make_case(), med.m1, today)
    failed = make_case()
    from gridgov.mediation import casework

    casework.add_session(
        user, failed.pk, date=today, place="调解室", mediator_ids=[med.m1.pk], notes="各执一词"
    )
    casework.record_outcome(
        user, failed.pk, outcome="failed", date=today, terms="", perform_by=None
    )
    return today


def test_every_area_shows_its_registered_metrics():
    keys = [k for a in gov.AREAS for k in a.metric_keys]
    assert set(keys) <= set(REGISTRY), set(keys) - set(REGISTRY)


def test_the_district_compares_streets_with_the_horse_race_figures(agreed, users, territory):
    start, end = gov.year_to_date(agreed)
    g = gov.governance(users["command"], start, end)
    assert [r.code for r in g.rows] == ["D-S1", "D-S2"]
    assert [a.key for a in g.areas] == ["mediation", "organisations", "projects", "customs"]
    east, west = g.rows
    assert east.values["mediation_rate"] == 50.0
    assert east.samples["mediation_rate"] == 2
    assert west.values["mediation_rate"] is None
    # The same figure as the scorecards' metric, by construction.
    direct = REGISTRY["mediation_rate"]([territory["D-S1"]], start, end)
    assert direct[territory["D-S1"].pk].value == east.values["mediation_rate"]


def test_a_street_compares_its_communities_and_a_grid_sees_its_own(agreed, users, territory):
    official = _person("东主任", "13900000031", "street_official", territory["D-S1"], "s1_boss")
    start, end = gov.year_to_date(agreed)
    g = gov.governance(official.user, start, end)
    assert [r.code for r in g.rows] == ["D-S1-C1"]  # 东街道's one community
    assert g.rows[0].values["mediation_rate"] == 50.0
    leader = gov.governance(users["g1_leader"], start, end)
    assert [r.code for r in leader.rows] == ["D-S1-C1"]
    assert gov.governance(users["nobody"], start, end).rows == []


def test_period_rules():
    assert gov.year_to_date(dt.date(2026, 12, 2)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 2))
    # In January's first days the page opens on last year, not on an empty fortnight.
    assert gov.year_to_date(dt.date(2027, 1, 2)) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with pytest.raises(ValueError, match="ends before"):
        gov.check_period(dt.date(2026, 5, 2), dt.date(2026, 5, 1))
    with pytest.raises(ValueError, match="at most"):
        gov.check_period(dt.date(2020, 1, 1), dt.date(2026, 1, 1))


def test_the_page_links_each_area_and_refuses_a_reversed_period(agreed, login):
    client = login("command")
    page = client.get("/governance/")
    assert page.status_code == 200
    html = page.content.decode()
    for url in ("/mediation/", "/organisations/", "/projects/", "/customs/"):
        assert f'href="{url}' in html
    assert "东街道" in html and "50" in html
    bad = client.get("/governance/?start=2026-05-02&end=2026-05-01")
    assert bad.status_code == 200
    assert "结束日期早于开始日期" in bad.content.decode()


def test_the_api_answers_typed_rows_and_names_a_bad_period(agreed, client, bearer):
    headers = bearer("command")
    ok = client.get("/api/v1/governance", **headers)
    assert ok.status_code == 200
    body = ok.json()
    assert [r["code"] for r in body["rows"]] == ["D-S1", "D-S2"]
    keys = [c["key"] for c in body["columns"]]
    assert "mediation_rate" in keys and "custom_compliance_rate" in keys
    assert body["rows"][0]["values"]["mediation_rate"] == 50.0
    reversed_ = client.get("/api/v1/governance?from=2026-05-02&to=2026-05-01", **headers)
    assert reversed_.status_code == 400
    assert reversed_.json()["errors"][0]["field"] == "from"
    impossible = client.get("/api/v1/governance?from=2026-02-30", **headers)
    assert impossible.status_code == 400
    assert client.get("/api/v1/governance").status_code == 401
