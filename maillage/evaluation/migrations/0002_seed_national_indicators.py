"""The national indicators every cité shares, besides the schools' open-data ones (imported with the reference
data): reach, sessions and hours from the partners' reports; actions and money from the platform; and the
cité-level school indicators computed from the schools' open data. Their values are computed, never typed
(maillage.evaluation.figures.COMPUTED_CODES); a cité adds local indicators of its own."""

from django.db import migrations

PERSONS = {"unit": "personnes", "decimals": 0, "min_value": 0, "max_value": None}
PERCENT = {"unit": "%", "decimals": 1, "min_value": 0, "max_value": 100}
EUROS = {"unit": "€", "decimals": 2, "min_value": 0, "max_value": None}
REPORT = {"source": "partner_report", "period_kind": "financial_year", "level": "cite"}
PLATFORM = {"source": "platform", "period_kind": "financial_year", "level": "cite"}
SCHOOLS = {"source": "open_data", "period_kind": "school_year", "level": "cite"}

OBJECTIVES = {
    "school": "Conforter le rôle de l'école",
    "continuity": "Promouvoir la continuité éducative",
    "horizons": "Ouvrir le champ des possibles",
}

NATIONAL_INDICATORS = {
    "reach_total": {
        "label": "Bénéficiaires des actions",
        "definition": "Personnes touchées par les actions de l'année (enfants, jeunes, parents, professionnels), "
        "d'après les bilans déposés par les porteurs.",
        "direction": "up",
        **PERSONS,
        **REPORT,
    },
    "reach_young": {
        "label": "Enfants et jeunes de 0 à 25 ans touchés",
        "definition": "Bénéficiaires des tranches d'âge 0-2 à 18-25 ans, d'après les bilans déposés.",
        "direction": "up",
        **PERSONS,
        **REPORT,
    },
    "reach_parents": {
        "label": "Parents touchés",
        "definition": "Parents bénéficiaires des actions, d'après les bilans déposés.",
        "direction": "up",
        **PERSONS,
        **REPORT,
    },
    "reach_female_share": {
        "label": "Part des filles et des femmes parmi les bénéficiaires",
        "definition": "Bénéficiaires de sexe féminin rapportés à l'ensemble des bénéficiaires des bilans déposés.",
        "direction": "neutral",
        **PERCENT,
        **REPORT,
    },
    "reach_qpv_share": {
        "label": "Part des bénéficiaires résidant en QPV",
        "definition": "Bénéficiaires habitant un quartier prioritaire rapportés à l'ensemble des bénéficiaires "
        "des bilans déposés.",
        "direction": "up",
        **PERCENT,
        **REPORT,
    },
    "sessions": {
        "label": "Séances réalisées",
        "definition": "Nombre de séances (ateliers, sorties, permanences…) déclarées dans les bilans déposés.",
        "unit": "séances",
        "decimals": 0,
        "min_value": 0,
        "max_value": None,
        "direction": "up",
        **REPORT,
    },
    "hours": {
        "label": "Heures d'activité",
        "definition": "Nombre d'heures d'activité déclarées dans les bilans déposés.",
        "unit": "heures",
        "decimals": 1,
        "min_value": 0,
        "max_value": None,
        "direction": "up",
        **REPORT,
    },
    "actions_funded": {
        "label": "Actions financées",
        "definition": "Actions retenues de l'appel à projets de l'année, quel que soit leur stade ensuite.",
        "unit": "actions",
        "decimals": 0,
        "min_value": 0,
        "max_value": None,
        "direction": "neutral",
        **PLATFORM,
    },
    **{
        f"actions_share_{code}": {
            "label": f"Part des actions financées servant l'objectif « {label} »",
            "definition": "Actions financées rattachées à cet objectif national (directement ou par un axe local) "
            "rapportées à toutes les actions financées de l'année. Une action peut servir plusieurs objectifs.",
            "direction": "neutral",
            **PERCENT,
            **PLATFORM,
        }
        for code, label in OBJECTIVES.items()
    },
    "granted_total": {
        "label": "Montant attribué",
        "definition": "Somme des subventions attribuées sur les enveloppes de l'année, toutes sources.",
        "direction": "neutral",
        **EUROS,
        **PLATFORM,
    },
    "paid_total": {
        "label": "Montant versé",
        "definition": "Somme des versements sur les subventions des enveloppes de l'année.",
        "direction": "neutral",
        **EUROS,
        **PLATFORM,
    },
    "cofunding_share": {
        "label": "Part du cofinancement",
        "definition": "Montant attribué par des sources autres que l'État (ville, CAF, département…) rapporté "
        "à tout le montant attribué de l'année.",
        "direction": "up",
        **PERCENT,
        **PLATFORM,
    },
    "ips_colleges_cite": {
        "label": "IPS moyen des collèges de la cité",
        "definition": "Moyenne simple de l'indice de position sociale des collèges de la cité (DEPP).",
        "unit": "indice",
        "decimals": 1,
        "min_value": 0,
        "max_value": 200,
        "direction": "neutral",
        **SCHOOLS,
    },
    "dnb_success_cite": {
        "label": "Taux de réussite au brevet des collèges de la cité",
        "definition": "Admis au diplôme national du brevet rapportés aux présents, pour l'ensemble des collèges "
        "de la cité (DEPP).",
        "direction": "up",
        **PERCENT,
        **SCHOOLS,
    },
}


def seed(apps, schema_editor):
    Indicator = apps.get_model("territories", "Indicator")
    for code, fields in NATIONAL_INDICATORS.items():
        Indicator.objects.update_or_create(code=code, defaults={**fields, "cite": None, "is_active": True})


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("territories", "0002_indicator_catalogue_for_evaluation"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
