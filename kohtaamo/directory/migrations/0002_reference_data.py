from django.db import migrations


def load_reference_data(apps, schema_editor):
    from kohtaamo.directory import reference

    reference.load(
        apps.get_model("directory", "WellbeingServicesCounty"),
        apps.get_model("directory", "Municipality"),
        apps.get_model("directory", "Language"),
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(load_reference_data, migrations.RunPython.noop)]
