"""gridgov station-token CODE [--revoke]: issue (shown once) or revoke a station's token."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.air.models import Station
from gridgov.air.stations import issue_token, refused_within, revoke_token


class Command(BaseCommand):
    help = "Issue a new ingestion token for a station (the old one stops working), or revoke it."
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        station = Station.objects.filter(code=opts["code"]).first()
        if station is None:
            raise CommandError(f"no station with code {opts['code']!r}")
        if opts["revoke"]:
            revoke_token(station)
            self.stdout.write(f"Token of {station.code} revoked{refused_within()}.")
            return
        self.stdout.write(issue_token(station))
