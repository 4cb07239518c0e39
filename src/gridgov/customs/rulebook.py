"""Village rules (村规民约): meetings, versions, files and their comparison."""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.customs.models import (
    AdoptionMeeting,
    CouncilMember,
    MeetingKind,
    RulesVersion,
)
from gridgov.customs.services import (
    MAX_ATTENDANCE,
    MAX_NOTE,
    MAX_TEXT,
    MAX_TITLE,
    _choice,
    _day,
    _int,
    _managed_village,
    _not_found,
    _text,
    get_rules,
    invalid,
    registrations_for,
)
from gridgov.territory.models import Region

# ------------------------------------------------------------------------------- rules --


def add_meeting(
    user: Account,
    community_id: int,
    date: Any,
    kind: str,
    attendance: Any,
    entitled: Any = None,
    votes_for: Any = None,
    notes: str = "",
) -> AdoptionMeeting:
    """村民（代表）会议 that adopts rules: its date, kind and attendance."""
    village = _managed_village(user, community_id)
    day = _day("date", date)
    kind = _choice("kind", kind, MeetingKind)
    present = _int("attendance", attendance, 1, MAX_ATTENDANCE, required=True)
    assert present is not None
    seats = _int("entitled", entitled, 1, MAX_ATTENDANCE)
    votes = _int("votes_for", votes_for, 0, MAX_ATTENDANCE)
    if seats is not None and present > seats:
        raise invalid("attendance", _("到会人数不能多于应到人数"))
    if votes is not None and votes > present:
        raise invalid("votes_for", _("赞成票不能多于到会人数"))
    if day > timezone.localdate():
        raise invalid("date", _("会议日期不能晚于今天"))
    return AdoptionMeeting.objects.create(
        community=village, date=day, kind=kind, attendance=present, entitled=seats,
        votes_for=votes, notes=_text("notes", notes, MAX_NOTE),
    )  # fmt: skip


def add_rules(
    user: Account,
    community_id: int,
    title: str,
    adopted: Any,
    text: str,
    meeting_id: int | None = None,
    now: dt.datetime | None = None,
) -> RulesVersion:
    """A new version of the village's rules: numbered after the last one; adopted no earlier
    than the last version, by a meeting of this village held on or before that day."""
    village = _managed_village(user, community_id)
    title = _text("title", title, MAX_TITLE, required=True)
    day = _day("adopted", adopted)
    body = _text("text", text, MAX_TEXT, required=True)
    meeting = None
    if meeting_id is not None:
        meeting = AdoptionMeeting.objects.filter(pk=meeting_id, community=village).first()
        if meeting is None:
            raise invalid("meeting", _("会议不存在或不是本村的会议"))
        if meeting.date > day:
            raise invalid("meeting", _("表决会议不能晚于通过日期"))
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=village.pk).first()
        last = RulesVersion.objects.filter(community=village).order_by("-number").first()
        if last is not None and day < last.adopted:
            raise invalid(
                "adopted",
                _("通过日期不能早于第 %(n)s 版（%(d)s）") % {"n": last.number, "d": last.adopted},
            )
        return RulesVersion.objects.create(
            community=village, number=(last.number + 1) if last else 1, title=title,
            adopted=day, meeting=meeting, text=body, created_by=_account(user),
            created_at=now or timezone.now(),
        )  # fmt: skip


def _account(user: Account) -> Any:
    return user if getattr(user, "pk", None) else None


ACCEPTED_FILES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
}


