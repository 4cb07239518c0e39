"""An inspection from the phone's offline queue, re-sent with its `submission` key after a lost
answer, is recorded once (with its photo) and answered with the first result; another account
using the key is refused with a clear message."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.inspections.models import Inspection
from gridgov.inspections.services import checklist
from tests.inspections.conftest import NEAR_G1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 60, 30)).save(buf, "JPEG")
    return SimpleUploadedFile("site.jpg", buf.getvalue(), content_type="image/jpeg")


def test_an_inspection_re_sent_is_recorded_once(sources, login):
    site = sources["site"]
    body = {"lat": NEAR_G1[0], "lon": NEAR_G1[1], "accuracy": "10", "submission": "q-insp-1"}
    body.update({f"item-{i.pk}": "1" for i in checklist("construction_site")})
    c = login("g1_worker")
    first = c.post(f"/m/inspect/{site.pk}/", {**body, "photos": photo()})
    again = c.post(f"/m/inspect/{site.pk}/", {**body, "photos": photo()})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    inspection = Inspection.objects.get()
    assert inspection.submission_key == "q-insp-1" and inspection.photos.count() == 1
    other = login("g1_leader").post(f"/m/inspect/{site.pk}/", body)
    assert other.status_code == 400 and "该提交编号已被使用" in other.content.decode()
    assert Inspection.objects.count() == 1
