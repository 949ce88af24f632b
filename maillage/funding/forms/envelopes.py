"""Forms of the envelopes: setting one (the grant officer), and the list's filters."""

from django import forms

from maillage.core.forms import AmountField
from maillage.core.models import FundingSource
from maillage.funding.services.envelopes import FIRST_YEAR, LAST_YEAR, funders_of


class EnvelopeForm(forms.Form):
    """Create the envelope of a year and source, or change it (same year and source)."""

    year = forms.IntegerField(
        label="Exercice",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="L'année budgétaire, par exemple 2025.",
        error_messages={
            "required": "Indiquez l'exercice.",
            "invalid": "Écrivez une année, par exemple 2025.",
            "min_value": f"Indiquez un exercice à partir de {FIRST_YEAR}.",
            "max_value": f"Indiquez un exercice jusqu'à {LAST_YEAR}.",
        },
    )
    source = forms.ModelChoiceField(
        label="Source de financement",
        queryset=FundingSource.objects.all(),
        error_messages={"required": "Choisissez la source.", "invalid_choice": "Choisissez une source de la liste."},
    )
    amount = AmountField(
        required=True, label="Montant de l'enveloppe (€)", required_message="Indiquez le montant, en euros."
    )
    funder = forms.ModelChoiceField(
        label="Attribuant",
        queryset=None,
        required=False,
        empty_label="Non précisé",
        help_text="La structure de l'annuaire qui verse (son SIRET figure dans les données ouvertes).",
        error_messages={"invalid_choice": "Choisissez une structure de l'annuaire de la cité."},
    )
    note = forms.CharField(label="Précision", max_length=255, required=False)

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders_of(cite)


class EnvelopeFilterForm(forms.Form):
    is_filter = True

    annee = forms.TypedChoiceField(label="Exercice", coerce=int, required=False, empty_value=None)
    source = forms.ModelChoiceField(
        label="Source", queryset=FundingSource.objects.all(), required=False, empty_label="Toutes"
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Tous"), *[(year, str(year)) for year in years]]

    def filter(self, envelopes):
        if not self.is_valid():
            return envelopes
        if self.cleaned_data.get("annee"):
            envelopes = envelopes.filter(year=self.cleaned_data["annee"])
        if self.cleaned_data.get("source"):
            envelopes = envelopes.filter(source=self.cleaned_data["source"])
        return envelopes
