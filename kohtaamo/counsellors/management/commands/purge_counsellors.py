"""Erase counsellors whose retention period has run out (COUNSELLOR_RETENTION_DAYS after they stopped). Run daily."""

from django.core.management.base import BaseCommand

from kohtaamo.counsellors import gdpr


class Command(BaseCommand):
    help = "Erase the identity of counsellors who stopped more than the retention period ago. Idempotent."

    def handle(self, *args, **options):
        count = gdpr.profiles_purge()
        self.stdout.write(f"Erased {count} profile(s) past the retention period ({gdpr.retention_days()} days).")
