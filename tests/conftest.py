"""Named places and people for the tests.

测试区 (D) is a 0.4° square cut into 东街道 (S1, west half) and 西街道 (S2, east half); each street
has one community (C1, C2) of the same shape. C1 holds grids G1 and G2, which share the edge at
lon 113.1; C2 is one grid, G3. Accounts: `command` (指挥中心), `east_secretary` (C1),
`west_secretary` (C2), `g1_leader` (grid G1) and `nobody` (an account with no person).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

# Keep the test runs' data dir (secret key, media) out of the working tree.
os.environ.setdefault("GRIDGOV_DATA_DIR", tempfile.mkdtemp(prefix="gridgov-test-"))

import pytest
from django.contrib.auth import get_user_model

from gridgov.people.models import Person, Post, PostType
from gridgov.people.roles import sync_groups
from gridgov.territory.models import GridKind, Level
from gridgov.territory.services import RegionSpec, apply_plan

PASSWORD = "correct horse battery"
# Work-order fixtures (`crew`, `report`) for every test package.
pytest_plugins = ["tests.workorders.fixtures"]


def box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
    }


def territory_specs() -> list[RegionSpec]:
    lines = ["governance", "environment"]
    return [
        RegionSpec("D", "测试区", Level.DISTRICT, None, box(113.0, 35.0, 113.4, 35.4)),
        RegionSpec("D-S1", "东街道", Level.STREET, "D", box(113.0, 35.0, 113.2, 35.4)),
        RegionSpec("D-S2", "西街道", Level.STREET, "D", box(113.2, 35.0, 113.4, 35.4)),
        RegionSpec("D-S1-C1", "东一社区", Level.COMMUNITY, "D-S1", box(113.0, 35.0, 113.2, 35.4)),
        RegionSpec("D-S2-C2", "西一社区", Level.COMMUNITY, "D-S2", box(113.2, 35.0, 113.4, 35.4)),
        RegionSpec(
            "D-S1-C1-G1",
            "东一第1网格",
            Level.GRID,
            "D-S1-C1",
            box(113.0, 35.0, 113.1, 35.4),
            GridKind.URBAN,
            lines,
        ),
        RegionSpec(
            "D-S1-C1-G2",
            "东一第2网格",
            Level.GRID,
            "D-S1-C1",
            box(113.1, 35.0, 113.2, 35.4),
            GridKind.DEDICATED,
            lines,
        ),
        RegionSpec(
            "D-S2-C2-G3",
            "西一第1网格",
            Level.GRID,
            "D-S2-C2",
            box(113.2, 35.0, 113.4, 35.4),
            GridKind.RURAL,
            lines,
        ),
    ]


@pytest.fixture
def client():
    """The Django test client, checking every API response against the OpenAPI document."""
    from tests.openapi_check import OpenAPICheckedClient

    return OpenAPICheckedClient()


def make_territory() -> dict:
    """The named territory (the `territory` fixture), by code."""
    apply_plan(territory_specs())
    from gridgov.territory.models import Region

    return {r.code: r for r in Region.objects.all()}


@pytest.fixture
def territory(db):
    return make_territory()


def _person(name: str, phone: str, post: str, region, username: str | None = None) -> Person:
    person = Person.objects.create(name=name, phone=phone, id_number="410802199001011232")
    Post.objects.create(
        person=person,
        post_type=PostType.objects.get(code=post),
        region=region,
        start_date=dt.date(2024, 1, 1),
    )
    if username:
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        user.is_staff = post != "grid_leader"
        user.save()
        person.user = user
        person.save()
        sync_groups(user)
    return person


def make_people(t: dict) -> dict[str, Person]:
    """The named people (the `people` fixture), on the named territory `t`."""
    return {
        "command": _person("指挥长", "13900000001", "command_office", t["D"], "command"),
        "east_secretary": _person(
            "东书记", "13900000002", "secretary", t["D-S1-C1"], "east_secretary"
        ),
        "west_secretary": _person(
            "西书记", "13900000003", "secretary", t["D-S2-C2"], "west_secretary"
        ),
        "g1_leader": _person("张网格", "13900000004", "grid_leader", t["D-S1-C1-G1"], "g1_leader"),
        "g1_worker": _person("李专职", "13900000005", "grid_worker", t["D-S1-C1-G1"]),
        "g3_worker": _person("王兼职", "13900000006", "grid_worker_part", t["D-S2-C2-G3"]),
    }


@pytest.fixture
def people(territory):
    return make_people(territory)


def make_users() -> dict:
    """Every account by username, and `nobody` (the `users` fixture, after `people`)."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.all()}
    users["nobody"] = User.objects.create_user("nobody", password=PASSWORD)
    return users


@pytest.fixture
def users(people):
    return make_users()


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's test database, migrated once per run and cloned for each xdist worker
    (tests/dbtemplate.py); in one process, or with --reuse-db/--nomigrations, as pytest-django
    makes it."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests import dbtemplate

    verbosity = request.config.option.verbose
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized = _get_databases_for_setup(request.session.items)
    xdist = dbtemplate.xdist_run()
    if xdist is not None and aliases and django_db_use_migrations and not keepdb:
        run, worker = xdist
        with django_db_blocker.unblock():
            old_name = dbtemplate.setup(run, worker, verbosity, dbtemplate.ALIAS in serialized)
        yield
        with django_db_blocker.unblock():
            dbtemplate.teardown(run, old_name, verbosity)
        return
    if not django_db_use_migrations:
        _disable_migrations()
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)


