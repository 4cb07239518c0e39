"""The forces API's request and response schemas (ninja)."""

import datetime as dt

from ninja import Field

from gridgov.forces import services
from gridgov.schemas import Schema

# ---------------------------------------------------------------------------- forces --


class ForceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    owner: str = Field(description="the owner unit's region code")
    owner_name: str
    front: str
    front_label: str
    duties: str
    leader: str | None
    established: dt.date
    dissolved: dt.date | None
    members: int = Field(description="current members")
    seconded: int = Field(description="current members seconded to a street")


class MemberOut(Schema):
    id: int
    person_id: int
    name: str
    role: str
    role_label: str
    home_unit: str
    home_unit_name: str
    seconded: bool
    posted_to: str | None
    posted_to_name: str | None
    start_date: dt.date
    end_date: dt.date | None
    current: bool


class DutyOut(Schema):
    date: dt.date
    shift: str
    shift_label: str
    person_id: int
    name: str
    phone: str | None = Field(description="only for those whose scope covers the force or person")
    leader: bool


class ForceDetailOut(ForceOut):
    members_history: list[MemberOut] = Field(description="every membership, ended ones too")
    roster_today: list[DutyOut]


class SecondedOut(MemberOut):
    force_id: int
    force_name: str


class SecondedStreetOut(Schema):
    street: str
    street_name: str
    staff: list[SecondedOut]


class ForceFilter(Schema):
    front: str | None = Field(None, description="战线 code")
    active: bool | None = Field(None, description="only forces not dissolved today")


# -------------------------------------------------------------------------- supplies --


class SupplyKindOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    whole: bool
    front: str


class DepotOut(Schema):
    id: int
    name: str
    owner: str
    owner_name: str
    place: str
    lat: float | None
    lon: float | None
    active: bool


class StockOut(Schema):
    depot_id: int
    depot: str
    owner: str
    owner_name: str
    place: str
    lat: float | None
    lon: float | None
    kind: str
    kind_name: str
    unit: str
    quantity: str = Field(description="in the depot now (the sum of its ledger)")
    reserved: str = Field(description="approved for requests, not yet handed over")
    available: str


class MovementOut(Schema):
    id: int
    at: dt.datetime
    depot_id: int
    depot: str
    kind: str
    quantity: str = Field(description="signed: + in, - out")
    reason: str
    reason_label: str
    allocation_id: int | None
    actor: str
    note: str


class HandoverOut(Schema):
    given_by: str
    received_by: str
    at: dt.datetime
    quantity: str
    note: str


class AllocationOut(Schema):
    id: int
    date: dt.date
    kind: str
    kind_name: str
    unit_of_measure: str
    quantity: str
    depot_id: int
    depot: str
    unit: str = Field(description="the receiving street or community's code")
    unit_name: str
    purpose: str
    request_id: int | None
    handover: HandoverOut | None


class StepOut(Schema):
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    note: str


class RequestOut(Schema):
    id: int
    kind: str
    kind_name: str
    unit_of_measure: str
    unit: str
    unit_name: str
    quantity: str
    reason: str
    status: str
    status_label: str
    depot_id: int | None
    depot: str | None
    approved_quantity: str | None
    requested_at: dt.datetime
    next: list[str] = Field(description="statuses the caller may move it to now")


class RequestDetailOut(RequestOut):
    steps: list[StepOut]
    allocation_id: int | None
    handover: HandoverOut | None


class MovementIn(Schema):
    model_config = {"extra": "forbid"}
    depot_id: int
    kind: str = Field(..., max_length=40)
    quantity: float | str = Field(..., description="stock_in: positive; adjust: signed")
    reason: str = Field(..., description="stock_in | adjust")
    note: str = Field("", max_length=services.MAX_NOTE)


class AllocationFilter(Schema):
    unit: str | None = Field(None, description="receiving unit's code (its subtree)")
    kind: str | None = None


class AllocationIn(Schema):
    model_config = {"extra": "forbid"}
    depot_id: int
    kind: str = Field(..., max_length=40)
    unit: str = Field(..., max_length=40, description="receiving street or community code")
    quantity: float | str
    purpose: str = Field(..., min_length=1, max_length=200)
    date: dt.date | None = None
    given_by: str = Field("", max_length=services.MAX_NAME)
    received_by: str = Field("", max_length=services.MAX_NAME, description="records a hand-over")


class ReturnIn(Schema):
    model_config = {"extra": "forbid"}
    quantity: float | str
    note: str = Field("", max_length=services.MAX_NOTE)


class RequestFilter(Schema):
    status: str | None = Field(None, description="requested | approved | rejected | handed_over")


class RequestIn(Schema):
    model_config = {"extra": "forbid"}
    kind: str = Field(..., max_length=40)
    unit: str = Field(..., max_length=40, description="the requesting street or community")
    quantity: float | str
    reason: str = Field(..., min_length=1, max_length=services.MAX_REASON)


class SupplyApproveIn(Schema):
    model_config = {"extra": "forbid"}
    depot_id: int
    quantity: float | str | None = Field(None, description="the requested quantity if left out")
    note: str = Field("", max_length=500)


class RejectIn(Schema):
    model_config = {"extra": "forbid"}
    note: str = Field(..., min_length=1, max_length=500)


class HandoverIn(Schema):
    model_config = {"extra": "forbid"}
    received_by: str = Field(..., min_length=1, max_length=services.MAX_NAME)
    given_by: str = Field("", max_length=services.MAX_NAME, description="the caller if left out")
    note: str = Field("", max_length=services.MAX_NOTE)
