"""The `gridgov` console command: every Django management command, with dashes allowed.

`gridgov import-regions x.geojson` is `django-admin import_regions x.geojson`.

`gridgov migrate` skips Django's system checks (importing every URL and admin module costs more
than migrating an empty database); `gridgov serve` and `gridgov check` run them, and
`gridgov migrate --checks` asks for them.
"""

from __future__ import annotations

import os
import sys


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
    from django.core.management import execute_from_command_line

    args[0] = "gridgov"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
