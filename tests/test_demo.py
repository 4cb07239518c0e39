"""The demo district: the seed's figures, a proper tiling, someone responsible everywhere."""

import shapely
from django.core.management import call_command
from django.db.models import Count

from gridgov.demo import generator
from gridgov.people.models import Post
from gridgov.people.scope import regions_for
from gridgov.territory.geometry import parse_geometry
from gridgov.territory.locate import get_index
from gridgov.territory.models import GridKind, Level, Region


def holders(code):
    return Post.objects.current().filter(post_type__code=code).values("person").distinct().count()


def test_demo_builds_exactly_the_seeds_counts_and_a_tiling(db):
    call_command("demo", "--no-serve", "--no-air", "--no-orders", "--seed", "7")
    grids = Region.objects.active().grids()
    assert grids.count() == 819
    assert set(grids.values_list("kind", flat=True)) == set(GridKind.values)
    assert holders("grid_leader") == 612
    assert holders("grid_worker") == 812
    assert holders("grid_worker_part") == 1637
    names = set(Region.objects.filter(level=Level.STREET).values_list("name", flat=True))
    assert {"文苑街道", "阳庙镇"} <= names

    # Every grid has a current grid leader and at least one grid worker.
    staffed = dict(
        Post.objects.current()
        .filter(region__level=Level.GRID, post_type__code__in=["grid_worker", "grid_worker_part"])
        .values_list("region")
        .annotate(n=Count("id"))
        .order_by()
    )
    led = set(
        Post.objects.current()
        .filter(post_type__code="grid_leader")
        .values_list("region", flat=True)
    )
    assert all(staffed.get(g.pk, 0) >= 1 and g.pk in led for g in grids)

    # The grids tile the district: no gaps and no overlaps beyond rounding (coordinates are
    # stored to 7 decimals, ~1 cm; 1e-5 of the area is ~1,500 m² over ~150 km²).
    district = Region.objects.get(level=Level.DISTRICT)
    outline = parse_geometry(district.code, district.geometry)
    cells = [parse_geometry(g.code, g.geometry) for g in grids]
    total = sum(c.area for c in cells)
    union = shapely.union_all(cells)
    assert abs(total - outline.area) / outline.area < 1e-5
    assert abs(union.area - outline.area) / outline.area < 1e-5
    assert len(get_index()) == 819

    # One login per role, with nested scopes.
    from django.contrib.auth import get_user_model

    User = get_user_model()
    assert regions_for(User.objects.get(username="command")).count() == Region.objects.count()
    street = regions_for(User.objects.get(username="street"))
    community = regions_for(User.objects.get(username="community"))
    worker = regions_for(User.objects.get(username="worker"))
    assert street.get(level=Level.STREET).name == "文苑街道"
    assert set(worker) < set(community) < set(street)

    # Sources on every front, each in a grid, enterprises graded, every village's farmland.
    from gridgov.sources.categories import Category
    from gridgov.sources.models import PollutionSource

    per_category = dict(
        PollutionSource.objects.values_list("category").annotate(n=Count("id")).order_by()
    )
    assert set(per_category) == {c.value for c in Category}
    # 60 sites and 200 restaurants around the district, plus the `worker` login's own grid's.
    assert per_category["construction_site"] == 61 and per_category["restaurant"] == 202
    worker_grid = Post.objects.current().get(person__user__username="worker").region
    assert PollutionSource.objects.filter(grid=worker_grid).count() >= 4
    grades = set(
        a["grade"]
        for a in PollutionSource.objects.filter(category="enterprise").values_list(
            "attributes", flat=True
        )
    )
    assert grades == {"A", "B", "C", "D"}
    villages = Region.objects.filter(level=Level.COMMUNITY, parent__name__endswith="镇").count()
    assert per_category["farmland"] == villages
    assert PollutionSource.objects.filter(
        category="fireworks_point", attributes__kind="no_fireworks_zone"
    ).exists()

    # Running it again on a full database leaves it alone.
    call_command("demo", "--no-serve")
    assert Region.objects.active().grids().count() == 819


def test_demo_territory_is_deterministic_for_a_seed():
    first, _ = generator.build_territory(11)
    again, _ = generator.build_territory(11)
    other, _ = generator.build_territory(12)
    assert [(s.code, s.name, s.geometry) for s in first] == [
        (s.code, s.name, s.geometry) for s in again
    ]
    assert [s.geometry for s in first] != [s.geometry for s in other]


def test_allocate_splits_exactly():
    counts = generator.allocate(819, [1.0, 2.0, 1.5, 0.7], minimum=2)
    assert sum(counts) == 819 and min(counts) >= 2


