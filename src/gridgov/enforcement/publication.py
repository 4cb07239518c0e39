"""曝光台: what the public sees of a case, and the two-person path to get it there.

An official proposes a case with a title and a summary written for the public and chooses
photos (re-encoded copies without EXIF); a second person approves; only then does `/exposure/`
show it. Unpublishing is recorded on the publication, which is never deleted.

What the public sees is decided here alone (the page and the public API call `public_view`):
an organisation by its name, a person as surname + 某 (王某); the source's name only when the
party is an organisation; the category and the street, never the address or the grid; the
summary, the legal bases, the fine and the dates. Every text that goes out is scanned for phone
numbers, ID numbers, the party's own name and number and whatever the public-text rule of every
public door masks (workorders.publication.mask_personal: names on the roster or introduced as a
name, building and room numbers), and publication is refused if found; what is shown is masked
by that rule once more (a name added to the roster after approval).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import inputs
from gridgov.core import evidence, privacy
from gridgov.core.actor import Account, actor_name, holds, recorded_user
from gridgov.enforcement.models import (
    Case,
    CaseDocument,
    PartyKind,
    Publication,
    PublicationPhoto,
)
from gridgov.enforcement.services import (
    APPROVE,
    HANDLE,
    CaseError,
    cases_for,
    get_case,
    invalid,
)
from gridgov.enforcement.steps import Step
from gridgov.sources import categories
from gridgov.territory.models import Level, Region
from gridgov.workorders.publication import mask_personal, personal_found

MAX_PHOTOS = 6
PUBLISHABLE_STEPS = frozenset({Step.DECISION, Step.EXECUTION, Step.CLOSED})

# Mobile numbers, landlines with an area code, and runs of 15 or more digits (ID numbers of
# both generations, bank cards) — digits glued to other digits do not count as a match edge.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[ -]?\d){8}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[ -]?\d{7,8}(?!\d)")
_LONG_NUMBER = re.compile(r"(?<!\d)\d{15,}")


def masked_person(name: str) -> str:
    """王小明 → 王某; 欧阳小明 → 欧阳某 (how Chinese authorities publish a person's name)."""
    return privacy.published_name(name, _("当事人"))


def personal_data(text: str, case: Case) -> str | None:
    """What in `text` would identify a person (a description), or None."""
    if _MOBILE.search(text) or _LANDLINE.search(text):
        return _("电话号码")
    if _LONG_NUMBER.search(text):
        return _("身份证号码等证件号码")
    compact = re.sub(r"\s", "", text)
    phone = re.sub(r"\D", "", case.party_phone)
    if len(phone) >= 7 and phone in re.sub(r"[\s-]", "", text):
        return _("当事人电话")
    if case.party_code and case.party_kind == PartyKind.PERSON and case.party_code in compact:
        return _("当事人证件号码")
    name = re.sub(r"\s", "", case.party_name)
    if case.party_kind == PartyKind.PERSON and len(name) >= 2 and name in compact:
        return _("当事人姓名")
    # The public-text rule of every public door (workorders.publication): anyone's name on the
    # roster or introduced as a name (我是李明), a building, unit or room number.
    return personal_found(text, _people(case))


def _people(case: Case) -> tuple[str, ...]:
    return (case.party_name,) if case.party_kind == PartyKind.PERSON else ()


def _scan(field: str, text: str, case: Case) -> None:
    found = personal_data(text, case)
    if found:
        raise invalid(
            field, _("公开内容不得包含个人信息（发现%(what)s），请修改后再提交") % {"what": found}
        )


def _street(region: Region) -> Region | None:
    ids = region.ancestor_ids()
    return Region.objects.filter(pk__in=ids, level=Level.STREET).first()


def public_view(pub: Publication) -> dict[str, Any]:
    """Everything the public page and the public API show of one publication."""
    case = pub.case
    source = case.source
    org = case.party_kind == PartyKind.ORG
    street = _street(case.region)
    category = source.category if source else ""
    return {
        "id": pub.pk,
        # Scanned before approval; masked again by the same rule in case the roster has grown.
        "title": mask_personal(pub.title, _people(case)),
        "summary": mask_personal(pub.summary, _people(case)),
        "party": case.party_name if org else masked_person(case.party_name),
        "source_name": source.name if (source and org) else "",
        "category": category,
        "category_label": str(categories.LABELS.get(category, "")) if category else "",
        "street": street.name if street else "",
        "legal_bases": [str(b) for b in case.legal_bases.all()],
        "penalty_amount": case.penalty_amount,
        "rectification_required": case.rectification_required,
        "decided_on": timezone.localtime(case.decided_at).date() if case.decided_at else None,
        "published_on": timezone.localtime(pub.approved_at).date() if pub.approved_at else None,
        "photos": [
            {
                "url": reverse("exposure_photo", args=[p.pk]),
                "width": p.width,
                "height": p.height,
            }
            for p in pub.photos.all()
        ],
    }


def published() -> QuerySet[Publication]:
    """What the public board shows: approved and not unpublished, newest first."""
    return (
        Publication.objects.filter(approved_at__isnull=False, unpublished_at__isnull=True)
        .select_related("case__source", "case__region")
        .prefetch_related("case__legal_bases", "photos")
        .order_by("-approved_at", "-pk")
    )


def published_photo(pk: int) -> PublicationPhoto | None:
    """A photo of a publication the public board shows (anyone may read it), or None."""
    return PublicationPhoto.objects.filter(pk=pk, publication__in=published().values("pk")).first()


def publications_for(user: Account) -> QuerySet[Publication]:
    return Publication.objects.filter(case__in=cases_for(user))


def _copy_photo(pub: Publication, document: CaseDocument, now: dt.datetime) -> PublicationPhoto:
    """A fresh JPEG (decoded, resized, no EXIF written back) of a case image."""
    path = evidence.stored_path(document.file)
    with path.open("rb") as fp:
        prepared = evidence.prepare_photo(fp, size=path.stat().st_size, name="photo.jpg")
    relative, target = evidence.new_file("exposure", ".jpg", now)
    prepared.path.replace(target)
    return PublicationPhoto.objects.create(
        publication=pub,
        document=document,
        file=str(relative),
        width=prepared.width,
        height=prepared.height,
    )


def propose(
    case_id: int,
    user: Account,
    *,
    title: str,
    summary: str,
    photo_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> Publication:
    """提请曝光: a decided case, a public title and summary free of personal data, photos."""
    now = now or timezone.now()
    case = get_case(user, case_id)
    if not holds(user, HANDLE):
        raise CaseError("forbidden", _("您无权提请曝光"))
    if case.step not in PUBLISHABLE_STEPS:
        raise CaseError("conflict", _("作出处罚决定后方可曝光"), "case")
    title = inputs.check_text("title", title.strip(), 120)
    summary = inputs.check_text("summary", summary.strip(), 2000)
    if not title:
        raise invalid("title", _("请填写曝光标题"))
    if not summary:
        raise invalid("summary", _("请填写曝光内容"))
    _scan("title", title, case)
    _scan("summary", summary, case)
    ids = [inputs.check_int("photos", int(i)) for i in (photo_ids or [])]
    if len(set(ids)) > MAX_PHOTOS:
        raise invalid("photos", _("最多选择%(n)d张照片") % {"n": MAX_PHOTOS})
    documents = list(CaseDocument.objects.filter(case=case, pk__in=ids))
    if len(documents) != len(set(ids)) or not all(d.is_image for d in documents):
        raise invalid("photos", _("只能选择本案卷中的图片"))
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        pending = case.publications.filter(unpublished_at__isnull=True).exists()
        if pending:
            raise CaseError("conflict", _("该案件已提请或已曝光"), "case")
        pub = Publication.objects.create(
            case=case,
            title=title,
            summary=summary,
            proposed_by=recorded_user(user),
            proposed_by_name=actor_name(user),
            proposed_at=now,
        )
        try:
            for document in documents:
                _copy_photo(pub, document, now)
        except evidence.PhotoRejected as exc:
            raise invalid("photos", str(exc)) from None
    return pub


def _get_publication(user: Account, pub_id: int) -> Publication:
    pub = publications_for(user).select_related("case").filter(pk=pub_id).first()
    if pub is None:
        raise CaseError("not_found", _("曝光记录不存在"))
    return pub


def approve(pub_id: int, user: Account, *, now: dt.datetime | None = None) -> Publication:
    """审核发布: by a second person with the permission; the texts are scanned again."""
    now = now or timezone.now()
    pub = _get_publication(user, pub_id)
    if not holds(user, APPROVE):
        raise CaseError("forbidden", _("您无权审核曝光"))
    if pub.proposed_by_id == user.pk:
        raise CaseError("forbidden", _("提请人不能审核自己提请的曝光，须由另一人审核"))
    _scan("title", pub.title, pub.case)
    _scan("summary", pub.summary, pub.case)
    updated = Publication.objects.filter(
        pk=pub.pk, approved_at__isnull=True, unpublished_at__isnull=True
    ).update(approved_by=user, approved_by_name=actor_name(user), approved_at=now)
    if not updated:
        raise CaseError("conflict", _("该曝光已审核或已撤下"))
    pub.refresh_from_db()
    return pub


def unpublish(
    pub_id: int, user: Account, *, reason: str, now: dt.datetime | None = None
) -> Publication:
    """撤下 (or withdraw a proposal): who, when and why stay on the row."""
    now = now or timezone.now()
    pub = _get_publication(user, pub_id)
    if not (holds(user, APPROVE) or (holds(user, HANDLE) and pub.approved_at is None)):
        raise CaseError("forbidden", _("您无权撤下曝光"))
    reason = inputs.check_text("reason", reason.strip(), 500)
    if not reason:
        raise invalid("reason", _("请填写撤下原因"))
    updated = Publication.objects.filter(pk=pub.pk, unpublished_at__isnull=True).update(
        unpublished_at=now,
        unpublished_by=user,
        unpublished_by_name=actor_name(user),
        unpublish_reason=reason,
    )
    if not updated:
        raise CaseError("conflict", _("该曝光已撤下"))
    pub.refresh_from_db()
    return pub
