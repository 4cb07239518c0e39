"""The inbox's and the commands' API schemas (their names and shapes as they were under the
work orders: clients see the same document)."""

import datetime as dt

from ninja import Field

from gridgov.schemas import Schema


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    order_id: int | None
    created_at: dt.datetime
    read: bool


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="omit to mark everything read")


class ReadOut(Schema):
    marked: int


class CommandIn(Schema):
    model_config = {"extra": "forbid"}
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=8000)
    due_at: dt.datetime
    units: list[str] = Field(default_factory=list, description="region codes")
    people: list[int] = Field(default_factory=list, description="person ids")


class RecipientOut(Schema):
    person: str
    person_id: int
    unit: str
    unit_name: str
    acknowledged_at: dt.datetime | None
    completed_at: dt.datetime | None
    note: str
    overdue: bool


class CommandOut(Schema):
    id: int
    title: str
    body: str
    issuer: str
    due_at: dt.datetime
    created_at: dt.datetime
    recipients: int
    acknowledged: int
    completed: int


class CommandFileOut(Schema):
    id: int
    name: str
    url: str
    size: int


class CommandDetailOut(CommandOut):
    not_acknowledged: list[str] = Field(description="names of those who have not yet signed")
    recipient_rows: list[RecipientOut]
    files: list[CommandFileOut]


class CompleteIn(Schema):
    note: str = Field(..., max_length=4000)
