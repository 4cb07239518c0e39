"""gridgov open311-key create NAME | list | revoke NAME: Open311 API keys."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.open311.models import ApiKey


class Command(BaseCommand):
    help = "Create (shown once), list or revoke Open311 API keys."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a key; it is printed once")
        create.add_argument("name")
        sub.add_parser("list", help="keys and whether they are revoked")
        revoke = sub.add_parser("revoke", help="revoke a key by its name")
        revoke.add_argument("name")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "create":
            name = opts["name"].strip()
            if not name:
                raise CommandError("the key needs a name")
            if ApiKey.objects.filter(name=name).exists():
                raise CommandError(f"a key named {name!r} exists; revoke it or pick another name")
            _key, raw = ApiKey.issue(name)
            self.stdout.write(raw)
            self.stderr.write("Keep this key now: only its hash is stored.")
        elif action == "list":
            for listed in ApiKey.objects.all():
                state = "revoked" if listed.revoked_at else "active"
                self.stdout.write(
                    f"{listed.name}\t{listed.prefix}…\t{state}\t{listed.created_at:%Y-%m-%d}"
                )
        else:
            key = ApiKey.objects.filter(name=opts["name"]).first()
            if key is None:
                raise CommandError(f"no key named {opts['name']!r}")
            key.revoke()
            self.stdout.write(f"revoked {key.name}")
