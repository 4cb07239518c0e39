"""Evidence photos: real images only (by content), size limits, EXIF orientation, place and
time; served only to accounts that may see the order."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.workorders.models import Attachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg(width=200, height=100, exif=None, colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, "JPEG", exif=exif or Image.Exif())
    return buf.getvalue()


def gps_exif(lat=35.2, lon=113.05, orientation=None) -> Image.Exif:
    exif = Image.Exif()

    def dms(value):
        d = int(value)
        m = int((value - d) * 60)
        s = (value - d - m / 60) * 3600
        return (Fraction(d), Fraction(m), Fraction(s).limit_denominator(1000))

    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    exif.get_ifd(0x8769)[36867] = "2026:11:27 09:13:00"
    if orientation:
        exif[0x0112] = orientation
    return exif


@pytest.fixture
def order_id(crew, report):
    return report().pk


def upload(client, order_id, headers, data: bytes, name="x.jpg", stage="before"):
    return client.post(
        f"/api/v1/orders/{order_id}/photos",
        {"photo": SimpleUploadedFile(name, data, content_type="image/jpeg"), "stage": stage},
        **headers,
    )


def test_text_file_named_jpg_is_refused(client, bearer, order_id):
    r = upload(client, order_id, bearer("g1_worker"), b"this is not an image at all")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "photo"
    assert Attachment.objects.count() == 0


def test_truncated_jpeg_is_refused(client, bearer, order_id):
    r = upload(client, order_id, bearer("g1_worker"), jpeg()[:300])
    assert r.status_code == 400


def test_oversized_image_is_refused(client, bearer, order_id, settings):
    settings.GRIDGOV_UPLOAD_MAX_BYTES = 2048
    big = jpeg(1200, 1200, colour=(1, 2, 3))
    noisy = Image.effect_noise((800, 800), 80).convert("RGB")
    buf = io.BytesIO()
    noisy.save(buf, "JPEG", quality=95)
    assert len(buf.getvalue()) > 2048 and len(big) > 0
    r = upload(client, order_id, bearer("g1_worker"), buf.getvalue())
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "photo"
    assert Attachment.objects.count() == 0


def test_exif_gps_time_and_orientation(client, bearer, order_id, media):
    # Orientation 6: the camera was turned; the stored photo must stand upright (100 × 200).
    r = upload(client, order_id, bearer("g1_worker"), jpeg(200, 100, gps_exif(orientation=6)))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["width"], body["height"]) == (100, 200)
    assert body["lat"] == pytest.approx(35.2, abs=1e-4)
    assert body["lon"] == pytest.approx(113.05, abs=1e-4)
    taken = dt.datetime.fromisoformat(body["taken_at"])
    assert taken == dt.datetime(2026, 11, 27, 1, 13, tzinfo=dt.UTC)  # 09:13 in China
    a = Attachment.objects.get()
    stored = Image.open(media / a.file)
    assert stored.format == "JPEG" and not stored.getexif().get_ifd(0x8825)  # EXIF removed
    assert a.file.startswith("orders/") and "x.jpg" not in a.file


def test_large_photo_is_resized(client, bearer, order_id, settings):
    settings.GRIDGOV_PHOTO_MAX_SIDE = 640
    r = upload(client, order_id, bearer("g1_worker"), jpeg(3000, 1500))
    assert (r.json()["width"], r.json()["height"]) == (640, 320)


def test_photos_are_served_only_in_scope(client, bearer, order_id, login):
    r = upload(client, order_id, bearer("g1_worker"), jpeg())
    url = r.json()["url"]
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    login("west_secretary")
    assert client.get(url).status_code == 404
    login("east_secretary")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    detail = client.get(f"/api/v1/orders/{order_id}").json()
    assert [a["url"] for a in detail["attachments"]] == [url]


def test_only_assignee_or_dispatcher_uploads(client, bearer, order_id):
    r = upload(client, order_id, bearer("g1_part"), jpeg())
    assert r.status_code == 403
    r = upload(client, order_id, bearer("g1_worker"), jpeg(), stage="sideways")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "stage"


def test_api_photos_become_the_evidence_of_a_step(client, bearer, order_id):
    h = bearer("g1_worker")
    first = upload(client, order_id, h, jpeg(), stage="after").json()["id"]
    url = f"/api/v1/orders/{order_id}/transitions"
    post = client.post(url, {"action": "sign"}, content_type="application/json", **h)
    assert post.status_code == 200
    # A photo id that is not this account's upload on this order refuses the whole step.
    r = client.post(
        url,
        {"action": "handle", "note": "已苫盖", "photos": [first, 999999]},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "photos"
    assert Attachment.objects.get(pk=first).transition is None
    r = client.post(
        url,
        {"action": "handle", "note": "已苫盖", "photos": [first]},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["state"] == "handled"
    assert Attachment.objects.get(pk=first).transition.action == "handle"
