"""gridgov check-deploy [--web N] [--receivers N] [--workers N]: what is misconfigured for this
deployment (gridgov/ops/deploy_check.py), one line per check; exits 1 when any check fails."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from gridgov.ops.deploy_check import Deployment, failed, parse_deployment, run_checks


class Command(BaseCommand):
    help = (
        "Check the deployment's configuration (secret key, debug, hosts, database, Redis, the "
        "replica, PostgreSQL's WAL and archive settings, jobs, static files, migrations, "
        "partitions): ok / warn / fail with the fix; exit status 1 on any fail."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        shape = "default: GRIDGOV_DEPLOYMENT"
        parser.add_argument("--web", type=int, help=f"`gridgov serve` instances ({shape})")
        parser.add_argument("--receivers", type=int, help=f"`gridgov hj212` receivers ({shape})")
        parser.add_argument("--workers", type=int, help=f"`gridgov worker`s ({shape})")

    def handle(self, *args: Any, **opts: Any) -> None:
        base = parse_deployment(settings.GRIDGOV_DEPLOYMENT)
        deployment = Deployment(
            base.web if opts["web"] is None else opts["web"],
            base.receivers if opts["receivers"] is None else opts["receivers"],
            base.workers if opts["workers"] is None else opts["workers"],
        )
        self.stdout.write(f"deployment: {deployment.describe()}")
        checks = run_checks(deployment)
        for check in checks:
            style = {"ok": self.style.SUCCESS, "warn": self.style.WARNING}.get(
                check.status, self.style.ERROR
            )
            self.stdout.write(style(check.line()))
        counts = {s: sum(c.status == s for c in checks) for s in ("ok", "warn", "fail")}
        self.stdout.write(f"{counts['ok']} ok, {counts['warn']} warn, {counts['fail']} fail")
        if failed(checks):
            raise SystemExit(1)
