"""Where `/` sends an account: the page its work starts on.

- anonymous → the login page;
- superusers, and anyone holding a current post at community/village level or above (the
  command office included) → the overview (`/overview/`), phone or not: it works at phone width;
  each sees its own unit there (a community its outline, its grids and their figures);
- people whose current posts are all at grid level (grid leaders and workers): on a phone →
  the phone pages (`/m/`), on a desktop → the overview of their grid(s) (`/overview/`): the
  outline, the nearest stations' AQI, their open orders by urgency, their sources and the
  inspections due;
- an account without a current post (no person, or posts ended) → the grid map, which shows
  nothing it may not see.
"""

from __future__ import annotations

import re

from django.urls import reverse

from gridgov.core.actor import Account
from gridgov.people.models import Post
from gridgov.territory.models import Level

# Phones and small tablets by their User-Agent: the words browsers on them send. iPads announce
# themselves as desktop Safari since iPadOS 13 and get the desktop pages, which fit them.
MOBILE = re.compile(
    r"Mobile|Android|iPhone|iPod|Windows Phone|HarmonyOS|MicroMessenger|Opera Mini|IEMobile",
    re.IGNORECASE,
)


def is_mobile(user_agent: str | None) -> bool:
    return bool(user_agent) and MOBILE.search(user_agent or "") is not None


def post_levels(user: Account) -> set[int]:
    """The levels of the regions where the account's person holds a current post."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Post.objects.current()
        .filter(person__user=user, region__retired_at__isnull=True)
        .values_list("region__level", flat=True)
    )


def landing_for(user: Account, user_agent: str | None) -> str:
    """The address `/` redirects the account to."""
    if user is None or not user.is_authenticated:
        return reverse("web:login")
    if user.is_superuser:
        return reverse("centre:overview")
    levels = post_levels(user)
    if not levels:
        return reverse("web:map")
    if min(levels) <= Level.COMMUNITY:
        return reverse("centre:overview")
    if is_mobile(user_agent):
        return reverse("workorders:phone")
    return reverse("centre:overview")
