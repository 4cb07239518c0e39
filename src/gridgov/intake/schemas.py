"""The intake API's request and response schemas, and the intake systems' bearer token."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field
from ninja.security import HttpBearer

from gridgov.apikit import InvalidToken
from gridgov.intake.models import EXTERNAL_ID_MAX, IntakeSystem, SystemKind
from gridgov.intake.systems import system_for_token
from gridgov.schemas import Schema

AlertKind = Literal["smoke", "open_burning", "muck_truck", "dust"]


class SystemToken(HttpBearer):
    """`Authorization: Bearer ggi_…`: a camera system's intake token (gridgov intake-system)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        system = system_for_token(token)
        if system is None or system.kind != SystemKind.CAMERA:
            raise InvalidToken("invalid or revoked intake token")
        request.intake_system = system  # type: ignore[attr-defined]
        return system


class AlertIn(Schema):
    model_config = {"extra": "forbid"}
    alert_id: str = Field(
        ..., min_length=1, max_length=EXTERNAL_ID_MAX, description="the system's own alert id"
    )
    kind: AlertKind = Field(
        ..., description="smoke 烟雾 · open_burning 露天焚烧 · muck_truck 渣土车未苫盖 · dust 扬尘"
    )
    camera: str = Field(..., min_length=1, max_length=64, description="the camera's id")
    time: dt.datetime = Field(..., description="when it was detected (ISO 8601 with offset)")
    lat: float
    lon: float
    confidence: float | None = Field(None, description="0–100")
    title: str = Field("", max_length=120)
    address: str = Field("", max_length=200)
    image: str | None = Field(
        None,
        description="the evidence image (JPEG, PNG or WebP) in base64, at most "
        "GRIDGOV_INTAKE_IMAGE_MAX_BYTES decoded (1.5 MB by default)",
    )


class AlertOut(Schema):
    alert_id: str
    outcome: str = Field(
        ..., description="created · merged (into an open event) · repeated (already posted) · "
        "outside (no grid holds the point) · refused (see `refused`)"
    )  # fmt: skip
    reference: str | None = Field(None, description="the event's reference (SJ…)")
    refused: str = ""
    received_at: dt.datetime


def alert_out(record: Any, outcome: str) -> dict[str, Any]:
    return {
        "alert_id": record.external_id,
        "outcome": outcome,
        "reference": record.event.reference if record.event_id else None,
        "refused": record.refused,
        "received_at": timezone.localtime(record.received_at),
    }


__all__ = ["AlertIn", "AlertOut", "IntakeSystem", "SystemToken", "alert_out"]
