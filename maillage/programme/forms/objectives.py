"""Forms of the objective tree: a local axis under a national objective, an operational objective under an
axis, and a new title for a node."""

from django import forms

from maillage.programme.models import NationalObjective, Objective

TITLE_HELP = "Une phrase courte, qui dit ce que la cité cherche à changer."


class AxisForm(forms.Form):
    national_objective = forms.ChoiceField(
        label="Objectif national",
        choices=[("", "Choisir un objectif national"), *NationalObjective.choices],
        error_messages={
            "required": "Choisissez l'un des trois objectifs nationaux.",
            "invalid_choice": "Choisissez l'un des trois objectifs nationaux.",
        },
    )
    title = forms.CharField(
        label="Intitulé de l'axe local",
        max_length=255,
        help_text=TITLE_HELP,
        error_messages={"required": "Donnez un intitulé à l'axe."},
    )


class OperationalObjectiveForm(forms.Form):
    parent = forms.ModelChoiceField(
        label="Axe local",
        queryset=Objective.objects.none(),
        empty_label="Choisir un axe",
        error_messages={
            "required": "Choisissez l'axe sous lequel ranger l'objectif.",
            "invalid_choice": "Choisissez un axe local en vigueur de la cité.",
        },
    )
    title = forms.CharField(
        label="Intitulé de l'objectif opérationnel",
        max_length=255,
        help_text=TITLE_HELP,
        error_messages={"required": "Donnez un intitulé à l'objectif."},
    )

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        axes = Objective.objects.filter(cite=cite, parent__isnull=True, is_active=True)
        self.fields["parent"].queryset = axes.order_by("national_objective", "position", "pk")
        self.fields["parent"].label_from_instance = lambda axis: (
            f"{NationalObjective(axis.national_objective).label} — {axis.title}"
        )


class RenameForm(forms.Form):
    title = forms.CharField(
        label="Nouvel intitulé", max_length=255, error_messages={"required": "Donnez un intitulé à l'objectif."}
    )
