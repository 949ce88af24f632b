from django import forms

from maillage.territories.models import Cite, Departement, Qpv, Region, School


class CiteFilterForm(forms.Form):
    """Search and filters of the list of cités. Every field is optional; bad values are ignored."""

    is_filter = True  # the field template does not mark filters "(facultatif)"

    q = forms.CharField(label="Rechercher", required=False, help_text="Nom de la cité, commune ou identifiant ANCT")
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Toutes",
    )
    departement = forms.ModelChoiceField(
        label="Département",
        queryset=Departement.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Tous",
    )
    wave = forms.TypedChoiceField(
        label="Vague de labellisation",
        choices=[("", "Toutes"), *Cite.Wave.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_cites = {"departements__communes__cites__isnull": False}
        self.fields["region"].queryset = Region.objects.filter(**with_cites).distinct()
        self.fields["departement"].queryset = Departement.objects.filter(communes__cites__isnull=False).distinct()


class SchoolChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, school):
        network = f" — {school.priority_network}" if school.priority_network else ""
        return f"{school.name} ({school.uai}){network}"


class CitePerimeterForm(forms.Form):
    """The coordinator's correction of the QPVs and schools of the cité, among those of its communes."""

    qpvs = forms.ModelMultipleChoiceField(
        label="Quartiers prioritaires de la cité",
        queryset=Qpv.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Une cité éducative compte au moins un quartier prioritaire."},
    )
    schools = SchoolChoiceField(
        label="Établissements scolaires de la cité",
        queryset=School.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, cite: Cite, **kwargs):
        super().__init__(*args, **kwargs)
        communes = cite.communes.all()
        self.fields["qpvs"].queryset = Qpv.objects.filter(communes__in=communes).distinct().order_by("name")
        self.fields["schools"].queryset = (
            School.objects.filter(commune__in=communes).order_by("kind", "name").select_related("commune")
        )
        if not self.is_bound:
            self.initial = {"qpvs": list(cite.qpvs.all()), "schools": list(cite.schools.all())}
