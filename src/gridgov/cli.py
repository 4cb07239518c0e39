"""The `gridgov` console command: every Django management command, with dashes allowed.

`gridgov import-regions x.geojson` is `django-admin import_regions x.geojson`.

`gridgov migrate` skips Django's system checks (importing every URL and admin module costs more
than migrating an empty database); `gridgov serve` and `gridgov check` run them, and
`gridgov migrate --checks` asks for them.

`gridgov`, `gridgov help` and `gridgov help --commands` list the commands without starting Django
(no app, model or plug-in is imported): the list is read from the installed apps'
`management/commands` directories, exactly as Django's own listing reads it, and printed in the
same form. When that cannot be done (an installed app named by its AppConfig class, options such
as --settings, shell completion), Django lists them itself.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from importlib.util import find_spec, module_from_spec, spec_from_file_location
from typing import Any

_LISTING: tuple[list[str], ...] = ([], ["help"], ["help", "--commands"], ["--help"], ["-h"])


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    # The command name (and the one after `help`) may use dashes: import-regions.
    position = 2 if len(args) > 2 and args[1] == "help" else 1
    if len(args) > position and not args[position].startswith("-"):
        args[position] = args[position].replace("-", "_")
    if len(args) > 1 and args[1] == "migrate":
        if "--checks" in args:
            args.remove("--checks")
        elif "--skip-checks" not in args:
            args.append("--skip-checks")
    args[0] = "gridgov"
    if args[1:] in _LISTING and "DJANGO_AUTO_COMPLETE" not in os.environ:
        listing = command_listing("gridgov", commands_only=args[1:] == ["help", "--commands"])
        if listing is not None:
            sys.stdout.write(listing + "\n")
            return
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


def command_listing(prog: str, *, commands_only: bool = False) -> str | None:
    """Django's `help` listing (ManagementUtility.main_help_text), or None when the settings or
    an installed app cannot be read without starting Django."""
    commands = _commands()
    if commands is None:
        return None
    if commands_only:
        return "\n".join(sorted(commands))
    usage = [
        "",
        f"Type '{prog} help <subcommand>' for help on a specific subcommand.",
        "",
        "Available subcommands:",
    ]
    by_app: defaultdict[str, list[str]] = defaultdict(list)
    for name, app in commands.items():
        by_app["django" if app == "django.core" else app.rpartition(".")[-1]].append(name)
    style = _django_color().color_style()
    for app in sorted(by_app):
        usage.append("")
        usage.append(style.NOTICE(f"[{app}]"))
        usage.extend(f"    {name}" for name in sorted(by_app[app]))
    return "\n".join(usage)


def _commands() -> dict[str, str] | None:
    """{command: app name}, as django.core.management.get_commands() gives it after setup."""
    import importlib

    try:
        settings = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
        installed = list(settings.INSTALLED_APPS)
    except Exception:  # Django reports a broken settings module itself
        return None
    core = _package_dir("django.core.management")
    if core is None:
        return None
    commands = dict.fromkeys(_find_commands(core), "django.core")
    for app in reversed(installed):
        directory = _package_dir(app)
        if directory is None:  # not a package: an AppConfig class (its name needs an import)
            return None
        commands.update(dict.fromkeys(_find_commands(os.path.join(directory, "management")), app))
    return commands


def _django_color() -> Any:
    """django.core.management.color, read without importing django.core.management (whose
    package imports settings, checks and URL machinery)."""
    directory = _package_dir("django.core.management")
    spec = spec_from_file_location("gridgov._django_color", f"{directory}/color.py")
    if spec is None or spec.loader is None:  # pragma: no cover - Django's own file is there
        from django.core.management import color

        return color
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _package_dir(dotted: str) -> str | None:
    """The directory of a package, found without importing it (nor its parents)."""
    first, *rest = dotted.split(".")
    try:
        spec = find_spec(first)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for directory in spec.submodule_search_locations:
        path = os.path.join(directory, *rest)
        if os.path.isdir(path):
            return path
    return None


def _find_commands(management_dir: str) -> list[str]:
    """django.core.management.find_commands: the modules of `<management_dir>/commands`."""
    import pkgutil

    return [
        name
        for _, name, is_pkg in pkgutil.iter_modules([os.path.join(management_dir, "commands")])
        if not is_pkg and not name.startswith("_")
    ]


if __name__ == "__main__":
    main()
