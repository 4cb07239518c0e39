"""Shared bits of the intake tests: systems, a detection, a small real JPEG."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from gridgov.intake.models import IntakeSystem, SystemKind
from gridgov.intake.take import Detection

CST = dt.timezone(dt.timedelta(hours=8))


def system(kind: str = SystemKind.SATELLITE, code: str | None = None) -> IntakeSystem:
    return IntakeSystem.objects.create(code=code or f"sys-{kind}", name=f"{kind} 系统", kind=kind)


def fire(external_id: str, at: dt.datetime, lat: float = 35.2, lon: float = 113.05, **kw):
    return Detection(external_id=external_id, kind="fire", detected_at=at, lat=lat, lon=lon, **kw)


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


# 0.009° of latitude is about 1 km (1,001 m): just over; 0.008° is about 890 m.
KM_LAT = 0.009
