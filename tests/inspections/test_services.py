"""Recording inspections: scope, position, items, time, idempotency; rectifications and their
work orders; re-inspection."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from gridgov.core.workcal import CST
from gridgov.inspections.models import Inspection, InspectionItem, Rectification
from gridgov.inspections.services import InspectionError, NotAllowed, NotFound, answers
from gridgov.sources.services import distance_to, responsible_of, set_status
from gridgov.workorders.models import Transition, WorkOrder
from gridgov.workorders.services import WorkflowError, perform
from gridgov.workorders.states import State
from tests.inspections.conftest import NEAR_G1, all_passed, item
from tests.workorders.fixtures import G1_POINT

pytestmark = pytest.mark.django_db


def test_default_checklists_and_plans_cover_every_category():
    from gridgov.inspections.models import ChecklistItem, InspectionPlan
    from gridgov.sources.categories import Category

    for c in Category:
        assert ChecklistItem.objects.filter(category=c, active=True).count() >= 3, c
        assert InspectionPlan.objects.filter(category=c).exists(), c
    site = {i.code for i in ChecklistItem.objects.filter(category="construction_site")}
    assert {"fencing", "covering", "wheel_washing", "hardened_roads", "wet_work"} <= site
    assert InspectionPlan.objects.get(category="construction_site").interval_days == 7


def test_a_passing_inspection_near_the_source(sources, inspect, people):
    done = inspect(sources["site"])
    i = done.inspection
    assert i.result == Inspection.Result.PASSED and not i.far
    assert i.inspector == people["g1_worker"]
    assert 95 < i.distance_m < 105
    assert i.region_path == sources["site"].region_path
    assert InspectionItem.objects.filter(inspection=i, passed=True).count() == len(
        all_passed("construction_site")
    )
    assert done.rectification is None and Rectification.objects.count() == 0


@override_settings(GRIDGOV_INSPECTION_MAX_METRES=50)
def test_farther_than_allowed_is_flagged_and_beyond_the_hard_limit_refused(sources, inspect):
    flagged = inspect(sources["site"]).inspection  # ~100 m: within 3 × 50
    assert flagged.far
    far_away = (G1_POINT[0] + 0.0018, G1_POINT[1])  # ~200 m
    assert distance_to(sources["site"], *far_away) > 150
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], point=far_away)
    assert exc.value.field == "lat"
    assert Inspection.objects.count() == 1


def test_every_active_item_is_answered_exactly_once(sources, inspect):
    items = all_passed("construction_site")
    first = next(iter(items))
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], items={k: v for k, v in items.items() if k != first})
    assert exc.value.field == "items" and "未填写" in exc.value.message
    other = item("restaurant", "purifier_running").pk
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], items={**items, other: True})
    assert exc.value.field == "items"
    with pytest.raises(InspectionError):
        answers([first, 2], [first])
    assert answers([1, 2], [3]) == {1: True, 2: True, 3: False}
    assert Inspection.objects.count() == 0


def test_scope_person_and_status(sources, inspect, crew):
    with pytest.raises(NotFound):  # G3's restaurant is not the G1 worker's
        inspect(sources["restaurant"])
    with pytest.raises(NotFound):
        inspect(sources["site"], username="g3_worker")
    with pytest.raises(NotAllowed):
        inspect(sources["site"], username="nobody")
    set_status(sources["site"].pk, "closed")
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"])
    assert exc.value.field == "source"


def test_time_bad_inputs(sources, inspect):
    now = timezone.now()
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], at=now + dt.timedelta(hours=1))
    assert exc.value.field == "at"
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], at=now - dt.timedelta(hours=30))
    assert exc.value.field == "at"
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], at=dt.datetime(2026, 1, 1, 8))  # naive
    assert exc.value.field == "at"
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], point=(float("nan"), 113.05))
    assert exc.value.field == "lat"
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], notes="油烟\x00")
    assert exc.value.field == "notes"
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], notes="很长" * 1001)
    assert exc.value.field == "notes"
    with pytest.raises(InspectionError) as exc:
        inspect(sources["site"], accuracy=float("inf"))
    assert exc.value.field == "accuracy"
    assert inspect(sources["site"], at=now - dt.timedelta(hours=2)).inspection.at < now
    assert Inspection.objects.count() == 1


def test_idempotent_by_submission_key(sources, inspect):
    first = inspect(sources["site"], failed=["covering"], submission_key="k-1")
    again = inspect(sources["site"], failed=["covering"], submission_key="k-1")
    assert again.repeated and again.inspection.pk == first.inspection.pk
    assert again.rectification.pk == first.rectification.pk
    assert Inspection.objects.count() == 1 and WorkOrder.objects.count() == 1
    with pytest.raises(InspectionError) as exc:  # someone else's key
        inspect(sources["site"], username="g1_leader", submission_key="k-1")
    assert exc.value.field == "submission_key"


def test_a_failed_item_opens_a_rectification_and_its_order(sources, inspect, people):
    site = sources["site"]
    done = inspect(site, failed=["covering", "hardened_roads"])
    rect = done.rectification
    today = timezone.localdate()
    assert done.inspection.result == Inspection.Result.FAILED
    assert rect.state == Rectification.State.OPEN
    assert rect.due_date == today + dt.timedelta(days=7)  # the longer of 1 and 7 days
    assert {i.code for i in rect.failed_items.all()} == {"covering", "hardened_roads"}
    order = rect.order
    assert order.event.source == "inspection" and order.event.category.code == "rectification"
    assert order.event.region == site.grid
    assert order.state == State.DISPATCHED
    responsible = responsible_of(site)
    assert order.assignee.name == responsible.name == "张网格"
    assert order.extended_until == dt.datetime.combine(rect.due_date, dt.time(23, 59, 59), CST)
    assert "物料堆放及裸土覆盖" in order.event.description
    # Signed for: the handling step is due on the rectification's last day.
    leader = people["g1_leader"].user
    perform(order.pk, "sign", leader)
    order.refresh_from_db()
    assert order.due_at == order.extended_until


def test_a_site_with_its_own_responsible_post(sources, inspect, people):
    from gridgov.people.models import Post
    from gridgov.sources.services import as_input, update_source

    post = Post.objects.get(person=people["g1_worker"])
    data = as_input(sources["site"])
    data.responsible_post_id = post.pk
    site = update_source(sources["site"].pk, data)
    order = inspect(site, failed=["fencing"]).rectification.order
    assert order.assignee == people["g1_worker"]


def test_a_passing_reinspection_closes_the_rectification_and_its_order(sources, inspect):
    site = sources["site"]
    rect = inspect(site, failed=["covering"]).rectification
    again = inspect(site, username="g1_leader", rectification_id=rect.pk)
    rect.refresh_from_db()
    assert again.closed.pk == rect.pk and again.rectification is None
    assert rect.state == Rectification.State.CLOSED and rect.closed_at is not None
    assert again.inspection.rectification_id == rect.pk
    order = WorkOrder.objects.get(pk=rect.order_id)
    assert order.state == State.CLOSED and order.closed_at is not None and order.due_at is None
    last = Transition.objects.filter(order=order).last()
    assert last.action == "rectified" and last.actor_name == "张网格"
    assert last.from_state == State.DISPATCHED and last.to_state == State.CLOSED
    with pytest.raises(InspectionError) as exc:  # closed: nothing to re-inspect
        inspect(site, rectification_id=rect.pk)
    assert exc.value.field == "rectification"


def test_a_failing_reinspection_keeps_it_open(sources, inspect):
    site = sources["site"]
    rect = inspect(site, failed=["covering"]).rectification
    again = inspect(site, failed=["covering", "fencing"], rectification_id=rect.pk)
    rect.refresh_from_db()
    assert rect.state == Rectification.State.OPEN and again.closed is None
    order = WorkOrder.objects.get(pk=rect.order_id)
    assert order.state == State.DISPATCHED
    assert Transition.objects.filter(order=order, action="still_failing").count() == 1
    # The new failure (fencing) opens its own rectification; covering stays with the first.
    assert {i.code for i in again.rectification.failed_items.all()} == {"fencing"}
    assert Rectification.objects.filter(state="open").count() == 2


def test_reinspection_of_another_source_or_out_of_scope(sources, inspect, crew):
    rect = inspect(sources["site"], failed=["covering"]).rectification
    with pytest.raises(InspectionError) as exc:
        inspect(sources["enterprise"], point=(35.21, 113.06), rectification_id=rect.pk)
    assert exc.value.field == "rectification"
    with pytest.raises(NotFound):
        inspect(sources["site"], rectification_id=10**12)


def test_system_actions_are_not_offered_to_people(sources, inspect, crew):
    order = inspect(sources["site"], failed=["covering"]).rectification.order
    with pytest.raises(WorkflowError) as exc:
        perform(order.pk, "rectified", crew["command"], note="想直接关")
    assert exc.value.status == 403
    from gridgov.workorders.services import allowed_actions

    assert "rectified" not in {a.code for a in allowed_actions(crew["command"], order)}


def test_photos_are_stored_with_the_inspection(sources, inspect, tmp_path):
    import io

    from PIL import Image

    from gridgov.core import evidence
    from gridgov.inspections.services import photo_path

    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 40)).save(buf, "JPEG")

    class Upload(io.BytesIO):
        name = "site.jpg"
        size = len(buf.getvalue())

    prepared = evidence.prepare_photos([Upload(buf.getvalue())])
    i = inspect(sources["site"], photos=prepared).inspection
    (photo,) = i.photos.all()
    assert photo_path(photo).exists() and photo.width == 300
    assert NEAR_G1  # the position used
