"""gridgov export-people -o FILE.xlsx [--user NAME] [--all]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.core.dbrouter import replica_reads
from gridgov.people.models import Post
from gridgov.people.roster import roster_workbook
from gridgov.people.scope import posts_for


class Command(BaseCommand):
    help = "Export the roster (one row per person and post) to Excel."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--user", help="export only what this account may see")
        parser.add_argument("--all", action="store_true", help="include ended posts (history)")

    @replica_reads()  # an export: the read replica when there is one
    def handle(self, *args: Any, **opts: Any) -> None:
        out: Path = opts["output"]
        if out.suffix.lower() != ".xlsx":
            raise CommandError("output must end in .xlsx")
        posts: Any = Post.objects.all()
        show_full = True
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"--user: no account {opts['user']!r}")
            posts = posts_for(user)
            show_full = user.has_perm("people.view_full_id_number")
        if not opts["all"]:
            posts = posts.current()
        posts = posts.select_related("person", "post_type", "region").order_by(
            "region__code", "post_type__rank", "person__name"
        )
        out.write_bytes(roster_workbook(posts, show_full_id=show_full))
        self.stdout.write(f"Wrote {posts.count()} posts to {out}")
