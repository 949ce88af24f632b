"""Governance of a cité: its bodies (troïka, COPIL…), their meetings, the decisions the troïka validates
and the follow-up tasks decided in meetings.

Everything here belongs to one cité (`cite`), so `for_user` and the `rules` predicates answer from it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, transition

from maillage.core.models import CiteScopedQuerySet, Role


class Pillar(models.TextChoices):
    """The three pillars of the troïka."""

    STATE = "state", "État (préfecture)"
    EDUCATION = "education", "Éducation nationale"
    CITY = "city", "Ville"


PILLAR_OF_ROLE = {
    Role.TROIKA_STATE: Pillar.STATE,
    Role.TROIKA_EDUCATION: Pillar.EDUCATION,
    Role.TROIKA_CITY: Pillar.CITY,
}


class BodyKind(models.TextChoices):
    TROIKA = "troika", "Troïka"
    COPIL = "copil", "Comité de pilotage (COPIL)"
    COTECH = "cotech", "Comité technique (COTECH)"
    WORKING_GROUP = "working_group", "Groupe de travail"
    SELECTION_COMMITTEE = "selection_committee", "Comité de sélection"
    PARTNERS_MEETING = "partners_meeting", "Rencontre ouverte des partenaires"


class Body(models.Model):
    """An instance of the cité's governance. Each cité has exactly one troïka, created with the cité."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="bodies", verbose_name="cité éducative"
    )
    kind = models.CharField("type d'instance", max_length=24, choices=BodyKind.choices)
    name = models.CharField("nom", max_length=200)
    description = models.TextField("rôle et composition", blank=True)
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = CiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "instance"
        verbose_name_plural = "instances"
        ordering = ["cite", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cite"], condition=Q(kind="troika"), name="body_one_troika_per_cite"),
            models.UniqueConstraint(fields=["cite", "name"], name="body_name_unique_in_cite"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("governance:body_detail", args=[self.pk])


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "prévue"
    HELD = "held", "tenue"
    CANCELLED = "cancelled", "annulée"


class Meeting(models.Model):
    """A sitting of a body, or an open meeting of the partners (a body of kind `partners_meeting`)."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="meetings", verbose_name="cité éducative"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name="instance")
    title = models.CharField("intitulé", max_length=200)
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    place = models.CharField("lieu", max_length=255, blank=True)
    status = models.CharField("état", max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField("compte rendu", blank=True, help_text="Texte mis en forme, nettoyé à l'enregistrement.")
    minutes_updated_at = models.DateTimeField("compte rendu modifié le", null=True, blank=True)
    invitations_sent_at = models.DateTimeField("invitations envoyées le", null=True, blank=True)
    sequence = models.PositiveIntegerField(
        "version de l'invitation", default=0, help_text="Augmente à chaque changement d'horaire (iCalendar)."
    )
    invitees = models.ManyToManyField(
        "partners.Contact", through="Invitation", related_name="meetings", verbose_name="invités"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="créée par"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = CiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion"
        verbose_name_plural = "réunions"
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")), name="meeting_ends_after_start")
        ]
        indexes = [models.Index(fields=["cite", "starts_at"], name="meeting_cite_start_idx")]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("governance:meeting_detail", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("point", max_length=255)
    presenter = models.CharField("présenté par", max_length=200, blank=True)

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "ordre du jour"
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return self.title


class Attendance(models.TextChoices):
    UNKNOWN = "", "non renseignée"
    PRESENT = "present", "présent"
    EXCUSED = "excused", "excusé"
    ABSENT = "absent", "absent"


class Invitation(models.Model):
    """A contact invited to a meeting, and whether they attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        "partners.Contact", on_delete=models.PROTECT, related_name="invitations", verbose_name="contact"
    )
    attendance = models.CharField("présence", max_length=10, choices=Attendance.choices, blank=True)
    sent_at = models.DateTimeField("invitation envoyée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        constraints = [models.UniqueConstraint(fields=["meeting", "contact"], name="invitation_unique")]

    def __str__(self):
        return f"{self.contact} — {self.meeting}"


def attachment_path(attachment, filename: str) -> str:
    return f"meetings/{attachment.meeting_id}/{filename}"


class Attachment(models.Model):
    """A document attached to a meeting (checked by type and size on upload, served after a perimeter check)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255)
    name = models.CharField("nom", max_length=255)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField("ajoutée le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "en attente de validation"
    VALIDATED = "validated", "validée"
    REJECTED = "rejected", "rejetée"


class Decision(models.Model):
    """A decision taken at a meeting. It is validated once a member of each troïka pillar has approved it;
    any pillar can reject it with a reason. Statuses move only through the transitions below."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="decisions", verbose_name="cité éducative"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions", verbose_name="réunion")
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="structure concernée",
    )
    number = models.PositiveIntegerField("numéro", help_text="Numéro d'ordre dans le registre de la cité.")
    title = models.CharField("intitulé", max_length=255)
    text = models.TextField("texte de la décision")
    status = FSMField(
        "statut", max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PENDING, protected=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="proposée par"
    )
    created_at = models.DateTimeField("proposée le", auto_now_add=True)
    closed_at = models.DateTimeField("validée ou rejetée le", null=True, blank=True)

    objects = CiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cite", "status"], name="decision_cite_status_idx")]
        constraints = [models.UniqueConstraint(fields=["cite", "number"], name="decision_number_unique_in_cite")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("governance:decision_detail", args=[self.pk])

    @transition(field=status, source=DecisionStatus.PENDING, target=DecisionStatus.VALIDATED)
    def validate(self):
        self.closed_at = timezone.now()

    @transition(field=status, source=DecisionStatus.PENDING, target=DecisionStatus.REJECTED)
    def reject(self):
        self.closed_at = timezone.now()


class Verdict(models.TextChoices):
    APPROVED = "approved", "approuvée"
    REJECTED = "rejected", "rejetée"


class Approval(models.Model):
    """One pillar's answer on a decision: at most one per pillar."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="approvals")
    pillar = models.CharField("pilier", max_length=10, choices=Pillar.choices)
    verdict = models.CharField("avis", max_length=10, choices=Verdict.choices)
    reason = models.TextField("motif", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="par"
    )
    given_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "avis d'un pilier"
        verbose_name_plural = "avis des piliers"
        ordering = ["given_at"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "pillar"], name="approval_one_per_pillar"),
            models.CheckConstraint(
                condition=Q(verdict="approved") | ~Q(reason=""), name="approval_rejection_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.get_pillar_display()} : {self.get_verdict_display()}"


class TaskStatus(models.TextChoices):
    TODO = "todo", "à faire"
    IN_PROGRESS = "in_progress", "en cours"
    DONE = "done", "faite"
    CANCELLED = "cancelled", "abandonnée"


OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS)


class TaskQuerySet(CiteScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Task(models.Model):
    """A follow-up task decided in a meeting: an owner, a due date, a status."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="tasks", verbose_name="cité éducative"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name="réunion"
    )
    title = models.CharField("tâche", max_length=255)
    description = models.TextField("précisions", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="governance_tasks", verbose_name="responsable"
    )
    due_on = models.DateField("échéance")
    status = models.CharField("état", max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    done_at = models.DateTimeField("faite le", null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "tâche de suivi"
        verbose_name_plural = "tâches de suivi"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["cite", "status", "due_on"], name="task_cite_status_due_idx")]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_TASK_STATUSES and self.due_on < timezone.localdate()
