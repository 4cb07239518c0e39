"""What the multi-process tests do inside a gridgov process (`python -m gridgov.cli shell -c`):
build the shared world once, and act on it from a process of its own (revoke a token, move a
boundary, run a scheduled job's domain function at the same moment as another process).

Each function prints one JSON line (its result) for the test to read."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

PW = "multi-pw"
HTTP_STATIONS = 4  # H0… posting over HTTP with a station token
DEVICES = 8  # MP000001… (station M0…) sending HJ 212 packets
OVERDUE_ORDERS = 6


def say(value: Any) -> None:
    sys.stdout.write(json.dumps(value, default=str) + "\n")
    sys.stdout.flush()


def wait_until(epoch: float) -> None:
    """Start together with another process: both sleep until the same wall-clock moment."""
    time.sleep(max(0.0, epoch - time.time()))


def seed() -> None:
    """The territory and people of tests/conftest.py, stations with tokens and HJ 212 devices,
    an API token, overdue work orders and a racing card."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gridgov.air.hj212.devices import hash_password
    from gridgov.air.models import Station
    from gridgov.air.stations import issue_token
    from gridgov.people.tokens import issue_token as issue_api_token
    from gridgov.racing.models import Indicator, Scorecard
    from gridgov.territory.models import Level
    from tests.conftest import make_people, make_territory, make_users
    from tests.workorders.fixtures import G1_POINT, G3_POINT, make_crew, report_event

    territory = make_territory()
    people = make_people(territory)
    users = make_crew(people, territory, make_users())
    tokens = {}
    for i in range(HTTP_STATIONS):
        station = Station.objects.create(
            code=f"H{i}", name=f"H{i}", kind="micro", lat=35.2, lon=113.05 + i / 100
        )
        tokens[station.code] = issue_token(station)
    for i in range(DEVICES):
        Station.objects.create(
            code=f"M{i}",
            name=f"M{i}",
            kind="micro",
            lat=35.2,
            lon=113.3 + i / 100,
            interval_minutes=1,
            mn=f"MP{i + 1:06d}",
            pw_hash=hash_password(PW),
        )
    _, api_token = issue_api_token(users["command"], "multiproc")
    get_user_model().objects.create_superuser("mp_admin", password="mp-admin-password")
    long_ago = timezone.now() - dt.timedelta(days=3)
    for k in range(OVERDUE_ORDERS):
        report_event(point=G1_POINT if k % 2 else G3_POINT, title=f"超期工单{k}", now=long_ago)
    card = Scorecard.objects.create(name="多进程赛马", level=Level.STREET, min_valid_days=0)
    Indicator.objects.create(scorecard=card, position=1, metric="cases_closed", weight=100)
    say({"station_tokens": tokens, "api_token": api_token})


def revoke_station_token(code: str) -> None:
    from gridgov.air.models import Station
    from gridgov.air.stations import revoke_token

    revoke_token(Station.objects.get(code=code))
    say({"revoked_at": time.time()})


def revoke_api_token(raw: str) -> None:
    from gridgov.people.tokens import revoke

    say({"revoked": revoke(raw), "at": time.time()})


def change_device_password(mn: str, pw: str) -> None:
    from gridgov.air.hj212.devices import hash_password
    from gridgov.air.models import Station

    station = Station.objects.get(mn=mn)  # saved as the pages and the import save it
    station.pw_hash = hash_password(pw)
    station.save()
    say({"changed_at": time.time()})


def swap_grids() -> None:
    """G1 and G2 exchange their boundaries (a boundary edit, through the territory's plan)."""
    from gridgov.territory.services import apply_plan
    from tests.conftest import box, territory_specs

    specs = territory_specs()
    for spec in specs:
        if spec.code == "D-S1-C1-G1":
            spec.geometry = box(113.1, 35.0, 113.2, 35.4)
        elif spec.code == "D-S1-C1-G2":
            spec.geometry = box(113.0, 35.0, 113.1, 35.4)
    apply_plan(specs)
    say({"edited_at": time.time()})


def at(epoch: float, task: str | None = None) -> None:
    """Sleep until `epoch`, then put `task` (a scheduled job) on the shared queue 4 times, as
    several workers' schedulers do at the same due minute (the workers take them at once)."""
    from importlib import import_module

    wait_until(epoch)
    if task:
        module, name = task.rsplit(".", 1)
        job = getattr(import_module(module), name)
        for _ in range(4):
            job()


def sweep_at(epoch: float, task: str | None = None) -> None:
    from gridgov.workorders.sweep import sweep

    at(epoch, task)
    say(vars(sweep()))


def bulletins_at(epoch: float, task: str | None = None) -> None:
    from gridgov.bulletins.services import run_schedule

    at(epoch, task)
    say({"made": len(run_schedule())})


def racing_at(epoch: float, task: str | None = None) -> None:
    from gridgov.racing.services import snapshot_due

    at(epoch, task)
    say({"snapshots": [s.pk for s in snapshot_due()]})


def agent() -> None:
    """Run the test's calls, one per line on standard input (`revoke_api_token('…')`), each
    answered by its JSON line (or {"error": …}): one Django start-up for all of them."""
    import traceback

    from django.db import connections

    for line in sys.stdin:
        try:
            eval(line, globals())  # noqa: S307  (the test's own calls)
        except Exception:
            say({"error": traceback.format_exc()})
        finally:
            connections.close_all()


def queue_history_command(mn: str, minutes: int) -> None:
    """A back-fill (补发) asked from the page: a queued CN=2051 history command."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gridgov.air.device_control import request_command
    from gridgov.air.device_models import CommandKind
    from gridgov.air.models import Station

    station = Station.objects.get(mn=mn)
    end = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=2)
    begin = end - dt.timedelta(minutes=minutes)
    command = request_command(
        get_user_model().objects.get(username="mp_admin"),
        station,
        CommandKind.HISTORY,
        {"begin": begin.isoformat(), "end": end.isoformat()},
    )
    say({"command": command.pk})


def new_api_token() -> None:
    from django.contrib.auth import get_user_model

    from gridgov.people.tokens import issue_token

    _, raw = issue_token(get_user_model().objects.get(username="command"), "multiproc-2")
    say({"token": raw})
