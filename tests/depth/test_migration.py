"""Four-level data from before the province and the city were added migrates unchanged: the
rows keep their level numbers and every relative rule reads them as before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gridgov.territory import ladder
from gridgov.territory.models import Level, Region


def _node(loader, app: str, name: str) -> tuple[str, str]:
    """The graph's node for a migration: itself, or the squash that replaced it."""
    return next(n for n in loader.graph.nodes if n[0] == app and n[1].endswith(name))


# Transactional (the migrations run outside a test transaction), with serialized_rollback so
# the flush at its end leaves the database as the next such test expects.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_level_rows_keep_their_levels_across_the_migration(territory):
    before = dict(Region.objects.values_list("code", "level"))
    assert set(before.values()) == {1, 2, 3, 4}

    executor = MigrationExecutor(connection)
    old_node = _node(executor.loader, "territory", "0002_seed_work_lines")
    executor.migrate([old_node])  # back to the positive four-level field
    executor.loader.build_graph()
    old_apps = executor.loader.project_state([old_node]).apps
    OldRegion = old_apps.get_model("territory", "Region")
    field = OldRegion._meta.get_field("level")
    assert field.get_internal_type() == "PositiveSmallIntegerField"
    assert dict(OldRegion.objects.values_list("code", "level")) == before

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Region._meta.get_field("level").get_internal_type() == "SmallIntegerField"
    assert dict(Region.objects.values_list("code", "level")) == before
    district = Region.objects.get(code="D")
    assert district.level == Level.DISTRICT and district.get_level_display() == "区"
    assert ladder.root_level() == Level.DISTRICT
    assert ladder.below(district.level) == Level.STREET
    # A city may now be stored above it: a level below the old field's range.
    district.level = Level.CITY
    district.save(update_fields=["level"])
    assert Region.objects.get(code="D").level == 0
