"""The files in deploy/ stay valid: HAProxy accepts its configuration, systemd its units, the
shell scripts parse, and every PostgreSQL setting named exists on the server. (The PITR drill
itself, deploy/pitr-drill.sh, is run by hand: docs/deploy.md quotes its output.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def tool(name: str) -> str:
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else "")
    if not path:
        pytest.skip(f"{name} is not installed (Debian package: {name})")
    return path


def test_haproxy_accepts_the_configuration():
    out = subprocess.run(
        [tool("haproxy"), "-c", "-f", str(DEPLOY / "haproxy" / "gridgov.cfg")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Configuration file is valid" in out.stdout + out.stderr


def test_haproxy_backends_match_the_unit_instances_and_check_health():
    cfg = (DEPLOY / "haproxy" / "gridgov.cfg").read_text()
    assert "http-check send meth GET uri /healthz" in cfg
    hj212 = cfg[cfg.index("backend gridgov_hj212") :]
    assert "mode tcp" in hj212 and "balance leastconn" in hj212 and "tcp-check connect" in hj212


def test_haproxy_names_the_devices_to_the_receivers_and_the_env_example_trusts_it():
    """send-proxy-v2 on the receivers (their health check too, as a LOCAL header) goes with
    GRIDGOV_HJ212_PROXY_PROTOCOL_FROM in the example environment: one without the other
    refuses every device, or sees only HAProxy."""
    cfg = (DEPLOY / "haproxy" / "gridgov.cfg").read_text()
    hj212 = cfg[cfg.index("backend gridgov_hj212") : cfg.index("frontend stats")]
    servers = [
        line
        for line in hj212.splitlines()
        if line.strip().startswith(("server ", "default-server"))
    ]
    assert any("send-proxy-v2" in line and "check-send-proxy" in line for line in servers)
    assert "tcp-check connect default" in hj212  # the check takes the servers' options
    web = cfg[cfg.index("backend gridgov_web") : cfg.index("frontend hj212")]
    assert "send-proxy" not in web
    env = (DEPLOY / "gridgov.env.example").read_text()
    assert "\nGRIDGOV_HJ212_PROXY_PROTOCOL_FROM=127.0.0.1/32\n" in env


def test_systemd_accepts_the_units(tmp_path):
    analyze = tool("systemd-analyze")
    gridgov = Path(sys.executable).with_name("gridgov")
    env_file = tmp_path / "gridgov.env"
    env_file.write_text("DEBUG=false\n")
    names = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text()
        text = text.replace("/opt/gridgov/venv/bin/gridgov", str(gridgov))
        text = text.replace("/etc/gridgov/gridgov.env", str(env_file))
        text = text.replace("/opt/gridgov/deploy/", str(DEPLOY) + "/")
        (tmp_path / unit.name).write_text(text)
        names.append(unit.name.replace("@.", "@1."))
    for name in names:
        if "@1." in name:
            shutil.copy(tmp_path / name.replace("@1.", "@."), tmp_path / name)
    out = subprocess.run(
        [analyze, "verify", *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("script", ["pitr-drill.sh", "pg-basebackup.sh", "haproxy/smoke.sh"])
def test_the_scripts_parse(script):
    shell = (DEPLOY / script).read_text().splitlines()[0].rpartition("/")[2]  # sh or bash
    out = subprocess.run([tool(shell), "-n", str(DEPLOY / script)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_every_postgresql_setting_exists_on_the_server():
    psql = tool("psql")
    conf = (DEPLOY / "postgresql" / "gridgov.conf").read_text()
    names = re.findall(r"^([a-z_]+) = ", conf, flags=re.MULTILINE)
    assert {"wal_level", "archive_mode", "archive_command", "max_wal_size"} <= set(names)
    url = os.environ.get("GRIDGOV_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    out = subprocess.run(
        [psql, url, "-XAtc", "SELECT name FROM pg_settings"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if out.returncode != 0:
        pytest.skip(f"no PostgreSQL server to ask: {out.stderr.strip()}")
    assert {n.lower() for n in names} - set(out.stdout.lower().split()) == set()  # "TimeZone"
