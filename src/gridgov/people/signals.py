"""Keep an account's groups in step with the posts its person holds."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gridgov.people import names
from gridgov.people.models import Person, Post
from gridgov.people.roles import sync_groups


@receiver(post_save, sender=Post, dispatch_uid="gridgov_post_saved")
@receiver(post_delete, sender=Post, dispatch_uid="gridgov_post_deleted")
def post_changed(sender: Any, instance: Post, **kwargs: Any) -> None:
    user = instance.person.user
    if user is not None:
        sync_groups(user)


@receiver(post_save, sender=Person, dispatch_uid="gridgov_person_saved")
def person_saved(sender: Any, instance: Person, **kwargs: Any) -> None:
    if instance.user is not None:
        sync_groups(instance.user)


@receiver(post_save, sender=Person, dispatch_uid="gridgov_person_names_saved")
@receiver(post_delete, sender=Person, dispatch_uid="gridgov_person_names_deleted")
def roster_changed(sender: Any, **kwargs: Any) -> None:
    """The names masked in public text (people.names) are read again."""
    names.clear_cache()
