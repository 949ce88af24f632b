"""Forms of the follow-up tasks: creating a task, changing its status, filtering a cité's tasks."""

from django import forms

from maillage.core.forms import DateInput
from maillage.governance.models import TaskStatus
from maillage.governance.services.followup import cite_members

ALL = "all"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user} ({user.email})" if user.get_full_name() else user.email


class TaskForm(forms.Form):
    title = forms.CharField(label="Tâche", max_length=255)
    description = forms.CharField(label="Précisions", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    owner = MemberChoiceField(
        label="Responsable", queryset=None, help_text="Une personne membre de la cité éducative.", empty_label=""
    )
    due_on = forms.DateField(label="Échéance", widget=DateInput)

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = cite_members(cite).order_by("last_name", "first_name", "email")


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label="État de la tâche", choices=TaskStatus.choices)


class TaskFilterForm(forms.Form):
    """Filters of a cité's tasks. By default the open tasks are listed."""

    is_filter = True

    status = forms.ChoiceField(
        label="État",
        choices=[("", "Ouvertes (à faire ou en cours)"), (ALL, "Toutes"), *TaskStatus.choices],
        required=False,
    )
    owner = MemberChoiceField(label="Responsable", queryset=None, required=False, empty_label="Tous")

    def __init__(self, *args, cite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = cite_members(cite).order_by("last_name", "first_name", "email")

    def filter(self, tasks):
        status, owner = "", None
        if self.is_valid():
            status, owner = self.cleaned_data["status"], self.cleaned_data["owner"]
        if not status:
            tasks = tasks.open()
        elif status != ALL:
            tasks = tasks.filter(status=status)
        if owner is not None:
            tasks = tasks.filter(owner=owner)
        return tasks
