"""Blank encounter notes older than NOTE_RETENTION_DAYS. Run daily (cron or a systemd timer, docs/privacy.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kohtaamo.encounters.services import notes_purge


class Command(BaseCommand):
    help = "Blank the notes of encounters older than the retention period (NOTE_RETENTION_DAYS). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help=f"Retention in days (default {settings.NOTE_RETENTION_DAYS})."
        )

    def handle(self, *args, days: int | None = None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        count = notes_purge(retention_days=days)
        self.stdout.write(f"Blanked {count} note(s).")
