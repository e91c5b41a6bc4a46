"""Demo data of the reports app: seed 004's A-kilta cost and one narrative, for the last full quarter.

Idempotent: rows are found by their natural keys and a second run changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kohtaamo.directory.models import Municipality, Organisation, Site
from kohtaamo.reports.areas import last_full_quarter
from kohtaamo.reports.models import Narrative, SessionSeriesCost

# Seed 004: "Kahdeksan kerran ohjaus- ja neuvontatyö ostopalveluna A-killalta kustantaa 3 200 euroa."
COST_DESCRIPTION = "Yhteisöneuvonta ostopalveluna, ke 9–11 (8 kertaa)"
NARRATIVE = {
    "summary": (
        "Yhteisöneuvonta jatkui Tampereella Hervannassa, Multisillassa, Hatanpäällä, Nekalassa ja Annalassa. "
        "Eniten apua tarvittiin viranomaisten sähköisissä palveluissa, etuuksissa ja asumisessa."
    ),
    "observations": (
        "Multisillan alueella ei ole sote-keskusta eikä lähitoria lähivuosina, joten yhteisöneuvonta on "
        "alueen ainoa matalan kynnyksen palvelu. Aikuissosiaalityön työntekijä on aina mukana."
    ),
    "proposals": "Multisillan yhteisöneuvonnan jatkuvuus turvataan myös seuraavalla kaudella.",
}


@transaction.atomic
def load_demo() -> tuple[int, int]:
    """(costs created, narratives created)."""
    quarter = last_full_quarter(timezone.localdate())
    created_costs = created_narratives = 0
    site = Site.objects.filter(name_fi="Yhteisöneuvonta Multisilta (Suklis)").first()
    if site is not None:
        _cost, created = SessionSeriesCost.objects.get_or_create(
            site=site,
            description=COST_DESCRIPTION,
            date_from=quarter.date_from,
            defaults={
                "supplier": Organisation.objects.filter(short_name="A-kilta").first(),
                "date_to": quarter.date_to,
                "sessions": 8,
                "amount": Decimal("3200.00"),
            },
        )
        created_costs += created
    tampere = Municipality.objects.get(code="837")
    _narrative, created = Narrative.objects.get_or_create(
        municipality=tampere, date_from=quarter.date_from, date_to=quarter.date_to, defaults=NARRATIVE
    )
    created_narratives += created
    return created_costs, created_narratives
