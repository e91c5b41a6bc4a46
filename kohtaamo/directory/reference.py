"""Load Statistics Finland's counties and municipalities (data/*.csv, see data/SOURCES.md).

Idempotent: rows are matched by code and updated, so a new year's classification can be
loaded over the old one with `manage.py load_reference_data`.
"""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Languages a site commonly serves in, by ISO 639 code, named in fi / sv / en.
# "sel" (selkokieli, plain language) has no ISO code; the three letters are our own.
LANGUAGES = [
    ("fi", "suomi", "finska", "Finnish"),
    ("sv", "ruotsi", "svenska", "Swedish"),
    ("en", "englanti", "engelska", "English"),
    ("se", "pohjoissaame", "nordsamiska", "Northern Sami"),
    ("ru", "venäjä", "ryska", "Russian"),
    ("et", "viro", "estniska", "Estonian"),
    ("uk", "ukraina", "ukrainska", "Ukrainian"),
    ("ar", "arabia", "arabiska", "Arabic"),
    ("so", "somali", "somaliska", "Somali"),
    ("fa", "persia", "persiska", "Persian"),
    ("ku", "kurdi", "kurdiska", "Kurdish"),
    ("fit", "meänkieli", "meänkieli", "Meänkieli"),
    ("fse", "suomalainen viittomakieli", "finskt teckenspråk", "Finnish Sign Language"),
    ("sel", "selkokieli", "lättläst finska", "Plain Finnish"),
]


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(county_model, municipality_model, language_model) -> dict[str, int]:
    counties = {}
    for row in read_csv("wellbeing_services_counties.csv"):
        county, _ = county_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name_fi"],
                "name_fi": row["name_fi"],
                "name_sv": row["name_sv"],
                "name_en": row["name_en"],
            },
        )
        counties[row["code"]] = county
    municipalities = read_csv("municipalities.csv")
    for row in municipalities:
        municipality_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name_fi"],
                "name_fi": row["name_fi"],
                "name_sv": row["name_sv"],
                "name_en": row["name_fi"],  # Finnish place names are used in English
                "county": counties[row["county_code"]],
            },
        )
    for code, fi, sv, en in LANGUAGES:
        language_model.objects.update_or_create(
            code=code,
            defaults={"name": fi, "name_fi": fi, "name_sv": sv, "name_en": en},
        )
    return {"counties": len(counties), "municipalities": len(municipalities), "languages": len(LANGUAGES)}
