"""Stations' HJ 212 devices: MN, password (hashed), code aliases and unit factors through
import-stations and the admin; the device list of the API, scoped."""

import pytest
from django.core.management import CommandError, call_command

from gridgov.air.hj212.devices import check_password, clean_codes, clean_factors
from gridgov.air.models import Station

HEAD = "code,name,kind,lat,lon,mn,pw,codes,factors\n"


def write(tmp_path, text):
    path = tmp_path / "stations.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_sets_mn_password_codes_and_factors(territory, tmp_path, capsys):
    path = write(
        tmp_path,
        HEAD + 'W1,东一微站,微站,35.2,113.05,LXHB0CS0306310,123456,"PM25=pm25;PM10=pm10",'
        "pm25=0.001;pm10=0.001\nW2,东二微站,微站,35.21,113.05,,,,\n",
    )
    call_command("import_stations", str(path), "--commit")
    w1, w2 = Station.objects.get(code="W1"), Station.objects.get(code="W2")
    assert w1.mn == "LXHB0CS0306310" and check_password("123456", w1.pw_hash)
    assert "123456" not in w1.pw_hash
    assert w1.device_codes == {"PM25": "pm25", "PM10": "pm10"}
    assert w1.device_factors == {"pm25": 0.001, "pm10": 0.001}
    assert w2.mn is None and w2.pw_hash == ""
    # A blank pw (and mn, codes, factors) leaves what is there; a new one replaces it.
    old_hash = w1.pw_hash
    write(tmp_path, HEAD + "W1,东一微站,微站,35.2,113.05,,,,\n")
    call_command("import_stations", str(path), "--commit")
    w1.refresh_from_db()
    assert w1.pw_hash == old_hash and w1.mn == "LXHB0CS0306310" and w1.device_codes
    write(tmp_path, HEAD + "W1,东一微站,微站,35.2,113.05,,654321,,\n")
    call_command("import_stations", str(path))
    assert "W1: pw" in capsys.readouterr().out
    call_command("import_stations", str(path), "--commit")
    w1.refresh_from_db()
    assert check_password("654321", w1.pw_hash) and not check_password("123456", w1.pw_hash)


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("M" * 25 + ",1,,", "mn", "1 to 24"),
        ("M;1,1,,", "mn", "printable ASCII"),
        ("M1,pass word,,", "pw", "printable ASCII"),
        ("M1," + "p" * 33 + ",,", "pw", "1 to 32"),
        ("M1,1,PM25=pm2.5,", "codes", "unknown pollutant"),
        ("M1,1,PM25,", "codes", "is not code=value"),
        ("M1,1,,tsp=0.001", "factors", "unknown pollutant"),
        ("M1,1,,pm25=-1", "factors", "above 0"),
        ("M1,1,,pm25=inf", "factors", "finite"),
        ("M1,1,,pm25=nan", "factors", "finite"),
        ("M1,1,,pm25=x", "factors", "not a number"),
    ],
)
def test_import_refuses_bad_device_cells_naming_the_row(
    territory, tmp_path, capsys, cells, column, message
):
    path = write(tmp_path, HEAD + f"W1,x,micro,35.2,113.05,{cells}\n")
    with pytest.raises(CommandError):
        call_command("import_stations", str(path), "--commit")
    out = capsys.readouterr().out
    assert f"row 2, {column}" in out and message in out
    assert not Station.objects.exists()


def test_import_refuses_an_mn_used_twice_or_by_another_station(territory, tmp_path, capsys):
    path = write(
        tmp_path, HEAD + "W1,x,micro,35.2,113.05,MN1,1,,\nW2,y,micro,35.2,113.05,MN1,1,,\n"
    )
    with pytest.raises(CommandError):
        call_command("import_stations", str(path), "--commit")
    assert "row 3, mn: duplicate of row 2" in capsys.readouterr().out
    Station.objects.create(code="X", name="x", kind="micro", lat=35.2, lon=113.05, mn="MN1")
    path = write(tmp_path, HEAD + "W1,x,micro,35.2,113.05,MN1,1,,\n")
    with pytest.raises(CommandError):
        call_command("import_stations", str(path), "--commit")
    assert "row 2, mn: MN1 is already the device of station X" in capsys.readouterr().out


def test_clean_codes_and_factors():
    assert clean_codes({"PM25": "pm25"}) == {"PM25": "pm25"}
    assert clean_factors({"pm25": 0.001, "co": 1}) == {"pm25": 0.001, "co": 1.0}
    for bad in ([1], {"PM25": "tsp"}, {"": "pm25"}, {"a b": "pm25"}):
        with pytest.raises(ValueError):
            clean_codes(bad)
    for bad in ({"pm25": True}, {"pm25": "1"}, {"pm25": 0}, {"pm25": float("inf")}, {"x": 1}):
        with pytest.raises(ValueError):
            clean_factors(bad)


