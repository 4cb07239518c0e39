"""Setting up forwarding: `gridgov import-forward`, the admin (the upper platform's password
stored as given, shown masked), and forwarding to our own receiver as the upper platform."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from gridgov.air.admin import masked
from gridgov.air.forward_models import ForwardStation, ForwardTarget
from gridgov.air.hj212.devices import hash_password
from gridgov.air.hj212.receiver import Receiver
from gridgov.air.models import Reading, Station
from tests.air.conftest import T0, make_batch
from tests.air.test_hj212_forward import caught_up, forwarder, until


def csv_file(tmp_path, text: str):
    path = tmp_path / "forward.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_forward_binds_stations_after_a_dry_run(tmp_path, stations, capsys):
    path = csv_file(
        tmp_path, "station,mn,pw,since\nM1,41080001,abc123,2026-11-20\nM2,41080002,-,\n"
    )
    args = [str(path), "--target", "省平台", "--host", "10.1.2.3", "--port", "8212"]
    call_command("import_forward", *args)
    assert "Dry run" in capsys.readouterr().out
    assert not ForwardTarget.objects.exists()
    call_command("import_forward", *args, "--kinds", "minute,hourly", "--commit")
    target = ForwardTarget.objects.get(name="省平台")
    assert (target.host, target.port, target.minute, target.hourly) == ("10.1.2.3", 8212, 1, 1)
    links = {f.station.code: f for f in ForwardStation.objects.filter(target=target)}
    assert links["M1"].mn == "41080001" and links["M1"].pw == "abc123"  # as given, to be sent
    assert links["M1"].since == T0
    assert links["M2"].pw == ""  # "-": an empty password
    assert abs(links["M2"].since - time.time()) < 60  # blank: from now on
    # Again with a new password for M1: changed, the rest unchanged.
    path.write_text("station,mn,pw\nM1,41080001,xyz789\nM2,41080002,-\n", encoding="utf-8")
    call_command("import_forward", str(path), "--target", "省平台", "--commit")
    out = capsys.readouterr().out
    assert "change 1, leave 1 unchanged" in out
    assert ForwardStation.objects.get(target=target, station__code="M1").pw == "xyz789"
    assert ForwardStation.objects.get(target=target, station__code="M1").since == T0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("station,mn\nM1,A\n", "pw missing"),
        ("station,mn,pw\nXX,A,p\n", "no station 'XX'"),
        ("station,mn,pw\nM1,A,p\nM2,A,p\n", "MN A also on line 2"),
        ("station,mn,pw\nM1,A,p\nM1,B,p\n", "station M1 also on line 2"),
        ("station,mn,pw\nM1,bad;mn,p\n", "printable ASCII"),
        ("station,mn,pw\nM1,A,a b\n", "printable ASCII"),
        ("station,mn,pw,since\nM1,A,p,20261120\n", "since must be"),
    ],
)
def test_import_forward_refuses_bad_rows(tmp_path, stations, capsys, text, message):
    path = csv_file(tmp_path, text)
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_forward", str(path), "--target", "T", "--host", "h", "--port", "1")
    assert message in capsys.readouterr().out
    assert not ForwardTarget.objects.exists()


@pytest.mark.django_db
def test_import_forward_needs_an_address_for_a_new_target(tmp_path, stations):
    path = csv_file(tmp_path, "station,mn,pw\nM1,A,p\n")
    with pytest.raises(CommandError, match="give --host and --port"):
        call_command("import_forward", str(path), "--target", "new")


@pytest.mark.django_db
def test_the_admin_masks_the_upper_password_and_keeps_it_when_left_blank(client, stations):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", password="pw-root-1")
    client.login(username="root", password="pw-root-1")
    target = ForwardTarget.objects.create(name="市平台", host="127.0.0.1", port=9000)
    link = ForwardStation.objects.create(
        target=target, station=stations["micro"], mn="UPMN01", pw="Sekr3tPW", since=T0
    )
    listing = client.get("/admin/air/forwardstation/").content.decode()
    assert "Sekr3tPW" not in listing and masked("Sekr3tPW") in listing
    url = f"/admin/air/forwardstation/{link.pk}/change/"
    assert "Sekr3tPW" not in client.get(url).content.decode()
    form = {
        "target": target.pk,
        "station": stations["micro"].pk,
        "mn": "UPMN02",
        "new_password": "",
        "since": T0,
        "enabled": "on",
    }
    assert client.post(url, form).status_code == 302
    link.refresh_from_db()
    assert (link.mn, link.pw) == ("UPMN02", "Sekr3tPW")
    form["new_password"] = "-"
    assert client.post(url, form).status_code == 302
    link.refresh_from_db()
    assert link.pw == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_forwarding_to_our_own_receiver_stores_every_reading_there(stations, put, settings):
    settings.GRIDGOV_HJ212_RATE = 1000
    settings.GRIDGOV_HJ212_BURST = 1000
    micro = stations["micro"]
    now = time.time()
    start = int(now - now % 60) - 90 * 60
    put(make_batch(micro, start, 80, pm25=np.arange(80) % 50 + 12.5, o3=88.0), now=now)
    upper = Station.objects.create(
        code="UP-M1",
        name="省平台镜像",
        kind="micro",
        lat=35.3,
        lon=113.3,
        interval_minutes=1,
        mn="UP0001",
        pw_hash=hash_password("up-pw"),
    )
    target = ForwardTarget.objects.create(name="own", host="127.0.0.1", port=1, rate=0)
    link = ForwardStation.objects.create(
        target=target, station=micro, mn="UP0001", pw="up-pw", since=start
    )

    async def main():
        receiver = Receiver("127.0.0.1", 0)
        await receiver.start()
        await asyncio.to_thread(
            ForwardTarget.objects.filter(pk=target.pk).update, port=receiver.port
        )
        fwd = forwarder(timeout=2.0)
        await fwd.start()
        await until(caught_up(fwd, {link: start + 79 * 60}), what="forwarded to the receiver")
        await fwd.stop()
        await receiver.flush()
        await receiver.stop()
        return fwd

    fwd = asyncio.run(main())
    mine = dict(Reading.objects.filter(station=micro).values_list("ts", "pm25"))
    theirs = dict(Reading.objects.filter(station=upper).values_list("ts", "pm25"))
    assert theirs == mine and len(theirs) == 80
    o3 = set(Reading.objects.filter(station=upper).values_list("o3", flat=True))
    assert o3 == {88.0}
    assert next(iter(fwd.channels.values())).counters["answered"] == 80


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--window", "0"], "--window must be at least 1"),
        (["--timeout", "0"], "--timeout must be more than 0"),
        (["--lookback-hours", "-1"], "--lookback-hours must be 0 or more"),
    ],
)
def test_hj212_forward_refuses_bad_options(option, message):
    with pytest.raises(CommandError, match=message):
        call_command("hj212_forward", *option)
