"""`manage.py generate_encounters --count N --seed S`: synthetic encounters for demos and benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from kohtaamo.stats import rollups, synthetic


class Command(BaseCommand):
    help = "Add about N synthetic encounters (seasons, weekdays, site sizes, a mix of matters) at the existing sites."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--days", type=int, default=365, help="Spread over this many days up to yesterday.")

    def handle(self, *args, count: int, seed: int, days: int, **options):
        if count < 0 or days < 1:
            raise CommandError("--count must be 0 or more and --days 1 or more.")
        made = synthetic.encounters_generate(count=count, seed=seed, days=days)
        rollups.refresh()
        self.stdout.write(f"Generated {made.encounters} encounters in {made.sessions} sessions, {made.wishes} wishes.")
