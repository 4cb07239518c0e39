"""What the public may see of an event (公开信息): one rule for the public tracking page and
Open311. Only events that came from the public, or that an official marked public, in public
categories; phone and ID-card numbers in the text masked; a citizen's point rounded to about
50 m; the responsible unit named from the moment the place is located. Nothing personal of
anyone — reporter, grid worker — is ever part of it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from gridgov.core import privacy
from gridgov.people import names
from gridgov.workorders.models import Event, Source
from gridgov.workorders.states import State

# Mainland mobile numbers (optionally +86), landlines with an area code, 18-digit ID numbers
# (and the old 15-digit ones). Digits are matched on their own, not inside longer numbers.
_ID_CARD = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)|(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?\d{3,4}(\d{4})(?!\d)")
# The fine part of an address: the number of a building, unit, room, floor, courtyard or house
# (3号楼 2单元 301室 12号院 8栋 5层 建设路88号); the road, community and estate stay.
_NO = r"[0-9０-９A-Za-z]+(?:[-－~][0-9０-９A-Za-z]+)*"
_CN_NO = r"[一二三四五六七八九十百零〇两]+"
_ADDRESS_DETAIL = re.compile(
    rf"(?:{_NO}|{_CN_NO})(?=号楼|号院|号门|栋|幢|单元|室)"
    rf"|{_NO}(?=楼|层|户|座)"
    rf"|(?<=[路街巷弄道村])(?:{_NO}|{_CN_NO})(?=号(?!线))"
)
# A name right after the words that introduce one (我是李明，… 联系人：王建国): a common surname
# and one or two more characters, ending where the text does not go on with a character, or
# goes on with a word that follows a name (电话, 住在, 反映…).
_INTRO = r"(?:姓名|联系人|报告人|我是|我叫|本人)[:：\s]*"
_SURNAME = "|".join(privacy.COMPOUND_SURNAMES) + "|[" + "".join(sorted(names.SURNAMES)) + "]"
_AFTER = "电话|手机|联系|住|在|家|反映|投诉|举报|报告|是|今年|男|女|先生|女士|身份|号码"
_INTRODUCED = re.compile(
    rf"({_INTRO})((?:{_SURNAME})[\u4e00-\u9fff]{{1,2}}?)(?=[^\u4e00-\u9fff]|$|{_AFTER})"
)
# What follows a roster name that is really part of a place's name (建国路, 李庄村).
_PLACE_AFTER = re.compile(
    r"路|街|道|巷|弄|胡同|村|镇|乡|区|县|市|省|小区|社区|花园|广场|大厦|公园|桥|河|湖|山|庄|苑"
    r"|城|府|集团|公司|学校|小学|中学|医院|工地|项目"
)
_TITLES = frozenset({"先生", "女士", "师傅", "阿姨", "大爷", "老师", "同志"})
# 0.0005° of latitude is 55 m; of longitude at 35°N, 45 m.
GRID_DEGREES = 0.0005


def _id_card(m: re.Match[str]) -> str:
    if m.group(1):
        return f"{m.group(1)}********{m.group(2)}"
    return f"{m.group(3)}******{m.group(4)}"


def _introduced(m: re.Match[str]) -> str:
    intro, name = m.group(1), m.group(2)
    given = name[privacy.surname_length(name) :]
    return intro + (name if given in _TITLES else names.masked(name))


def _listed(text: str, known: frozenset[str], own: frozenset[str]) -> str:
    """Names from the roster or of the event's own people, longest first, wherever they stand
    unless a place's name goes on from them (建国路)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if "\u4e00" <= text[i] <= "\u9fff":
            for size in (4, 3, 2):
                word = text[i : i + size]
                if (
                    len(word) == size
                    and (word in known or word in own)
                    and not _PLACE_AFTER.match(text, i + size)
                ):
                    out.append(names.masked(word))
                    i += size
                    break
            else:
                out.append(text[i])
                i += 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


Own = tuple[frozenset[str], list[re.Pattern[str]]]  # the event's own people's names


