"""Forms of the indicator catalogue: a local indicator, a target, a value typed by the coordinator.

Values and targets are read as text and parsed by the services (`Indicator.check_value`), so that "N/A" or
"45,5" get the same French answer on the page as anywhere else."""

from django import forms

from maillage.evaluation.services.indicators import LOCAL_LEVELS, MAX_DECIMALS, TYPED_SOURCES
from maillage.territories.models import Indicator, PeriodKind, french_number

PERIOD_HELP = {
    PeriodKind.SCHOOL_YEAR: "Année scolaire, par exemple 2024-2025.",
    PeriodKind.FINANCIAL_YEAR: "Exercice budgétaire, par exemple 2024.",
}


def choices_of(enum, values) -> list[tuple[str, str]]:
    return [(value, enum(value).label) for value in values]


class LocalIndicatorForm(forms.Form):
    """The definition of a cité's own indicator; `is_active` only once it exists."""

    code = forms.CharField(
        label="Code",
        max_length=60,
        help_text="Minuscules sans accents, chiffres et tirets, par exemple absenteisme-college. "
        "Il identifie l'indicateur dans les exports.",
    )
    label = forms.CharField(label="Libellé", max_length=200)
    definition = forms.CharField(
        label="Définition",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ce que l'indicateur mesure, comment il se calcule et d'où viennent ses valeurs.",
    )
    unit = forms.CharField(label="Unité", max_length=30, help_text="Par exemple %, élèves, personnes, séances.")
    direction = forms.ChoiceField(label="Sens de progression", choices=Indicator.Direction.choices)
    source = forms.ChoiceField(label="Source des valeurs", choices=choices_of(Indicator.Source, TYPED_SOURCES))
    level = forms.ChoiceField(
        label="Niveau",
        choices=choices_of(Indicator.Level, LOCAL_LEVELS),
        help_text="Les valeurs par action viennent uniquement des bilans des porteurs de projet.",
    )
    period_kind = forms.ChoiceField(label="Calendrier", choices=PeriodKind.choices)
    decimals = forms.IntegerField(
        label="Décimales",
        min_value=0,
        max_value=MAX_DECIMALS,
        initial=0,
        help_text="0 pour un nombre entier (des élèves, des séances…).",
    )
    min_value = forms.DecimalField(label="Valeur minimale", required=False, localize=True, max_digits=14)
    max_value = forms.DecimalField(
        label="Valeur maximale",
        required=False,
        localize=True,
        max_digits=14,
        help_text="Par exemple 100 pour un pourcentage. Laissez vide s'il n'y a pas de limite.",
    )

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        if indicator is not None:
            kwargs.setdefault("initial", {name: getattr(indicator, name) for name in self.base_fields})
            kwargs["initial"]["is_active"] = indicator.is_active
        super().__init__(*args, **kwargs)
        if indicator is not None:
            self.fields["is_active"] = forms.BooleanField(
                label="Actif",
                required=False,
                help_text="Un indicateur désactivé quitte le tableau de bord ; ses valeurs et ses cibles sont "
                "conservées.",
            )


class IndicatorValueFields(forms.Form):
    """The period and the value, both checked against the indicator by the service."""

    period = forms.CharField(label="Période", max_length=9)
    value = forms.CharField(
        label="Valeur",
        max_length=30,
        error_messages={"required": "Saisissez un nombre, par exemple 12 ou 45,5."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].help_text = PERIOD_HELP[indicator.period_kind]
        self.fields["value"].label = f"{self.value_label} ({indicator.unit})"
        self.fields["value"].help_text = value_help(indicator)


def value_help(indicator: Indicator) -> str:
    """What the indicator accepts, in words: "Un nombre entier, au moins 0." """
    parts = ["un nombre entier" if indicator.decimals == 0 else f"un nombre à {indicator.decimals} décimale(s) au plus"]
    if indicator.min_value is not None:
        parts.append(f"au moins {french_number(indicator.min_value)}")
    if indicator.max_value is not None:
        parts.append(f"au plus {french_number(indicator.max_value)}")
    return ", ".join(parts).capitalize() + "."


class TargetForm(IndicatorValueFields):
    value_label = "Cible"
    note = forms.CharField(label="Commentaire", max_length=250, required=False)


class ValueForm(IndicatorValueFields):
    """A value of the cité, or of one of its schools for a school-level indicator."""

    value_label = "Valeur"
    origin = forms.CharField(
        label="Source de la valeur",
        max_length=250,
        help_text="D'où vient la valeur : enquête, document, fichier…",
        error_messages={"required": "Indiquez d'où vient la valeur : enquête, document, fichier…"},
    )

    def __init__(self, *args, indicator: Indicator, cite, **kwargs):
        super().__init__(*args, indicator=indicator, **kwargs)
        if indicator.level == Indicator.Level.SCHOOL:
            self.fields["school"] = forms.ModelChoiceField(
                label="Établissement scolaire",
                queryset=cite.schools.order_by("name"),
                error_messages={
                    "required": "Choisissez l'établissement scolaire dont c'est la valeur.",
                    "invalid_choice": "Choisissez un établissement de la cité.",
                },
            )
            self.order_fields(["school"])
