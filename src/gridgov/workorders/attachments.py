"""An order's evidence (工单附件): its photos, by stage, and a command's documents.

Checking, normalising and storing the files is the core's evidence kit (``gridgov.core.evidence``);
this module makes them rows of an order, of one of its steps, or of a command.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from gridgov.core.evidence import (
    ACCEPTED,
    DOCUMENT_TYPES,
    PhotoRejected,
    PreparedPhoto,
    _source,
    discard,
    keep_photo,
    new_file,
    prepare_photo,
    sniff_document,
    stored_path,
)
from gridgov.workorders.models import Attachment, CommandAttachment, WorkOrder

STAGES = ("report", "before", "after")


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise PhotoRejected(f"stage must be one of {', '.join(STAGES)}")


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
    _check_stage(stage)
    now = timezone.now()
    uploaded_by = user if getattr(user, "is_authenticated", False) else None
    return [
        Attachment.objects.create(
            order=order,
            transition=transition,
            stage=stage,
            uploaded_by=uploaded_by,
            created_at=now,
            **keep_photo(p, "orders", now),
        )
        for p in prepared
    ]


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
    _check_stage(stage)
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
    return stored_path(attachment.file)


def save_document(
    command: Any, upload: IO[bytes], *, size: int, name: str, user: Any
) -> CommandAttachment:
    """Store a command's attachment after checking what it really is (not what it is named)."""
    data = _source(upload, size, "file").read()
    kind = sniff_document(data)
    if kind is None:
        raise PhotoRejected("only PDF, Word, Excel, PowerPoint or image files")
    content_type = DOCUMENT_TYPES.get(kind) or ACCEPTED.get(kind.upper(), "image/jpeg")
    suffix = {"jpeg": "jpg", "mpo": "jpg"}.get(kind, kind)
    now = timezone.now()
    relative, target = new_file("commands", f".{suffix}", now)
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
