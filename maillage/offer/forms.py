"""Forms of the offer's management pages: an activity with its weekly slots (a formset), the moderation
decision, and the status filter of a cité's activity list. The services check every rule; the forms parse."""

from django import forms
from django.core.exceptions import ValidationError

from maillage.core.forms import DateInput, add_service_errors
from maillage.core.models import AgeBand, Theme, TimeOfDay
from maillage.offer.models import Activity, ActivityStatus, Period, Weekday
from maillage.offer.services import ACTIVITY_FIELDS, DECISIONS, RELATED_FIELDS, fields_of

EMPTY_SLOT_ROWS = 3
"""Empty rows offered under the existing slots (a new activity shows exactly these)."""


def model_label(name: str) -> str:
    return str(Activity._meta.get_field(name).verbose_name).capitalize()


def model_help(name: str) -> str:
    return str(Activity._meta.get_field(name).help_text)


def checkboxes(queryset, name: str, help_text: str = "") -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=queryset,
        label=model_label(name),
        help_text=help_text,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CoordinateField(forms.FloatField):
    """A latitude or longitude as French users type it (a comma or a point)."""

    def __init__(self, name: str, **kwargs):
        super().__init__(
            label=model_label(name),
            required=False,
            localize=True,
            error_messages={"invalid": "Saisissez un nombre, par exemple 48,7771."},
            **kwargs,
        )


def text(name: str, *, rows: int | None = None, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=model_label(name),
        help_text=kwargs.pop("help_text", model_help(name)),
        max_length=Activity._meta.get_field(name).max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
        **kwargs,
    )


def age(name: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=model_label(name),
        required=False,
        min_value=0,
        max_value=25,
        help_text="De 0 à 25 ans. Laissé vide : celui des publics choisis.",
        error_messages={
            "min_value": "Un âge s'écrit de 0 à 25 ans.",
            "max_value": "Un âge s'écrit de 0 à 25 ans.",
            "invalid": "Saisissez un âge en années, en chiffres.",
        },
    )


def place_choice(label: str, empty_label: str, help_text: str) -> forms.ModelChoiceField:
    """An optional choice among the cité's schools, communes or QPVs (the queryset is set per cité)."""
    return forms.ModelChoiceField(
        label=label, queryset=None, required=False, empty_label=empty_label, help_text=help_text
    )


