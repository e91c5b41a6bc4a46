from django.db import migrations


def seed(apps, schema_editor):
    from kohtaamo.encounters.taxonomies import seed_terms

    seed_terms(apps.get_model("encounters", "Term"))


class Migration(migrations.Migration):
    dependencies = [("encounters", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
