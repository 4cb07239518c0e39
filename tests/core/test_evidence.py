"""The core's evidence kit on its own: a photo checked, normalised and kept under a folder of
the media root; a document known by its content; stored paths kept inside the media root."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from gridgov.core import evidence


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo(size: tuple[int, int] = (64, 48), kind: str = "PNG") -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", size, "teal").save(buf, kind)
    buf.seek(0)
    return buf


def test_a_prepared_photo_is_kept_under_its_folder_with_the_columns_of_a_photo_row(media):
    upload = photo()
    prepared = evidence.prepare_photo(upload, size=len(upload.getvalue()), name="../x/site.png")
    assert prepared.path.is_file() and prepared.path.parent == media / "tmp"
    row = evidence.keep_photo(prepared, "inspections")
    assert not prepared.path.exists()
    stored = media / row["file"]
    assert row["file"].startswith("inspections/") and row["file"].endswith(".jpg")
    assert stored.is_file() and row["size"] == stored.stat().st_size
    assert (row["width"], row["height"], row["content_type"]) == (64, 48, "image/jpeg")
    assert row["original_name"] == "site.png"  # the name sent, without its folders
    assert (row["taken_at"], row["lat"], row["lon"]) == (None, None, None)  # no EXIF
    with Image.open(stored) as img:
        assert img.format == "JPEG"


def test_new_files_are_fresh_names_in_a_month_folder(media):
    first, target = evidence.new_file("commands", ".pdf")
    second, _ = evidence.new_file("commands", ".pdf")
    assert first != second
    assert first.parts[0] == "commands" and len(first.parts) == 4  # commands/YYYY/MM/name.pdf
    assert target == media / first and target.parent.is_dir()


def test_not_an_image_is_refused_and_nothing_is_left(media):
    junk = io.BytesIO(b"not a picture at all")
    with pytest.raises(evidence.PhotoRejected, match=r"not a readable image|not a JPEG"):
        evidence.prepare_photo(junk, size=20, name="x.png")
    assert not (media / "tmp").exists() or not any((media / "tmp").iterdir())


def test_a_file_over_the_upload_limit_is_refused_as_too_large(settings):
    settings.GRIDGOV_UPLOAD_MAX_BYTES = 100
    with pytest.raises(evidence.PhotoRejected) as refused:
        evidence.prepare_photo(photo(), size=101)
    assert refused.value.kind == "too_large"


def test_prepare_photos_is_all_or_nothing_and_names_the_file_that_failed(media):
    good, bad = photo(), io.BytesIO(b"junk")
    good.name, good.size = "good.png", len(good.getvalue())  # type: ignore[attr-defined]
    bad.name, bad.size = "bad.png", 4  # type: ignore[attr-defined]
    with pytest.raises(evidence.PhotoRejected, match=r"^bad\.png: "):
        evidence.prepare_photos([good, bad])
    assert not any((media / "tmp").iterdir())  # the good one was discarded too


def test_documents_are_known_by_their_content():
    assert evidence.sniff_document(b"%PDF-1.4 ...") == "pdf"
    assert evidence.sniff_document(photo(kind="PNG").getvalue()) == "png"
    assert evidence.sniff_document(b"PK\x03\x04 not really a zip") is None
    assert evidence.sniff_document(b"MZ\x90\x00") is None  # an executable named report.pdf


def test_a_stored_path_never_leaves_the_media_root(media):
    inside = "orders/2026/12/a.jpg"
    assert evidence.stored_path(inside) == (media / inside).resolve()
    with pytest.raises(evidence.PhotoRejected, match="bad path"):
        evidence.stored_path("../../etc/passwd")
