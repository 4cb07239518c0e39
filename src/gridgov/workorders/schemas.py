"""The work-order API's request and response schemas (django-ninja)."""

import datetime as dt

from ninja import Field

from gridgov.schemas import Schema
from gridgov.workorders.states import ACTIONS


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None
    line: str | None
    default_priority: int
    public: bool


class EventIn(Schema):
    model_config = {"extra": "forbid"}
    source: str = Field(..., description="patrol | hotline | command | inspection")
    category: str = Field(..., description="a second-level category code")
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    lat: float
    lon: float
    address: str = Field("", max_length=200)
    grid: str | None = Field(None, description="region code, when the point is not enough")
    priority: int | None = Field(None, ge=1, le=3, description="1 特急, 2 紧急, 3 一般")
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    handled_on_spot: bool = Field(
        False,
        description="就地处置: a patrol the reporter put right there and then; the order is "
        "dispatched to him, signed for and handled at once and waits for 核查 by someone else",
    )
    handling_note: str = Field(
        "", max_length=4000, description="what was done on the spot; required with handled_on_spot"
    )


class TransitionOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    assignee: str | None
    note: str
    at: dt.datetime
    lat: float | None
    lon: float | None


class AttachmentOut(Schema):
    id: int
    stage: str
    url: str
    width: int
    height: int
    taken_at: dt.datetime | None
    lat: float | None
    lon: float | None


class OrderOut(Schema):
    id: int
    reference: str
    title: str
    description: str
    source: str
    category: str
    category_name: str
    priority: int
    state: str
    state_label: str
    lat: float
    lon: float
    address: str
    grid: str
    grid_name: str
    unit: str
    unit_name: str
    assignee: str | None
    assignee_id: int | None
    assignee_post: str
    step: str
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    overdue: bool
    escalation_level: int
    returned_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None


class NearbySourceOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    status: str
    status_label: str
    metres: int = Field(description="from the alarm's station to the nearest part of the source")
    bearing: int = Field(description="from the station to the source, degrees clockwise from north")
    upwind: bool = Field(
        description="within the back-trace's cone (when `score` is set), else within the upwind "
        "sector of the station's recent wind"
    )
    responsible_unit: str = Field(description="unit and post answering for it")
    url: str
    score: float | None = Field(
        None, description="back-trace score 0–1 (air/trace.py); null: ordered by the latest wind"
    )


class SourceRefOut(Schema):
    id: int
    code: str
    name: str
    category: str
    url: str


class OrderDetailOut(OrderOut):
    actions: list[str] = Field(description="what the caller may do now")
    transitions: list[TransitionOut]
    attachments: list[AttachmentOut]
    merged_into: str | None
    nearby_sources: list[NearbySourceOut] = Field(
        description="for an air alarm's order: registered sources near the station that the "
        "caller may see, upwind first when the station's wind is known, else nearest first"
    )
    pollution_source: SourceRefOut | None = Field(
        description="the source the handling named responsible"
    )


class DuplicateOut(Schema):
    event_id: int
    reference: str
    title: str
    state: str
    distance_m: float
    created_at: dt.datetime


class MergeIn(Schema):
    into: int = Field(..., description="id of the open event this one duplicates")


class PublicIn(Schema):
    public: bool = Field(..., description="listed on Open311 and the public page (masked)")


class OrderFilter(Schema):
    state: list[str] | None = Field(None, description="one or more states")
    unit: str | None = Field(None, description="region code: orders of its grids")
    category: str | None = None
    source: str | None = None
    overdue: bool | None = None
    mine: bool = Field(False, description="only orders dispatched to me")
    q: str | None = Field(None, max_length=100, description="reference or words of the title")
    created_from: dt.date | None = None
    created_to: dt.date | None = None


class TransitionIn(Schema):
    model_config = {"extra": "forbid"}
    action: str = Field(..., description=", ".join(ACTIONS))
    note: str = Field("", max_length=4000)
    assignee: int | None = Field(None, description="person id (dispatch, reassign)")
    until: dt.datetime | None = Field(None, description="extension or supervision deadline")
    lat: float | None = None
    lon: float | None = None
    photos: list[int] = Field(
        default_factory=list,
        max_length=20,
        description="ids of photos uploaded to this order (POST …/photos) that this step shows",
    )
    source_id: int | None = Field(
        None, description="handle only: the registered pollution source found responsible"
    )


class BulkIn(Schema):
    model_config = {"extra": "forbid"}
    ids: list[int] = Field(..., min_length=1, max_length=500)
    action: str
    note: str = Field("", max_length=4000)
    assignee: int | None = None


class BulkResult(Schema):
    id: int
    ok: bool
    status: int
    message: str


class PriorityOut(Schema):
    value: int
    label: str


class StatRow(Schema):
    key: str = Field(description="region code, or person id")
    name: str
    rank: int | None
    received: int
    open: int
    closed: int
    on_time_sign_rate: float | None
    on_time_handle_rate: float | None
    mean_sign_minutes: float | None
    p90_sign_minutes: float | None
    mean_handle_minutes: float | None
    p90_handle_minutes: float | None
    mean_close_minutes: float | None
    p90_close_minutes: float | None
    overdue: int
    returned: int
    public_closed: int = Field(
        description="public orders (citizen, 12345; public categories) closed now, or closed "
        "and since re-opened: the only ones a reporter can re-open"
    )
    reopened: int = Field(description="结案未解决: orders the reporter re-opened")
    reopen_rate: float | None = Field(description="re-opened ÷ public orders ever closed")
    rated: int = Field(description="the reporters' ratings, one per closure")
    satisfied: int = Field(description="of which 满意 or 基本满意")
    satisfaction_rate: float | None = Field(description="(满意 + 基本满意) ÷ ratings")


class StatsOut(Schema):
    by: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    min_orders: int
    ranked: list[StatRow]
    apart: list[StatRow] = Field(description="too few orders to rank")
