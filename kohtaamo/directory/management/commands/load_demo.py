"""`manage.py load_demo`: the demo sites, hours and logins of kohtaamo.directory.demo (idempotent)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kohtaamo.directory import demo


class Command(BaseCommand):
    help = "Load the demo organisations, sites, opening hours and logins. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even when DEBUG is off (the demo logins share one password)."
        )

    def handle(self, *args, force: bool = False, **options):
        # The demo logins have a published password, so they must never appear in production by accident.
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates logins whose password is published (kohtaamo-demo), so it runs only with "
                "DEBUG on. Use --force if you really want the demo data in this database."
            )
        summary = demo.load_demo()
        self._load_statistics()
        from kohtaamo.reports import demo as reports_demo

        costs, narratives = reports_demo.load_demo()
        self.stdout.write(f"Reports demo: {costs} session costs and {narratives} narratives added.")
        self.stdout.write(
            f"Demo data: {summary.sites} sites, {summary.rules} opening-hours rules, "
            f"{summary.organisations} organisations, {len(summary.users)} users "
            f"({summary.created} rows created, {summary.updated} updated, {summary.deleted} deleted)."
        )
        width = max(len(username) for username, _role in summary.users)
        role_width = max(len(str(role)) for _username, role in summary.users)
        self.stdout.write("")
        self.stdout.write(f"  {'username':<{width}}  {'role':<{role_width}}  password")
        self.stdout.write(f"  {'-' * width}  {'-' * role_width}  {'-' * len(demo.PASSWORD)}")
        for username, role in summary.users:
            self.stdout.write(f"  {username:<{width}}  {role!s:<{role_width}}  {demo.PASSWORD}")
        port = os.environ.get("PORT", "8000")
        self.stdout.write("")
        self.stdout.write(
            f"Log in at http://127.0.0.1:{port}/accounts/login/ (the Django admin is at /admin/, as demo-admin)."
        )

    def _load_statistics(self) -> None:
        # A year of synthetic encounters for the statistics dashboard, once: a second run leaves them alone.
        from kohtaamo.encounters.models import Encounter
        from kohtaamo.stats import rollups, synthetic

        if not Encounter.objects.exists():
            made = synthetic.encounters_generate(count=8000, seed=2026)
            self.stdout.write(f"Statistics demo: {made.encounters} synthetic encounters over the past year.")
        rollups.refresh()
