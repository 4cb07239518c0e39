"""The mediation API's request and response schemas (ninja)."""

import datetime as dt
from decimal import Decimal

from ninja import Field

from gridgov.mediation.models import (
    CaseSource,
    Judicial,
    Kind,
    Outcome,
    PartyRole,
    State,
)
from gridgov.schemas import Schema

# ------------------------------------------------------------------------------ schemas --


class PartyOut(Schema):
    role: str
    role_label: str
    name: str = Field(description="masked unless the caller may see identities")
    phone: str = Field(description="masked unless the caller may see identities")
    id_number: str = Field(description="masked unless the caller may see identities")
    address: str = Field(description="empty unless the caller may see identities")
    masked: bool


class MediationCaseOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    state: str
    state_label: str
    source: str
    source_label: str
    grid: str = Field(description="the grid's region code")
    grid_name: str
    committee_id: int
    committee: str
    received_on: dt.date
    amount: str | None = Field(description="争议金额, yuan, a decimal string")
    outcome: str
    outcome_on: dt.date | None
    signed_on: dt.date | None


class SessionOut(Schema):
    id: int
    date: dt.date
    place: str
    mediators: list[str]
    notes: str


class FollowUpOut(Schema):
    id: int
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool
    performed: bool | None
    findings: str


class MediationStepOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    actor: str
    note: str
    at: dt.datetime


class MediationCaseDetailOut(MediationCaseOut):
    facts: str
    address: str
    lat: float | None
    lon: float | None
    referral: str
    order_id: int | None
    parties: list[PartyOut]
    mediators: list[str]
    outcome_label: str
    outcome_note: str
    terms: str
    perform_by: dt.date | None
    judicial: str
    judicial_label: str
    judicial_applied_on: dt.date | None
    judicial_court: str
    judicial_ruling: str
    judicial_decided_on: dt.date | None
    followup_days: int
    sessions: list[SessionOut]
    followups: list[FollowUpOut]
    history: list[MediationStepOut]
    next_actions: list[str]


# -------------------------------------------------------------------------------- cases --


class MediationCaseFilter(Schema):
    state: State | None = Field(None, description="状态")
    kind: Kind | None = Field(None, description="纠纷类型")
    unit: str | None = Field(None, max_length=40, description="a region code: cases inside it")
    start: dt.date | None = Field(None, description="received on or after")
    end: dt.date | None = Field(None, description="received on or before")
    q: str | None = Field(None, max_length=60, description="number or title contains")


class PartyIn(Schema):
    role: PartyRole
    name: str = Field(max_length=80)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    address: str = Field("", max_length=200)


class MediationCaseIn(Schema):
    kind: Kind
    title: str = Field(max_length=120)
    facts: str = Field("", max_length=4000)
    source: CaseSource = CaseSource.WALK_IN
    referral: str = Field("", max_length=120, description="court or petition office, document")
    amount: Decimal | None = Field(None, description="争议金额 in yuan, at most two decimals")
    lat: float | None = None
    lon: float | None = None
    grid: str | None = Field(None, max_length=40, description="a grid code instead of lat/lon")
    address: str = Field("", max_length=200)
    committee_id: int | None = Field(None, description="by default the grid's committee")
    mediator_ids: list[int] = Field(default_factory=list, max_length=20)
    received_on: dt.date | None = None
    followup_days: int = Field(30, description="回访 due this many days after signing")
    parties: list[PartyIn] = Field(max_length=20)


class SessionIn(Schema):
    date: dt.date
    place: str = Field(max_length=120)
    mediator_ids: list[int] = Field(max_length=20)
    notes: str = Field(max_length=4000)


class OutcomeIn(Schema):
    outcome: Outcome
    date: dt.date
    note: str = Field("", max_length=2000)
    terms: str = Field("", max_length=4000, description="the agreement's terms (agreement)")
    perform_by: dt.date | None = Field(None, description="履行期限 (agreement)")


class SignIn(Schema):
    signed_on: dt.date
    followup_days: int | None = Field(None, description="回访 days after signing (1–365)")


class JudicialIn(Schema):
    applied_on: dt.date
    court: str = Field(max_length=80)
    result: Judicial = Judicial.PENDING
    ruling: str = Field("", max_length=60)
    decided_on: dt.date | None = None


class MediationFollowUpIn(Schema):
    done_on: dt.date
    findings: str = Field(max_length=2000)
    performed: bool | None = Field(None, description="the agreement has been performed")


class ArchiveIn(Schema):
    note: str = Field("", max_length=4000)


# --------------------------------------------------------------------------- statistics --


class MediationStatsRowOut(Schema):
    unit: str | None = Field(description="region code; null for the total row")
    unit_name: str
    received: int
    mediated: int
    resolved: int
    rate: float | None = Field(description="化解率 %, resolved ÷ mediated")
    followups_due: int
    followups_on_time: int
    followups_overdue: int
    followup_rate: float | None
    by_kind: dict[str, int]


class MediationStatsOut(Schema):
    start: dt.date
    end: dt.date
    level: int
    rows: list[MediationStatsRowOut]


# -------------------------------------------------------------- committees and trainings --


class CommitteeOut(Schema):
    id: int
    name: str
    unit: str
    unit_name: str
    director: str | None
    phone: str
    address: str
    active: bool
    mediators: int = Field(description="current mediators posted in the unit's subtree")


class TrainingOut(Schema):
    id: int
    topic: str
    date: dt.date
    place: str
    organiser: str
    organiser_name: str
    hours: str
    attendees: int = Field(description="mediators present (those in the caller's scope)")


class TrainingIn(Schema):
    topic: str = Field(max_length=120)
    date: dt.date
    place: str = Field(max_length=120)
    organiser: str = Field(max_length=40, description="the organising unit's region code")
    hours: Decimal = Field(Decimal(4), description="学时, 0.5–99")
    attendee_ids: list[int] = Field(default_factory=list, max_length=2000)


class AttendanceIn(Schema):
    person_ids: list[int] = Field(max_length=2000, description="mediators present")


class MediatorOut(Schema):
    person_id: int
    name: str
    unit: str
    unit_name: str
    trainings: int
