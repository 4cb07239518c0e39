"""gridgov intake-system create CODE NAME --kind camera|satellite|hotline | token CODE | list |
off CODE: the external systems that send detections; `create` and `token` print a new token
once (only its hash is stored)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov import inputs
from gridgov.intake.models import IntakeSystem, SystemKind


class Command(BaseCommand):
    help = "Create, list or switch off intake systems; issue a system's token (shown once)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new system and its token")
        create.add_argument("code")
        create.add_argument("name")
        create.add_argument("--kind", required=True, choices=[k.value for k in SystemKind])
        token = sub.add_parser("token", help="a new token (the old one stops working)")
        token.add_argument("code")
        sub.add_parser("list")
        off = sub.add_parser("off", help="refuse the system's posts from now on")
        off.add_argument("code")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "list":
            for s in IntakeSystem.objects.all():
                state = "active" if s.active else "off"
                self.stdout.write(f"{s.code}\t{s.kind}\t{s.prefix}…\t{state}\t{s.name}")
            return
        code = opts["code"].strip()
        try:
            inputs.check_text("code", code, 40)
        except inputs.InputError as exc:
            raise CommandError(exc.message) from None
        if action == "create":
            if IntakeSystem.objects.filter(code=code).exists():
                raise CommandError(f"a system {code!r} exists; use `token {code}` for a new token")
            system = IntakeSystem.objects.create(code=code, name=opts["name"], kind=opts["kind"])
        else:
            found = IntakeSystem.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"no system {code!r}")
            system = found
            if action == "off":
                system.active = False
                system.save(update_fields=["active"])
                self.stdout.write(f"{code} switched off")
                return
        self.stdout.write(system.issue_token())
        self.stderr.write("Keep this token now: only its hash is stored.")
