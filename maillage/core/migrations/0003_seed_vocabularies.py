"""The starting vocabularies of DOMAIN.md: themes, age bands and adult audiences. Administrators extend them."""

from django.db import migrations

THEMES = [
    ("parentalite", "Parentalité"),
    ("petite-enfance", "Petite enfance"),
    ("langage-lecture", "Langage et lecture"),
    ("accompagnement-scolaire", "Accompagnement scolaire"),
    ("perseverance-decrochage", "Persévérance et décrochage"),
    ("orientation-insertion", "Orientation et insertion"),
    ("culture", "Culture"),
    ("sport", "Sport"),
    ("sante-bien-etre", "Santé et bien-être"),
    ("numerique", "Numérique"),
    ("citoyennete", "Citoyenneté et valeurs de la République"),
    ("egalite-filles-garcons", "Égalité filles-garçons"),
    ("mobilite", "Mobilité"),
    ("climat-scolaire", "Climat scolaire"),
]

AGE_BANDS = [
    ("0-2", "0-2 ans", 0, 2),
    ("3-5", "3-5 ans", 3, 5),
    ("6-10", "6-10 ans", 6, 10),
    ("11-14", "11-14 ans", 11, 14),
    ("15-17", "15-17 ans", 15, 17),
    ("18-25", "18-25 ans", 18, 25),
    ("parents", "Parents", None, None),
    ("professionals", "Professionnels", None, None),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("core", "Theme")
    AgeBand = apps.get_model("core", "AgeBand")
    for position, (code, label) in enumerate(THEMES):
        Theme.objects.update_or_create(code=code, defaults={"label": label, "position": position})
    for position, (code, label, min_age, max_age) in enumerate(AGE_BANDS):
        AgeBand.objects.update_or_create(
            code=code, defaults={"label": label, "position": position, "min_age": min_age, "max_age": max_age}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_vocabularies")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
