"""治理成效 over the API: `GET /api/v1/air/effect?order=ID` (a closed air-alarm order) or
`?warning=ID` (a warning, every station). Here, in emergency, because it reads both orders and
warnings and air may import neither (pyproject's layers); the estimate is air/effect.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router
from ninja.params import functions as param

from gridgov.air.effect import Effect
from gridgov.air.models import CST
from gridgov.apikit import ApiError, errors
from gridgov.emergency.effect import station_labels, warning_effect
from gridgov.emergency.models import Warning
from gridgov.schemas import Schema
from gridgov.workorders.effect import order_effect, order_windows
from gridgov.workorders.models import WorkOrder

router = Router()


class StationEffectOut(Schema):
    station: str = Field(description="the station's code")
    name: str
    pollutant: str
    did: float | None = Field(
        description="(station after − before) − (neighbours after − before); < 0: better"
    )
    se: float | None = Field(description="standard error (Newey–West on hourly differences)")
    low: float | None = Field(description="95 % interval, low end")
    high: float | None
    n_before: int = Field(description="hours with the station and ≥ 1 neighbour valid")
    n_after: int
    station_before: float | None
    station_after: float | None
    neighbours_before: float | None
    neighbours_after: float | None
    neighbours: list[str] = Field(description="the neighbour stations' codes, nearest first")
    verdict: str = Field(description="improved, no_clear_change, worse or insufficient")
    verdict_label: str


class EffectOut(Schema):
    kind: str = Field(description="order or warning")
    id: int
    before_from: dt.datetime
    before_to: dt.datetime
    after_from: dt.datetime
    after_to: dt.datetime
    stations: list[StationEffectOut]
    mean_did: float | None = Field(description="the mean of the stations' DiD")


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _station(e: Effect, code: str, name: str, codes: dict[int, str]) -> dict[str, Any]:
    return {
        "station": code,
        "name": name,
        "pollutant": e.pollutant,
        "did": _r(e.did),
        "se": _r(e.se),
        "low": _r(e.low),
        "high": _r(e.high),
        "n_before": e.n_before,
        "n_after": e.n_after,
        "station_before": _r(e.station_before),
        "station_after": _r(e.station_after),
        "neighbours_before": _r(e.neighbours_before),
        "neighbours_after": _r(e.neighbours_after),
        "neighbours": [codes.get(i, "") for i in e.neighbour_ids],
        "verdict": e.verdict,
        "verdict_label": e.verdict_label,
    }


def _times(before: tuple[int, int], after: tuple[int, int]) -> dict[str, dt.datetime]:
    at = [dt.datetime.fromtimestamp(t, CST) for t in (*before, *after)]
    return dict(zip(("before_from", "before_to", "after_from", "after_to"), at, strict=True))


def _id(text: str, field: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, "a whole number", field=field) from None
    if value < 1:
        raise ApiError(400, "a whole number from 1", field=field)
    return value


@router.get("/air/effect", response={200: EffectOut, **errors(400, 401, 404)})
def air_effect(
    request: HttpRequest,
    order: str | None = param.Query(
        None, description="a closed air-alarm order's id, or a closed rectification order's"
    ),
    warning: str | None = param.Query(None, description="a warning's id"),
) -> Any:
    """治理成效: the difference-in-differences of a station against its neighbours. For an order:
    its alarm's station, the 24 h before the alarm against the 24 h after handling; for a
    rectification's order, the station nearest the source, the 24 h before the failing
    inspection against the 24 h after the rectification. For a
    warning: every ambient station, the warning's span against the same hours a week before.
    An order or warning the account may not see is 404."""
    if (order is None) == (warning is None):
        raise ApiError(400, "give either order or warning", field="order")
    codes, names = station_labels()
    if order is not None:
        o = (
            WorkOrder.objects.for_user(request.user)
            .select_related("event")
            .filter(pk=_id(order, "order"))
            .first()
        )
        if o is None:
            raise ApiError(404, "no such order", field="order")
        w = order_windows(o)
        e = order_effect(o)
        if w is None or e is None:
            raise ApiError(
                400, "not a closed order with an estimate (air alarm, rectification)", field="order"
            )
        row = _station(e, codes.get(w.station_id, ""), names.get(w.station_id, ""), codes)
        return {"kind": "order", "id": o.pk, **_times(w.before, w.after), "stations": [row],
                "mean_did": row["did"]}  # fmt: skip
    assert warning is not None
    found = Warning.objects.for_user(request.user).filter(pk=_id(warning, "warning")).first()
    if found is None:
        raise ApiError(404, "no such warning", field="warning")
    we = warning_effect(found)
    rows = [_station(s.effect, s.code, s.name, codes) for s in we.stations]
    return {"kind": "warning", "id": found.pk, **_times(we.before, we.after), "stations": rows,
            "mean_did": _r(we.mean_did)}  # fmt: skip