# --- the admin ----------------------------------------------------------------------------------


def admin_form(station, **changes):
    data = {
        "code": station.code,
        "name": station.name,
        "kind": station.kind,
        "lat": station.lat,
        "lon": station.lon,
        "interval_minutes": station.interval_minutes,
        "pollutants": '["pm25", "pm10", "so2", "no2", "co", "o3"]',
        "active": "on",
        "mn": "",
        "new_password": "",
        "device_codes": "{}",
        "device_factors": "{}",
    }
    data.update(changes)
    return data


@pytest.fixture
def admin_client(client, stations):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", password="pw-root-1")
    client.login(username="root", password="pw-root-1")
    return client


def test_admin_sets_a_device_password_codes_and_factors(admin_client, stations):
    m1 = stations["micro"]
    url = f"/admin/air/station/{m1.pk}/change/"
    response = admin_client.post(
        url,
        admin_form(
            m1,
            mn="LXHB0CS0306310",
            new_password="s3cret",
            device_codes='{"PM25": "pm25"}',
            device_factors='{"pm25": 0.001}',
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    m1.refresh_from_db()
    assert m1.mn == "LXHB0CS0306310" and check_password("s3cret", m1.pw_hash)
    assert m1.device_codes == {"PM25": "pm25"} and m1.device_factors == {"pm25": 0.001}
    old = m1.pw_hash
    # Saved again without a new password: the old one stays.
    admin_client.post(url, admin_form(m1, mn="LXHB0CS0306310"))
    m1.refresh_from_db()
    assert m1.pw_hash == old
    assert "s3cret" not in admin_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("device_codes", '{"PM25": "pm2.5"}', "unknown pollutant"),
        ("device_factors", '{"pm25": -0.001}', "above 0"),
        ("device_factors", '{"tsp": 1}', "unknown pollutant"),
        ("device_factors", '{"pm25": "x"}', "must be a number"),
        ("mn", "bad;mn", "printable ASCII"),
        ("new_password", "a b", "printable ASCII"),
    ],
)
def test_admin_refuses_bad_device_settings(admin_client, stations, field, value, message):
    m1 = stations["micro"]
    response = admin_client.post(
        f"/admin/air/station/{m1.pk}/change/", admin_form(m1, **{field: value})
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])


# --- the device list -------------------------------------------------------------------------


def test_device_list_is_scoped(stations, login):
    import datetime as dt

    from gridgov.air.models import DeviceStatus

    m1, n1 = stations["micro"], stations["national"]
    m1.mn = "MN-M1"
    m1.save()
    DeviceStatus.objects.create(
        station=m1,
        connected=True,
        peer="10.0.0.5:40001",
        last_packet_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        packets=12,
        answered=11,
        rejections={"crc": 1},
    )
    DeviceStatus.objects.create(station=n1, connected=False)
    east = login("east_secretary").get("/api/v1/ingest/devices").json()
    assert [d["station"] for d in east] == ["M1", "N1"]
    assert east[0]["connected"] and east[0]["rejections"] == {"crc": 1}
    assert east[0]["packets"] == 12 and east[0]["mn"] == "MN-M1"
    online = login("east_secretary").get("/api/v1/ingest/devices?connected=true").json()
    assert [d["station"] for d in online] == ["M1"]
    # West sees N1 (outside every grid) but not M1: asked for by code, M1 is as absent as a
    # station that does not exist.
    west = login("west_secretary")
    assert [d["station"] for d in west.get("/api/v1/ingest/devices").json()] == ["N1"]
    hidden = west.get("/api/v1/ingest/devices?station=M1")
    absent = west.get("/api/v1/ingest/devices?station=NOPE")
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"].replace("M1", "X") == absent.json()["detail"].replace(
        "NOPE", "X"
    )


def test_station_page_and_map_show_the_device_state(stations, login):
    from gridgov.air.models import DeviceStatus

    m1 = stations["micro"]
    m1.mn = "MN-M1"
    m1.save()
    c = login("east_secretary")
    page = c.get("/air/station/M1/").content.decode()
    assert "device-offline" in page and "MN-M1" in page
    DeviceStatus.objects.create(station=m1, connected=True, packets=5, answered=4)
    page = c.get("/air/station/M1/").content.decode()
    assert "device-online" in page
    latest = {s["code"]: s["device"] for s in c.get("/api/v1/air/latest").json()}
    assert latest == {"M1": "online", "M2": None, "N1": None}
    assert 'id="device-text"' in c.get("/air/").content.decode()


def test_offline_alarm_notes_the_device_state(stations):
    import datetime as dt

    from gridgov.air.alarms import sweep_offline
    from gridgov.air.models import Alarm, AlarmRule, DeviceStatus

    AlarmRule.objects.exclude(kind="offline").update(active=False)
    m1 = stations["micro"]
    DeviceStatus.objects.create(
        station=m1, connected=True, last_packet_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    )
    sweep_offline()
    alarm = Alarm.objects.get(station=m1)
    assert "设备在线" in alarm.note
    other = Alarm.objects.get(station=stations["micro2"])
    assert other.note == ""


