"""Evaluation: targets of the shared indicator catalogue, the holders' end-of-action reports (bilans, CERFA
15059 content) and the cité's yearly review (revue de projet).

The catalogue itself (`Indicator`) and the stored values (open data, manual entry: `IndicatorValue`) live
in `territories`, whose pages show the schools' indicators (docs/adr/0001). Values of partners' reports and of
the platform's own data are never copied: `maillage.evaluation.figures` computes them in SQL.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from maillage.core.models import Role
from maillage.core.perimeter import perimeter_of
from maillage.programme.models import TEAM_ROLES, ActionStatus, holder_organisations

REPORTING_STATUSES = (
    ActionStatus.AGREED,
    ActionStatus.RUNNING,
    ActionStatus.DONE,
    ActionStatus.NOT_DONE,
    ActionStatus.POSTPONED,
)
"""Actions that owe a report: funded (their legal act is signed) and not yet closed."""

REPORT_READY_STATUSES = (ActionStatus.RUNNING, ActionStatus.DONE, ActionStatus.NOT_DONE, ActionStatus.POSTPONED)
"""Actions whose report can be submitted (a running action is marked done on the way)."""

REPORT_READER_ROLES = tuple(role for role in TEAM_ROLES if role != Role.EVALUATOR)
"""Cité roles that read the holders' reports one by one. The evaluator reads only aggregates."""


def report_due_on(year: int) -> datetime.date:
    """DOMAIN.md: the report is due six months after the end of the financial year of the action's call."""
    return datetime.date(year + 1, 6, 30)


def school_year_ending_in(year: int) -> str:
    """2023 → `2022-2023`."""
    return f"{year - 1}-{year}"


class CiteRowsQuerySet(models.QuerySet):
    def for_user(self, user):
        """Rows of the cités in the user's perimeter (every cité for admins and the national level)."""
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        return self.filter(cite_id__in=perimeter.cite_ids)


class Target(models.Model):
    """What a cité aims at for one indicator and one period (written in the indicator's calendar)."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="targets", verbose_name="cité éducative"
    )
    indicator = models.ForeignKey(
        "territories.Indicator", on_delete=models.CASCADE, related_name="targets", verbose_name="indicateur"
    )
    period = models.CharField("période", max_length=9)
    value = models.DecimalField("cible", max_digits=14, decimal_places=2)
    note = models.CharField("commentaire", max_length=250, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="fixée par"
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = CiteRowsQuerySet.as_manager()

    class Meta:
        verbose_name = "cible"
        ordering = ["indicator", "period"]
        constraints = [models.UniqueConstraint(fields=["cite", "indicator", "period"], name="target_unique_per_period")]

    def __str__(self):
        return f"{self.indicator.code} {self.period} → {self.value}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "en cours de rédaction"
    SUBMITTED = "submitted", "déposé"


class ActionReportQuerySet(models.QuerySet):
    def for_user(self, user):
        """The reports the user may read: those of the cité for its team (not the evaluator, who reads only
        aggregates, nor the national level), and its own organisations' reports for a project holder."""
        perimeter = perimeter_of(user)
        if perimeter.is_admin:
            return self.all()
        if not perimeter.is_authenticated:
            return self.none()
        visible = Q(cite_id__in=perimeter.cite_ids_with(*REPORT_READER_ROLES))
        holder_cites = perimeter.cite_ids_with(Role.PROJECT_HOLDER)
        if holder_cites:
            visible |= Q(cite_id__in=holder_cites, action__organisation_id__in=holder_organisations(user))
        return self.filter(visible)


