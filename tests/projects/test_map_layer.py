"""The command centre's overview map: the `projects` layer, scoped."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_projects_layer(client, bearer, place):
    r = client.get("/api/v1/overview/map?layers=projects", **bearer("command"))
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["layers"] == ["projects"]
    # The district's project has no location: not on the map.
    assert {p["code"] for p in data["projects"]} == {"KJ-E1", "KJ-W1"}
    east = next(p for p in data["projects"] if p["code"] == "KJ-E1")
    assert east["overdue"] is True and east["url"] == f"/projects/{place.east.pk}/"
    data = client.get("/api/v1/overview/map?layers=projects", **bearer("s1_official")).json()
    assert [p["code"] for p in data["projects"]] == ["KJ-E1"]
    data = client.get("/api/v1/overview/map?layers=projects", **bearer("g1_leader")).json()
    assert data["projects"] == []