@pytest.fixture(scope="module")
def district_world(request, django_db_setup, django_db_blocker):
    """The district of tests/api_district.py, built once for a test module that can share it."""
    from tests.api_district import shared_district

    yield from shared_district(request, django_db_blocker)


@pytest.fixture
def login(client, users):
    def _login(username: str):
        assert client.login(username=username, password=PASSWORD)
        return client

    return _login


@pytest.fixture
def bearer(client, users):
    """Headers with a fresh API token for the named account."""

    def _bearer(username: str) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    return _bearer


# The date-sensitive tests beyond those marked one by one: what they check follows from the
# calendar (periods, deadlines in working time, overdue, month-to-date figures, "now" itself).
# CI runs every test marked `dates` again at each moment of GRIDGOV_TEST_DATES (.ci/run).
DATE_SENSITIVE = (
    "tests/centre/test_overview.py",
    "tests/fixes/test_default_periods.py",
    "tests/air/test_periods.py",
    "tests/workorders/test_stats.py",
)


def _date_sensitive(path: object, definition: object) -> bool:
    where = str(path).replace(os.sep, "/")
    marked = definition.get_closest_marker("dates") is not None  # type: ignore[attr-defined]
    return marked or any(where.endswith(p) for p in DATE_SENSITIVE)


def sweep_dates() -> list[str]:
    return [d.strip() for d in os.environ.get("GRIDGOV_TEST_DATES", "").split(",") if d.strip()]


def pytest_generate_tests(metafunc):
    """Under a sweep, each date-sensitive test runs once per moment, in one session."""
    dates = sweep_dates()
    wanted = dates and "clock" in metafunc.fixturenames
    if wanted and _date_sensitive(metafunc.definition.path, metafunc.definition):
        metafunc.parametrize("clock", dates, indirect=True, ids=dates)


def _dates_only(config: pytest.Config) -> bool:
    """`-m dates` (make test-dates): only the date-sensitive tests are wanted."""
    return (config.option.markexpr or "").strip() == "dates"


def pytest_ignore_collect(collection_path, config):
    """Under `-m dates`, a test module that can hold no date-sensitive test is not imported:
    it is neither one of DATE_SENSITIVE nor marks a test `dates` in its text (the marker is
    applied in the module itself). Collecting the whole tree for its 40-odd date tests cost each
    process of the sweep about 15 s."""
    if not _dates_only(config) or collection_path.suffix != ".py":
        return None
    name = collection_path.name
    if not (name.startswith("test_") or name.endswith("_test.py")):
        return None
    where = str(collection_path).replace(os.sep, "/")
    if any(where.endswith(p) for p in DATE_SENSITIVE):
        return None
    return None if "mark.dates" in collection_path.read_text(encoding="utf-8") else True


# The longest test modules (one to three minutes each on PostgreSQL), longest first, then the
# other browser and server tests: they run first, so that pytest-xdist hands out the short tests
# last and its processes finish together (a long test handed out late keeps one process busy
# while the others wait). Only the order changes; a module stays together.
LONG_FIRST = (
    "tests/test_api_fuzz.py",
    "tests/browser/test_phone_widths.py",
    "tests/test_demo.py",
    "tests/test_api_tokens.py",  # a migration test
)


def _django_group(item: pytest.Item) -> int:
    """pytest-django's order (Django's): tests in a rolled-back transaction (0), then
    transactional ones (1), then those without a database (2). A transactional test's flush
    empties the database, seed rows included, so no ordinary database test may follow it in a
    process: the long-first order below sorts within these groups, never across them."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    ) or ("transactional_db" in fixtures or "live_server" in fixtures)
    if transactional:
        return 1
    return 0 if marker or "db" in fixtures else 2


def _rank(item: pytest.Item) -> int:
    where = str(item.path).replace(os.sep, "/")
    for k, suffix in enumerate(LONG_FIRST):
        if where.endswith(suffix):
            return k
    marked = item.get_closest_marker("browser") or item.get_closest_marker("servers")
    return len(LONG_FIRST) if marked else len(LONG_FIRST) + 1


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _date_sensitive(item.path, item):
            item.add_marker(pytest.mark.dates)
    # Whole modules move within a group (module-scoped fixtures are built once): a module ranks
    # as its first ranked test.
    module_rank: dict[object, int] = {}
    for item in items:
        key = item.path
        module_rank[key] = min(module_rank.get(key, len(LONG_FIRST) + 1), _rank(item))
    # Stable: the order within a rank stays; pytest-django's groups come first.
    items.sort(key=lambda item: (_django_group(item), module_rank[item.path]))


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; tests log in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run inside a transaction another thread cannot see: ingest in the request thread
    # (tests/air/test_group_commit.py covers the committer thread with a transactional DB).
    settings.GRIDGOV_INGEST_GROUP_COMMIT = False
    # Alarm orders are made in the committing thread, so a test sees them at once.
    settings.GRIDGOV_ALARM_ORDERS_ASYNC = False
    # Each test process archives the raw packets its receivers read in a folder of its own
    # (two processes would otherwise append to one day's chain); removed at exit.
    archive = tempfile.mkdtemp(prefix="gridgov-test-archive-")
    atexit.register(shutil.rmtree, archive, True)
    settings.GRIDGOV_PACKET_ARCHIVE_DIR = Path(archive)
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        _flush_by_delete()


def _flush_by_delete() -> None:
    """A transactional test's flush on PostgreSQL empties the tables with DELETE, not one
    TRUNCATE of all ~130: the tables hold a few rows, and TRUNCATE's cost is per table (new
    files, locks), about ten times DELETE's here. Django makes every foreign key DEFERRABLE
    INITIALLY DEFERRED, so the order does not matter; the flush runs in one transaction.
    Sequences are left as TRUNCATE without RESTART IDENTITY leaves them; a flush that asks for
    more (reset_sequences, CASCADE) is Django's own."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};"
            for t in tables
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


