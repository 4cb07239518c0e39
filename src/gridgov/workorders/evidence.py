"""Evidence photos (现场照片): checked to be real images by their content, size-limited,
turned upright by their EXIF orientation, resized, stripped of EXIF (the time and place read from
it are kept on the row), and stored under the data dir with a generated name."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.workorders.models import Attachment, WorkOrder
from gridgov.workorders.workcal import CST

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "MPO": "image/jpeg"}
STAGES = ("report", "before", "after")
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
DATETIME_ORIGINAL, DATETIME = 36867, 306


class PhotoRejected(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Exif:
    taken_at: dt.datetime | None
    lat: float | None
    lon: float | None


def _degrees(value: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    if str(ref).upper() in ("S", "W"):
        deg = -deg
    return deg


def read_exif(img: Image.Image) -> Exif:
    exif = img.getexif()
    gps = exif.get_ifd(GPS_IFD) if exif else {}
    lat = _degrees(gps.get(2), gps.get(1)) if gps else None
    lon = _degrees(gps.get(4), gps.get(3)) if gps else None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        lat = lon = None
    raw = (exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) if exif else None) or (
        exif.get(DATETIME) if exif else None
    )
    taken = None
    if raw:
        try:  # cameras write local time; a phone in China writes China Standard Time
            stamp = str(raw).strip("\x00 ") + " +0800"
            taken = dt.datetime.strptime(stamp, "%Y:%m:%d %H:%M:%S %z").astimezone(CST)
        except ValueError:
            taken = None
    return Exif(taken, lat, lon)


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


@dataclass
class PreparedPhoto:
    """A photo checked and normalised, written to a temporary file, not yet part of an order."""

    path: Path
    width: int
    height: int
    original_name: str
    exif: Exif


def prepare_photo(upload: IO[bytes], *, size: int, name: str = "") -> PreparedPhoto:
    """Check and normalise one photo (PhotoRejected says why not); nothing is recorded yet."""
    limit = settings.GRIDGOV_UPLOAD_MAX_BYTES
    if size > limit:
        raise PhotoRejected(f"the photo is larger than {limit // (1024 * 1024)} MB", 413)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PhotoRejected(f"the photo is larger than {limit // (1024 * 1024)} MB", 413)
    try:
        probe = Image.open(io.BytesIO(data))
        kind = probe.format
        if kind not in ACCEPTED:
            raise PhotoRejected(f"not a JPEG, PNG or WebP image ({kind or 'unknown'})")
        if probe.width * probe.height > MAX_PIXELS:
            raise PhotoRejected("the image has too many pixels")
        probe.verify()  # structure check; a verified image must be reopened to be used
        img: Image.Image = Image.open(io.BytesIO(data))
        img.load()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoRejected("the file is not a readable image") from None
    meta = read_exif(img)
    img = ImageOps.exif_transpose(img)
    side = settings.GRIDGOV_PHOTO_MAX_SIDE
    img.thumbnail((side, side), Image.Resampling.LANCZOS)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    tmp = media_root() / "tmp" / f"{uuid.uuid4().hex}.part"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    img.save(tmp, "JPEG", quality=85, optimize=True)  # no EXIF is written back
    return PreparedPhoto(tmp, img.width, img.height, Path(name).name[:200], meta)


def prepare_photos(uploads: list[Any]) -> list[PreparedPhoto]:
    """Every photo of one submission, or none: PhotoRejected names the file that failed."""
    prepared: list[PreparedPhoto] = []
    try:
        for upload in uploads:
            try:
                prepared.append(
                    prepare_photo(upload, size=upload.size or 0, name=upload.name or "")
                )
            except PhotoRejected as exc:
                raise PhotoRejected(f"{upload.name}: {exc}", exc.status) from exc
    except BaseException:
        discard(prepared)
        raise
    return prepared


def discard(prepared: list[PreparedPhoto]) -> None:
    for p in prepared:
        p.path.unlink(missing_ok=True)


def attach_photos(
    order: WorkOrder,
    prepared: list[PreparedPhoto],
    *,
    stage: str = "report",
    user: Any = None,
    transition: Any = None,
) -> list[Attachment]:
    """Make prepared photos part of the order (and of one step). Call it inside the
    transaction that records the step, so the step and its evidence are stored together."""
    if stage not in STAGES:
        raise PhotoRejected(f"stage must be one of {', '.join(STAGES)}")
    now = timezone.now()
    out = []
    for p in prepared:
        relative = Path("orders") / now.strftime("%Y/%m") / f"{uuid.uuid4().hex}.jpg"
        target = media_root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        p.path.replace(target)
        out.append(
            Attachment.objects.create(
                order=order,
                transition=transition,
                stage=stage,
                file=str(relative),
                content_type="image/jpeg",
                width=p.width,
                height=p.height,
                size=target.stat().st_size,
                original_name=p.original_name,
                taken_at=p.exif.taken_at,
                lat=p.exif.lat,
                lon=p.exif.lon,
                uploaded_by=user if getattr(user, "is_authenticated", False) else None,
                created_at=now,
            )
        )
    return out


def save_photo(
    order: WorkOrder,
    upload: IO[bytes],
    *,
    size: int,
    name: str = "",
    stage: str = "report",
    user: Any = None,
    transition: Any = None,
) -> Attachment:
    """Check, normalise and store one photo for the order; PhotoRejected says why not."""
    if stage not in STAGES:
        raise PhotoRejected(f"stage must be one of {', '.join(STAGES)}")
    prepared = prepare_photo(upload, size=size, name=name)
    try:
        (attachment,) = attach_photos(
            order, [prepared], stage=stage, user=user, transition=transition
        )
    except BaseException:
        discard([prepared])
        raise
    return attachment


def photo_path(attachment: Attachment) -> Path:
    path = (media_root() / attachment.file).resolve()
    if media_root().resolve() not in path.parents:
        raise PhotoRejected("bad path")
    return path


# --------------------------------------------------------------------- command documents --

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff_document(data: bytes) -> str | None:
    """The kind of a document by its content: pdf, docx/xlsx/pptx, or an image; else None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(n.startswith(prefix) for n in names):
                return kind
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
            fmt = (img.format or "").upper()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return fmt.lower() if fmt in ACCEPTED else None


def save_document(command: Any, upload: IO[bytes], *, size: int, name: str, user: Any) -> Any:
    """Store a command's attachment after checking what it really is (not what it is named)."""
    from gridgov.workorders.models import CommandAttachment

    limit = settings.GRIDGOV_UPLOAD_MAX_BYTES
    if size > limit:
        raise PhotoRejected(f"the file is larger than {limit // (1024 * 1024)} MB", 413)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PhotoRejected(f"the file is larger than {limit // (1024 * 1024)} MB", 413)
    kind = sniff_document(data)
    if kind is None:
        raise PhotoRejected("only PDF, Word, Excel, PowerPoint or image files")
    content_type = DOCUMENT_TYPES.get(kind) or ACCEPTED.get(kind.upper(), "image/jpeg")
    suffix = {"jpeg": "jpg", "mpo": "jpg"}.get(kind, kind)
    now = timezone.now()
    relative = Path("commands") / now.strftime("%Y/%m") / f"{uuid.uuid4().hex}.{suffix}"
    target = media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return CommandAttachment.objects.create(
        command=command,
        file=str(relative),
        original_name=Path(name).name[:200] or relative.name,
        content_type=content_type,
        size=len(data),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=now,
    )


def stored_path(relative: str) -> Path:
    path = (media_root() / relative).resolve()
    if media_root().resolve() not in path.parents:
        raise PhotoRejected("bad path")
    return path
