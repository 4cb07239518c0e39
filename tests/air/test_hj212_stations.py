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
