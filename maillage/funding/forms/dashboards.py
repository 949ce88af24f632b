"""Filters of the funding dashboard (the year) and of the grant list and its export."""

from django import forms
from django.db.models import Q

from maillage.core.models import FundingSource
from maillage.funding.models import GrantStatus


class YearForm(forms.Form):
    """The year of the dashboard, among the cité's years; an unknown year falls back to the default one."""

    is_filter = True

    annee = forms.TypedChoiceField(label="Exercice", coerce=int, required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(year, str(year)) for year in years]

    def year(self, default: int | None) -> int | None:
        if self.is_bound and self.is_valid() and self.cleaned_data["annee"]:
            return self.cleaned_data["annee"]
        return default


class GrantFilterForm(forms.Form):
    """Filters of a cité's grant list (and of its export). Every field is optional."""

    is_filter = True

    annee = forms.TypedChoiceField(label="Exercice", coerce=int, required=False, empty_value=None)
    source = forms.ModelChoiceField(
        label="Source de financement", queryset=FundingSource.objects.all(), required=False, empty_label="Toutes"
    )
    statut = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *GrantStatus.choices], required=False)
    structure = forms.CharField(
        label="Structure porteuse",
        help_text="Une partie du nom, ou le SIRET.",
        max_length=100,
        required=False,
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Tous"), *((year, str(year)) for year in years)]

    def filter(self, grants):
        """The grants matching the valid filters (all of them when the form is not valid)."""
        if not self.is_valid():
            return grants
        data = self.cleaned_data
        if data["annee"]:
            grants = grants.filter(envelope__year=data["annee"])
        if data["source"]:
            grants = grants.filter(envelope__source=data["source"])
        if data["statut"]:
            grants = grants.filter(status=data["statut"])
        if text := data["structure"].strip():
            grants = grants.filter(
                Q(action__organisation__name__icontains=text) | Q(action__organisation__siret=text.replace(" ", ""))
            )
        return grants
