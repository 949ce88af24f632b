"""Forms of the calls for projects: the call and one criterion of its scoring grid."""

from django import forms

from maillage.core.models import Theme

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class CallForm(forms.Form):
    year = forms.IntegerField(
        label="Exercice",
        min_value=2000,
        max_value=2100,
        help_text="Année budgétaire des actions financées, par exemple 2025.",
        error_messages={"required": "Indiquez l'exercice budgétaire."},
    )
    title = forms.CharField(
        label="Intitulé", max_length=255, error_messages={"required": "Donnez un intitulé à l'appel à projets."}
    )
    opens_at = forms.DateTimeField(
        label="Ouverture des dépôts",
        widget=DateTimeInput,
        help_text="Date et heure à partir desquelles les porteurs déposent leurs actions.",
        error_messages={"required": "Indiquez la date d'ouverture des dépôts.", "invalid": "Date et heure invalides."},
    )
    closes_at = forms.DateTimeField(
        label="Clôture des dépôts",
        widget=DateTimeInput,
        help_text="Après cette date et cette heure, plus aucune action n'est déposée.",
        error_messages={"required": "Indiquez la date de clôture des dépôts.", "invalid": "Date et heure invalides."},
    )
    envelope = forms.DecimalField(
        label="Enveloppe proposée (€)",
        max_digits=12,
        decimal_places=2,
        help_text="Le montant total que la cité consacre à cet appel, en euros.",
        error_messages={"required": "Indiquez l'enveloppe proposée, en euros."},
    )
    eligibility = forms.CharField(
        label="Critères d'éligibilité",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Décrivez les critères d'éligibilité des actions."},
    )
    description = forms.CharField(label="Présentation", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    themes = forms.ModelMultipleChoiceField(
        label="Thématiques visées",
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_published = forms.BooleanField(
        label="Publier l'appel",
        required=False,
        help_text="Un appel publié se lit sans compte, sur la page publique des appels à projets.",
    )

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", "La clôture des dépôts doit suivre leur ouverture.")
        return cleaned

    @classmethod
    def initial_of(cls, call) -> dict:
        return {
            "year": call.year,
            "title": call.title,
            "opens_at": call.opens_at,
            "closes_at": call.closes_at,
            "envelope": call.envelope,
            "eligibility": call.eligibility,
            "description": call.description,
            "themes": list(call.themes.all()),
            "is_published": call.is_published,
        }


class CriterionForm(forms.Form):
    label = forms.CharField(label="Critère", max_length=255, error_messages={"required": "Nommez le critère."})
    description = forms.CharField(label="Ce qui est regardé", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    weight = forms.IntegerField(
        label="Coefficient",
        min_value=1,
        max_value=100,
        initial=1,
        error_messages={"required": "Indiquez le coefficient du critère (1 au moins)."},
    )
    max_score = forms.IntegerField(
        label="Note maximale",
        min_value=1,
        max_value=100,
        initial=5,
        error_messages={"required": "Indiquez la note maximale (1 au moins)."},
    )
    position = forms.IntegerField(
        label="Ordre",
        min_value=0,
        max_value=1000,
        required=False,
        help_text="Laissé vide : le critère vient en dernier.",
    )

    @classmethod
    def initial_of(cls, criterion) -> dict:
        return {
            "label": criterion.label,
            "description": criterion.description,
            "weight": criterion.weight,
            "max_score": criterion.max_score,
            "position": criterion.position,
        }
