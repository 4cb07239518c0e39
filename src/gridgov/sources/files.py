"""A source's photos and documents: photos go through the work orders' checks (content, size,
pixels, EXIF stripped, resized); documents are PDFs recognised by content, within a size limit."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gridgov import inputs
from gridgov.core import evidence
from gridgov.core.actor import Account, actor_name, signed_in_user
from gridgov.errors import INVALID, TOO_LARGE, DomainError
from gridgov.sources.models import PollutionSource, SourceChange, SourceFile

MB = 1024 * 1024


class FileRejected(DomainError, ValueError):
    """A refused document: invalid, too large or unavailable (the kinds of PhotoRejected)."""

    def __init__(self, message: str, kind: str = INVALID) -> None:
        super().__init__(kind, message)


def document_limit() -> int:
    return int(getattr(settings, "GRIDGOV_SOURCE_DOCUMENT_MAX_BYTES", 10 * MB))


def _record(
    source: PollutionSource,
    kind: str,
    relative: Path,
    *,
    size: int,
    content_type: str,
    name: str,
    title: str,
    user: Account,
) -> SourceFile:
    now = timezone.now()
    actor = signed_in_user(user)
    f = SourceFile.objects.create(
        source=source,
        kind=kind,
        title=title,
        file=str(relative),
        content_type=content_type,
        size=size,
        original_name=Path(name).name[:200],
        uploaded_by=actor,
        created_at=now,
    )
    SourceChange.objects.create(
        source=source,
        action="file",
        changes={"files": [None, f.original_name or relative.name]},
        note=title[:200],
        actor=actor,
        actor_name=actor_name(user),
        at=now,
    )
    return f


def _target(suffix: str) -> tuple[Path, Path]:
    return evidence.new_file("sources", suffix)


def save_photo(
    source: PollutionSource,
    upload: IO[bytes],
    *,
    size: int,
    name: str,
    title: str = "",
    user: Account = None,
) -> SourceFile:
    """Check and store one photo of the source; FileRejected says why not."""
    title = inputs.check_text("title", title.strip(), 100)
    try:
        prepared = evidence.prepare_photo(upload, size=size, name=name)
    except evidence.PhotoRejected as exc:
        raise FileRejected(str(exc), exc.kind) from exc
    relative, target = _target(".jpg")
    try:
        with transaction.atomic():
            prepared.path.replace(target)
            return _record(
                source,
                SourceFile.Kind.PHOTO,
                relative,
                size=target.stat().st_size,
                content_type="image/jpeg",
                name=name,
                title=title,
                user=user,
            )
    except BaseException:
        evidence.discard([prepared])
        target.unlink(missing_ok=True)
        raise


def save_document(
    source: PollutionSource,
    upload: IO[bytes],
    *,
    size: int,
    name: str,
    title: str = "",
    user: Account = None,
) -> SourceFile:
    """Store a PDF document of the source (许可证, 方案…), recognised by its content."""
    title = inputs.check_text("title", title.strip(), 100)
    limit = document_limit()
    if size > limit:
        raise FileRejected(f"the document is larger than {limit // MB} MB", TOO_LARGE)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise FileRejected(f"the document is larger than {limit // MB} MB", TOO_LARGE)
    if not data.startswith(b"%PDF-"):
        raise FileRejected("only PDF documents")
    relative, target = _target(".pdf")
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    try:
        with transaction.atomic():
            tmp.replace(target)
            return _record(
                source,
                SourceFile.Kind.DOCUMENT,
                relative,
                size=len(data),
                content_type="application/pdf",
                name=name,
                title=title,
                user=user,
            )
    except BaseException:
        tmp.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        raise


def file_path(f: SourceFile) -> Path:
    return evidence.stored_path(f.file)
