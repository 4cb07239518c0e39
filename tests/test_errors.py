"""The one refusal type (gridgov.errors): kinds per class, the whole text, a door's field, and
the page helper."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.test import RequestFactory

from gridgov.api import on_domain_error
from gridgov.core.evidence import PhotoRejected
from gridgov.errors import HTTP_STATUS, KINDS, DomainError, FieldRefusal, add_form_error
from gridgov.meetings.services import Conflict, NoSuchMeeting
from gridgov.sources.services import SourceError


def answer(exc: DomainError) -> tuple[int, dict]:
    response = on_domain_error(RequestFactory().get("/api/v1/x"), exc)
    return response.status_code, json.loads(response.content)


def test_every_kind_has_a_status_and_unknown_kinds_are_refused():
    assert set(HTTP_STATUS) == set(KINDS)
    with pytest.raises(ValueError, match="unknown error kind"):
        DomainError("teapot", "no")


def test_an_apps_class_fixes_its_kind_and_keeps_its_text():
    exc = NoSuchMeeting("meeting_id", "会议不存在")
    assert (exc.kind, exc.field, exc.message, str(exc)) == (
        "not_found",
        "meeting_id",
        "会议不存在",
        "meeting_id: 会议不存在",
    )
    assert isinstance(exc, ValueError)  # callers catching ValueError still do
    assert answer(Conflict("state", "已结束")) == (
        409,
        {"detail": "已结束", "errors": [{"field": "state", "message": "已结束"}]},
    )


def test_a_stale_source_version_is_a_conflict_answered_with_the_whole_text():
    status, body = answer(SourceError("version", "changed meanwhile"))
    assert status == 409
    assert body["detail"] == "version: changed meanwhile"
    assert answer(SourceError("name", "required"))[0] == 400


def test_a_door_names_the_field_of_a_refused_upload():
    exc = PhotoRejected("the photo is larger than 10 MB", "too_large")
    assert exc.status == 413 and exc.field is None
    assert answer(exc) == (413, {"detail": "the photo is larger than 10 MB", "errors": []})
    status, body = answer(exc.about("photo"))
    assert status == 413 and body["errors"] == [
        {"field": "photo", "message": "the photo is larger than 10 MB"}
    ]


class NoteForm(forms.Form):
    note = forms.CharField()


def test_add_form_error_puts_the_message_on_the_field_or_the_form():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    add_form_error(form, FieldRefusal("note", "太长"))
    add_form_error(form, DomainError.forbidden("不可以"))
    add_form_error(form, FieldRefusal("elsewhere", "别处"))
    assert form.errors["note"] == ["太长"]
    assert form.non_field_errors() == ["不可以", "别处"]
