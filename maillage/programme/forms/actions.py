"""Forms of action sheets: the sheet itself (with its budget and funding plan tables), the follow-up step,
and the filters of a cité's action list."""

from django import forms
from django.db.models import Exists, OuterRef, Q

from maillage.core.amounts import amount_text
from maillage.core.forms import AmountField, DateInput
from maillage.core.models import AgeBand, FundingSource, SpendingCategory, Theme, TimeOfDay
from maillage.partners.models import name_key
from maillage.programme.models import Action, ActionStatus, CallForProjects, NationalObjective, Objective
from maillage.programme.services.actions import sheet_of


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, objective):
        return f"Axe : {objective.title}" if objective.is_axis else objective.title


def checkboxes(queryset, label, help_text=""):
    return forms.ModelMultipleChoiceField(
        queryset=queryset, label=label, help_text=help_text, required=False, widget=forms.CheckboxSelectMultiple
    )


class ActionForm(forms.Form):
    """An action sheet. Everything but the title may stay empty in a draft; the submission checks the rest.

    The budget has one amount per spending category (`budget_<code>`), the funding plan one per funding source
    (`funding_<code>`). `organisation` is asked only when the holder represents several organisations.
    """

    organisation = forms.ModelChoiceField(
        label="Structure porteuse",
        queryset=None,
        empty_label=None,
        help_text="La structure que vous représentez et qui porte l'action.",
    )
    title = forms.CharField(
        label="Intitulé de l'action",
        max_length=255,
        error_messages={"required": "Donnez un intitulé à l'action, même pour un brouillon."},
    )
    summary = forms.CharField(
        label="Résumé",
        required=False,
        help_text="Ce que l'action propose, à qui, et ce qu'elle cherche à changer.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    objectives = ObjectiveChoiceField(
        queryset=Objective.objects.none(), label="Objectifs", required=False, widget=forms.CheckboxSelectMultiple
    )
    themes = checkboxes(Theme.objects.all(), "Thématiques")
    age_bands = checkboxes(AgeBand.objects.all(), "Publics", "Tranches d'âge des jeunes, parents ou professionnels.")
    times_of_day = checkboxes(TimeOfDay.objects.all(), "Temps de l'enfant")
    schools = checkboxes(None, "Établissements scolaires")
    qpvs = checkboxes(None, "Quartiers prioritaires (QPV)")
    address = forms.CharField(
        label="Autre lieu (adresse)",
        max_length=255,
        required=False,
        help_text="Si l'action a lieu ailleurs que dans un établissement ou un quartier listé.",
    )
    starts_on = forms.DateField(label="Début", required=False, widget=DateInput, help_text="Au format jj/mm/aaaa.")
    ends_on = forms.DateField(label="Fin", required=False, widget=DateInput, help_text="Au format jj/mm/aaaa.")
    expected_beneficiaries = forms.IntegerField(
        label="Bénéficiaires attendus",
        min_value=0,
        required=False,
        error_messages={"min_value": "Le nombre de bénéficiaires ne peut pas être négatif."},
    )

    def __init__(self, *args, cite, organisations=None, action: Action | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cite = cite
        self.categories = list(SpendingCategory.objects.all())
        self.sources = list(FundingSource.objects.all())
        for category in self.categories:
            self.fields[f"budget_{category.code}"] = AmountField(label=category.label)
        for source in self.sources:
            self.fields[f"funding_{source.code}"] = AmountField(label=source.label)
        current = Q(pk__in=action.objectives.all()) if action else Q(pk__in=[])
        self.fields["objectives"].queryset = (
            Objective.objects.filter(cite=cite)
            .filter((Q(is_active=True) & (Q(parent__isnull=True) | Q(parent__is_active=True))) | current)
            .select_related("parent")
        )
        self.fields["schools"].queryset = cite.schools.order_by("name")
        self.fields["qpvs"].queryset = cite.qpvs.order_by("name")
        if organisations is None or len(organisations) < 2:
            del self.fields["organisation"]
            self.organisation = organisations[0] if organisations else None
        else:
            self.fields["organisation"].queryset = organisations
            self.organisation = None
        if action is not None and not self.is_bound:
            self.initial = self.initial_of(action)

    def initial_of(self, action: Action) -> dict:
        sheet = sheet_of(action)
        initial = {name: sheet[name] for name in ("title", "summary", "address", "starts_on", "ends_on")}
        initial["expected_beneficiaries"] = sheet["expected_beneficiaries"]
        for name in ("objectives", "themes", "age_bands", "times_of_day", "schools", "qpvs"):
            initial[name] = [item.pk for item in sheet[name]]
        for category, amount in sheet["budget"].items():
            initial[f"budget_{category.code}"] = amount_text(amount)
        for source, amount in sheet["funding"].items():
            initial[f"funding_{source.code}"] = amount_text(amount)
        return initial

    @property
    def budget_fields(self):
        return [self[f"budget_{category.code}"] for category in self.categories]

    @property
    def funding_fields(self):
        return [self[f"funding_{source.code}"] for source in self.sources]

    @property
    def objective_groups(self) -> list[tuple[str, list[tuple[object, bool]]]]:
        """The objective checkboxes grouped by national objective, each axis followed by its operational
        objectives: [(national label, [(checkbox, is_operational)])]."""
        objectives = list(self.fields["objectives"].queryset)
        by_pk = {str(option.data["value"]): option for option in self["objectives"]}
        groups = []
        for national in NationalObjective:
            in_group = [o for o in objectives if o.national_objective == national]
            ordered = []
            for axis in (o for o in in_group if o.is_axis):
                ordered += [axis, *(o for o in in_group if o.parent_id == axis.pk)]
            ordered += [o for o in in_group if o not in ordered]  # kept on the sheet, its axis withdrawn
            if ordered:
                groups.append((national.label, [(by_pk[str(o.pk)], not o.is_axis) for o in ordered]))
        return groups

    def sheet(self) -> dict:
        """The cleaned sheet, in the shape the services take."""
        data = self.cleaned_data
        sheet = {
            name: data[name]
            for name in ("title", "summary", "address", "starts_on", "ends_on", "expected_beneficiaries")
        }
        for name in ("objectives", "themes", "age_bands", "times_of_day", "schools", "qpvs"):
            sheet[name] = list(data[name])
        sheet["budget"] = {category: data[f"budget_{category.code}"] for category in self.categories}
        sheet["funding"] = {source: data[f"funding_{source.code}"] for source in self.sources}
        return sheet

    def chosen_organisation(self):
        return self.cleaned_data.get("organisation") or self.organisation


class FollowForm(forms.Form):
    """One step of an action's later life, among those its status allows now, with an optional note."""

    transition = forms.ChoiceField(
        label="Étape",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez une étape du suivi de l'action.",
            "invalid_choice": "Cette étape n'est pas possible pour l'action dans son état actuel.",
        },
    )
    note = forms.CharField(
        label="Précision",
        required=False,
        max_length=400,
        help_text="Facultatif : le motif d'un report, ce qui a empêché l'action…",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, transitions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transition"].choices = transitions


STATUS_CHOICES = [("", "Tous"), *ActionStatus.choices]


class ActionFilterForm(forms.Form):
    """Filters of a cité's action list (and of its export). Every field is optional."""

    is_filter = True

    call = forms.ModelChoiceField(
        label="Appel à projets", queryset=CallForProjects.objects.none(), required=False, empty_label="Tous"
    )
    year = forms.TypedChoiceField(label="Exercice", coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label="Statut", choices=STATUS_CHOICES, required=False)
    national_objective = forms.ChoiceField(
        label="Objectif national", choices=[("", "Tous"), *NationalObjective.choices], required=False
    )
    theme = forms.ModelChoiceField(
        label="Thématique", queryset=Theme.objects.all(), required=False, empty_label="Toutes"
    )
    organisation = forms.CharField(label="Structure porteuse", max_length=100, required=False)

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        calls = CallForProjects.objects.filter(cite=cite)
        self.fields["call"].queryset = calls.order_by("-year", "title")
        years = sorted(set(calls.values_list("year", flat=True)), reverse=True)
        self.fields["year"].choices = [("", "Tous"), *((year, str(year)) for year in years)]

    def filter(self, actions):
        """The actions matching the valid filters (all of them when the form is not valid)."""
        if not self.is_valid():
            return actions
        data = self.cleaned_data
        if data["call"]:
            actions = actions.filter(call=data["call"])
        if data["year"]:
            actions = actions.filter(call__year=data["year"])
        if data["status"]:
            actions = actions.filter(status=data["status"])
        if data["national_objective"]:
            links = Action.objectives.through.objects.filter(
                action_id=OuterRef("pk"), objective__national_objective=data["national_objective"]
            )
            actions = actions.filter(Exists(links))
        if data["theme"]:
            links = Action.themes.through.objects.filter(action_id=OuterRef("pk"), theme=data["theme"])
            actions = actions.filter(Exists(links))
        if data["organisation"].strip():
            actions = actions.filter(organisation__name_key__contains=name_key(data["organisation"]))
        return actions
