"""Evidence photos (现场照片): checked to be real images by their content, size-limited,
turned upright by their EXIF orientation, resized, stripped of EXIF (the time and place read from
it are kept on the row), and stored under the data dir with a generated name.

Memory: a photo is refused by its header, before a pixel is decoded, when decoding it would take
more than its memory budget (GRIDGOV_UPLOAD_MEMORY_MB for accounts, the lower
GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB for the public page):

    pixels allowed = budget in bytes / bytes per decoded pixel (`bytes_per_pixel`)

A JPEG counts at the size its decoder produces: draft() decodes at 1/2, 1/4 or 1/8 scale when the
photo is to be shrunk anyway. Decoding runs inside a per-process gate of GRIDGOV_UPLOAD_MEMORY_MB,
so concurrent uploads take turns instead of adding up. Shrinking reduces by an integer factor
first (reduce(), after which the full-size image is let go), then resamples a band of rows at a
time, so the peak is the decoded image plus a quarter of it at most.

Every app keeps its evidence through this kit and owns only its rows: `prepare_photos` checks a
submission, `keep_photo(prepared, folder)` moves a photo into the store and answers the columns
of its row, `new_file(folder, suffix)` names any other stored file, `sniff_document` knows a
document by its content and `stored_path` reads one back, never outside the media root."""

from __future__ import annotations

import datetime as dt
import io
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from PIL import Image, ImageFile, UnidentifiedImageError

from gridgov.core.workcal import CST
from gridgov.errors import INVALID, TOO_LARGE, UNAVAILABLE, DomainError

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "MPO": "image/jpeg"}
MB = 1024 * 1024
# How long a photo waits for its turn at the process's decoding budget before it is refused.
DECODE_WAIT_SECONDS = 30.0
# What an unreadable or hostile file can raise while Pillow reads its header or pixels, Pillow's
# own decompression-bomb checks included (they fire far beyond any sane budget; ours comes first
# for everything smaller).
UNREADABLE = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
# Modes converted at full size before shrinking, to what the stored JPEG keeps anyway: palette and
# bilevel images would be resampled by nearest neighbour, 16-bit grey cannot be resampled at all,
# and Pillow resamples an alpha mode through a premultiplied full-size copy (alpha is dropped).
WORKING_MODE = {
    "1": "L",
    "P": "RGB",
    "PA": "RGB",
    "LA": "L",
    "RGBA": "RGB",
    "I;16": "I",
    "I;16B": "I",
    "I;16L": "I",
}
# Bytes Pillow stores per pixel: multi-band modes take four whatever their bands.
STORED_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
# WebP: libwebp's decoder keeps two RGBA canvases and Pillow copies the frame before the image.
WEBP_BYTES_PER_PIXEL = 16

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
DATETIME_ORIGINAL, DATETIME = 36867, 306


class PhotoRejected(DomainError, ValueError):
    """A refused upload: invalid, too large or (the server busy) unavailable; a door names
    its field (`exc.about("photo")`)."""

    def __init__(self, message: str, kind: str = INVALID) -> None:
        super().__init__(kind, message)


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


def bytes_per_pixel(kind: str, mode: str) -> int:
    """Memory one pixel of a photo takes while it is decoded and shrunk: the decoded mode's 4 bytes
    (RGB, CMYK…), 1 (grey, palette) or 2 (16-bit grey), plus the full-size copy when the mode is
    converted first (WORKING_MODE): RGB 4, RGBA 8, grey 1, grey+alpha 5, palette 5, 16-bit grey 6,
    bilevel 2; WebP 16 (20 with alpha). The reduced copy made while shrinking (at most a quarter of
    the original) is the margin."""
    cost = STORED_BYTES.get(mode, 4)
    working = WORKING_MODE.get(mode)
    if working:
        cost += STORED_BYTES.get(working, 4)
    if kind == "WEBP":
        cost += WEBP_BYTES_PER_PIXEL - 4
    return cost


def memory_budget(public: bool = False) -> int:
    """Bytes a photo may take while decoded: the public page's budget, or an account's."""
    mb = settings.GRIDGOV_PUBLIC_UPLOAD_MEMORY_MB if public else settings.GRIDGOV_UPLOAD_MEMORY_MB
    return int(mb) * MB


def _fitted(width: int, height: int, side: int) -> tuple[int, int]:
    """The size a width × height image shrinks to inside side × side (never enlarged)."""
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass(frozen=True)
class Plan:
    """What decoding one photo will take, known from its header alone."""

    kind: str
    width: int  # as stored in the file
    height: int
    draft: tuple[int, int] | None  # JPEG: the size asked of the decoder (its reduced scale)
    decoded: tuple[int, int]  # the size it is decoded at
    cost: int  # bytes while decoding: by bytes_per_pixel, plus the final image


