"""`manage.py refresh_stats`: bring the statistics rollups up to date (idempotent; run by a timer)."""

import time

from django.core.management.base import BaseCommand

from kohtaamo.stats import rollups


class Command(BaseCommand):
    help = "Bring the statistics rollups up to date: new encounters, edits, deletions and recent tallies."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recompute all rollups from the raw rows.")
        parser.add_argument(
            "--recent-days",
            type=int,
            default=2,
            help="Days back from today whose visitor tallies are recomputed whatever else (default 2).",
        )

    def handle(self, *args, rebuild: bool = False, recent_days: int = 2, **options):
        began = time.monotonic()
        result = rollups.rebuild_all() if rebuild else rollups.refresh(recent_days=recent_days)
        self.stdout.write(
            f"Statistics refreshed: {result.site_months} site months, {result.area_months} county months "
            f"in {time.monotonic() - began:.1f} s."
        )
