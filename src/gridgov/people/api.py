"""Auth tokens, people and search endpoints."""

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.params import functions as param

from gridgov.apikit import XLSX, ApiError, download, errors, xlsx_response
from gridgov.core.dbrouter import replica_reads
from gridgov.people import scope, throttle, tokens
from gridgov.people.models import Person, Post, PostType
from gridgov.people.roster import roster_workbook
from gridgov.people.scope import visible_region
from gridgov.schemas import Schema
from gridgov.territory.models import Region

auth_router = Router()
people_router = Router()


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=200)
    name: str = Field("", max_length=60, description="a label for the token, e.g. the device")


class TokenOut(Schema):
    token: str = Field(description="shown once; send as `Authorization: Bearer <token>`")
    prefix: str
    id: int
    expires_at: dt.datetime = Field(description="refused (401) from then on; ask for a new one")


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str = Field(description="the token's first characters, to tell it apart")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool = Field(description="neither revoked nor expired")
    current: bool = Field(description="the token this request was made with")


class MeOut(Schema):
    username: str
    person: str | None
    groups: list[str]
    scope: list[str] | None = Field(description="codes of the regions seen; null = everything")


@auth_router.post("/token", response={200: TokenOut, **errors(400, 401, 413, 429)}, auth=None)
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    """A token valid for GRIDGOV_API_TOKEN_DAYS. Failures are counted per account and per client
    address: past the limit the answer is 429 (even for the right password) until the cool-off
    ends or an administrator unlocks."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise ApiError(429, throttle.lockout_message(), field="username")
    if user is None or not user.is_active:
        raise ApiError(401, "wrong username or password", field="password")
    token, raw = tokens.issue_token(user, payload.name)
    return {"token": raw, "prefix": token.prefix, "id": token.pk, "expires_at": token.expires_at}


@auth_router.delete("/token", response={204: None, **errors(400, 401)})
def revoke_token(request: HttpRequest) -> Any:
    """Revoke the bearer token this request was made with."""
    header = request.headers.get("Authorization", "")
    raw = header.removeprefix("Bearer ").strip()
    if not raw or not tokens.revoke(raw):
        raise ApiError(400, "this request was not made with a bearer token", field="Authorization")
    return Status(204, None)


@auth_router.get("/tokens", response={200: list[TokenInfo], **errors(401)})
def list_tokens(request: HttpRequest) -> Any:
    """The caller's own tokens, newest first (the tokens themselves are never shown again)."""
    now = timezone.now()
    current = getattr(getattr(request, "api_token", None), "pk", None)
    return [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "expires_at": t.expires_at,
            "revoked_at": t.revoked_at,
            "active": t.revoked_at is None and t.expires_at > now,
            "current": t.pk == current,
        }
        for t in tokens.tokens_of(request.user)
    ]


@auth_router.delete("/tokens/{token_id}", response={204: None, **errors(400, 401, 404)})
def revoke_token_by_id(request: HttpRequest, token_id: int) -> Any:
    """Revoke one of the caller's own tokens. Another account's token is 404, as if it did not
    exist; revoking a revoked token again changes nothing."""
    if not tokens.revoke_own(request.user, token_id):
        raise ApiError(404, f"you have no token with id {token_id}", field="token_id")
    return Status(204, None)


@auth_router.get("/me", response={200: MeOut, **errors(401)})
def me(request: HttpRequest) -> Any:
    user = request.user
    paths = scope.scope_paths(user)
    codes = None
    if paths is not None:
        ids = [int(p.strip("/").split("/")[-1]) for p in paths]
        codes = sorted(
            Region.objects.for_user(user).filter(pk__in=ids).values_list("code", flat=True)
        )
    person = getattr(user, "person", None)
    return {
        "username": user.get_username(),
        "person": person.name if person else None,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "scope": codes,
    }


class PostOut(Schema):
    post: str
    post_name: str
    region_code: str
    region_name: str
    start_date: dt.date
    end_date: dt.date | None


class PersonOut(Schema):
    id: int
    name: str
    phone: str
    id_number: str = Field(description="masked unless the caller may see full numbers")
    posts: list[PostOut]


class PeopleFilter(Schema):
    region: str | None = Field(None, description="region code: people in its subtree")
    post: str | None = Field(None, description="post type code, e.g. grid_leader")
    q: str | None = Field(None, max_length=50, description="name or phone")
    include_ended: bool = False


