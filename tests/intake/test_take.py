"""take(): one detection in — checked, located, merged or made an event dispatched at once."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from gridgov.errors import DomainError
from gridgov.intake.models import ExternalEvent, SystemKind
from gridgov.intake.take import Detection, distance_m, take
from gridgov.workorders.models import Attachment, Event, Source
from gridgov.workorders.states import State
from tests.intake.helpers import CST, fire, jpeg, system

pytestmark = pytest.mark.django_db


@pytest.fixture
def sat(crew):
    return system(SystemKind.SATELLITE)


@pytest.fixture
def t0(clock):
    return clock.now().astimezone(CST).replace(microsecond=0) - dt.timedelta(hours=60)


def test_a_fire_point_becomes_a_dispatched_straw_burning_event(sat, people, t0):
    taken = take(sat, fire("F1", t0, confidence=87, device="FY-3D"))
    assert taken.outcome == "created"
    order = taken.order
    assert order.event.source == Source.SATELLITE
    assert order.event.category.code == "straw_burning"
    assert order.event.region.code == "D-S1-C1-G1"
    assert order.state == State.DISPATCHED and order.assignee == people["g1_worker"]
    assert "FY-3D" in order.event.title and "87" in order.event.description
    assert taken.record.event_id == order.event_id and not taken.record.merged


def test_land_type_off_farmland_files_under_open_burning(sat, t0):
    taken = take(sat, fire("F1", t0, land_type="建设用地"))
    assert taken.order.event.category.code == "open_burning"
    taken = take(sat, fire("F2", t0, lat=35.3, land_type="耕地"))
    assert taken.order.event.category.code == "straw_burning"


def test_repeats_within_1_km_and_24_h_merge_into_one_event(sat, t0):
    first = take(sat, fire("F1", t0))
    near = take(sat, fire("F2", t0 + dt.timedelta(hours=23), lat=35.2 + 0.008))
    assert near.outcome == "merged" and near.record.event_id == first.record.event_id
    # 1.1 km from both: its own event.
    far = take(sat, fire("F3", t0 + dt.timedelta(hours=1), lat=35.2 - 0.010))
    assert far.outcome == "created"
    # 49 h after F1 and 26 h after F2, though within 1 km of F2: its own event.
    late = take(sat, fire("F4", t0 + dt.timedelta(hours=49), lat=35.2 + 0.008))
    assert late.outcome == "created"
    assert Event.objects.count() == 3
    assert ExternalEvent.objects.filter(event_id=first.record.event_id).count() == 2


def test_the_window_reaches_any_point_already_in_the_event(sat, t0):
    first = take(sat, fire("F1", t0))
    take(sat, fire("F2", t0 + dt.timedelta(hours=20), lat=35.2 + 0.008))
    # 1.6 km and 40 h from F1, but 0.8 km and 20 h from F2: the same fire.
    third = take(sat, fire("F3", t0 + dt.timedelta(hours=40), lat=35.2 + 0.016))
    assert third.outcome == "merged" and third.record.event_id == first.record.event_id


def test_no_merge_into_a_closed_or_voided_event(sat, crew, t0):
    from gridgov.workorders.services import perform

    first = take(sat, fire("F1", t0))
    perform(first.order.pk, "void", crew["command"], note="误报")
    again = take(sat, fire("F2", t0 + dt.timedelta(hours=1)))
    assert again.outcome == "created" and again.record.event_id != first.record.event_id


def test_same_id_again_is_the_same_row(sat, t0):
    first = take(sat, fire("F1", t0))
    again = take(sat, fire("F1", t0 + dt.timedelta(hours=2), lat=35.3))
    assert again.outcome == "repeated" and again.record.pk == first.record.pk
    assert ExternalEvent.objects.count() == 1 and Event.objects.count() == 1


def test_outside_every_grid_is_kept_without_an_event(sat, t0):
    beyond = take(sat, fire("F1", t0, lat=36.5, lon=114.0))  # outside the district's extent
    margin = take(sat, fire("F2", t0, lat=35.45, lon=113.2))  # in the margin, in no grid
    assert beyond.outcome == margin.outcome == "outside"
    assert beyond.record.event_id is None and beyond.record.refused
    assert Event.objects.count() == 0


def test_the_evidence_image_is_kept_on_the_event_and_the_merged_one_attached(crew, t0):
    cams = system(SystemKind.CAMERA)
    alert = Detection("A1", "smoke", t0, 35.2, 113.05, device="CAM-7", image=jpeg())
    first = take(cams, alert)
    assert first.outcome == "created" and first.record.image
    assert first.order.event.category.code == "open_burning"
    assert first.order.event.source == Source.CAMERA
    again = Detection("A2", "smoke", t0 + dt.timedelta(minutes=10), 35.2, 113.05,
                      device="CAM-7", image=jpeg())  # fmt: skip
    merged = take(cams, again)
    assert merged.outcome == "merged" and merged.record.image != first.record.image
    files = set(Attachment.objects.filter(order=first.order).values_list("file", flat=True))
    assert files == {first.record.image, merged.record.image}
    # Another kind on the same camera, or the same kind an hour later: their own events.
    assert take(cams, Detection("A3", "dust", t0, 35.2, 113.05, device="CAM-7")).outcome == (
        "created"
    )
    later = Detection("A4", "smoke", t0 + dt.timedelta(minutes=75), 35.2, 113.05, device="CAM-7")
    assert take(cams, later).outcome == "created"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": 95.0}, "lat"),
        ({"lon": float("nan")}, "lon"),
        ({"lat": float("inf")}, "lat"),
        ({"confidence": float("nan")}, "confidence"),
        ({"confidence": float("inf")}, "confidence"),
        ({"confidence": 140.0}, "confidence"),
        ({"external_id": "x" * 65}, "id"),
        ({"external_id": "  "}, "id"),
        ({"external_id": "F\x00"}, "id"),
        ({"device": "FY\x1b[31m"}, "device"),
        ({"address": "\ufffe"}, "address"),
        ({"kind": "meteor"}, "kind"),
        ({"detected_at": dt.datetime(1850, 1, 1, tzinfo=CST)}, "time"),
        ({"detected_at": dt.datetime(2026, 1, 1)}, "time"),  # no zone
    ],
)
def test_bad_inputs_are_refused_naming_the_field(sat, t0, change, field):
    d = fire("F1", t0)
    for k, v in change.items():
        setattr(d, k, v)
    with pytest.raises(DomainError) as info:
        take(sat, d)
    assert info.value.field == field
    assert ExternalEvent.objects.count() == 0


def test_a_time_in_the_future_is_refused(sat, clock):
    with pytest.raises(DomainError) as info:
        take(sat, fire("F1", clock.now() + dt.timedelta(hours=3)))
    assert info.value.field == "time"


def test_a_camera_kind_from_a_satellite_system_is_refused(sat, t0):
    with pytest.raises(DomainError) as info:
        take(sat, Detection("X", "smoke", t0, 35.2, 113.05))
    assert info.value.field == "kind"


def test_an_image_that_is_not_one_is_refused(crew, t0):
    cams = system(SystemKind.CAMERA)
    with pytest.raises(DomainError) as info:
        take(cams, Detection("A1", "smoke", t0, 35.2, 113.05, device="C", image=b"GIF89a..."))
    assert info.value.field == "image"
    assert ExternalEvent.objects.count() == 0


def test_distance():
    assert math.isclose(distance_m(35.2, 113.05, 35.209, 113.05), 1000.8, rel_tol=0.01)
