"""Uploads within a memory budget: an image is measured by its header and refused before a pixel
is decoded when decoding it would take more than its budget (accounts: GRIDGOV_UPLOAD_MEMORY_MB,
the public page: GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB); refusals are field errors, never a 500."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from gridgov.core import evidence
from gridgov.workorders.models import Attachment, Event

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()
    return settings.MEDIA_ROOT


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def flat_png(width: int, height: int, *, idat: bool = True) -> bytes:
    """A real RGB PNG of one colour, written row by row (a 7700 × 7700 one is ~173 KB and never
    sits in memory whole); idat=False: the header only."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = b""
    if idat:
        z = zlib.compressobj(9)
        row = b"\x00" + b"\x50\x80\x30" * width
        parts = [z.compress(row) for _ in range(height)]
        body = _chunk(b"IDAT", b"".join(parts) + z.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + body + _chunk(b"IEND", b"")


def encoded(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


@pytest.fixture
def order_id(crew, report):
    return report().pk


def upload(client, order_id, headers, data: bytes, name="x.png"):
    return client.post(
        f"/api/v1/orders/{order_id}/photos",
        {"photo": SimpleUploadedFile(name, data, content_type="image/png"), "stage": "before"},
        **headers,
    )


@pytest.fixture
def no_decoding(monkeypatch):
    """Any pixel decoding fails the test: refusals must come from the header alone."""

    def refuse(self, *a, **kw):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_the_reported_png_is_refused_by_its_header(client, bearer, order_id, no_decoding):
    """The issue: a 7700 × 7700 PNG of 173 KB (59 Mpx, under the old 60 Mpx limit) took ~240 MB
    decoded; now a 400 naming the field, decided before decoding."""
    data = flat_png(7700, 7700)
    assert len(data) < 200_000
    r = upload(client, order_id, bearer("g1_worker"), data)
    assert r.status_code == 400, r.content
    error = r.json()["errors"][0]
    assert error["field"] == "photo" and "too large" in error["message"]
    assert "7700×7700" in error["message"]
    assert Attachment.objects.count() == 0


def test_limit_follows_the_budget_and_the_decoded_mode(client, bearer, order_id, settings):
    settings.GRIDGOV_UPLOAD_MEMORY_MB = 1  # 262,144 RGB pixels, or 1,048,576 grey ones
    assert evidence.bytes_per_pixel("PNG", "RGB") == 4
    h = bearer("g1_worker")
    r = upload(client, order_id, h, encoded(Image.new("RGB", (600, 600), "teal"), "PNG"))
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "photo"
    r = upload(client, order_id, h, encoded(Image.new("RGB", (500, 500), "teal"), "PNG"))
    assert r.status_code == 201, r.content
    r = upload(client, order_id, h, encoded(Image.new("L", (1000, 1000), 90), "PNG"))
    assert r.status_code == 201, r.content
    # WebP decodes through two RGBA canvases and a copy: 16 bytes a pixel.
    r = upload(client, order_id, h, encoded(Image.new("RGB", (300, 300), "teal"), "WEBP"))
    assert r.status_code == 400


def test_a_large_jpeg_counts_at_its_reduced_decoding_scale(client, bearer, order_id, settings):
    settings.GRIDGOV_UPLOAD_MEMORY_MB = 1
    settings.GRIDGOV_PHOTO_MAX_SIDE = 200
    # 2000 × 1500 decoded whole would take 12 MB; at 1/8 scale (250 × 188) 0.2 MB.
    data = encoded(Image.new("RGB", (2000, 1500), (200, 30, 30)), "JPEG")
    r = upload(client, order_id, bearer("g1_worker"), data, "big.jpg")
    assert r.status_code == 201, r.content
    assert (r.json()["width"], r.json()["height"]) == (200, 150)


def test_a_huge_jpeg_is_decoded_smaller_rather_than_refused(client, bearer, order_id, settings):
    """Where even the scale that keeps the longest side would not fit, a coarser one does: the
    photo is kept a little smaller instead of being refused."""
    settings.GRIDGOV_UPLOAD_MEMORY_MB = 1
    settings.GRIDGOV_PHOTO_MAX_SIDE = 1000
    data = encoded(Image.new("RGB", (4000, 3000), (20, 90, 200)), "JPEG")
    r = upload(client, order_id, bearer("g1_worker"), data, "huge.jpg")
    assert r.status_code == 201, r.content
    assert (r.json()["width"], r.json()["height"]) == (500, 375)  # 1/8 scale, not 1/4


def test_modes_that_cannot_be_resampled_directly_are_stored(client, bearer, order_id, settings):
    """16-bit grey (was a 500: Pillow cannot resize it), palette and bilevel PNGs."""
    settings.GRIDGOV_PHOTO_MAX_SIDE = 100
    h = bearer("g1_worker")
    for img in (
        Image.new("I;16", (400, 300), 40000),
        Image.new("RGB", (400, 300), "orange").convert("P"),
        Image.new("1", (400, 300), 1),
    ):
        r = upload(client, order_id, h, encoded(img, "PNG"))
        assert r.status_code == 201, (img.mode, r.content)
        assert (r.json()["width"], r.json()["height"]) == (100, 75)
    grey = Image.open(evidence.media_root() / Attachment.objects.order_by("pk").first().file)
    assert grey.mode == "L" and grey.getpixel((5, 5)) == 40000 // 256


def test_public_page_has_the_lower_budget_and_refuses_before_filing(client, crew, settings):
    settings.GRIDGOV_UPLOAD_MEMORY_MB = 4
    settings.GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB = 1
    body = {"category": "sanitation", "lat": "35.2", "lon": "113.05", "description": "垃圾堆积多日"}
    photo = encoded(Image.new("RGB", (800, 600), "teal"), "PNG")  # 1.9 MB decoded
    r = client.post("/report/", {**body, "photos": SimpleUploadedFile("p.png", photo)})
    assert r.status_code == 200
    page = r.content.decode()
    assert "too large" in page and "800×600" in page
    assert Event.objects.count() == 0  # nothing filed: the form came back with its error
    # Four photos are one too many; three small ones are fine.
    small = encoded(Image.new("RGB", (64, 48), "teal"), "PNG")
    files = [SimpleUploadedFile(f"p{i}.png", small) for i in range(4)]
    r = client.post("/report/", {**body, "photos": files})
    assert "最多上传 3 张照片" in r.content.decode() and Event.objects.count() == 0
    files = [SimpleUploadedFile(f"p{i}.png", small) for i in range(3)]
    r = client.post("/report/", {**body, "photos": files})
    assert Event.objects.count() == 1 and Attachment.objects.count() == 3


def test_phone_report_refuses_an_oversized_photo_with_a_form_error(client, crew, login, settings):
    settings.GRIDGOV_UPLOAD_MEMORY_MB = 1
    login("g1_worker")
    photo = encoded(Image.new("RGB", (800, 600), "teal"), "PNG")
    r = client.post(
        "/orders/m/report/",
        {"category": "road_dust", "lat": "35.2", "lon": "113.05",
         "photos": SimpleUploadedFile("p.png", photo)},
    )  # fmt: skip
    assert r.status_code == 400 and "too large" in r.content.decode()
    assert Event.objects.count() == 0


def test_a_pillow_decompression_bomb_is_a_field_error(client, bearer, order_id, login, people):
    """Beyond Pillow's own limit (2 × MAX_IMAGE_PIXELS) Image.open raises; that was a 500 for a
    command's attachment."""
    bomb = flat_png(20_000, 20_000, idat=False)
    r = upload(client, order_id, bearer("g1_worker"), bomb)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "photo"
    h = bearer("command")
    c = client.post(
        "/api/v1/commands",
        {"title": "查看", "body": "附图", "due_at": "2030-01-01T10:00:00+08:00",
         "units": ["D-S1-C1-G1"]},
        content_type="application/json",
        **h,
    )  # fmt: skip
    assert c.status_code == 201, c.content
    r = client.post(
        f"/api/v1/commands/{c.json()['id']}/files",
        {"file": SimpleUploadedFile("map.png", bomb, content_type="image/png")},
        **h,
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "file"
    assert "too many pixels" in r.json()["errors"][0]["message"]


def test_decoding_gate_lets_photos_take_turns():
    gate = evidence.DecodeGate()
    entered = threading.Event()
    release = threading.Event()

    def first():
        with gate.hold(60, 100, 5):
            entered.set()
            release.wait(5)

    t = threading.Thread(target=first)
    t.start()
    entered.wait(5)
    # 60 + 50 > 100: waits, then gives up.
    with pytest.raises(evidence.PhotoRejected) as exc, gate.hold(50, 100, 0.2):
        pass
    assert exc.value.status == 503
    with gate.hold(40, 100, 0.2):  # 60 + 40 fits
        assert gate.in_use == 100
    release.set()
    t.join()
    with gate.hold(100, 100, 0.2):  # alone, a photo always fits
        pass
    assert gate.in_use == 0 and gate.peak == 100


def test_bad_budget_settings_name_the_variable():
    for name, value, message in (
        ("GRIDGOV_UPLOAD_MEMORY_MB", "lots", "must be a whole number"),
        ("GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB", "0", "must be at least 1"),
        ("GRIDGOV_PUBLIC_REPORTS_PER_HOUR", "ten", "must be a whole number"),
    ):
        env = {**os.environ, "PYTHONPATH": str(SRC), name: value}
        run = subprocess.run(
            [sys.executable, "-c", "import gridgov.settings"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode != 0 and f"{name} {message}" in run.stderr
