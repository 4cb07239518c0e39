"""The audit trail outlives any attempt to delete it: an order with transitions cannot be
deleted (PROTECT), and the admin offers no delete for orders or their transitions."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError

from gridgov.workorders.models import Transition, WorkOrder
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_deleting_an_order_with_transitions_is_refused(crew, report):
    order = report()
    assert order.transitions.exists()
    count = Transition.objects.count()
    with pytest.raises(ProtectedError):
        WorkOrder.objects.filter(pk=order.pk).delete()
    with pytest.raises(ProtectedError):
        order.delete()
    assert WorkOrder.objects.filter(pk=order.pk).exists()
    assert Transition.objects.count() == count


def test_the_admin_offers_no_delete_for_orders(client, crew, report):
    order = report()
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    listing = client.get("/admin/workorders/workorder/")
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    change = client.get(f"/admin/workorders/workorder/{order.pk}/change/")
    assert change.status_code == 200
    page = change.content.decode()
    assert f"/admin/workorders/workorder/{order.pk}/delete/" not in page
    assert "transitions-0-DELETE" not in page  # the inline's delete box
    assert client.get(f"/admin/workorders/workorder/{order.pk}/delete/").status_code == 403
    response = client.post(f"/admin/workorders/workorder/{order.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert WorkOrder.objects.filter(pk=order.pk).exists()
    # Transitions have no admin page of their own to delete them from.
    assert client.get("/admin/workorders/transition/").status_code == 404