# --- the one clock ----------------------------------------------------------------------------
#
# Every test's "now" comes from here. By default it is the real time. GRIDGOV_TEST_NOW (an ISO
# time, e.g. 2028-02-29T23:59:00+08:00) runs the whole suite as if it were that moment — the
# application's own `timezone.now()` included (time-machine), the clock still ticking; and
# GRIDGOV_TEST_DATES (several, comma-separated) runs each date-sensitive test at each of them.
# Tests that need a particular moment move the clock (`clock.travel`);
# none takes "now" at import.

CST = dt.timezone(dt.timedelta(hours=8))


def swept_now(raw: str | None = None) -> dt.datetime | None:
    """The moment a test runs at: a sweep's date, GRIDGOV_TEST_NOW, or None (the real time)."""
    raw = (raw or os.environ.get("GRIDGOV_TEST_NOW", "")).strip()
    if not raw:
        return None
    moment = dt.datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=CST)


def china_minute() -> dt.datetime:
    """Now by the test clock, in China time, to the whole minute (a reading's timestamp)."""
    from django.utils import timezone

    return timezone.now().astimezone(CST).replace(second=0, microsecond=0)


class Clock:
    """The test's clock: `now()` (aware), `today()` (China time) and `travel(moment)`."""

    def __init__(self, traveller: object | None) -> None:
        self._traveller = traveller

    def now(self) -> dt.datetime:
        from django.utils import timezone

        return timezone.now()

    def today(self) -> dt.date:
        return self.now().astimezone(CST).date()

    def travel(self, moment: dt.datetime | dt.date, tick: bool = True) -> dt.datetime:
        """Move every clock of the process to `moment` (a date means its 10:00 China time)."""
        import time_machine

        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time(10, 0), tzinfo=CST)
        if self._traveller is not None:
            self._traveller.stop()  # type: ignore[attr-defined]
        self._traveller = time_machine.travel(moment, tick=tick)
        self._traveller.start()  # type: ignore[attr-defined]
        return moment

    def stop(self) -> None:
        if self._traveller is not None:
            self._traveller.stop()  # type: ignore[attr-defined]
            self._traveller = None


@pytest.fixture(autouse=True)
def clock(request):
    """The one clock (see above); autouse, so a swept date holds for every test."""
    c = Clock(None)
    moment = swept_now(getattr(request, "param", None))
    if moment is not None:
        c.travel(moment)
    yield c
    c.stop()


def clear_process_caches() -> None:
    """Forget what the process remembers of the database: the grid index and the other caches."""
    from django.core.cache import cache

    from gridgov.air import assessment, gateways, stations
    from gridgov.people import names
    from gridgov.territory import locate
    from gridgov.workorders import deadlines

    locate.invalidate()
    assessment.clear_cache()
    deadlines.clear_cache()
    stations.station_tokens.clear()  # the ingestion token caches
    gateways.gateway_tokens.clear()
    names.clear_cache()  # the roster's names masked in public text
    # The short-lived figure caches (the overview's air part is keyed by scope and day): with
    # the clock set to one moment, each test would otherwise read the one before's figures.
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_locate_index():
    """Each test's database starts again; so must the process-wide grid index."""
    clear_process_caches()
    yield
    clear_process_caches()


@pytest.hookimpl(optionalhook=True)  # unknown to pytest when xdist is not loaded (-p no:xdist)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (make test-suite): the tests marked xdist_group("…") run in one
    process, each other test is handed out on its own. pytest-xdist 3.8 groups by renaming
    `item._nodeid`, which pytest 9 no longer reads, so its grouping does nothing here: the same
    scheduler, grouping by the marker's modules (tests/multiproc starts one cluster)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Grouped(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in GROUPED:
                if nodeid.startswith(prefix):
                    return group
            return nodeid

    return Grouped(config, log)


# (module path prefix, group): the modules marked xdist_group, by where they are.
GROUPED = (("tests/multiproc/", "multiproc"),)
