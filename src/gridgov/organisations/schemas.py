"""The organisations API's request and response schemas (ninja)."""

import datetime as dt

from ninja import Field

from gridgov.organisations import (
    services,
)
from gridgov.organisations.models import (
    PartyOrg,
)
from gridgov.schemas import Schema

# ----------------------------------------------------------------------- organisations --


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    social_form: str
    credit_code: str
    industry: str
    staff: int
    party_members: int
    address: str
    lat: float | None
    lon: float | None
    grid: str = Field(description="the grid's code as of the day asked")
    grid_name: str
    opened: dt.date
    closed: dt.date | None
    party_org: str = Field(description="none, single or joint, as of the day asked")
    party_org_label: str
    org_covered: bool = Field(description="组织覆盖: a party organisation on the day")
    work_covered: bool = Field(description="工作覆盖: an instructor and a recent visit")
    instructors: list[str] = Field(description="instructors assigned on the day")
    last_visit: dt.date | None
    uncovered_because: list[str]
    contact: str | None = Field(description="only with the permission to see contacts")
    contact_phone: str | None = Field(description="masked without the permission")


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    date: dt.date
    grid: str | None
    party_org: str
    instructor: str | None
    note: str
    actor: str


class AssignmentOut(Schema):
    id: int
    instructor_id: int
    instructor: str
    start_date: dt.date
    end_date: dt.date | None


class VisitOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    instructor_id: int
    instructor: str
    date: dt.date
    notes: str


class MeetingRefOut(Schema):
    id: int
    date: dt.date
    topic: str
    unit: str


class OrgDetailOut(OrgOut):
    history: list[EventOut]
    assignments: list[AssignmentOut]
    visits: list[VisitOut]
    meetings: list[MeetingRefOut]
    can_change: bool


class OrgFilter(Schema):
    on: dt.date | None = Field(None, description="as of this day (today by default)")
    kind: str | None = Field(None, description="economic or social")
    coverage: str | None = Field(
        None, description="org_covered, org_uncovered, work_covered, work_uncovered, uncovered"
    )
    unit: str | None = Field(None, max_length=40, description="a street or community code")
    q: str | None = Field(None, max_length=100, description="name, credit code, industry, address")
    months: int = Field(services.WORK_MONTHS, ge=1, le=60, description="工作覆盖's window")


class OrgImportOut(Schema):
    created: int = Field(description="organisations written (all rows of the sheet)")


class OrgIn(Schema):
    model_config = {"extra": "forbid"}
    name: str = Field(..., max_length=services.MAX_NAME)
    kind: str
    social_form: str = ""
    credit_code: str = Field(..., max_length=40)
    opened: dt.date
    grid: str | None = Field(None, max_length=40, description="grid code, or give lat/lon")
    lat: float | None = None
    lon: float | None = None
    industry: str = Field("", max_length=40)
    staff: int = Field(0, ge=0, le=services.MAX_COUNT)
    party_members: int = Field(0, ge=0, le=services.MAX_COUNT)
    address: str = Field("", max_length=200)
    party_org: str = PartyOrg.NONE
    party_org_date: dt.date | None = None
    contact: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class MoveIn(Schema):
    model_config = {"extra": "forbid"}
    date: dt.date
    grid: str | None = Field(None, max_length=40)
    lat: float | None = None
    lon: float | None = None
    address: str = Field("", max_length=200)
    note: str = Field("", max_length=services.MAX_NOTE)


class DatedIn(Schema):
    model_config = {"extra": "forbid"}
    date: dt.date
    note: str = Field("", max_length=services.MAX_NOTE)


class PartyOrgIn(DatedIn):
    party_org: str = Field(..., description="none, single or joint")


class AssignIn(Schema):
    model_config = {"extra": "forbid"}
    instructor_id: int
    start_date: dt.date


class EndAssignmentIn(Schema):
    model_config = {"extra": "forbid"}
    end_date: dt.date


class VisitIn(Schema):
    model_config = {"extra": "forbid"}
    instructor_id: int
    date: dt.date
    notes: str = Field("", max_length=services.MAX_TEXT)


class InfoIn(Schema):
    model_config = {"extra": "forbid"}
    name: str = Field(..., max_length=services.MAX_NAME)
    industry: str = Field("", max_length=40)
    staff: int = Field(0, ge=0, le=services.MAX_COUNT)
    party_members: int = Field(0, ge=0, le=services.MAX_COUNT)
    address: str = Field("", max_length=200)
    contact: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


# -------------------------------------------------------------------------- statistics --


class UnitCoverageOut(Schema):
    unit: str | None = Field(description="street or community code; null for the total")
    unit_name: str
    economic: int
    social: int
    total: int
    org_covered: int
    org_coverage_rate: float | None = Field(description="% of organisations")
    work_covered: int
    work_coverage_rate: float | None
    instructors: int
    load: float | None = Field(description="organisations per instructor")


class UncoveredOut(Schema):
    id: int
    name: str
    kind: str
    grid: str
    reasons: list[str]


class CoverageOut(Schema):
    on: dt.date
    months: int
    by: str
    units: list[UnitCoverageOut]
    total: UnitCoverageOut
    uncovered: list[UncoveredOut]


class InstructorOut(Schema):
    id: int
    name: str
    units: list[str]
    load: int = Field(description="organisations assigned on the day")
    organisations: list[int]
    last_visit: dt.date | None


# ------------------------------------------------------------------------------ meetings --


class JointMeetingOut(Schema):
    id: int
    date: dt.date
    unit: str
    unit_name: str
    topic: str
    organisations: int
    attendees: int


class JointMeetingDetailOut(JointMeetingOut):
    minutes: str
    organisation_list: list[MeetingRefOut]
    attendee_names: list[str]


class JointMeetingIn(Schema):
    model_config = {"extra": "forbid"}
    date: dt.date
    unit: str = Field(..., min_length=1, max_length=40, description="street or community code")
    topic: str = Field(..., max_length=200)
    minutes: str = Field("", max_length=services.MAX_TEXT)
    organisations: list[int] = Field(default_factory=list, max_length=500)
    attendees: list[int] = Field(default_factory=list, max_length=500)


# ---------------------------------------------------------------------------- volunteers --


class VolunteerOut(Schema):
    id: int
    name: str
    phone: str = Field(description="masked without the permission to see contacts")
    group: str
    group_label: str
    employer_id: int | None
    employer: str | None
    grid: str
    grid_name: str
    registered: dt.date
    active: bool
    ended: dt.date | None


class VolunteerIn(Schema):
    model_config = {"extra": "forbid"}
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)
    group: str
    registered: dt.date | None = None
    grid: str | None = Field(None, max_length=40, description="grid code, or give lat/lon")
    lat: float | None = None
    lon: float | None = None
    employer_id: int | None = None


class EndVolunteerIn(Schema):
    model_config = {"extra": "forbid"}
    date: dt.date


class VolunteerUnitOut(Schema):
    unit: str | None
    unit_name: str
    courier: int
    rider: int
    driver: int
    other: int
    total: int
    reports: int = Field(description="events they reported in the period")


class VolunteerStatsOut(Schema):
    start: dt.date
    end: dt.date
    by: str
    units: list[VolunteerUnitOut]
    total: VolunteerUnitOut
