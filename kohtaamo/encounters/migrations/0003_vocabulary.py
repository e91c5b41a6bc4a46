from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("encounters", "Vocabulary").objects.create(pk=1, version="initial")


class Migration(migrations.Migration):
    dependencies = [
        ("encounters", "0002_seed_terms"),
    ]

    operations = [
        migrations.CreateModel(
            name="Vocabulary",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
