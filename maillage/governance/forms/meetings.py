"""Forms of bodies and meetings. They parse what people type; the services validate and write."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.forms import DateInput
from maillage.governance.models import Attendance, Body, BodyKind, Meeting, MeetingStatus
from maillage.governance.services.meetings import CREATABLE_KINDS, AgendaLine
from maillage.partners.models import Contact

AGENDA_SEPARATOR = "|"


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label="Type d'instance", choices=[(kind.value, kind.label) for kind in CREATABLE_KINDS])
    name = forms.CharField(label="Nom", max_length=200, help_text="Par exemple : « Groupe de travail parentalité ».")
    description = forms.CharField(
        label="Rôle et composition",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="À quoi sert l'instance, qui y siège, à quel rythme elle se réunit.",
    )
    is_active = forms.BooleanField(
        label="Instance active",
        required=False,
        initial=True,
        help_text="Une instance inactive reste consultable mais n'accueille plus de nouvelles réunions.",
    )

    def __init__(self, *args, body: Body | None = None, **kwargs):
        if body is not None:
            kwargs.setdefault(
                "initial",
                {"kind": body.kind, "name": body.name, "description": body.description, "is_active": body.is_active},
            )
        super().__init__(*args, **kwargs)
        if body is None:
            del self.fields["is_active"]
        elif body.kind == BodyKind.TROIKA:
            del self.fields["kind"]  # the troïka keeps its kind and stays active
            del self.fields["is_active"]


class MeetingForm(forms.Form):
    title = forms.CharField(label="Intitulé", max_length=200, help_text="Par exemple : « COPIL de rentrée ».")
    date = forms.DateField(label="Date", widget=DateInput)
    starts = forms.TimeField(label="Heure de début", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    ends = forms.TimeField(label="Heure de fin", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(label="Lieu", max_length=255, required=False, help_text="Adresse et salle.")
    agenda = forms.CharField(
        label="Ordre du jour",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Un point par ligne. Pour indiquer qui présente un point, ajoutez une barre verticale puis son nom : "
            "« Bilan de l'année | Mme Martin »."
        ),
    )
    status = forms.ChoiceField(label="État", choices=MeetingStatus.choices, widget=forms.RadioSelect)

    def __init__(self, *args, meeting: Meeting | None = None, **kwargs):
        if meeting is not None:
            kwargs.setdefault("initial", self.initial_for(meeting))
        super().__init__(*args, **kwargs)
        if meeting is None:
            del self.fields["status"]

    @staticmethod
    def initial_for(meeting: Meeting) -> dict:
        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        lines = [
            f"{item.title} {AGENDA_SEPARATOR} {item.presenter}" if item.presenter else item.title
            for item in meeting.agenda_items.all()
        ]
        return {
            "title": meeting.title,
            "date": starts.date(),
            "starts": starts.time(),
            "ends": ends.time(),
            "place": meeting.place,
            "agenda": "\n".join(lines),
            "status": meeting.status,
        }

    def clean_agenda(self) -> list[AgendaLine]:
        lines = []
        for raw in self.cleaned_data["agenda"].splitlines():
            if not raw.strip():
                continue
            title, _, presenter = raw.partition(AGENDA_SEPARATOR)
            if not title.strip():
                raise ValidationError("Chaque point de l'ordre du jour commence par son intitulé.")
            lines.append(AgendaLine(title=title.strip(), presenter=presenter.strip()))
        return lines

    def clean(self):
        cleaned = super().clean()
        day, starts, ends = cleaned.get("date"), cleaned.get("starts"), cleaned.get("ends")
        if day and starts and ends:
            cleaned["starts_at"] = timezone.make_aware(datetime.datetime.combine(day, starts))
            cleaned["ends_at"] = timezone.make_aware(datetime.datetime.combine(day, ends))
            if cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("ends", "L'heure de fin doit être après l'heure de début.")
        return cleaned

    SERVICE_FIELDS = {"starts_at": "starts", "ends_at": "ends"}


class ContactSearchForm(forms.Form):
    is_filter = True

    q = forms.CharField(
        label="Rechercher un contact",
        required=False,
        help_text="Nom, prénom, fonction ou structure",
    )


class ContactChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class InviteesForm(forms.Form):
    """Add contacts to a meeting, or withdraw invitations (the two lists of the invitees page)."""

    add = ContactChoiceField(label="Personnes à inviter", queryset=Contact.objects.none(), required=False)
    remove = ContactChoiceField(label="Invitations à retirer", queryset=Contact.objects.none(), required=False)

    def __init__(self, *args, invitable, invited, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["add"].queryset = invitable
        self.fields["remove"].queryset = invited

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("add") and not cleaned.get("remove"):
            raise ValidationError("Cochez au moins une personne.")
        return cleaned


ATTENDANCE_CHOICES = [
    (Attendance.PRESENT.value, "Présent ou présente"),
    (Attendance.EXCUSED.value, "Excusé ou excusée"),
    (Attendance.ABSENT.value, "Absent ou absente"),
    (Attendance.UNKNOWN.value, "Non renseigné"),
]


class AttendanceForm(forms.Form):
    """One group of radio buttons per invitee (a fieldset whose legend names the person)."""

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        for invitation in self.invitations:
            contact = invitation.contact
            self.fields[self.field_name(invitation)] = forms.ChoiceField(
                label=f"{contact.full_name} — {contact.organisation.name}",
                choices=ATTENDANCE_CHOICES,
                initial=invitation.attendance,
                required=False,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(invitation) -> str:
        return f"presence_{invitation.pk}"

    def attendance(self) -> dict[int, str]:
        return {invitation.pk: self.cleaned_data[self.field_name(invitation)] for invitation in self.invitations}


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label="Compte rendu",
        required=False,
        # static/js/minutes-editor.js turns the textarea into a rich-text editor (Trix) when JavaScript runs.
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true", "data-rich-text": "minutes"}),
        help_text=(
            "Mettez le texte en forme avec la barre d'outils (gras, listes, titres, liens). Sans JavaScript, "
            "écrivez simplement : une ligne vide sépare deux paragraphes."
        ),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Document à joindre",
        help_text="PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPEG, CSV ou TXT.",
    )

    def __init__(self, *args, max_size_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if max_size_label:
            self.fields["file"].help_text += f" Taille maximale : {max_size_label}."
