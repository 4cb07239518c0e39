"""Who sees which meeting: the convener's area, attending units and people, units given a
decision; nobody else (and then a meeting is as absent as a wrong id)."""

from __future__ import annotations

import pytest

from gridgov.meetings import meeting_decisions, services
from tests.meetings.conftest import deadline

pytestmark = pytest.mark.django_db


def test_a_street_sees_meetings_it_convened_attended_or_was_given_decisions_by(
    convene, users, officials
):
    attended = convene(attendees=[services.AttendeeInput(unit="D-S1")], kind="dispatch")
    given = convene(attendees=[], kind="topical")
    meeting_decisions.add_decision(
        users["command"], given.pk, text="x", owners=["D-S1-C1"], deadline=deadline()
    )
    west_only = convene(attendees=[services.AttendeeInput(unit="D-S2")], kind="progress")
    own = convene(user=users["s1_official"], convener="D-S1", attendees=[])
    seen = set(services.meetings_for(users["s1_official"]).values_list("pk", flat=True))
    assert seen == {attended.pk, given.pk, own.pk}
    assert west_only.pk in services.meetings_for(users["command"]).values_list("pk", flat=True)
    with pytest.raises(services.NoSuchMeeting):
        services.get_meeting(users["s1_official"], west_only.pk)
    # The community below sees the one that gave it a decision, not the street's own.
    east = set(services.meetings_for(users["east_secretary"]).values_list("pk", flat=True))
    assert east == {given.pk}
    assert not services.meetings_for(users["nobody"]).exists()


def test_pages_and_api_answer_404_outside_the_scope(client, convene, users, login):
    west_only = convene(attendees=[services.AttendeeInput(unit="D-S2")])
    login("east_secretary")
    for url in (
        f"/meetings/{west_only.pk}/",
        f"/meetings/{west_only.pk}/minutes.docx",
        f"/api/v1/meetings/{west_only.pk}",
        f"/api/v1/meetings/{west_only.pk}/minutes.pdf",
        "/meetings/999999/",
        "/api/v1/meetings/999999",
    ):
        assert client.get(url).status_code == 404, url
    r = client.post(f"/api/v1/meetings/{west_only.pk}/issue", content_type="application/json")
    assert r.status_code in (403, 404)  # the session's CSRF check or the scope: never issued