class ActionReport(models.Model):
    """The holder's end-of-action report (bilan, CERFA 15059 content): who was reached (by age band and sex,
    QPV residents), sessions and hours, the actual spending against the budget, what worked and what did not.

    Submitting it closes the action. It counts people; it never names them."""

    action = models.OneToOneField(
        "programme.Action", on_delete=models.CASCADE, related_name="report", verbose_name="action"
    )
    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="action_reports", verbose_name="cité éducative"
    )
    status = models.CharField("statut", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    qpv_residents = models.PositiveIntegerField(
        "dont résidents d'un QPV",
        null=True,
        blank=True,
        help_text="Bénéficiaires qui habitent un quartier prioritaire.",
    )
    sessions = models.PositiveIntegerField("nombre de séances", null=True, blank=True)
    hours = models.DecimalField("nombre d'heures", max_digits=8, decimal_places=1, null=True, blank=True)
    achievements = models.TextField("ce qui a fonctionné", blank=True)
    difficulties = models.TextField("ce qui n'a pas fonctionné, les difficultés", blank=True)
    outlook = models.TextField("suites envisagées", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="rédigé par"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="déposé par"
    )
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ActionReportQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan d'action"
        verbose_name_plural = "bilans d'action"
        ordering = ["-updated_at", "pk"]
        indexes = [models.Index(fields=["cite", "status"], name="report_cite_status_idx")]

    def __str__(self):
        return f"Bilan de l'action « {self.action} »"

    def get_absolute_url(self):
        return reverse("evaluation:report_detail", args=[self.action_id])


class ReachLine(models.Model):
    """How many people of one age band (or audience: parents, professionals) the action reached, by sex."""

    report = models.ForeignKey(ActionReport, on_delete=models.CASCADE, related_name="reach_lines")
    age_band = models.ForeignKey(
        "core.AgeBand", on_delete=models.PROTECT, related_name="reach_lines", verbose_name="tranche d'âge ou public"
    )
    female = models.PositiveIntegerField("filles et femmes", default=0)
    male = models.PositiveIntegerField("garçons et hommes", default=0)

    class Meta:
        verbose_name = "bénéficiaires par tranche d'âge"
        ordering = ["age_band__position"]
        constraints = [models.UniqueConstraint(fields=["report", "age_band"], name="reach_line_unique_band")]

    def __str__(self):
        return f"{self.age_band} : {self.female} F, {self.male} H"

    @property
    def total(self) -> int:
        return self.female + self.male


class SpendingLine(models.Model):
    """What the action actually spent in one spending category (set against its budget line)."""

    report = models.ForeignKey(ActionReport, on_delete=models.CASCADE, related_name="spending_lines")
    category = models.ForeignKey(
        "core.SpendingCategory", on_delete=models.PROTECT, related_name="+", verbose_name="catégorie de dépense"
    )
    amount = models.DecimalField("dépense réelle", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "dépense réelle"
        ordering = ["category__position"]
        constraints = [models.UniqueConstraint(fields=["report", "category"], name="spending_line_unique_category")]

    def __str__(self):
        return f"{self.category} : {self.amount} €"


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", "échéance proche"
    LATE = "late", "bilan en retard"


class ReportReminder(models.Model):
    """A reminder e-mailed to a holder about an action's report; kept so that each is sent once."""

    action = models.ForeignKey("programme.Action", on_delete=models.CASCADE, related_name="report_reminders")
    kind = models.CharField("type", max_length=10, choices=ReminderKind.choices)
    sent_on = models.DateField("envoyé le")
    recipients = models.TextField("destinataires", blank=True)

    class Meta:
        verbose_name = "relance de bilan"
        verbose_name_plural = "relances de bilan"
        ordering = ["-sent_on"]
        constraints = [models.UniqueConstraint(fields=["action", "kind", "sent_on"], name="reminder_once_a_day")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.action} ({self.sent_on})"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "en rédaction"
    SUBMITTED = "submitted", "soumise à la troïka"
    VALIDATED = "validated", "validée par la troïka"


class AnnualReview(models.Model):
    """The yearly revue de projet of a cité: its figures are assembled from the platform's data
    (maillage.evaluation.review); the coordinator writes the comments. The troïka validates it as a decision."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="annual_reviews", verbose_name="cité éducative"
    )
    year = models.PositiveSmallIntegerField("année")
    status = models.CharField("statut", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    highlights = models.TextField("faits marquants de l'année", blank=True)
    governance_comment = models.TextField("commentaire sur la gouvernance", blank=True)
    deployment_comment = models.TextField("commentaire sur le déploiement des actions", blank=True)
    finances_comment = models.TextField("commentaire sur les finances", blank=True)
    evaluation_comment = models.TextField("commentaire sur l'évaluation", blank=True)
    outlook = models.TextField("perspectives pour l'année suivante", blank=True)
    decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annual_reviews",
        verbose_name="décision de validation",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="créée par"
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    validated_at = models.DateTimeField("validée le", null=True, blank=True)

    objects = CiteRowsQuerySet.as_manager()

    class Meta:
        verbose_name = "revue de projet annuelle"
        verbose_name_plural = "revues de projet annuelles"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["cite", "year"], name="review_unique_per_year")]

    def __str__(self):
        return f"Revue de projet {self.year} — {self.cite.name}"

    def get_absolute_url(self):
        return reverse("evaluation:review_detail", args=[self.cite.anct_id, self.year])

    @property
    def is_editable(self) -> bool:
        return self.status == ReviewStatus.DRAFT
