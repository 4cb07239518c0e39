"""What the enforcement app plugs into the apps below it (AppConfig.ready())."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gridgov.core.actor import Account
from gridgov.enforcement.services import can_view, source_section
from gridgov.sources import sections
from gridgov.sources.models import PollutionSource


def cases_section(source: PollutionSource, user: Account) -> dict[str, Any] | None:
    """执法案件: the source's enforcement cases the account may see."""
    if not can_view(user):
        return None  # grid posts have no access to cases: no empty card either
    context = {"section": source_section(source, user)}
    return sections.rendered(_("执法案件"), "enforcement/_source_section.html", context)


def register() -> None:
    # Importing racing_metrics registers the horse race's metrics of this app.
    from gridgov.enforcement import bulletin, racing_metrics  # noqa: F401

    sections.register(cases_section, order=30)
    bulletin.register()
