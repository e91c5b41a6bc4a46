"""Top the scratch database up to a county-sized directory: `python -m bench.data --sites 120` (prints JSON).

Run in the scratch environment after `manage.py load_demo --force`: the demo has some thirty real sites; a
wellbeing services county lists a few hundred, so the list page must show a full page of 50 and paginate.
The synthetic sites get weekly hours, partners, languages and an exception, as real ones do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random

import django

STAFF_USERNAME, STAFF_PASSWORD = "bench-coordinator", "bench-password-not-a-secret"


def top_up(target: int, seed: int = 2026) -> dict:
    from django.db import transaction
    from django.db.models import Count

    from kohtaamo.accounts.models import Role, User
    from kohtaamo.directory.models import Language, Municipality, OpeningException, OpeningRule, Organisation, Site

    rng = random.Random(seed)
    municipalities = list(Municipality.objects.filter(county__code__in=["08", "05", "12"]))
    organisations = list(Organisation.objects.all()) or [
        Organisation.objects.create(name=f"Yhdistys {n}", kind=Organisation.Kind.NGO) for n in range(1, 6)
    ]
    languages = list(Language.objects.filter(code__in=["fi", "sv", "en", "ru", "uk"]))
    kinds = [choice for choice, _label in Site.Kind.choices]
    activities = ["counselling", "open_doors", "breakfast", "group", "cafe"]
    today = dt.date.today()
    with transaction.atomic():
        for n in itertools.count(Site.objects.count() + 1):
            if Site.objects.count() >= target:
                break
            municipality = rng.choice(municipalities)
            site = Site.objects.create(
                name=f"Kohtaamispaikka {municipality.name_fi} {n}",
                kind=rng.choice(kinds),
                municipality=municipality,
                street_address=f"Kauppakatu {n}",
                postal_code=f"{33000 + n:05}",
                post_office=municipality.name_fi,
                description="Matalan kynnyksen kohtaamispaikka: tule sellaisena kuin olet, ilman ajanvarausta.",
                accessibility="Esteetön sisäänkäynti, induktiosilmukka.",
                phone=f"+358 40 {n:07}",
            )
            site.organisations.set(rng.sample(organisations, k=min(2, len(organisations))))
            site.languages.set(rng.sample(languages, k=min(2, len(languages))))
            for slot in range(rng.randint(1, 3)):
                rule = OpeningRule.objects.create(
                    site=site,
                    weekdays=sorted(rng.sample(range(1, 6), k=rng.randint(1, 3))),
                    starts=dt.time(9 + 3 * slot),
                    ends=dt.time(11 + 3 * slot),
                    activity=rng.choice(activities),
                )
                rule.partners.set(rng.sample(organisations, k=min(rng.randint(0, 2), len(organisations))))
            OpeningException.objects.create(site=site, date=today + dt.timedelta(days=rng.randint(1, 20)), closed=True)
    if not User.objects.filter(username=STAFF_USERNAME).exists():
        User.objects.create_user(
            STAFF_USERNAME, password=STAFF_PASSWORD, role=Role.COORDINATOR, county=municipalities[0].county
        )
    richest = (
        Site.objects.public()
        .annotate(rules=Count("opening_rules", distinct=True), partners=Count("opening_rules__partners"))
        .order_by("-rules", "-partners", "pk")
        .first()
    )
    return {
        "sites": Site.objects.count(),
        "public_sites": Site.objects.public().count(),
        "rules": OpeningRule.objects.count(),
        "site_id": richest.pk,
        "site_name": richest.name,
        "site_rules": richest.rules,
        "site_partner_links": richest.partners,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=120)
    args = parser.parse_args()
    django.setup()
    print(json.dumps(top_up(args.sites)))


if __name__ == "__main__":
    main()