class ActivityForm(forms.Form):
    """An activity of the public offer (its slots are the `SlotFormSet` beside it). `organisation` is asked only
    of a new activity, when the user may write for several organisations."""

    organisation = forms.ModelChoiceField(
        label="Structure",
        queryset=None,
        empty_label=None,
        help_text="La structure qui propose l'activité ; son nom paraît dans l'offre publique.",
    )
    title = text("title", required=True, help_text="Par exemple : club d'échecs du mercredi.")
    summary = text("summary", rows=2, required=True)
    description = forms.CharField(
        label=model_label("description"),
        help_text="Ce qu'on y fait, avec qui, comment se passe une séance.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    age_bands = checkboxes(AgeBand.objects.all(), "age_bands", "Au moins un : une tranche d'âge ou les parents.")
    min_age = age("min_age")
    max_age = age("max_age")
    themes = checkboxes(Theme.objects.all(), "themes", "Au moins une.")
    times_of_day = checkboxes(TimeOfDay.objects.all(), "times_of_day")
    school = place_choice(
        "Établissement scolaire",
        "Aucun : l'activité a lieu ailleurs",
        "Si l'activité a lieu dans un établissement de la cité : son adresse et sa position sont reprises.",
    )
    place_name = text("place_name")
    address = text("address", help_text="Numéro et rue. Facultative si vous choisissez un établissement.")
    commune = place_choice("Commune", "Celle de l'établissement", "Une commune de la cité.")
    qpv = place_choice("Quartier prioritaire", "Aucun", "Le quartier où les familles le trouveront dans la recherche.")
    latitude = CoordinateField(
        "latitude",
        help_text="Pour placer le lieu sur la carte (par exemple 48,7771) : sur une carte en ligne, un clic droit "
        "sur le lieu l'affiche. Reprise de l'établissement s'il est choisi.",
    )
    longitude = CoordinateField("longitude", help_text="Par exemple 2,4631.")
    period = forms.ChoiceField(label=model_label("period"), choices=Period.choices, initial=Period.ALL_YEAR)
    starts_on = forms.DateField(
        label=model_label("starts_on"),
        required=False,
        widget=DateInput,
        help_text="Au format jj/mm/aaaa. Obligatoire, avec la fin, si l'activité n'a pas de créneau hebdomadaire.",
    )
    ends_on = forms.DateField(label=model_label("ends_on"), required=False, widget=DateInput)
    is_free = forms.BooleanField(label="Activité gratuite", required=False, initial=True)
    price = text("price", help_text="Si l'activité est payante : par exemple 10 € par an, selon le quotient familial.")
    how_to_join = text("how_to_join", rows=4, required=True)
    contact_email = forms.EmailField(
        label=model_label("contact_email"),
        required=False,
        help_text="L'adresse publique de la structure, jamais celle d'une personne. Laissée vide : celle de la "
        "structure.",
        error_messages={"invalid": "Saisissez une adresse e-mail valide, par exemple accueil@association.fr."},
    )
    contact_phone = text("contact_phone", help_text="Laissé vide : celui de la structure.")
    registration_url = forms.URLField(
        label=model_label("registration_url"),
        required=False,
        assume_scheme="https",
        help_text="Un formulaire d'inscription en ligne, s'il y en a un.",
        error_messages={"invalid": "Saisissez un lien complet, qui commence par https://."},
    )
    accessibility = text("accessibility", rows=3)

    def __init__(self, *args, cite, organisations=None, activity: Activity | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cite = cite
        self.fields["school"].queryset = cite.schools.order_by("name")
        self.fields["commune"].queryset = cite.communes.order_by("name")
        self.fields["qpv"].queryset = cite.qpvs.order_by("name")
        self.organisation = activity.organisation if activity else None
        if activity is not None or len(organisations) < 2:
            del self.fields["organisation"]
            self.organisation = self.organisation or (organisations[0] if organisations else None)
        else:
            self.fields["organisation"].queryset = organisations
        for name in ("title", "summary", "description", "how_to_join"):
            self.fields[name].error_messages["required"] = f"Remplissez « {self.fields[name].label} »."
        if activity is not None and not self.is_bound:
            self.initial = {key: value for key, value in fields_of(activity).items() if key != "slots"}

    def activity_fields(self) -> dict:
        """The cleaned activity, in the shape the services take (slots aside)."""
        data = self.cleaned_data
        return {name: data[name] for name in (*ACTIVITY_FIELDS, *RELATED_FIELDS)}

    def chosen_organisation(self):
        return self.cleaned_data.get("organisation") or self.organisation


class SlotForm(forms.Form):
    """One weekly slot: a weekday and two times. A row left empty is ignored."""

    weekday = forms.TypedChoiceField(
        label="Jour",
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    starts_at = forms.TimeField(
        label="Heure de début",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Saisissez une heure, par exemple 14:00."},
    )
    ends_at = forms.TimeField(
        label="Heure de fin",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Saisissez une heure, par exemple 16:00."},
    )

    def clean(self):
        data = super().clean()
        filled = [data.get(name) is not None for name in ("weekday", "starts_at", "ends_at")]
        if any(filled) and not all(filled) and not self.errors:
            raise ValidationError("Indiquez le jour, l'heure de début et l'heure de fin du créneau, ou videz la ligne.")
        return data


class BaseSlotFormSet(forms.BaseFormSet):
    def slots(self) -> list[tuple]:
        """The filled rows as (weekday, starts_at, ends_at); the service checks their hours."""
        return [
            (form.cleaned_data["weekday"], form.cleaned_data["starts_at"], form.cleaned_data["ends_at"])
            for form in self.forms
            if form.cleaned_data.get("weekday") is not None
        ]


SlotFormSet = forms.formset_factory(SlotForm, formset=BaseSlotFormSet, extra=EMPTY_SLOT_ROWS)


def slot_formset(data=None, *, activity: Activity | None = None) -> BaseSlotFormSet:
    """The slot rows: the activity's slots then empty rows. Posted rows get no initial values: a row compared
    with its own initial value would count as unchanged, and an unchanged extra row is skipped, not read."""
    initial = None
    if activity is not None and data is None:
        initial = [
            {"weekday": slot.weekday, "starts_at": slot.starts_at, "ends_at": slot.ends_at}
            for slot in activity.slots.all()
        ]
    return SlotFormSet(data, initial=initial, prefix="creneaux")


def show_service_errors(form: ActivityForm, slots: BaseSlotFormSet, error: ValidationError) -> None:
    """A service's errors on the page: those about the slots above the slots table, the others on their field."""
    if hasattr(error, "error_dict"):
        messages = dict(error.message_dict)
        slots.service_errors = messages.pop("slots", [])
        error = ValidationError(messages) if messages else None
    if error is not None:
        add_service_errors(form, error)


class ModerationForm(forms.Form):
    """A step of the moderation: the holder submits; the coordinator publishes, refuses or withdraws (with a note
    sent to the organisation)."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=[("submit", "Soumettre à la modération"), *DECISIONS.items()],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choisissez une décision : publier, refuser ou retirer l'activité."},
    )
    note = forms.CharField(
        label="Message à la structure",
        required=False,
        max_length=2000,
        help_text="Obligatoire pour refuser ou retirer l'activité : il est envoyé par e-mail à la structure.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusFilterForm(forms.Form):
    """The status filter of a cité's activity list. For the coordinator, the moderation queue ("à modérer")
    comes first."""

    is_filter = True

    status = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *ActivityStatus.choices], required=False)

    def __init__(self, *args, moderator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if moderator:
            others = [choice for choice in ActivityStatus.choices if choice[0] != ActivityStatus.PENDING]
            self.fields["status"].choices = [("", "Tous"), (ActivityStatus.PENDING.value, "À modérer"), *others]

    def filter(self, activities):
        """The activities with the chosen status (all of them when none, or an unknown one, is chosen)."""
        if self.is_valid() and self.cleaned_data["status"]:
            return activities.filter(status=self.cleaned_data["status"])
        return activities
