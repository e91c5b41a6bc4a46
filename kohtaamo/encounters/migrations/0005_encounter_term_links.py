"""The encounter's four term fields get through models of their own (models.EncounterTerm), on the same tables.

Django's automatic through tables index encounter_id alone, which the unique (encounter_id, term_id) index
already serves, and term_id, by which the app never looks a link up. Both indexes are dropped; the tables,
their rows and the unique index stay as they are. The state changes say what the models say (no data is
copied: AlterField would remake each table on SQLite). The index names are the ones Django gave them in
0001, the same on SQLite and PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models

# field: (index on encounter_id, index on term_id)
INDEXES = {
    "topics": ("encounters_encounter_topics_encounter_id_681dfdf3", "encounters_encounter_topics_term_id_5e6db885"),
    "help_forms": (
        "encounters_encounter_help_forms_encounter_id_8d735579",
        "encounters_encounter_help_forms_term_id_9f1ffe88",
    ),
    "referrals": (
        "encounters_encounter_referrals_encounter_id_e8255252",
        "encounters_encounter_referrals_term_id_5df56735",
    ),
    "more_info": (
        "encounters_encounter_more_info_encounter_id_1ca49319",
        "encounters_encounter_more_info_term_id_6f5731dc",
    ),
}
# field: (model, kind, related name, verbose name, blank)
FIELDS = {
    "topics": ("EncounterTopic", "topic", "topic_encounters", "matters", False),
    "help_forms": ("EncounterHelpForm", "help_form", "help_form_encounters", "forms of help", True),
    "referrals": ("EncounterReferral", "referral", "referral_encounters", "referrals", True),
    "more_info": ("EncounterMoreInfo", "more_info", "more_info_encounters", "information needed on", True),
}


def _state(field: str) -> list:
    model, kind, related_name, verbose_name, blank = FIELDS[field]
    return [
        migrations.CreateModel(
            name=model,
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "encounter",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="encounters.encounter",
                    ),
                ),
                (
                    "term",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="encounters.term",
                    ),
                ),
            ],
            options={
                "db_table": f"encounters_encounter_{field}",
                "abstract": False,
                "unique_together": {("encounter", "term")},
            },
        ),
        migrations.AlterField(
            model_name="encounter",
            name=field,
            field=models.ManyToManyField(
                blank=blank,
                limit_choices_to={"kind": kind},
                related_name=related_name,
                through=f"encounters.{model}",
                to="encounters.term",
                verbose_name=verbose_name,
            ),
        ),
    ]


def _database(field: str) -> list:
    table = f"encounters_encounter_{field}"
    return [
        migrations.RunSQL(f"DROP INDEX IF EXISTS {index}", f"CREATE INDEX {index} ON {table} ({column})")
        for index, column in zip(INDEXES[field], ("encounter_id", "term_id"), strict=True)
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("encounters", "0004_encounter_site_no_own_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[operation for field in FIELDS for operation in _state(field)],
            database_operations=[operation for field in FIELDS for operation in _database(field)],
        ),
    ]
