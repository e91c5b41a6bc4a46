"""List sessions whose rota breaks a staffing rule; exit 1 if any does (a daily job alerts the coordinators)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kohtaamo.counsellors import rota
from kohtaamo.lib import hours


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Check the rota from one date to another: a professional at every session, work pairs in outreach."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD.")

    def handle(self, *args, start: str, end: str, **options):
        first, last = _date(start), _date(end)
        if last < first:
            raise CommandError("--to is before --from")
        with translation.override("en"):
            breaches = rota.rota_breaches(start=first, end=last)
            for planned in breaches:
                session = planned.session
                when = session.starts_at.astimezone(hours.HELSINKI).strftime("%Y-%m-%d %H:%M")
                problems = "; ".join(str(message) for message in planned.messages)
                self.stdout.write(f"{when}  {session.site.name} (session {session.pk}): {problems}")
        if breaches:
            self.stderr.write(f"{len(breaches)} session(s) break a staffing rule.")
            raise SystemExit(1)
        self.stdout.write("Every session keeps the staffing rules.")
