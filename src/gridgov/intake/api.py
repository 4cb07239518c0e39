"""Camera AI alerts (视频智能识别告警), API v1: POST /intake/alerts with the camera system's
token (`gridgov intake-system create CODE NAME --kind camera`), JSON with the image in base64;
GET /intake/alerts/{alert_id} answers what became of one of the system's own alerts (another
system's id is the same 404 as an unknown one)."""

import base64
import binascii
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from gridgov.apikit import ApiError, errors
from gridgov.intake.schemas import AlertIn, AlertOut, SystemToken, alert_out
from gridgov.intake.take import Detection, alert_of, take

router = Router()


@router.post(
    "/intake/alerts",
    response={200: AlertOut, 201: AlertOut, **errors(400, 401, 413)},
    auth=SystemToken(),
)
def post_alert(request: HttpRequest, payload: AlertIn) -> Any:
    """One camera alert. 201 when it made an event; 200 when it merged into an open one (the
    same system's alert id again, or the same camera and kind within
    GRIDGOV_INTAKE_CAMERA_MERGE_MINUTES), lay outside every grid, or was refused."""
    image = None
    if payload.image:
        try:
            image = base64.b64decode(payload.image, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, "not valid base64", "image") from None
    d = Detection(
        external_id=payload.alert_id,
        kind=payload.kind,
        detected_at=payload.time,
        lat=payload.lat,
        lon=payload.lon,
        confidence=payload.confidence,
        device=payload.camera,
        title=payload.title,
        address=payload.address,
        raw=payload.model_dump(mode="json", exclude={"image"}),
        image=image,
    )
    taken = take(request.intake_system, d)  # type: ignore[attr-defined]
    return Status(
        201 if taken.outcome == "created" else 200, alert_out(taken.record, taken.outcome)
    )


@router.get(
    "/intake/alerts/{alert_id}",
    response={200: AlertOut, **errors(401, 404)},
    auth=SystemToken(),
)
def get_alert(request: HttpRequest, alert_id: str) -> Any:
    """What became of one of this system's alerts."""
    record = alert_of(request.intake_system, alert_id)  # type: ignore[attr-defined]
    if record is None:
        raise ApiError(404, "no such alert")
    return alert_out(record, record.outcome)
