"""Forms of the account requests: the public request of a new project holder, and the coordinator's answer."""

from django import forms

from maillage.core.validators import validate_rna, validate_siret
from maillage.partners.models import Organisation, OrganisationKind, name_key
from maillage.partners.services import compact, phone_error

REFUSAL_REASON_REQUIRED = "Indiquez le motif du refus : il est transmis à la personne."


class AccountRequestForm(forms.Form):
    """What a new holder tells the coordination. `website` is a trap for robots: people never see it."""

    organisation_name = forms.CharField(
        label="Nom de votre structure",
        max_length=255,
        error_messages={"required": "Indiquez le nom de votre structure."},
    )
    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        required=False,
        help_text="14 chiffres, si votre structure en a un.",
    )
    rna = forms.CharField(
        label="Numéro RNA",
        max_length=12,
        required=False,
        help_text="Pour une association : W suivi de 9 chiffres.",
    )
    first_name = forms.CharField(label="Prénom", max_length=150, error_messages={"required": "Indiquez votre prénom."})
    last_name = forms.CharField(label="Nom", max_length=150, error_messages={"required": "Indiquez votre nom."})
    job_title = forms.CharField(label="Fonction", max_length=200, required=False)
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        help_text="Elle servira d'identifiant. Format attendu : nom@domaine.fr",
        error_messages={
            "required": "Indiquez votre adresse électronique professionnelle.",
            "invalid": "Cette adresse électronique n'est pas valide (format attendu : nom@domaine.fr).",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Téléphone",
        max_length=20,
        required=False,
        help_text="Par exemple 01 43 99 12 34.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    message = forms.CharField(
        label="Votre projet en quelques lignes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    website = forms.CharField(label="Ne remplissez pas ce champ", required=False)

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def request_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "website"}

    def clean_siret(self):
        siret = compact(self.cleaned_data["siret"])
        if siret:
            validate_siret(siret)
        return siret

    def clean_rna(self):
        rna = compact(self.cleaned_data["rna"])
        if rna:
            validate_rna(rna)
        return rna

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if error := phone_error(phone):
            raise forms.ValidationError(error)
        return phone


class AnswerForm(forms.Form):
    """The coordinator's answer: accept (for an organisation of the directory, or a new one made from the
    request) or refuse with a reason. The button pressed gives the verdict."""

    verdict = forms.ChoiceField(
        choices=[("accept", "accepter"), ("refuse", "refuser")],
        widget=forms.HiddenInput,
        error_messages={"required": "Choisissez d'accepter ou de refuser la demande."},
    )
    organisation = forms.ModelChoiceField(
        label="Structure de l'annuaire",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Créer une nouvelle structure à partir de la demande",
        help_text="La personne agira pour cette structure de l'annuaire de la cité.",
        error_messages={"invalid_choice": "Cette structure ne figure pas dans l'annuaire de la cité."},
    )
    kind = forms.ChoiceField(
        label="Type de la structure à créer",
        choices=[("", "Choisir un type"), *OrganisationKind.choices],
        required=False,
        help_text="Seulement si la structure n'est pas encore dans l'annuaire.",
    )
    reason = forms.CharField(
        label="Motif du refus",
        required=False,
        help_text="Obligatoire pour refuser ; il est envoyé à la personne.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, account_request, **kwargs):
        super().__init__(*args, **kwargs)
        in_cite = Organisation.objects.in_cites([account_request.cite_id]).order_by("name")
        self.fields["organisation"].queryset = in_cite
        if not self.is_bound:
            self.initial["organisation"] = likely_organisation(in_cite, account_request)
            self.initial["kind"] = OrganisationKind.ASSOCIATION if account_request.rna else ""

    def clean(self):
        cleaned = super().clean()
        verdict = cleaned.get("verdict")
        if verdict == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", REFUSAL_REASON_REQUIRED)
        if verdict == "accept" and not cleaned.get("organisation") and not cleaned.get("kind"):
            self.add_error("kind", "Choisissez une structure de l'annuaire, ou le type de la structure à créer.")
        return cleaned


def likely_organisation(organisations, account_request):
    """The organisation of the cité the request most likely names: same SIRET, RNA number or name."""
    for field in ("siret", "rna"):
        value = getattr(account_request, field)
        if value and (found := organisations.filter(**{field: value}).first()):
            return found.pk
    found = organisations.filter(name_key=name_key(account_request.organisation_name)).first()
    return found.pk if found else None
