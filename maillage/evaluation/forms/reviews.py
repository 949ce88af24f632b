"""Forms of the annual review: starting the review of a year, its six free-text sections, and the meeting where
its validation is proposed to the troïka."""

from django import forms

from maillage.evaluation.models import AnnualReview
from maillage.evaluation.services.reviews import MAX_TEXT_LENGTH, TEXT_FIELDS, TEXT_TOO_LONG, review_meetings
from maillage.programme.forms.selection import MeetingChoiceField

HELP_TEXTS = {
    "highlights": "Ce qui a marqué l'année de la cité : réussites, difficultés, évolutions du territoire.",
    "governance_comment": "Le fonctionnement des instances, la participation, les décisions importantes.",
    "deployment_comment": "Les actions menées, les publics touchés, ce qui n'a pas pu se faire.",
    "finances_comment": "La consommation des enveloppes, les cofinancements, les écarts.",
    "evaluation_comment": "Les indicateurs au regard des cibles et des références.",
    "outlook": "Les priorités et les évolutions prévues pour l'année suivante.",
}


class StartReviewForm(forms.Form):
    year = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "Choisissez l'année de la revue.", "invalid": "Choisissez l'année de la revue."},
    )


class ReviewForm(forms.Form):
    """The six free-text sections, as plain text (no formatting)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TEXT_FIELDS:
            self.fields[name] = forms.CharField(
                label=str(AnnualReview._meta.get_field(name).verbose_name).capitalize(),
                help_text=HELP_TEXTS[name],
                required=False,
                max_length=MAX_TEXT_LENGTH,
                error_messages={"max_length": TEXT_TOO_LONG},
                widget=forms.Textarea(attrs={"rows": 6}),
            )


class SubmitReviewForm(forms.Form):
    meeting = MeetingChoiceField(
        label="Réunion où la revue est présentée",
        queryset=None,
        empty_label="Choisissez une réunion",
        help_text="Les réunions prévues ou tenues de la cité. La validation y est proposée comme une décision.",
        error_messages={
            "required": "Choisissez la réunion où la revue est présentée.",
            "invalid_choice": "Choisissez une réunion prévue ou tenue de la cité.",
        },
    )

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = review_meetings(cite.pk).select_related("body").order_by("-starts_at")
