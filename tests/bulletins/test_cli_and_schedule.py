"""`gridgov bulletin` and the worker's schedule (bulletins and inbox notices)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from gridgov.bulletins import services
from gridgov.bulletins.models import Bulletin
from gridgov.bulletins.tasks import bulletins_due
from gridgov.inbox.models import Notification


def test_cli_writes_the_pdf_and_the_xlsx(territory, air_data, tmp_path, capsys):
    out = tmp_path / "nov.pdf"
    call_command("bulletin", "--period", "month", "--date", "2026-11-30", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    xlsx = tmp_path / "nov.xlsx"
    call_command(
        "bulletin", "--period", "month", "--date", "2026-11-30", "--region", "D-S1", "-o", str(xlsx)
    )
    assert xlsx.read_bytes()[:2] == b"PK"
    assert Bulletin.objects.count() == 2
    assert "已" not in capsys.readouterr().err  # nothing but the spinner on stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-02-30", "-o", "x.pdf"], "--date"),
        (["--date", "yesterday", "-o", "x.pdf"], "--date"),
        (["--date", "2099-01-01", "-o", "x.pdf"], "in the future"),
        (["--date", "2026-11-30", "--region", "NOPE", "-o", "x.pdf"], "--region"),
        (["--date", "2026-11-30", "--region", "D-S1-C1", "-o", "x.pdf"], "--region"),
        (["--date", "2026-11-30", "-o", "x.docx"], "must end in .pdf or .xlsx"),
        (["--date", "2026-11-30", "-o", "/missing/dir/x.pdf"], "-o: the folder /missing/dir"),
        (["--date", "2026-11-30", "-o", "."], "must end in"),
    ],
)
def test_cli_refuses_bad_input_clearly(territory, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError) as caught:
        call_command("bulletin", "--period", "day", *args)
    assert message in str(caught.value)
    assert not Bulletin.objects.exists()


def test_a_missing_output_folder_is_a_message_and_exit_1_not_a_traceback(tmp_path):
    """The real command line: `gridgov bulletin -o /missing/dir/x.pdf`."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "GRIDGOV_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}  # fmt: skip
    target = tmp_path / "missing" / "x.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "gridgov.cli", "bulletin", "--period", "day", "--date",
         "2026-11-30", "-o", str(target)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"-o: the folder {target.parent} does not exist" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.parent.exists() and not (tmp_path / "cli.sqlite3").exists()


def test_the_schedule_makes_yesterdays_bulletins_and_sends_notices(territory, people, s1_official):
    made = services.run_schedule(dt.date(2026, 11, 20))  # a Friday: daily bulletins only
    assert sorted((b.region.code, b.kind, b.start) for b in made) == [
        ("D", "day", dt.date(2026, 11, 19)),
        ("D-S1", "day", dt.date(2026, 11, 19)),
        ("D-S2", "day", dt.date(2026, 11, 19)),
    ]
    notices = Notification.objects.filter(kind=Notification.Kind.BULLETIN)
    # The district's office (the command centre) and 东街道's official; 西街道 has no one.
    assert sorted((n.person.name, n.key) for n in notices) == sorted(
        [
            ("指挥长", f"bulletin:{made[0].pk}"),
            ("街道主任", f"bulletin:{made[1].pk}"),
        ]
    )
    assert services.run_schedule(dt.date(2026, 11, 20)) == []
    assert notices.count() == 2 and Bulletin.objects.count() == 3


def test_mondays_add_the_week_and_the_first_the_month(territory):
    assert services.due_kinds(dt.date(2026, 11, 16)) == ["day", "week"]
    assert services.due_kinds(dt.date(2026, 12, 1)) == ["day", "month"]
    made = services.run_schedule(dt.date(2026, 6, 1))  # a Monday and the 1st
    district = sorted((b.kind, b.start, b.end) for b in made if b.region.code == "D")
    assert district == [
        ("day", dt.date(2026, 5, 31), dt.date(2026, 5, 31)),
        ("month", dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
        ("week", dt.date(2026, 5, 25), dt.date(2026, 5, 31)),
    ]


def test_the_schedule_runs_at_eight_china_time(settings):
    assert bulletins_due(dt.datetime(2026, 11, 20, 0, 0))  # 08:00 CST, Huey's UTC clock
    assert not bulletins_due(dt.datetime(2026, 11, 20, 0, 1))
    assert not bulletins_due(dt.datetime(2026, 11, 20, 8, 0))
    settings.GRIDGOV_BULLETIN_HOUR = -1
    assert not bulletins_due(dt.datetime(2026, 11, 20, 0, 0))
