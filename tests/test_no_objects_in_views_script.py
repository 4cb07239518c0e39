"""scripts/no_objects_in_views.py on a small package made here, and once on the project."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "no_objects_in_views.py"

CLEAN_VIEW = """\
from app.models import Thing


def page(request):
    things = Thing.objects.for_user(request.user).filter(active=True)
    return list(things)
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def package(tmp_path: Path, **extra: str) -> Path:
    """Views and API modules that read only through for_user; .objects reads in modules that
    are not views (models, services) are none of the script's business."""
    return write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "app/__init__.py": "",
            "app/models.py": "class Thing:\n    objects = None\n",
            "app/services.py": "from app.models import Thing\n\nALL = Thing.objects.all()\n",
            "app/views.py": CLEAN_VIEW,
            "app/api.py": CLEAN_VIEW,
            "app/review_views.py": CLEAN_VIEW,
            "app/regions_api.py": CLEAN_VIEW,
            **extra,
        },
    )


def test_a_clean_tree_passes(tmp_path):
    result = run("--root", str(package(tmp_path)))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [".objects reads in views and API modules: 0"]


def test_every_read_past_for_user_is_listed_with_its_line(tmp_path):
    root = package(
        tmp_path,
        **{
            "app/views.py": CLEAN_VIEW
            + "\n\ndef other(request, pk):\n"
            + "    one = Thing.objects.filter(pk=pk).first()\n"  # line 10
            + "    mine = Thing.objects.for_user(request.user)\n"  # allowed
            + "    manager = Thing.objects\n",  # line 12: the manager itself
            "app/stats_api.py": "from app import services\n\n"
            "def rows():\n    return services.Thing.objects.none()\n",  # line 4
            "app/apikit.py": "from app.models import Thing\n\nX = Thing.objects.count()\n",
            "app/api/__init__.py": "",  # a package named api: its modules are not api*.py
            "app/api/helpers.py": "from app.models import Thing\n\nY = Thing.objects.all()\n",
        },
    )
    result = run("--root", str(root))

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "pkg/app/apikit.py:3: Thing.objects",
        "pkg/app/stats_api.py:4: services.Thing.objects",
        "pkg/app/views.py:10: Thing.objects",
        "pkg/app/views.py:12: Thing.objects",
        ".objects reads in views and API modules: 4",
        "read through Model.objects.for_user(user) or the app's query functions",
    ]


def test_for_user_on_something_else_does_not_excuse_objects(tmp_path):
    # .objects.for_user must be called on the manager itself: a for_user further down the
    # chain (after a filter) still reads everything first.
    view = "def page(request):\n    return Thing.objects.filter(a=1).for_user(request.user)\n"
    result = run("--root", str(package(tmp_path, **{"app/views.py": view})))

    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "pkg/app/views.py:2: Thing.objects"


def test_a_missing_folder_is_exit_2(tmp_path):
    result = run("--root", str(tmp_path / "nothing"))

    assert result.returncode == 2
    assert "no such folder" in result.stderr


def test_the_project_reads_through_for_user():
    result = run()

    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == ".objects reads in views and API modules: 0"
