"""gridgov gateway-token NAME [--stations A,B] [--region CODE] [--revoke]: create or update a
data gateway (数据网关) and issue its token (shown once), or revoke it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from gridgov.air.gateways import issue_gateway_token, revoke_gateway_token
from gridgov.air.models import Gateway, Station
from gridgov.air.stations import refused_within
from gridgov.territory.models import Region


class Command(BaseCommand):
    help = (
        "Create or update a gateway that posts readings for several stations, and issue its "
        "token (the old one stops working); --revoke ends it."
    )
    requires_system_checks: list[str] = []  # a one-shot command: no URL/admin checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--stations", default="", help="station codes, comma-separated")
        parser.add_argument("--region", default="", help="region code: all its stations")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        name = opts["name"].strip()
        if opts["revoke"]:
            gateway = Gateway.objects.filter(name=name).first()
            if gateway is None:
                raise CommandError(f"no gateway named {name!r}")
            revoke_gateway_token(gateway)
            self.stdout.write(f"Token of gateway {name} revoked{refused_within()}.")
            return
        codes = [c.strip() for c in opts["stations"].split(",") if c.strip()]
        stations = list(Station.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {s.code for s in stations})
        if missing:
            raise CommandError(f"no station with code(s): {', '.join(missing)}")
        region = None
        if opts["region"]:
            region = Region.objects.filter(code=opts["region"]).first()
            if region is None:
                raise CommandError(f"no region with code {opts['region']!r}")
        with transaction.atomic():
            gateway, created = Gateway.objects.get_or_create(name=name)
            if created and not (codes or region):
                raise CommandError("a new gateway needs --stations or --region")
            if codes:
                gateway.stations.set(stations)
            if region is not None:
                gateway.region = region
                gateway.save(update_fields=["region"])
            raw = issue_gateway_token(gateway)
        self.stdout.write(raw)