# --- issue 22: CRC variant, empty password, faults on the page and the API ---------------------


def test_import_sets_the_crc_variant_and_an_empty_password(territory, tmp_path, capsys):
    head = "code,name,kind,lat,lon,mn,pw,crc\n"
    path = write(
        tmp_path,
        head + "W1,东一微站,微站,35.2,113.05,VOC2020A,-,swapped\n"
        "W2,东二微站,微站,35.21,113.05,A18HB0001,123456,\n",
    )
    call_command("import_stations", str(path), "--commit")
    w1, w2 = Station.objects.get(code="W1"), Station.objects.get(code="W2")
    assert w1.crc_variant == "swapped" and check_password("", w1.pw_hash)
    assert w2.crc_variant == "hj212" and not check_password("", w2.pw_hash)
    write(tmp_path, head + "W1,东一微站,微站,35.2,113.05,,,modbus\n")
    call_command("import_stations", str(path))
    assert "W1: crc" in capsys.readouterr().out
    call_command("import_stations", str(path), "--commit")
    w1.refresh_from_db()
    assert w1.crc_variant == "modbus" and check_password("", w1.pw_hash)
    write(tmp_path, head + "W1,东一微站,微站,35.2,113.05,,,crc32\n")
    with pytest.raises(CommandError):
        call_command("import_stations", str(path), "--commit")
    assert "hj212, modbus, swapped" in capsys.readouterr().out


def test_admin_sets_the_crc_variant_and_an_empty_password(admin_client, stations):
    m1 = stations["micro"]
    url = f"/admin/air/station/{m1.pk}/change/"
    response = admin_client.post(
        url, admin_form(m1, mn="VOC2020A", new_password="-", crc_variant="modbus")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    m1.refresh_from_db()
    assert m1.crc_variant == "modbus" and check_password("", m1.pw_hash)


def test_page_and_api_show_options_variants_untracked_codes_and_faults(stations, login):
    from gridgov.air.hj212.devices import hash_password
    from gridgov.air.models import DeviceStatus

    m1 = stations["micro"]
    m1.mn, m1.crc_variant, m1.pw_hash = "MN-M1", "swapped", hash_password("")
    m1.save()
    raw = "##0050QN=1;ST=22;CN=2051;PW=;MN=MN-M1;Flag=5;CP=&&<b>&&ABCD\r\n"
    DeviceStatus.objects.create(
        station=m1,
        packets=7,
        answered=6,
        rejections={"crc": 2},
        variants={"crc_swapped": 7, "empty_pw": 7},
        untracked={"a01001": 3, "LA": 1},
        faults=[{"at": "2026-11-20T08:00:00+00:00", "reason": "crc", "raw": raw}],
    )
    c = login("east_secretary")
    page = c.get("/air/station/M1/").content.decode()
    assert "HJ 212 高低字节互换" in page and "空密码（PW=）" in page
    assert "CRC 高低字节互换 7" in page and "空密码 7" in page
    assert "a01001 3" in page and "LA 1" in page
    assert "&lt;b&gt;" in page and "<b>" not in page.split("device-faults")[1][:400]
    (device,) = c.get("/api/v1/ingest/devices?station=M1").json()
    assert device["packets"] == 7 and device["answered"] == 6
    assert device["rejections"] == {"crc": 2}
    assert device["crc_variant"] == "swapped" and device["empty_password"] is True
    assert device["variants"] == {"crc_swapped": 7, "empty_pw": 7}
    assert device["untracked"] == {"a01001": 3, "LA": 1}
    assert device["recent_faults"] == [
        {"at": "2026-11-20T08:00:00+00:00", "reason": "crc", "raw": raw}
    ]


@pytest.mark.parametrize(
    ("entered", "cleaned"), [("", None), ("-", ""), ("s3cret", "s3cret"), ("a b", "error")]
)
def test_both_admin_forms_clean_a_new_password_the_same_way(entered, cleaned):
    """The station's and the forwarding's password cells: one field, one clean (the mixin)."""
    from django import forms

    from gridgov.air.admin import (
        ForwardStationForm,
        NewPasswordMixin,
        StationForm,
        new_password_field,
    )

    class Cell(NewPasswordMixin, forms.Form):
        new_password = new_password_field("PW", "")

    form = Cell({"new_password": entered})
    if cleaned == "error":
        assert not form.is_valid() and "printable ASCII" in str(form.errors["new_password"])
    else:
        assert form.is_valid() and form.cleaned_data["new_password"] == cleaned
    for model_form in (StationForm, ForwardStationForm):
        assert issubclass(model_form, NewPasswordMixin)
        assert isinstance(model_form.base_fields["new_password"].widget, forms.PasswordInput)
