"""The `gridgov` console command: every Django management command, with dashes allowed.

`gridgov import-regions x.geojson` is `django-admin import_regions x.geojson`.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    args[0] = "gridgov"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
