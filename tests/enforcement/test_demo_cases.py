"""The demo's enforcement cases: made through the services from the sources in the database."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from gridgov.demo.enforcement import seed_cases
from gridgov.enforcement import handling, publication, services
from gridgov.enforcement.models import Case, Publication
from gridgov.enforcement.steps import Step
from gridgov.sources.services import SourceInput, create_source, point_geometry

pytestmark = pytest.mark.django_db


def test_seed_cases_across_fronts_steps_and_the_board(enf, sites):
    create_source(
        SourceInput(
            category="farmland",
            name="西一村南地块",
            geometry={
                "type": "Polygon",
                "coordinates": [
                    [[113.3, 35.1], [113.31, 35.1], [113.31, 35.11], [113.3, 35.11], [113.3, 35.1]]
                ],
            },
        )
    )
    create_source(
        SourceInput(category="burning_spot", name="东一路口", geometry=point_geometry(35.3, 113.1))
    )
    today = dt.date(2026, 11, 30)
    cases = seed_cases(random.Random(7), today, enf["command"], enf["command2"])
    assert len(cases) == 13 == Case.objects.count()
    fronts = set(Case.objects.values_list("source__category", flat=True))
    assert fronts == {"construction_site", "restaurant", "farmland", "burning_spot"}
    steps = {s: Case.objects.filter(step=s).count() for s in Step.values}
    assert steps[Step.CLOSED] == 5 and steps[Step.WITHDRAWN] == 1 and steps[Step.FILED] == 1
    closed = Case.objects.filter(step=Step.CLOSED)
    assert all(c.late_steps == 0 for c in closed)  # on time
    assert services.overdue(Case.objects.all(), today).count() == 1
    for case in Case.objects.exclude(penalty_amount=None):
        assert any(handling.in_range(b, case.penalty_amount) for b in case.legal_bases.all())
    live = list(publication.published())
    assert len(live) == 4
    assert all(p.approved_by_id != p.proposed_by_id for p in live)
    assert Publication.objects.filter(unpublished_at__isnull=False).count() == 1
    # People are published as surname + 某 only.
    for p in live:
        view = publication.public_view(p)
        if p.case.party_kind == "person":
            assert view["party"].endswith("某") and p.case.party_name not in str(view)
