"""Forms of the partner directory: its search and filters, an organisation's record, a contact."""

import re

from django import forms
from django.db.models import Q

from maillage.core.models import AgeBand, Role, Theme
from maillage.core.perimeter import perimeter_of
from maillage.core.validators import RNA_PATTERN, validate_rna, validate_siren, validate_siret
from maillage.partners import services
from maillage.partners.models import Contact, Organisation, OrganisationKind, name_key
from maillage.territories.models import Cite, Commune, School


class DirectoryFilterForm(forms.Form):
    """Search and filters of a cité's directory. Every field is optional; bad values are ignored."""

    is_filter = True  # the field template does not mark filters "(facultatif)"

    q = forms.CharField(label="Rechercher", required=False, help_text="Nom, SIRET, SIREN ou numéro RNA")
    kind = forms.ChoiceField(
        label="Type de structure", choices=[("", "Tous"), *OrganisationKind.choices], required=False
    )
    theme = forms.ModelChoiceField(
        label="Thématique", queryset=Theme.objects.all(), to_field_name="code", required=False, empty_label="Toutes"
    )
    age_band = forms.ModelChoiceField(
        label="Public", queryset=AgeBand.objects.all(), to_field_name="code", required=False, empty_label="Tous"
    )
    commune = forms.ModelChoiceField(
        label="Commune",
        queryset=Commune.objects.none(),
        to_field_name="insee_code",
        required=False,
        empty_label="Toutes",
    )

    def __init__(self, *args, cite: Cite, **kwargs):
        super().__init__(*args, **kwargs)
        in_directory = Organisation.objects.in_cites([cite.pk]).values("commune")
        self.fields["commune"].queryset = Commune.objects.filter(pk__in=in_directory).order_by("name")

    def search(self, organisations):
        """`organisations` narrowed to the search and to the filters whose values are valid."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("q"):
            organisations = organisations.filter(matching(data["q"]))
        if data.get("kind"):
            organisations = organisations.filter(kind=data["kind"])
        if data.get("theme"):
            organisations = organisations.filter(themes=data["theme"])
        if data.get("age_band"):
            organisations = organisations.filter(age_bands=data["age_band"])
        if data.get("commune"):
            organisations = organisations.filter(commune=data["commune"])
        return organisations


def matching(text: str) -> Q:
    """An exact SIRET, SIREN or RNA number when `text` is one, else a part of the name (without accents or case)."""
    identifier = services.compact(text)
    if re.fullmatch(r"\d{14}", identifier):
        return Q(siret=identifier)
    if re.fullmatch(r"\d{9}", identifier):
        return Q(siren=identifier)
    if RNA_PATTERN.fullmatch(identifier):
        return Q(rna=identifier)
    return Q(name_key__contains=name_key(text))


class OrganisationChecks:
    """Cleaning shared by the directory's organisation form and the administration's: identifiers typed with
    spaces or dots are compacted, then the services' checks run (SIREN against SIRET, coordinates, SIRET or
    RNA already used…) so that the form shows the same French messages the service would raise."""

    directory_cite = None  # the cité whose directory the organisation is added to, if any
    known_elsewhere: tuple[Organisation, ...] = ()  # same SIRET or RNA, not yet in `directory_cite`

    def compact_identifier(self, name: str, validate) -> str:
        value = services.compact(self.cleaned_data.get(name))
        if value:
            validate(value)
        return value

    def clean_siret(self):
        return self.compact_identifier("siret", validate_siret)

    def clean_siren(self):
        return self.compact_identifier("siren", validate_siren)

    def clean_rna(self):
        return self.compact_identifier("rna", validate_rna)

    def clean_phone(self):
        return self.cleaned_data.get("phone", "").strip()

    def clean(self):
        cleaned = super().clean()
        checked = ["siret", "siren", "rna", "postcode", "phone", "latitude", "longitude"]
        candidate = Organisation(
            pk=self.instance.pk,
            **{name: cleaned[name] for name in checked if name in cleaned and name not in self.errors},
        )
        problems = services.identity_problems(candidate, cite=self.directory_cite)
        for field, message in problems.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        if self.directory_cite is not None and {"siret", "rna"} & set(problems):
            self.known_elsewhere = tuple(
                other
                for _, other in services.same_identifier(candidate)
                if not other.cites.filter(pk=self.directory_cite.pk).exists()
            )
        return cleaned


def website_field() -> forms.URLField:
    """An address typed without its scheme is taken as https (Django 6's default)."""
    return forms.URLField(label="Site internet", required=False, assume_scheme="https")


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, school):
        return f"{school.name} ({school.uai})"


class CiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, cite):
        return cite.name


NUMERIC_INPUT = forms.TextInput(attrs={"inputmode": "numeric"})


class OrganisationForm(OrganisationChecks, forms.ModelForm):
    """An organisation's record. Schools are those of its cités; communes those of their départements.

    Given an `actor`, the form also offers the cités where the actor may add or remove the organisation (a
    coordinator's cités); the others it works in are kept as they are.
    """

    siret = forms.CharField(
        label="SIRET", required=False, max_length=20, help_text="14 chiffres.", widget=NUMERIC_INPUT
    )
    siren = forms.CharField(
        label="SIREN",
        required=False,
        max_length=12,
        help_text="9 chiffres ; déduit du SIRET si vous le laissez vide.",
        widget=NUMERIC_INPUT,
    )
    rna = forms.CharField(
        label="Numéro RNA", required=False, max_length=12, help_text="Pour une association : W suivi de 9 chiffres."
    )
    latitude = forms.FloatField(
        label="Latitude",
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="En degrés décimaux, par exemple 48.7904.",
    )
    longitude = forms.FloatField(
        label="Longitude",
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text="Par exemple 2.4556 ; avec la latitude, place la structure sur la carte.",
    )
    website = website_field()
    cites = CiteChoiceField(
        label="Cités éducatives où elle intervient",
        queryset=Cite.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Vous ajoutez la structure à l'annuaire des cités que vous coordonnez, ou l'en retirez.",
    )

    class Meta:
        model = Organisation
        fields = [*services.ORGANISATION_FIELDS, *services.ORGANISATION_LINKS]  # the template orders them
        field_classes = {"school": SchoolChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "themes": forms.CheckboxSelectMultiple,
            "age_bands": forms.CheckboxSelectMultiple,
            "postcode": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, cites, directory_cite=None, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.directory_cite = directory_cite
        current = self.instance
        self.fields["school"].queryset = (
            School.objects.filter(Q(cites__in=cites) | Q(pk=current.school_id)).distinct().order_by("name")
        )
        departements = Commune.objects.filter(cites__in=cites).values("departement")
        self.fields["commune"].queryset = Commune.objects.filter(
            Q(departement__in=departements) | Q(pk=current.commune_id)
        ).order_by("name")
        self.fields["school"].empty_label = self.fields["commune"].empty_label = "—"
        self.fields["kind"].choices = [("", "Choisir un type"), *OrganisationKind.choices]
        self.current_cites = list(current.cites.all()) if current.pk else []
        manageable = manageable_cites(actor, self.current_cites) if actor is not None else []
        if manageable:
            self.fields["cites"].queryset = Cite.objects.filter(pk__in=[cite.pk for cite in manageable])
            self.initial.setdefault("cites", [cite for cite in self.current_cites if cite in manageable])
        else:
            del self.fields["cites"]

    def clean(self):
        cleaned = super().clean()
        if "cites" in self.fields and "cites" in cleaned:
            kept = [cite for cite in self.current_cites if cite not in self.fields["cites"].queryset]
            cleaned["cites"] = [*kept, *cleaned["cites"]]
            if not cleaned["cites"]:
                self.add_error("cites", "Cochez au moins une cité : une structure intervient dans une cité au moins.")
        return cleaned


def manageable_cites(actor, current_cites) -> list[Cite]:
    """The cités where `actor` may add or remove an organisation: those they coordinate (and, for an
    administrator, the organisation's own cités too)."""
    perimeter = perimeter_of(actor)
    coordinated = perimeter.cite_ids_with(Role.COORDINATOR)
    cites = list(Cite.objects.filter(pk__in=coordinated).order_by("name")) if coordinated else []
    if perimeter.is_admin:
        cites += [cite for cite in current_cites if cite not in cites]
    return cites


class ContactForm(forms.ModelForm):
    """A person at an organisation: professional details only."""

    class Meta:
        model = Contact
        fields = services.CONTACT_FIELDS
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "email": "L'adresse de travail de la personne, pas une adresse personnelle.",
            "phone": "Le numéro professionnel : 10 chiffres, ou + et l'indicatif du pays.",
        }

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if error := services.phone_error(phone):
            raise forms.ValidationError(error)
        return phone
