"""The shared core's acting person and masks: one rule each, used by every app."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import translation

from gridgov.core import actor, privacy
from gridgov.errors import FORBIDDEN, DomainError
from gridgov.people.actor import person_of
from gridgov.people.models import Person


@pytest.mark.django_db
def test_actor_name_prefers_the_roster_person_and_caches_it(django_assert_num_queries):
    user = User.objects.create_user("wang", password="x")
    Person.objects.create(name="王建国", phone="13800000000", user=user)
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert actor.actor_name(user) == "王建国"
        assert person_of(user).name == "王建国"


@pytest.mark.django_db
def test_actor_name_without_a_person_reads_the_username_or_the_system():
    user = User.objects.create_user("ops", password="x")
    assert person_of(user) is None
    assert actor.actor_name(user) == "ops"
    assert actor.actor_name(None) == ""
    with translation.override("zh-hans"):
        assert actor.actor_name(None, system=True) == "系统"
    assert person_of(AnonymousUser()) is None


@pytest.mark.django_db
def test_who_did_it_columns_get_the_signed_in_user_or_the_system_never_the_anonymous():
    user = User.objects.create_user("li", password="x")
    assert actor.recorded_user(user) is user
    assert actor.recorded_user(None) is None
    with pytest.raises(DomainError) as refused:
        actor.recorded_user(AnonymousUser())
    assert (refused.value.kind, refused.value.field) == (FORBIDDEN, "user")

    assert actor.required_user(user) is user
    for nobody in (None, AnonymousUser()):
        with pytest.raises(DomainError) as refused:
            actor.required_user(nobody)
        assert refused.value.kind == FORBIDDEN

    assert actor.signed_in_user(user) is user
    assert actor.signed_in_user(AnonymousUser()) is None
    assert actor.signed_in_user(None) is None


@pytest.mark.django_db
def test_holds_needs_a_signed_in_account_with_the_permission():
    clerk = User.objects.create_user("clerk", password="x")
    boss = User.objects.create_superuser("boss", password="x")
    assert actor.holds(boss, "air.change_alarm")
    assert not actor.holds(clerk, "air.change_alarm")
    assert not actor.holds(AnonymousUser(), "air.change_alarm")
    assert not actor.holds(None, "air.change_alarm")


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王建国", "王**"), ("张三", "张*"), ("欧阳小明", "欧阳**"), ("Alice", "A****"),
     ("某某环保有限公司", "某某******"), ("", "")],
)  # fmt: skip
def test_mask_name(name, masked):
    assert privacy.mask_name(name) == masked


def test_published_name_and_phone():
    assert privacy.published_name("王小明", "当事人") == "王某"
    assert privacy.published_name("欧阳小明", "当事人") == "欧阳某"
    assert privacy.published_name(" ", "当事人") == "当事人"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_phone("138 1234 5678") == "138****5678"
    assert privacy.mask_phone("12345") == "*****"
