"""A project's records: milestones, spending, officials and documents (项目台账)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import evidence
from gridgov.core.actor import Account, actor_name
from gridgov.errors import CONFLICT, INVALID, NOT_FOUND
from gridgov.people import scope
from gridgov.projects.models import (
    Document,
    Milestone,
    Official,
    OfficialRole,
    Project,
    Spending,
    Status,
)
from gridgov.projects.services import (
    CLOSED,
    DOCUMENT_KINDS,
    MAX_NAME,
    MAX_NOTE,
    MAX_SPEND_NOTE,
    MB,
    SUFFIX,
    ProjectsError,
    _actor,
    _choice,
    check_amount,
    check_date,
    check_text,
    invalid,
    managed,
    projects_for,
    spent_of,
)


def _open(project: Project) -> None:
    if project.status in CLOSED:
        raise ProjectsError(CONFLICT, _("项目已完成或终止"), "status")


def add_milestone(
    user: Account, project_id: int, title: str, planned: Any, note: str = ""
) -> Milestone:
    title = check_text("title", title, MAX_NAME, required=True)
    planned = check_date("planned", planned)
    note = check_text("note", note, MAX_NOTE)
    with transaction.atomic():
        project = managed(user, project_id)
        _open(project)
        return Milestone.objects.create(project=project, title=title, planned=planned, note=note)


def complete_milestone(
    user: Account, milestone_id: int, done: Any, today: dt.date | None = None
) -> Milestone:
    today = today or timezone.localdate()
    done = check_date("done", done, not_after=today)
    with transaction.atomic():
        m = Milestone.objects.filter(pk=milestone_id).first()
        if m is None:
            raise ProjectsError(NOT_FOUND, _("节点不存在"))
        project = managed(user, m.project_id)
        _open(project)
        if m.done is not None:
            raise ProjectsError(CONFLICT, _("该节点已完成"), "done")
        m.done = done
        m.save(update_fields=["done"])
        return m


def record_spending(
    user: Account,
    project_id: int,
    day: Any,
    amount: Any,
    note: str = "",
    today: dt.date | None = None,
) -> Spending:
    """A row of the ledger: positive a payment, negative a correction (with a note). The sum
    never goes below zero nor above what was granted."""
    today = today or timezone.localdate()
    day = check_date("date", day, not_after=today)
    value = check_amount("amount", amount, allow_negative=True)
    note = check_text("note", note, MAX_SPEND_NOTE)
    if value == 0:
        raise invalid("amount", _("金额不能为零"))
    if value < 0 and not note:
        raise invalid("note", _("冲减须说明理由"))
    with transaction.atomic():
        project = managed(user, project_id)
        if project.status == Status.APPLIED:
            raise ProjectsError(CONFLICT, _("项目尚未立项，不能登记支出"), "status")
        total = spent_of(project) + value
        if total < 0:
            raise ProjectsError(CONFLICT, _("冲减后累计支出不能为负"), "amount")
        if total > project.granted:
            raise ProjectsError(CONFLICT, _("累计支出不能超过批复资金"), "amount")
        return Spending.objects.create(
            project=project,
            date=day,
            amount=value,
            note=note,
            actor=_actor(user),
            actor_name=actor_name(user),
            at=timezone.now(),
        )


def add_official(user: Account, project_id: int, person_id: int, role: str) -> Official:
    role = _choice("role", role, OfficialRole)
    with transaction.atomic():
        project = managed(user, project_id)
        person = scope.people_for(user).filter(pk=person_id).first()
        if person is None:
            raise invalid("person", _("没有这个人员"))
        if project.officials.filter(person=person, role=role).exists():
            raise ProjectsError(CONFLICT, _("该人员已是本项目的%(role)s") % {
                "role": OfficialRole(role).label}, "person")  # fmt: skip
        return Official.objects.create(project=project, person=person, role=role)


def remove_official(user: Account, official_id: int) -> None:
    with transaction.atomic():
        o = Official.objects.filter(pk=official_id).first()
        if o is None:
            raise ProjectsError(NOT_FOUND, _("责任人不存在"))
        managed(user, o.project_id)
        o.delete()


def document_limit() -> int:
    return int(getattr(settings, "GRIDGOV_PROJECT_DOCUMENT_MAX_BYTES", 20 * MB))


def save_document(
    user: Account, project_id: int, upload: IO[bytes], *, size: int, name: str, title: str = ""
) -> Document:
    """Store a PDF, Word, Excel file or image of the project, recognised by its content."""
    title = check_text("title", title, 100)
    limit = document_limit()
    too_large = ProjectsError(INVALID, _("文件超过%(mb)d MB") % {"mb": limit // MB}, "file")
    if size > limit:
        raise too_large
    with transaction.atomic():
        project = managed(user, project_id)
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise too_large
        try:
            kind = evidence.sniff_document(data)
        except evidence.PhotoRejected as exc:
            raise invalid("file", str(exc)) from None
        if kind not in DOCUMENT_KINDS:
            raise invalid("file", _("只接受PDF、Word、Excel文件或图片"))
        now = timezone.now()
        relative = (
            Path("projects")
            / now.strftime("%Y/%m")
            / (f"{uuid.uuid4().hex}.{SUFFIX.get(kind, kind)}")
        )
        target = evidence.media_root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        try:
            tmp.replace(target)
            return Document.objects.create(
                project=project,
                title=title,
                file=str(relative),
                content_type=DOCUMENT_KINDS[kind],
                size=len(data),
                original_name=Path(name or "").name[:200] or relative.name,
                uploaded_by=_actor(user),
                created_at=now,
            )
        except BaseException:
            tmp.unlink(missing_ok=True)
            target.unlink(missing_ok=True)
            raise


def get_document(user: Account, document_id: int) -> Document:
    d = Document.objects.filter(pk=document_id).first()
    if d is None or not projects_for(user).filter(pk=d.project_id).exists():
        raise ProjectsError(NOT_FOUND, _("文件不存在"))
    return d


def document_path(d: Document) -> Path:
    try:
        return evidence.stored_path(d.file)
    except evidence.PhotoRejected:
        raise ProjectsError(NOT_FOUND, _("文件不存在")) from None
