"""`manage.py export_hsds [--output FILE] [--base-url URL]`: the public directory as an HSDS 3.0 JSON dump.

The dump holds flat tables: {"organizations", "services", "locations", "service_at_locations",
"schedules"}, with ids as strings; `import_hsds` reads it back. Internal sites are left out.
A service's `url` (its public page) needs the server's address, so it is written only with --base-url.
"""

import json
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kohtaamo.directory import hsds_mapping


class Command(BaseCommand):
    help = "Write the public directory as an HSDS 3.0 JSON dump (organizations, services, locations, schedules)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--base-url", help="the public address, e.g. https://kohtaamo.example.fi, for service URLs")

    def handle(self, *args, output: str | None = None, base_url: str | None = None, **options):
        url_for = None
        if base_url:
            parts = urlsplit(base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise CommandError(
                    f"--base-url must be an http(s) address like https://kohtaamo.example.fi, not {base_url}"
                )
            root = base_url.rstrip("/")

            def url_for(site):
                return root + site.get_absolute_url()

        # Finnish pages have no language prefix, and the HSDS texts are Finnish.
        with translation.override("fi"):
            try:
                dump = hsds_mapping.dump(url_for=url_for)
            except hsds_mapping.DuplicateKey as error:
                raise CommandError(str(error)) from None
        text = json.dumps(dump, ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(
                f"Wrote {len(dump['services'])} services and {len(dump['organizations'])} organizations to {output}."
            )
        else:
            self.stdout.write(text, ending="")