def person_out(person: Person, show_full: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "phone": person.phone,
        "id_number": person.id_number if show_full else person.id_number_masked,
        "posts": [
            {
                "post": p.post_type.code,
                "post_name": p.post_type.name,
                "region_code": p.region.code,
                "region_name": p.region.name,
                "start_date": p.start_date,
                "end_date": p.end_date,
            }
            for p in person.visible_posts  # type: ignore[attr-defined]
        ],
    }


def filtered_posts(request: HttpRequest, filters: PeopleFilter) -> Any:
    posts = scope.posts_for(request.user)
    if not filters.include_ended:
        posts = posts.current()
    if filters.region:
        region = visible_region(request.user, filters.region)
        posts = posts.filter(region__path__startswith=region.path)
    if filters.post:
        if not PostType.objects.for_user(request.user).filter(code=filters.post).exists():
            raise ApiError(400, f"unknown post type {filters.post!r}", field="post")
        posts = posts.filter(post_type__code=filters.post)
    if filters.q:
        posts = posts.filter(Q(person__name__contains=filters.q) | Q(person__phone=filters.q))
    return posts


@people_router.get("/people", response={200: list[PersonOut], **errors(400, 401, 403, 404)})
@paginate(LimitOffsetPagination)
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    posts = filtered_posts(request, filters)
    show_full = request.user.has_perm("people.view_full_id_number")
    people = (
        Person.objects.for_user(request.user)
        .filter(pk__in=posts.values("person_id"))
        .prefetch_related(
            Prefetch(
                "posts",
                queryset=posts.select_related("post_type", "region").order_by("start_date"),
                to_attr="visible_posts",
            )
        )
        .order_by("name", "pk")
    )
    return [person_out(p, show_full) for p in people]


@people_router.get("/people/{person_id}", response={200: PersonOut, **errors(400, 401, 403, 404)})
def get_person(request: HttpRequest, person_id: int) -> Any:
    person = Person.objects.for_user(request.user).filter(pk=person_id).first()
    posts = Post.objects.for_user(request.user).filter(person_id=person_id)
    if person is None or not posts.exists():  # unknown, or holding no post in scope: one 404
        raise ApiError(404, f"no person with id {person_id}", field="person_id")
    person.visible_posts = list(  # type: ignore[attr-defined]
        posts.select_related("post_type", "region").order_by("start_date")
    )
    return person_out(person, request.user.has_perm("people.view_full_id_number"))


@people_router.get(
    "/export/people.xlsx",
    response=errors(400, 401, 403, 404),
    openapi_extra=download(XLSX, "the roster as an Excel workbook"),
)
def export_people_xlsx(request: HttpRequest, filters: Query[PeopleFilter]) -> HttpResponse:
    with replica_reads():
        posts = filtered_posts(request, filters).select_related("person", "post_type", "region")
        posts = posts.order_by("region__code", "post_type__rank", "person__name")
        content = roster_workbook(posts, request.user.has_perm("people.view_full_id_number"))
        return xlsx_response(content, "roster.xlsx")


class SearchHit(Schema):
    kind: str = Field(description="region or person")
    code: str | None = None
    id: int | None = None
    name: str
    detail: str


@people_router.get("/search", response={200: list[SearchHit], **errors(400, 401)})
def search(request: HttpRequest, q: str = param.Query(..., min_length=1, max_length=50)) -> Any:
    """Grids/regions by code or name, people by name or phone, within the caller's scope."""
    q = q.strip()
    regions = (
        Region.objects.for_user(request.user)
        .active()
        .filter(Q(code__startswith=q) | Q(name__contains=q))
        .select_related("parent")
        .order_by("level", "code")[:15]
    )
    hits: list[dict[str, Any]] = [
        {
            "kind": "region",
            "code": r.code,
            "name": r.name,
            "detail": r.parent.name if r.parent else "",
        }
        for r in regions
    ]
    posts = (
        Post.objects.for_user(request.user)
        .current()
        .filter(Q(person__name__contains=q) | Q(person__phone__startswith=q))
        .select_related("person", "post_type", "region")
        .order_by("person__name", "person_id")[:15]
    )
    for p in posts:
        hits.append(
            {
                "kind": "person",
                "id": p.person_id,
                "code": p.region.code,
                "name": p.person.name,
                "detail": f"{p.post_type.name} · {p.region.name}",
            }
        )
    return hits
