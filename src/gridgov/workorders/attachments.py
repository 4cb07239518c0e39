"""An order's evidence (工单附件): its photos, by stage (a command's documents are the inbox's).

Checking, normalising and storing the files is the core's evidence kit (``gridgov.core.evidence``);
this module makes them rows of an order or of one of its steps.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from gridgov.core.actor import Account, signed_in_user
from gridgov.core.evidence import (
    PhotoRejected,
    PreparedPhoto,
    discard,
    keep_photo,
    prepare_photo,
    stored_path,
)
from gridgov.workorders.models import Attachment, WorkOrder

STAGES = ("report", "before", "after")


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise PhotoRejected(f"stage must be one of {', '.join(STAGES)}")


def attach_photos(
    order: WorkOrder,
    prepared: list[PreparedPhoto],
    *,
    stage: str = "report",
    user: Account = None,
    transition: Any = None,
) -> list[Attachment]:
    """Make prepared photos part of the order (and of one step). Call it inside the
    transaction that records the step, so the step and its evidence are stored together."""
    _check_stage(stage)
    now = timezone.now()
    uploaded_by = signed_in_user(user)
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
    user: Account = None,
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
