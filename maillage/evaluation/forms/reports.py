"""Forms of the action reports: the report itself (a grid of people reached by age band and sex, the actual
spending per category next to the budget), the confirmation of its submission, and the filter of the late list."""

from django import forms

from maillage.core.forms import AmountField
from maillage.core.models import AgeBand, SpendingCategory
from maillage.evaluation.models import ActionReport
from maillage.evaluation.services.reports import MAX_COUNT

COUNT_ERRORS = {
    "invalid": "Saisissez un nombre entier.",
    "min_value": "Ce nombre ne peut pas être négatif.",
    "max_value": "Ce nombre est trop élevé.",
}


def count_field(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        error_messages=COUNT_ERRORS,
    )


class SpendingField(AmountField):
    """An actual spending in euros; blank stays None (not given yet), unlike 0 € (nothing was spent)."""

    def clean(self, value):
        return None if not str(value or "").strip() else super().clean(value)


def sexes_of(band: AgeBand) -> tuple[str, str]:
    """How the grid names the two sexes of a band: girls and boys, or women and men for the adult audiences."""
    return ("filles", "garçons") if band.min_age is not None else ("femmes", "hommes")


class ReportForm(forms.Form):
    """The report of an action. Everything may stay empty in a draft; the submission checks the rest.

    People reached have two fields per age band or audience (`reach_<code>_female`, `reach_<code>_male`), blank
    meaning 0; the actual spending one per spending category (`spending_<code>`), blank meaning not given.
    """

    is_draft = True  # saved incomplete: the field template does not mark fields "(facultatif)"

    qpv_residents = count_field(
        "Dont résidents d'un quartier prioritaire (QPV)",
        "Parmi les personnes touchées, celles qui habitent un quartier prioritaire ; 0 si aucune.",
    )
    sessions = count_field("Nombre de séances")
    hours = forms.DecimalField(
        label="Nombre d'heures",
        help_text="Le total des heures d'intervention, par exemple 12,5.",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=1,
        localize=True,
        error_messages={
            "invalid": "Saisissez un nombre d'heures, par exemple 12,5.",
            "min_value": "Le nombre d'heures ne peut pas être négatif.",
            "max_digits": "Ce nombre d'heures est trop élevé.",
            "max_whole_digits": "Ce nombre d'heures est trop élevé.",
            "max_decimal_places": "Indiquez les heures avec une décimale au plus, par exemple 12,5.",
        },
    )
    achievements = forms.CharField(
        label="Ce qui a fonctionné",
        required=False,
        help_text="Les effets observés sur les enfants et les jeunes, les partenariats, ce qui est à garder.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    difficulties = forms.CharField(
        label="Ce qui n'a pas fonctionné, les difficultés",
        required=False,
        help_text="Ce qui a manqué ou freiné l'action, les écarts entre le prévu et le réalisé.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    outlook = forms.CharField(
        label="Suites envisagées",
        required=False,
        help_text="Reconduction, évolution, arrêt de l'action.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, report: ActionReport, budget_lines, **kwargs):
        """`report` saved or not; `budget_lines` the action's, with their category (shown next to the spending)."""
        super().__init__(*args, **kwargs)
        self.bands = list(AgeBand.objects.all())
        self.categories = list(SpendingCategory.objects.all())
        self.planned = {line.category_id: line.amount for line in budget_lines}
        for band in self.bands:
            female, male = sexes_of(band)
            self.fields[f"reach_{band.code}_female"] = count_field(f"{band.label} — {female}")
            self.fields[f"reach_{band.code}_male"] = count_field(f"{band.label} — {male}")
        for category in self.categories:
            self.fields[f"spending_{category.code}"] = SpendingField(label=f"{category.label} — dépense réelle")
        if report.pk is not None and not self.is_bound:
            self.initial = self.initial_of(report)

    def initial_of(self, report: ActionReport) -> dict:
        """The saved report (its lines prefetched with their age band and category)."""
        initial = {name: getattr(report, name) for name in ("qpv_residents", "sessions", "hours")}
        initial.update({name: getattr(report, name) for name in ("achievements", "difficulties", "outlook")})
        for line in report.reach_lines.all():
            initial[f"reach_{line.age_band.code}_female"] = line.female
            initial[f"reach_{line.age_band.code}_male"] = line.male
        for line in report.spending_lines.all():
            initial[f"spending_{line.category.code}"] = line.amount
        return initial

    @property
    def reach_rows(self) -> list[tuple[AgeBand, forms.BoundField, forms.BoundField]]:
        return [(band, self[f"reach_{band.code}_female"], self[f"reach_{band.code}_male"]) for band in self.bands]

    @property
    def spending_rows(self) -> list[tuple[SpendingCategory, object, forms.BoundField]]:
        """(category, planned amount or None, spending field) per category."""
        return [
            (category, self.planned.get(category.pk), self[f"spending_{category.code}"]) for category in self.categories
        ]

    def report_data(self) -> dict:
        """The cleaned report, in the shape `save_report` takes."""
        data = self.cleaned_data
        return {
            "reach": {
                band.pk: (data[f"reach_{band.code}_female"] or 0, data[f"reach_{band.code}_male"] or 0)
                for band in self.bands
            },
            "spending": {category.pk: data[f"spending_{category.code}"] for category in self.categories},
            **{name: data[name] for name in ("qpv_residents", "sessions", "hours")},
            **{name: data[name] for name in ("achievements", "difficulties", "outlook")},
        }


class SubmitReportForm(forms.Form):
    confirm = forms.BooleanField(
        label="Je confirme que ce bilan est complet et exact. Une fois déposé, il ne peut plus être modifié et "
        "l'action est clôturée.",
        error_messages={"required": "Cochez la case de confirmation pour déposer le bilan."},
    )


class ReportFilterForm(forms.Form):
    """The filter of a cité's list of reports: all, still to submit, late, submitted."""

    is_filter = True

    ALL, TO_SUBMIT, LATE, SUBMITTED = "", "a-deposer", "en-retard", "deposes"
    etat = forms.ChoiceField(
        label="État du bilan",
        required=False,
        choices=[(ALL, "Tous"), (TO_SUBMIT, "À déposer"), (LATE, "En retard"), (SUBMITTED, "Déposés")],
    )

    def state(self) -> str:
        return self.cleaned_data["etat"] if self.is_valid() else self.ALL
