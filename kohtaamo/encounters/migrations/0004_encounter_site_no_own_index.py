"""Drop the index on encounters_encounter.site_id alone: the (site_id, occurred_at) index serves the same lookups.

Written as SQL rather than AlterField, which on SQLite copies the whole table (a million rows and more).
The name is the one Django gave the index in 0001 (the same on SQLite and PostgreSQL).
"""

from django.db import migrations, models

INDEX = "encounters_encounter_site_id_648dfabf"


class Migration(migrations.Migration):
    dependencies = [
        ("encounters", "0003_vocabulary"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="encounter",
                    name="site",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="encounters",
                        to="directory.site",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    f"CREATE INDEX {INDEX} ON encounters_encounter (site_id)",
                ),
            ],
        ),
    ]