def test_demo_air_data_goes_through_the_ingestion_path(db):
    import datetime as dt

    from gridgov.air.assessment import assess, level_units, rank
    from gridgov.air.models import DailyAggregate, Reading, Station, Target
    from gridgov.demo.air import generate

    call_command("demo", "--no-serve", "--no-air", "--no-orders", "--no-sources", "--seed", "3")
    result = generate(seed=3, today=dt.date(2026, 1, 12))
    assert Station.objects.filter(kind="micro").count() == Region.objects.filter(level=3).count()
    assert Station.objects.exclude(kind="micro").count() == 3
    assert Station.objects.filter(grid__isnull=True).count() == 1  # the city station outside
    assert result.stored == Reading.objects.count() and result.errors == []
    # hourly means from 1 January, minute data for the last 3 days
    micro = Station.objects.filter(kind="micro").first()
    assert Reading.objects.filter(station=micro).count() == 9 * 24 + 3 * 1440
    days = DailyAggregate.objects.filter(station=micro, pm25__isnull=False).count()
    assert days == 12
    assert Target.objects.filter(region__level=1).count() == 4
    streets = assess(level_units(2), dt.date(2026, 1, 1), dt.date(2026, 1, 12), year_on_year=False)
    ranked, apart = rank(streets, "pm25")
    assert len(ranked) == 7 and apart == []
    # the urban west is dirtier than the towns in the east, on average
    by_name = {r.assessment.name: r.value for r in ranked}
    assert by_name["文苑街道"] > by_name["磨头镇"]
    # Yesterday's fog cannon at one micro-station: the tampering list has its finding.
    from gridgov.air.models import CST
    from gridgov.air.tamper_models import TamperFinding

    spray = TamperFinding.objects.get()
    assert (spray.kind, spray.status) == ("spray", "open") and spray.station.kind == "micro"
    assert spray.start == dt.datetime(2026, 1, 11, 10, tzinfo=CST)
    # Hourly winds for the weeks before (the rose and the back-trace read them): north-westerlies
    # on clean hours, light southerlies on polluted ones — the rose of a station says so.
    from gridgov.air import rose
    from gridgov.air.factor_models import FactorHour

    t1 = int(dt.datetime(2026, 1, 13, tzinfo=CST).timestamp())
    t0 = t1 - 11 * 86400
    assert FactorHour.objects.filter(station=micro, code="a01008", ts__gte=t0).count() >= 10 * 24
    figures = rose.rose(rose.station_hours(micro.pk, t0, t1, "pm25"), 75.0)

    def mean_of(directions: set[str]) -> float:
        hit = [s for s in figures["sectors"] if s["direction"] in directions and s["hours"]]
        return sum(s["mean"] * s["hours"] for s in hit) / sum(s["hours"] for s in hit)

    southerly, north_westerly = {"SSE", "S", "SSW", "SW"}, {"WNW", "NW", "NNW"}
    assert mean_of(southerly) > 1.3 * mean_of(north_westerly), figures["sectors"]


def test_demo_orders_history_goes_through_the_services(db):
    from gridgov.demo.orders import generate
    from gridgov.workorders.models import Source, Transition, WorkOrder
    from gridgov.workorders.states import State

    call_command("demo", "--no-serve", "--no-air", "--no-orders", "--no-sources", "--seed", "5")
    result = generate(seed=5, days=10)
    assert result.orders == WorkOrder.objects.count() > 60
    sources = set(WorkOrder.objects.values_list("event__source", flat=True))
    assert {Source.PATROL, Source.CITIZEN, Source.HOTLINE, Source.INSPECTION} <= sources
    states = set(WorkOrder.objects.values_list("state", flat=True))
    assert State.CLOSED in states and states & {State.DISPATCHED, State.SIGNED, State.IN_PROGRESS}
    actions = set(Transition.objects.values_list("action", flat=True))
    assert {
        "create",
        "auto_dispatch",
        "accept",
        "dispatch",
        "sign",
        "handle",
        "verify",
        "close",
    } <= actions
    # Every closed order went through sign, handle, verify and close, in time order.
    for order in WorkOrder.objects.filter(state=State.CLOSED)[:20]:
        trail = list(order.transitions.order_by("at", "pk").values_list("action", "at"))
        names = [a for a, _ in trail]
        assert names.index("sign") < names.index("handle") < names.index("close")
        assert [t for _, t in trail] == sorted(t for _, t in trail)
    assert WorkOrder.objects.filter(closed_at__isnull=False, sign_late=False).count() > 0
    # Nothing in the history happens after the present.
    from django.utils import timezone

    from gridgov.workorders.models import Escalation

    assert not Transition.objects.filter(at__gt=timezone.now()).exists()
    assert not Escalation.objects.filter(at__gt=timezone.now()).exists()
