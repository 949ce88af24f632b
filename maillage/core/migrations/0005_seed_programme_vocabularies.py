"""The starting vocabularies of the programme and funding (DOMAIN.md): times of the child's day, spending
categories of the State grant, funding sources. Administrators extend them."""

from django.db import migrations

TIMES_OF_DAY = [
    ("scolaire", "Scolaire"),
    ("periscolaire", "Périscolaire"),
    ("extrascolaire", "Extrascolaire"),
    ("vacances", "Vacances"),
    ("familial", "Familial"),
]

SPENDING_CATEGORIES = [
    ("ingenierie", "Ingénierie de projet"),
    ("encadrants", "Recrutement d'encadrants"),
    ("equipements", "Équipements éducatifs (fablab, micro-folie…)"),
    ("communication", "Communication"),
    ("evaluation", "Évaluation"),
    ("actions", "Actions"),
]

FUNDING_SOURCES = [
    ("p147", "P147 — Politique de la ville (ANCT)", True),
    ("p230", "P230 — Vie de l'élève (Éducation nationale)", True),
    ("city_fund", "Fonds de la cité", True),
    ("commune", "Commune", False),
    ("epci", "EPCI / EPT", False),
    ("caf", "CAF", False),
    ("departement", "Département", False),
    ("region", "Région", False),
    ("private", "Fonds privés", False),
    ("other", "Autre", False),
]


def seed(apps, schema_editor):
    TimeOfDay = apps.get_model("core", "TimeOfDay")
    SpendingCategory = apps.get_model("core", "SpendingCategory")
    FundingSource = apps.get_model("core", "FundingSource")
    for position, (code, label) in enumerate(TIMES_OF_DAY):
        TimeOfDay.objects.update_or_create(code=code, defaults={"label": label, "position": position})
    for position, (code, label) in enumerate(SPENDING_CATEGORIES):
        SpendingCategory.objects.update_or_create(code=code, defaults={"label": label, "position": position})
    for position, (code, label, is_state) in enumerate(FUNDING_SOURCES):
        FundingSource.objects.update_or_create(
            code=code, defaults={"label": label, "position": position, "is_state": is_state}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_programme_vocabularies")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