def _own_names(given: Iterable[str]) -> Own:
    """The event's own people's names: Chinese ones (spaces dropped) for the scan, Latin ones
    (each part of three letters or more) as whole words."""
    cjk, latin = set(), []
    for raw in given:
        compact = re.sub(r"\s", "", raw or "")
        if names.CJK.match(compact):
            cjk.add(compact)
        else:
            latin += [p for p in re.split(r"[\s,.]+", raw or "") if len(p) >= 3 and p.isalpha()]
    patterns = [re.compile(rf"\b{re.escape(p)}\b", re.IGNORECASE) for p in latin]
    return frozenset(cjk), patterns


def _latin(text: str, patterns: list[re.Pattern[str]]) -> str:
    for p in patterns:
        text = p.sub(lambda m: names.masked(m.group(0)), text)
    return text


def _id_cards(text: str, own: Own) -> str:
    return _ID_CARD.sub(_id_card, text)


def _phones(text: str, own: Own) -> str:
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)


def _address_detail(text: str, own: Own) -> str:
    return _ADDRESS_DETAIL.sub("*", text)


def _names(text: str, own: Own) -> str:
    text = _INTRODUCED.sub(_introduced, text)
    return _latin(_listed(text, names.roster_names(), own[0]), own[1])


# The public-text rule, one step per kind of personal data (the kind `personal_found` names).
RULES: tuple[tuple[Any, Callable[[str, Own], str]], ...] = (
    (gettext_lazy("身份证号码"), _id_cards),
    (gettext_lazy("电话号码"), _phones),
    (gettext_lazy("楼栋门牌号"), _address_detail),
    (gettext_lazy("姓名"), _names),
)


def mask_personal(text: str, people: Iterable[str] = ()) -> str:
    """The one rule for free text the public sees (the tracking page, Open311, the exposure
    board): ID-card, mobile and landline numbers masked keeping a few digits; the number of a
    building, unit, room or house masked (3号楼2单元301室 → *号楼*单元*室); names masked to
    surname + * — anyone's on the roster, the event's own people's (`people`: the reporter),
    and a name introduced as one (我是李明 → 我是李*)."""
    own = _own_names(people)
    for _label, rule in RULES:
        text = rule(text, own)
    return text


def personal_found(text: str, people: Iterable[str] = ()) -> str | None:
    """What kind of personal data `mask_personal` would mask in `text` (a label), or None."""
    own = _own_names(people)
    for label, rule in RULES:
        if rule(text, own) != text:
            return str(label)
    return None


def rounded(value: float) -> float:
    return round(round(value / GRID_DEGREES) * GRID_DEGREES, 4)


def published_events(qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events anyone may see: from the public or marked public, in an active public category."""
    qs = Event.objects.all() if qs is None else qs
    return qs.filter(Q(source=Source.CITIZEN) | Q(public=True)).filter(
        category__public=True, category__active=True
    )


def trackable_events(qs: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Events one may look up by their reference number: the published ones, and 12345 calls
    (the caller was told the number), in public categories."""
    qs = Event.objects.all() if qs is None else qs
    return qs.filter(Q(source__in=(Source.CITIZEN, Source.HOTLINE)) | Q(public=True)).filter(
        category__public=True
    )


def agency(event: Event) -> str:
    """The unit (and post) responsible, as soon as the place is located."""
    order = event.order
    name = order.unit.name if order.unit_id else event.region.name
    if order.assignee_post and order.state != State.REPORTED:
        name += f" · {order.assignee_post}"
    return name


@dataclass(frozen=True)
class PublicView:
    description: str
    address: str
    lat: float
    lon: float
    agency: str


def public_view(event: Event) -> PublicView:
    text = event.description or event.title
    people = (event.contact_name,)
    return PublicView(
        description=mask_personal(text, people),
        address=mask_personal(event.address, people) or event.region.name,
        lat=rounded(event.lat),
        lon=rounded(event.lon),
        agency=agency(event),
    )
