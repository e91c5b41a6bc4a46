from django.core.management.base import BaseCommand

from kohtaamo.directory import reference
from kohtaamo.directory.models import Language, Municipality, WellbeingServicesCounty


class Command(BaseCommand):
    help = "Load or update counties, municipalities and languages from the shipped data files."

    def handle(self, *args, **options):
        counts = reference.load(WellbeingServicesCounty, Municipality, Language)
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()))
