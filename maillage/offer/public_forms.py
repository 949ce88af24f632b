"""The forms of the public pages: the entry form (age and place) and the filters of the search.

They are GET forms with French parameter names, so a search is a clean URL a family can share
(`/offre/activites/?age=9&lieu=Créteil&jour=mercredi`). A wrong value is shown with its French error and that
filter is left out; the other filters still apply.
"""

from datetime import date

from django import forms

from maillage.core.models import Theme, TimeOfDay
from maillage.offer.models import Weekday
from maillage.offer.search import PARENTS

AGE_ERROR = "Indiquez un âge entre 0 et 25 ans, en chiffres."
WEEKDAYS = {label: value for value, label in Weekday.choices}


class EntryForm(forms.Form):
    """Age and place: the question of the entry page, asked again on the national search page."""

    is_filter = True  # the field template does not mark the fields "(facultatif)"

    age = forms.IntegerField(
        label="Âge de l'enfant ou du jeune",
        help_text="En années, de 0 à 25.",
        min_value=0,
        max_value=25,
        required=False,
        error_messages={"invalid": AGE_ERROR, "min_value": AGE_ERROR, "max_value": AGE_ERROR},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    lieu = forms.CharField(
        label="Commune ou code postal",
        help_text="Par exemple : Créteil ou 94000.",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )


class ActivitySearchForm(EntryForm):
    """The filters of the search page (all cités, with the place) and of a cité's page (with its neighbourhoods
    instead)."""

    parents = forms.BooleanField(label="Activités pour les parents", required=False)
    thematique = forms.ModelChoiceField(
        label="Thématique", queryset=Theme.objects.all(), to_field_name="code", empty_label="Toutes", required=False
    )
    temps = forms.ModelChoiceField(
        label="Temps de l'enfant",
        queryset=TimeOfDay.objects.all(),
        to_field_name="code",
        empty_label="Tous",
        required=False,
    )
    quartier = forms.ChoiceField(label="Quartier ou commune", required=False)
    jour = forms.ChoiceField(
        label="Jour de la semaine",
        choices=[("", "Tous les jours"), *((label, label.capitalize()) for label in WEEKDAYS)],
        required=False,
    )
    gratuit = forms.BooleanField(label="Gratuites uniquement", required=False)
    semaine = forms.BooleanField(label="Cette semaine", help_text="Avec une séance dans les 7 jours.", required=False)

    def __init__(self, *args, cite=None, qpvs=(), communes=(), **kwargs):
        """On a cité's page, `qpvs` and `communes` (already loaded by the page) are its neighbourhoods."""
        super().__init__(*args, **kwargs)
        self.cite = cite
        self.qpv_codes = {qpv.code for qpv in qpvs}
        if cite is None:
            del self.fields["quartier"]
        else:
            del self.fields["lieu"]
            self.fields["quartier"].choices = [
                ("", "Tous"),
                ("Quartiers prioritaires", [(qpv.code, qpv.name) for qpv in qpvs]),
                ("Communes", [(commune.insee_code, commune.name) for commune in communes]),
            ]

    def clean(self):
        data = super().clean()
        if data.get("parents") and data.get("age") is not None:
            self.add_error(
                "parents", "Indiquez l'âge d'un enfant ou cochez « Activités pour les parents », pas les deux."
            )
        return data

    def search_filters(self, today: date) -> dict:
        """The keyword arguments of `search_activities` for the valid filters (call `is_valid()` first)."""
        data = getattr(self, "cleaned_data", {})
        neighbourhood = data.get("quartier")
        theme, time_of_day = data.get("thematique"), data.get("temps")
        return {
            "age": PARENTS if data.get("parents") else data.get("age"),
            "place": data.get("lieu") or "",
            "cite": self.cite,
            "themes": (theme.code,) if theme else (),
            "times_of_day": (time_of_day.code,) if time_of_day else (),
            "qpv": neighbourhood if neighbourhood in self.qpv_codes else None,
            "commune": neighbourhood if neighbourhood and neighbourhood not in self.qpv_codes else None,
            "free_only": bool(data.get("gratuit")),
            "this_week": bool(data.get("semaine")),
            "weekday": WEEKDAYS[data["jour"]] if data.get("jour") else None,
            "today": today,
        }

    @property
    def place(self) -> str:
        return getattr(self, "cleaned_data", {}).get("lieu") or ""