def _jpeg_scale(width: int, height: int, side: int, per_pixel: int, budget: int) -> int:
    """The JPEG decoder's reduction (1, 2, 4 or 8) for a photo: the least that still leaves at
    least the stored size, or a larger one where that would not fit the budget (the photo is then
    kept a little under the longest side instead of being refused)."""
    fitted = _fitted(width, height, side)
    needed = next(s for s in (8, 4, 2, 1) if width // s >= fitted[0] and height // s >= fitted[1])
    for scale in (s for s in (1, 2, 4, 8) if s >= needed):
        if -(-width // scale) * -(-height // scale) * per_pixel <= budget:
            return scale
    return 8


def _plan(img: Image.Image, public: bool) -> Plan:
    """Check a lazily opened image by its header; set a JPEG's reduced decoding scale."""
    kind = img.format or ""
    if kind not in ACCEPTED:
        raise PhotoRejected(f"not a JPEG, PNG or WebP image ({kind or 'unknown'})")
    width, height = img.size
    side = int(settings.GRIDGOV_PHOTO_MAX_SIDE)
    per_pixel = bytes_per_pixel(kind, img.mode)
    budget = memory_budget(public)
    draft = None
    if kind in ("JPEG", "MPO") and max(width, height) > side:
        scale = _jpeg_scale(width, height, side, per_pixel, budget)
        if scale > 1:
            draft = (max(1, width // scale), max(1, height // scale))  # draft() picks `scale`
            img.draft(None, draft)  # only changes what the decoder will be asked for
    decoded = img.size
    if decoded[0] * decoded[1] * per_pixel > budget:
        allowed = budget // per_pixel
        raise PhotoRejected(
            f"the image is too large to process: {width}×{height} pixels; at most "
            f"{allowed / 1e6:.1f} million pixels for a {kind} image here"
        )
    final = _fitted(decoded[0], decoded[1], side)
    cost = decoded[0] * decoded[1] * per_pixel + final[0] * final[1] * 4
    return Plan(kind, width, height, draft, decoded, cost)


def _source(upload: IO[bytes], size: int, what: str = "photo") -> IO[bytes]:
    """The upload as a seekable file (the upload itself where it is one: no copy in memory),
    after checking its length in bytes."""
    limit = settings.GRIDGOV_UPLOAD_MAX_BYTES
    too_large = PhotoRejected(f"the {what} is larger than {limit // MB} MB", TOO_LARGE)
    if size > limit:
        raise too_large
    try:
        upload.seek(0, io.SEEK_END)
        actual = upload.tell()
        upload.seek(0)
    except (AttributeError, OSError, ValueError):
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise too_large from None
        return io.BytesIO(data)
    if actual > limit:
        raise too_large
    return upload


class DecodeGate:
    """Bytes of decoded pixels this process holds at once, at most `capacity`: a photo waits
    until its cost fits (one photo alone always fits: its cost is within its budget)."""

    def __init__(self) -> None:
        self.in_use = 0
        self.peak = 0
        self._cond = threading.Condition()

    @contextmanager
    def hold(self, cost: int, capacity: int, timeout: float) -> Iterator[None]:
        with self._cond:
            fits = self._cond.wait_for(
                lambda: self.in_use == 0 or self.in_use + cost <= capacity, timeout
            )
            if not fits:
                raise PhotoRejected("the server is busy with other photos; try again", UNAVAILABLE)
            self.in_use += cost
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._cond:
                self.in_use -= cost
                self._cond.notify_all()


GATE = DecodeGate()


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(0x0112) or 1)
    except (TypeError, ValueError, SyntaxError, OSError):
        return 1


# EXIF orientation -> the turn that makes the picture upright.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


RESAMPLE_BAND = 128  # output rows resampled at a time


def _resample(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """LANCZOS to `size`, a band of output rows at a time. Pillow's resize makes a temporary image
    of the new width × the source rows it needs: for the whole image that is up to 2/3 of the
    source again, for a band a few hundred rows. Each band reads the source rows around it (the
    filter is not clipped at the band's box), so the result is the same as one resize."""
    out = Image.new(img.mode, size)
    scale = img.height / size[1]
    for top in range(0, size[1], RESAMPLE_BAND):
        bottom = min(size[1], top + RESAMPLE_BAND)
        box = (0.0, top * scale, float(img.width), bottom * scale)
        band = img.resize((size[0], bottom - top), Image.Resampling.LANCZOS, box=box)
        out.paste(band, (0, top))
    return out


def _decode_small(fp: IO[bytes], plan: Plan) -> tuple[Image.Image, Exif]:
    """Decode (a JPEG at its reduced scale), convert the mode if it must be, reduce by an integer
    factor, let the full-size image go, then resample to the final size and turn upright: peak
    memory is the decoded image plus its reduced copy (a quarter or less)."""
    img: Image.Image = Image.open(fp)
    if plan.draft:
        img.draft(None, plan.draft)
    if img.size != plan.decoded:  # not the file that was checked
        raise PhotoRejected("the file is not a readable image")
    img.load()
    meta = read_exif(img)
    turn = UPRIGHT.get(_orientation(img))
    working = WORKING_MODE.get(img.mode)
    if working:
        img = img.convert(working)  # the decoded original is released here
    target = _fitted(img.width, img.height, int(settings.GRIDGOV_PHOTO_MAX_SIDE))
    factor = min(img.width // target[0], img.height // target[1])
    if factor >= 2:
        img = img.reduce(factor)  # box average; the full-size image is released here
    if img.size != target:
        img = _resample(img, target)
    if turn is not None:
        small = img.transpose(turn)
    elif isinstance(img, ImageFile.ImageFile):  # already small: keep nothing of the decoder
        small = img.copy()
    else:
        small = img
    del img
    if small.mode == "I":  # 16-bit grey, now small: to 8 bits
        small = small.point(lambda v: v * (1 / 256)).convert("L")
    elif small.mode not in ("RGB", "L"):
        small = small.convert("RGB")
    return small, meta


@dataclass
class PreparedPhoto:
    """A photo checked and normalised, written to a temporary file, not yet part of an order."""

    path: Path
    width: int
    height: int
    original_name: str
    exif: Exif


def prepare_photo(
    upload: IO[bytes], *, size: int, name: str = "", public: bool = False
) -> PreparedPhoto:
    """Check and normalise one photo (PhotoRejected says why not); nothing is recorded yet.
    `public`: sent from the public page, which has the lower memory budget."""
    fp = _source(upload, size)
    try:
        with Image.open(fp) as probe:
            plan = _plan(probe, public)
            probe.verify()  # structure check; a verified image must be reopened to be used
        fp.seek(0)
        capacity = max(memory_budget(False), memory_budget(True))
        with GATE.hold(plan.cost, capacity, DECODE_WAIT_SECONDS):
            img, meta = _decode_small(fp, plan)
    except PhotoRejected:
        raise
    except UNREADABLE:
        raise PhotoRejected("the file is not a readable image") from None
    tmp = media_root() / "tmp" / f"{uuid.uuid4().hex}.part"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    img.save(tmp, "JPEG", quality=85, optimize=True)  # no EXIF is written back
    return PreparedPhoto(tmp, img.width, img.height, Path(name).name[:200], meta)


def prepare_photos(uploads: list[Any], *, public: bool = False) -> list[PreparedPhoto]:
    """Every photo of one submission, or none: PhotoRejected names the file that failed.
    Each is decoded within the memory budget (`public`: the public page's)."""
    prepared: list[PreparedPhoto] = []
    try:
        for upload in uploads:
            try:
                prepared.append(
                    prepare_photo(
                        upload, size=upload.size or 0, name=upload.name or "", public=public
                    )
                )
            except PhotoRejected as exc:
                raise PhotoRejected(f"{upload.name}: {exc}", exc.kind) from exc
    except BaseException:
        discard(prepared)
        raise
    return prepared


def discard(prepared: list[PreparedPhoto]) -> None:
    for p in prepared:
        p.path.unlink(missing_ok=True)


def new_file(folder: str, suffix: str, now: dt.datetime | None = None) -> tuple[Path, Path]:
    """A fresh stored name under ``folder/YYYY/MM`` (``suffix`` with its dot): the path relative
    to the media root, kept on the row, and the absolute path, whose directory is made."""
    month = (now or timezone.now()).strftime("%Y/%m")
    relative = Path(folder) / month / f"{uuid.uuid4().hex}{suffix}"
    target = media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    return relative, target


def keep_photo(
    prepared: PreparedPhoto, folder: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Move a prepared photo into the store under ``folder``; the columns every photo row has
    (file, type, size in pixels and bytes, the sent name, and the time and place read from its
    EXIF), to pass to the row's ``create``."""
    relative, target = new_file(folder, ".jpg", now)
    prepared.path.replace(target)
    return {
        "file": str(relative),
        "content_type": "image/jpeg",
        "width": prepared.width,
        "height": prepared.height,
        "size": target.stat().st_size,
        "original_name": prepared.original_name,
        "taken_at": prepared.exif.taken_at,
        "lat": prepared.exif.lat,
        "lon": prepared.exif.lon,
    }


# ----------------------------------------------------------------------------- documents --

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
            # Stored as sent and never decoded here, but opened by every reader's browser.
            if img.width * img.height > (Image.MAX_IMAGE_PIXELS or img.width * img.height):
                raise PhotoRejected(f"the image has too many pixels ({img.width}×{img.height})")
            img.verify()
            fmt = (img.format or "").upper()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected("the image has too many pixels") from None
    except UNREADABLE:
        return None
    return fmt.lower() if fmt in ACCEPTED else None


def stored_path(relative: str) -> Path:
    path = (media_root() / relative).resolve()
    if media_root().resolve() not in path.parents:
        raise PhotoRejected("bad path")
    return path
