"""The inbox and commands (指令): API v1. The caller's own notices; the commands it issued,
received or that reached its regions."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gridgov.apikit import ApiError, errors
from gridgov.core import evidence
from gridgov.inbox import commands, links
from gridgov.inbox.models import Command, CommandRecipient, Notification
from gridgov.inbox.schemas import (
    CommandDetailOut,
    CommandIn,
    CommandOut,
    CompleteIn,
    NotificationOut,
    ReadIn,
    ReadOut,
)

router = Router()


@router.get("/inbox", response={200: list[NotificationOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def inbox(request: HttpRequest, unread: bool = False) -> Any:
    """The caller's own notices, newest first."""
    qs = Notification.objects.for_user(request.user)
    if unread:
        qs = qs.unread()
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "kind_label": str(n.get_kind_display()),
            "title": n.title,
            "body": n.body,
            "order_id": links.subject_id(n, "order"),
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in qs
    ]


@router.post("/inbox/read", response={200: ReadOut, **errors(400, 401, 413)})
def mark_read(request: HttpRequest, payload: ReadIn) -> Any:
    qs = Notification.objects.for_user(request.user).unread()
    if payload.ids is not None:
        qs = qs.filter(pk__in=payload.ids)
    return {"marked": qs.update(read_at=timezone.now())}


# ---------------------------------------------------------------------------- commands --


def _command_row(c: Command, rows: list[CommandRecipient]) -> dict[str, Any]:
    return {
        "id": c.pk,
        "title": c.title,
        "body": c.body,
        "issuer": c.issuer_name,
        "due_at": c.due_at,
        "created_at": c.created_at,
        "recipients": len(rows),
        "acknowledged": sum(r.acknowledged_at is not None for r in rows),
        "completed": sum(r.completed_at is not None for r in rows),
    }


def _command_detail(c: Command) -> dict[str, Any]:
    rows = commands.recipients_of(c)
    now = timezone.now()
    out = _command_row(c, rows)
    out["not_acknowledged"] = [r.person.name for r in rows if r.acknowledged_at is None]
    out["files"] = [
        {
            "id": f.pk,
            "name": f.original_name,
            "url": reverse("inbox:command_file", args=[f.pk]),
            "size": f.size,
        }
        for f in c.attachments.all()
    ]
    out["recipient_rows"] = [
        {
            "person": r.person.name,
            "person_id": r.person_id,
            "unit": r.region.code,
            "unit_name": r.region.name,
            "acknowledged_at": r.acknowledged_at,
            "completed_at": r.completed_at,
            "note": r.note,
            "overdue": r.completed_at is None and c.due_at < now,
        }
        for r in rows
    ]
    return out


def _get_command(request: HttpRequest, command_id: int) -> Command:
    c = Command.objects.for_user(request.user).filter(pk=command_id).first()
    if c is None:
        raise ApiError(404, "no such command")
    return c


@router.post("/commands", response={201: CommandDetailOut, **errors(400, 401, 403, 404, 413)})
def issue_command(request: HttpRequest, payload: CommandIn) -> Any:
    """下达指令 to units (their responsible post holders) and/or people."""
    if timezone.is_naive(payload.due_at):
        raise ApiError(400, "due_at needs a UTC offset", "due_at")
    c = commands.issue(
        request.user,
        title=payload.title,
        body=payload.body,
        due_at=payload.due_at,
        units=payload.units,
        people=payload.people,
    )
    return Status(201, _command_detail(c))


@router.get("/commands", response={200: list[CommandOut], **errors(400, 401)})
@paginate(LimitOffsetPagination)
def list_commands(request: HttpRequest) -> Any:
    out = []
    for c in Command.objects.for_user(request.user).prefetch_related("recipients"):
        out.append(_command_row(c, list(c.recipients.all())))
    return out


@router.get("/commands/{int:command_id}", response={200: CommandDetailOut, **errors(400, 401, 404)})
def command_detail(request: HttpRequest, command_id: int) -> Any:
    return _command_detail(_get_command(request, command_id))


@router.post(
    "/commands/{int:command_id}/acknowledge",
    response={200: CommandDetailOut, **errors(400, 401, 404, 409)},
)
def acknowledge_command(request: HttpRequest, command_id: int) -> Any:
    commands.acknowledge(command_id, request.user)
    return _command_detail(_get_command(request, command_id))


@router.post(
    "/commands/{int:command_id}/complete",
    response={200: CommandDetailOut, **errors(400, 401, 404, 409, 413)},
)
def complete_command(request: HttpRequest, command_id: int, payload: CompleteIn) -> Any:
    commands.complete(command_id, request.user, payload.note)
    return _command_detail(_get_command(request, command_id))


@router.post(
    "/commands/{int:command_id}/files",
    response={201: CommandDetailOut, **errors(400, 401, 403, 404, 413)},
)
def add_command_file(request: HttpRequest, command_id: int, file: File[UploadedFile]) -> Any:
    """Attach a document to one's own command: PDF, Word, Excel, PowerPoint or an image,
    recognised by content."""
    c = _get_command(request, command_id)
    if c.issued_by_id != request.user.pk:
        raise ApiError(403, "only the issuer attaches files", "file")
    try:
        commands.save_document(
            c, file, size=file.size or 0, name=file.name or "", user=request.user
        )
    except evidence.PhotoRejected as exc:
        raise exc.about("file") from exc
    return Status(201, _command_detail(c))
