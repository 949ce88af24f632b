"""Cités imported before the governance module existed get their troïka (new ones get it on creation)."""

from django.db import migrations

from maillage.governance.signals import TROIKA_DESCRIPTION, TROIKA_NAME


def create_troikas(apps, schema_editor):
    Cite = apps.get_model("territories", "Cite")
    Body = apps.get_model("governance", "Body")
    having = set(Body.objects.filter(kind="troika").values_list("cite_id", flat=True))
    Body.objects.bulk_create(
        [
            Body(cite_id=pk, kind="troika", name=TROIKA_NAME, description=TROIKA_DESCRIPTION)
            for pk in Cite.objects.values_list("pk", flat=True)
            if pk not in having
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial"), ("territories", "0001_initial")]

    operations = [migrations.RunPython(create_troikas, migrations.RunPython.noop)]
