"""Configuration from the environment, the `gridgov` command, and the embedded SQLite mode."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from gridgov import config


def test_env_bool_accepts_the_usual_spellings_and_refuses_others(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert config.env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert config.env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ValueError, match="X_FLAG"):
        config.env_bool("X_FLAG", True)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,,")
    assert config.env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    assert len(first) > 40
    assert config.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.secret_key(tmp_path) == "from-env"


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database may be in memory, where WAL is not possible.
    assert mode in {"wal", "memory"}


def run_gridgov(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "gridgov.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_cli_passes_django_commands_through_with_dashes(tmp_path):
    result = run_gridgov("help", "import-regions", env={"GRIDGOV_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "--commit" in result.stdout


def test_cli_missing_file_is_a_message_and_non_zero_exit(tmp_path):
    env = {"GRIDGOV_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    assert run_gridgov("migrate", "--no-input", env=env).returncode == 0
    result = run_gridgov("import-people", str(tmp_path / "none.xlsx"), env=env)
    assert result.returncode != 0
    assert "no such file" in result.stderr


def test_a_file_database_is_in_wal_mode(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "gridgov.cli", "migrate", "--no-input"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "GRIDGOV_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    import sqlite3

    db = sqlite3.connect(tmp_path / "gridgov.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.django_db
def test_healthz(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_connections_are_kept_with_health_checks_on_both_databases(monkeypatch):
    from gridgov import settings as gridgov_settings

    sqlite = gridgov_settings._database()
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3" or "DATABASE_URL" in os.environ
    monkeypatch.setenv("DATABASE_URL", "postgres://gridgov:secret@db.example:5432/gridgov")
    postgres = gridgov_settings._database()
    for db in (sqlite, postgres):
        assert db["CONN_MAX_AGE"] == gridgov_settings.GRIDGOV_DB_CONN_MAX_AGE > 0
        assert db["CONN_HEALTH_CHECKS"] is True
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    monkeypatch.delenv("DATABASE_URL")
    sqlite = gridgov_settings._database()
    # A kept SQLite connection still gets WAL and the write lock up front when it is opened.
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_kept_connection_age_is_read_from_the_environment(tmp_path):
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env = {**clean, "GRIDGOV_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "gridgov.settings"}
    for value, expected in (("0", "0"), ("30", "30")):
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); " + code],
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, "GRIDGOV_DB_CONN_MAX_AGE": value},
        )
        assert result.stdout.strip() == expected, result.stderr


@pytest.mark.parametrize(
    ("given", "passed"),
    [
        (["gridgov", "migrate"], ["gridgov", "migrate", "--skip-checks"]),
        (["gridgov", "migrate", "--checks"], ["gridgov", "migrate"]),
        (["gridgov", "migrate", "--skip-checks"], ["gridgov", "migrate", "--skip-checks"]),
        (["gridgov", "import-regions", "x.geojson"], ["gridgov", "import_regions", "x.geojson"]),
    ],
)
def test_cli_migrates_without_the_system_checks_unless_asked(monkeypatch, given, passed):
    import django.core.management

    from gridgov import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(django.core.management, "execute_from_command_line", seen.append)
    cli.main(given)
    assert seen == [passed]


@pytest.mark.parametrize("asked", [["help"], ["help", "--commands"], []])
def test_cli_help_lists_the_commands_as_django_does_without_starting_django(asked):
    from django.core.management import ManagementUtility

    probe = (
        "import sys\n"
        "from gridgov import cli\n"
        f"cli.main(['gridgov', *{asked!r}])\n"
        "started = [m for m in ('django.apps.registry', 'django.core.management', 'huey')"
        " if m in sys.modules]\n"
        "sys.stderr.write(repr(started))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    django_listing = ManagementUtility(["gridgov"]).main_help_text(
        commands_only="--commands" in asked
    )
    assert result.stdout == django_listing + "\n"
    assert "import_regions" in result.stdout
    assert result.stderr == "[]"  # neither Django's apps nor Huey were imported


def test_cli_help_lists_the_commands_of_every_installed_app():
    from django.apps import apps
    from django.core.management import get_commands

    from gridgov import cli

    assert cli.command_listing("gridgov", commands_only=True) == "\n".join(sorted(get_commands()))
    listing = cli.command_listing("gridgov")
    assert listing is not None
    for app in apps.get_app_configs():
        if (Path(app.path) / "management" / "commands").is_dir():
            assert f"[{app.name.rpartition('.')[-1]}]" in listing


def test_cli_help_falls_back_to_django_for_an_app_named_by_its_config_class(tmp_path):
    from django.core.management import ManagementUtility

    from gridgov import cli

    assert cli._package_dir("gridgov.web.apps.WebConfig") is None
    assert cli._package_dir("gridgov.web") == str(Path(cli.__file__).parent / "web")
    assert cli._package_dir("no_such_package.x") is None
    (tmp_path / "class_settings.py").write_text(
        "from gridgov.settings import *  # noqa\n"
        "INSTALLED_APPS = [a if a != 'gridgov.web' else 'gridgov.web.apps.WebConfig'"
        " for a in INSTALLED_APPS]\n"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "class_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
    }
    result = run_gridgov("help", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ManagementUtility(["gridgov"]).main_help_text() + "\n"


def test_the_queue_is_the_sqlite_file_in_the_data_directory(settings):
    from huey.contrib.djhuey import HUEY

    from gridgov.ops.backup import queue_file

    assert settings.HUEY["huey_class"] == "huey.SqliteHuey"
    assert HUEY.utc and not HUEY.immediate
    assert queue_file() == Path(settings.HUEY["filename"])
