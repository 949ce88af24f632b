"""Forms of the decision register: proposing a decision, a pillar's answer, the register's filters."""

from django import forms

from maillage.core.forms import DateInput
from maillage.governance.models import Body, Decision, DecisionStatus, Pillar, Verdict
from maillage.partners.models import Organisation

REASON_REQUIRED = "Indiquez le motif du rejet : il est obligatoire."


class DecisionForm(forms.ModelForm):
    """A decision proposed at a meeting; the organisation is one working in the meeting's cité."""

    class Meta:
        model = Decision
        fields = ["title", "text", "organisation"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"organisation": "Une structure partenaire qui intervient dans la cité."}

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.in_cites([cite.pk]).order_by("name")
        self.fields["organisation"].empty_label = "Aucune"


class AnswerForm(forms.Form):
    """A troïka member's answer: approve, or reject with a reason. A member sitting for several pillars
    says which one they answer for."""

    pillar = forms.ChoiceField(
        label="Vous répondez au titre du pilier",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le pilier au titre duquel vous répondez.",
            "invalid_choice": "Vous ne siégez pas à la troïka de cette cité au titre de ce pilier.",
        },
    )
    verdict = forms.ChoiceField(
        choices=Verdict.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choisissez d'approuver ou de rejeter la décision.",
            "invalid_choice": "Choisissez d'approuver ou de rejeter la décision.",
        },
    )
    reason = forms.CharField(
        label="Motif du rejet",
        required=False,
        help_text="Obligatoire pour rejeter la décision.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, pillars: list[Pillar], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [(pillar.value, pillar.label) for pillar in pillars]
        if len(pillars) == 1:
            self.fields["pillar"].widget = forms.HiddenInput()
            self.fields["pillar"].initial = pillars[0].value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verdict") == Verdict.REJECTED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", REASON_REQUIRED)
        return cleaned


class DecisionFilterForm(forms.Form):
    """Filters of a cité's decision register (and of its export). Every field is optional."""

    is_filter = True

    status = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *DecisionStatus.choices], required=False)
    body = forms.ModelChoiceField(label="Instance", queryset=Body.objects.none(), required=False, empty_label="Toutes")
    date_from = forms.DateField(label="Réunion à partir du", required=False, widget=DateInput)
    date_to = forms.DateField(label="Réunion jusqu'au", required=False, widget=DateInput)

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(cite=cite).order_by("kind", "name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "La date de fin précède la date de début.")
        return cleaned

    def filter(self, decisions):
        """The decisions matching the valid filters (all of them when the form is not valid)."""
        if not self.is_valid():
            return decisions
        data = self.cleaned_data
        if data["status"]:
            decisions = decisions.filter(status=data["status"])
        if data["body"]:
            decisions = decisions.filter(meeting__body=data["body"])
        if data["date_from"]:
            decisions = decisions.filter(meeting__starts_at__date__gte=data["date_from"])
        if data["date_to"]:
            decisions = decisions.filter(meeting__starts_at__date__lte=data["date_to"])
        return decisions
