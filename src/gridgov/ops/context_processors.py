"""`jobs` for the pages that show the scheduled jobs' banner (the overview, the desk): read
only when a template asks, so other pages pay nothing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gridgov.ops.heartbeat import jobs_status


def jobs(request: HttpRequest) -> dict[str, Any]:
    return {"jobs": SimpleLazyObject(jobs_status)}
