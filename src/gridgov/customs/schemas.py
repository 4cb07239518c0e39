"""The customs API's request and response schemas (ninja)."""

import datetime as dt

from ninja import Field

from gridgov.customs import services
from gridgov.schemas import Schema

# ------------------------------------------------------------------------------ schemas --


class AdoptionMeetingOut(Schema):
    id: int
    date: dt.date
    kind: str
    kind_label: str
    attendance: int
    entitled: int | None
    votes_for: int | None
    notes: str


class RulesOut(Schema):
    id: int
    village: str = Field(description="the community's region code")
    number: int
    title: str
    adopted: dt.date
    meeting: AdoptionMeetingOut | None
    has_file: bool
    file_name: str
    current: bool = Field(description="the version in force today")


class RulesDetailOut(RulesOut):
    text: str


class CouncilMemberOut(Schema):
    id: int
    person_id: int | None
    name: str
    role: str
    role_label: str
    start_date: dt.date
    end_date: dt.date | None


class CouncilOut(Schema):
    id: int
    name: str
    established: dt.date
    members: list[CouncilMemberOut] = Field(description="current members")


class LimitOut(Schema):
    id: int
    kind: str
    kind_label: str
    max_tables: int | None
    max_guests: int | None
    max_cost: str | None = Field(description="元, a decimal string")
    max_days: int | None
    max_table_cost: str | None = Field(description="元 per table, a decimal string")
    source: str
    rules_id: int | None
    effective_from: dt.date
    effective_to: dt.date | None


class VillageOut(Schema):
    id: int
    code: str
    name: str
    street: str | None
    rules_version: int | None = Field(description="number of the version in force today")
    council_members: int
    registrations: int = Field(description="registrations the caller sees")


class VillageDetailOut(VillageOut):
    versions: list[RulesOut]
    council: CouncilOut | None
    limits: list[LimitOut] = Field(description="in force today")


class Exceedance(Schema):
    what: str = Field(description="tables, guests, cost, days or table_cost")
    label: str
    limit: str
    actual: str


class RegistrationOut(Schema):
    id: int
    village: str
    village_name: str
    grid: str
    kind: str
    kind_label: str
    date: dt.date
    family_head: str
    family_phone: str
    tables: int
    guests: int | None
    cost: str | None
    days: int
    notes: str
    flagged: bool
    exceedances: list[Exceedance]
    limit_id: int | None
    order: str | None = Field(description="the work order's event reference")
    follow_up: str
    follow_up_label: str
    advised_on: dt.date | None
    advised_by: str
    outcome: str


class DiffRowOut(Schema):
    tag: str = Field(description="equal, replace, delete or insert")
    left_no: int | None
    left: str
    right_no: int | None
    right: str


class CompareOut(Schema):
    old: RulesOut
    new: RulesOut
    added: int
    removed: int
    changed: int
    rows: list[DiffRowOut]


class CustomsStatOut(Schema):
    code: str
    name: str
    registrations: int
    by_kind: dict[str, int]
    flagged: int
    flagged_rate: float | None = Field(description="%")
    handled: int = Field(description="flagged and 劝导 done")
    avg_tables: float | None
    avg_cost: str | None


class CustomsStatsOut(Schema):
    start: dt.date
    end: dt.date
    by: str
    rows: list[CustomsStatOut]
    total: CustomsStatOut


class CustomsImportOut(Schema):
    created: int
    flagged: int


class AdoptionMeetingIn(Schema):
    model_config = {"extra": "forbid"}
    date: dt.date
    kind: str = Field(..., description="villagers, villager_reps, residents or resident_reps")
    attendance: int
    entitled: int | None = None
    votes_for: int | None = None
    notes: str = Field("", max_length=services.MAX_NOTE)


class RulesIn(Schema):
    model_config = {"extra": "forbid"}
    title: str = Field(..., max_length=services.MAX_TITLE)
    adopted: dt.date
    text: str = Field(..., max_length=services.MAX_TEXT)
    meeting_id: int | None = None


class CouncilIn(Schema):
    model_config = {"extra": "forbid"}
    name: str = Field(..., max_length=80)
    established: dt.date


class MemberIn(Schema):
    model_config = {"extra": "forbid"}
    role: str = Field(..., description="president, vice, director or member")
    start_date: dt.date
    end_date: dt.date | None = None
    person_id: int | None = Field(None, description="a person of the platform, or give a name")
    name: str = Field("", max_length=services.MAX_NAME)


class EndIn(Schema):
    model_config = {"extra": "forbid"}
    end_date: dt.date


class LimitIn(Schema):
    model_config = {"extra": "forbid"}
    kind: str = Field(..., description="wedding, funeral or other")
    effective_from: dt.date
    source: str = Field("council", description="rules or council")
    rules_id: int | None = None
    max_tables: int | None = None
    max_guests: int | None = None
    max_cost: float | str | None = None
    max_days: int | None = None
    max_table_cost: float | str | None = None


# ------------------------------------------------------------------------ registrations --


class RegistrationFilter(Schema):
    village: str | None = Field(None, description="a community's region code")
    kind: str | None = None
    flagged: bool | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class RegistrationIn(Schema):
    model_config = {"extra": "forbid"}
    grid: str = Field(..., max_length=40, description="the grid's region code")
    kind: str = Field(..., description="wedding, funeral or other")
    date: dt.date
    family_head: str = Field(..., max_length=services.MAX_NAME)
    family_phone: str = Field("", max_length=20)
    tables: int
    guests: int | None = None
    cost: float | str | None = Field(None, description="元")
    days: int = 1
    notes: str = Field("", max_length=services.MAX_NOTES)


class CeremonyFollowUpIn(Schema):
    model_config = {"extra": "forbid"}
    advised_on: dt.date
    outcome: str = Field(..., max_length=services.MAX_NOTES)
    advised_by: str = Field("", max_length=services.MAX_NAME)