def attach_file(
    user: Account, rules_id: int, upload: IO[bytes], *, size: int, name: str
) -> RulesVersion:
    """The signed or printed document of a version (PDF, Word or a scan), recognised by its
    content, not its name; it replaces an earlier one."""
    from gridgov.core import evidence

    rules = get_rules(user, rules_id)
    _managed_village(user, rules.community_id)
    limit = int(settings.GRIDGOV_UPLOAD_MAX_BYTES)
    if size > limit:
        raise invalid("file", _("文件超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise invalid("file", _("文件超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    try:
        kind = evidence.sniff_document(data)
    except evidence.PhotoRejected as exc:
        raise invalid("file", str(exc)) from None
    if kind == "mpo":
        kind = "jpeg"
    if kind not in ACCEPTED_FILES:
        raise invalid("file", _("只接受 PDF、Word 文档或 PNG/JPEG 扫描件"))
    original = _text("file", Path(name or "").name, 200) or f"rules.{kind}"
    suffix = {"jpeg": "jpg"}.get(kind, kind)
    relative = Path("customs") / timezone.now().strftime("%Y/%m") / f"{uuid.uuid4().hex}.{suffix}"
    target = evidence.media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    old = rules.file
    rules.file = str(relative)
    rules.file_name = original
    rules.file_type = ACCEPTED_FILES[kind]
    rules.file_size = len(data)
    rules.save(update_fields=["file", "file_name", "file_type", "file_size"])
    if old:
        stale = (evidence.media_root() / old).resolve()
        if evidence.media_root().resolve() in stale.parents:
            transaction.on_commit(lambda: stale.unlink(missing_ok=True))
    return rules


def file_path(rules: RulesVersion) -> Path:
    from gridgov.core import evidence

    root = evidence.media_root().resolve()
    path = (root / rules.file).resolve()
    if not rules.file or root not in path.parents:
        raise _not_found(_("文件不存在"))
    return path


def versions(community: Region) -> list[RulesVersion]:
    return list(
        RulesVersion.objects.filter(community=community)
        .select_related("meeting")
        .order_by("-number")
    )


def current_rules(community: Region, on: dt.date | None = None) -> RulesVersion | None:
    """The version in force on `on` (today): the highest number adopted by then."""
    day = on or timezone.localdate()
    return (
        RulesVersion.objects.filter(community=community, adopted__lte=day)
        .order_by("-number")
        .first()
    )


@dataclass(frozen=True)
class DiffRow:
    tag: str  # equal, replace, delete, insert
    left_no: int | None
    left: str
    right_no: int | None
    right: str


@dataclass
class Comparison:
    old: RulesVersion
    new: RulesVersion
    rows: list[DiffRow]
    added: int = 0
    removed: int = 0
    changed: int = 0


def diff_lines(old: str, new: str) -> list[DiffRow]:
    """Side by side, line by line (an article of the rules is a line)."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(DiffRow("equal", i + 1, a[i], j + 1, b[j]) for i, j in
                        zip(range(i1, i2), range(j1, j2), strict=True))  # fmt: skip
            continue
        for i, j in itertools.zip_longest(range(i1, i2), range(j1, j2)):
            row_tag = "delete" if j is None else "insert" if i is None else "replace"
            rows.append(DiffRow(
                row_tag,
                None if i is None else i + 1, "" if i is None else a[i],
                None if j is None else j + 1, "" if j is None else b[j],
            ))  # fmt: skip
    return rows


def compare(old: RulesVersion, new: RulesVersion) -> Comparison:
    if old.community_id != new.community_id:
        raise invalid("other", _("只能比较同一村的两个版本"))
    rows = diff_lines(old.text, new.text)
    return Comparison(
        old, new, rows,
        added=sum(1 for r in rows if r.tag == "insert"),
        removed=sum(1 for r in rows if r.tag == "delete"),
        changed=sum(1 for r in rows if r.tag == "replace"),
    )  # fmt: skip


@dataclass
class VillageSummary:
    rules: RulesVersion | None = None
    council: int = 0
    registrations: int = 0
    flagged: int = 0


def summaries(
    user: Account, villages: list[Region], on: dt.date | None = None
) -> dict[int, VillageSummary]:
    """For the lists, in four queries: each village's version in force, current council size,
    and the registrations (and flagged ones) the account sees."""
    day = on or timezone.localdate()
    ids = [v.pk for v in villages]
    out = {pk: VillageSummary() for pk in ids}
    for r in (
        RulesVersion.objects.filter(community_id__in=ids, adopted__lte=day)
        .defer("text")
        .order_by("community_id", "-number")
    ):
        if out[r.community_id].rules is None:
            out[r.community_id].rules = r
    for pk, n in (
        CouncilMember.objects.current(day)
        .filter(council__community_id__in=ids)
        .values("council__community_id")
        .annotate(n=Count("pk"))
        .values_list("council__community_id", "n")
    ):
        out[pk].council = n
    for pk, n, flagged in (
        registrations_for(user)
        .filter(community_id__in=ids)
        .values("community_id")
        .annotate(n=Count("pk"), f=Count("pk", filter=Q(flagged=True)))
        .values_list("community_id", "n", "f")
    ):
        out[pk].registrations, out[pk].flagged = n, flagged
    return out
