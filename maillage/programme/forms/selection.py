"""Forms of instruction and selection: the grant officer's eligibility opinion, a committee member's scores on
the call's grid, and the coordinator's record of the committee's choice."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from maillage.governance.models import BodyKind
from maillage.programme.models import Outcome
from maillage.programme.services.scoring import comment_field, value_field
from maillage.programme.services.selection import NOTE_REQUIRED, outcome_field, selection_meetings

ELIGIBILITY_CHOICES = [("yes", "Oui, l'action est éligible"), ("no", "Non, l'action n'est pas éligible")]


class InstructionForm(forms.Form):
    """Eligible or not; a note explaining why is required when the action is not eligible."""

    is_eligible = forms.TypedChoiceField(
        label="L'action est-elle éligible à l'appel à projets ?",
        choices=ELIGIBILITY_CHOICES,
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Indiquez si l'action est éligible.",
            "invalid_choice": "Indiquez si l'action est éligible.",
        },
    )
    note = forms.CharField(
        label="Avis d'éligibilité",
        required=False,
        help_text="Obligatoire quand l'action n'est pas éligible : le porteur de projet en est informé.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_eligible") is False and not (cleaned.get("note") or "").strip():
            self.add_error("note", NOTE_REQUIRED)
        return cleaned


class ScoreForm(forms.Form):
    """One score (and an optional comment) per criterion of the call's grid."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            out_of_range = f"Donnez une note entière de 0 à {criterion.max_score} pour « {criterion.label} »."
            self.fields[value_field(criterion)] = forms.IntegerField(
                label=f"Note sur {criterion.max_score}",
                help_text=criterion.description,
                min_value=0,
                max_value=criterion.max_score,
                error_messages={
                    "required": out_of_range,
                    "invalid": out_of_range,
                    "min_value": out_of_range,
                    "max_value": out_of_range,
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[comment_field(criterion)] = forms.CharField(
                label="Commentaire",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def criterion_fields(self):
        """(criterion, score field, comment field) for each criterion, for the template."""
        return [
            (criterion, self[value_field(criterion)], self[comment_field(criterion)]) for criterion in self.criteria
        ]

    def values(self) -> dict[int, int]:
        return {criterion.pk: self.cleaned_data[value_field(criterion)] for criterion in self.criteria}

    def comments(self) -> dict[int, str]:
        return {criterion.pk: self.cleaned_data[comment_field(criterion)] for criterion in self.criteria}


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        return f"{meeting.body.name} — {meeting.title} ({timezone.localtime(meeting.starts_at):%d/%m/%Y})"


class SelectionForm(forms.Form):
    """The meeting where the committee chose, and retenue / non retenue for each proposable action.
    Ineligible actions default to non retenue."""

    meeting = MeetingChoiceField(
        label="Réunion où le comité a fait son choix",
        queryset=None,
        empty_label="Choisissez une réunion",
        help_text="Les réunions prévues ou tenues de la cité ; celles du comité de sélection d'abord.",
        error_messages={
            "required": "Choisissez la réunion où le comité a fait son choix.",
            "invalid_choice": "Choisissez une réunion prévue ou tenue de la cité.",
        },
    )

    def __init__(self, *args, cite, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            selection_meetings(cite.pk)
            .select_related("body")
            .annotate(
                committee_first=Case(
                    When(body__kind=BodyKind.SELECTION_COMMITTEE, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("committee_first", "-starts_at")
        )
        self.actions = list(actions)
        for action in self.actions:
            self.fields[outcome_field(action)] = forms.ChoiceField(
                label=f"Proposition pour « {action.title} »",
                choices=Outcome.choices,
                widget=forms.RadioSelect,
                initial=Outcome.REJECTED if action.is_eligible is False else None,
                error_messages={
                    "required": f"Indiquez si l'action « {action.title} » est retenue ou non.",
                    "invalid_choice": f"Indiquez si l'action « {action.title} » est retenue ou non.",
                },
            )

    def action_fields(self):
        """(action, outcome field) for each proposable action, for the template."""
        return [(action, self[outcome_field(action)]) for action in self.actions]

    def outcomes(self) -> dict[int, str]:
        return {action.pk: self.cleaned_data[outcome_field(action)] for action in self.actions}
