"""The programme of a cité: its objective tree, its calls for projects with their scoring grid, the action
sheets partners submit, the committee's scores and the account requests of new project holders.

An action's status moves only through the transitions of `Action` (django-fsm-2); services log each one and
e-mail the holder. Money asked for is the action's budget and funding plan; money given is in `funding`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, transition

from maillage.core.models import CiteScopedQuerySet, Role
from maillage.core.perimeter import perimeter_of

AMOUNT = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
"""Euros with cents, never floats (DOMAIN.md)."""


class NationalObjective(models.TextChoices):
    """The three national objectives every action serves (fixed)."""

    SCHOOL = "school", "Conforter le rôle de l'école"
    CONTINUITY = "continuity", "Promouvoir la continuité éducative"
    HORIZONS = "horizons", "Ouvrir le champ des possibles"


class Objective(models.Model):
    """A node of a cité's objective tree, under one national objective: a local axis (no parent) or an
    operational objective (whose parent is an axis). The tree has these two levels."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="objectives", verbose_name="cité éducative"
    )
    national_objective = models.CharField("objectif national", max_length=12, choices=NationalObjective.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="axe local",
    )
    title = models.CharField("intitulé", max_length=255)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    is_active = models.BooleanField("en vigueur", default=True)

    objects = CiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["cite", "national_objective", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cite", "parent", "title"], name="objective_title_unique_in_parent"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_axis(self) -> bool:
        return self.parent_id is None


class CallQuerySet(CiteScopedQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def open_at(self, moment=None):
        moment = moment or timezone.now()
        return self.published().filter(opens_at__lte=moment, closes_at__gt=moment)


class CallForProjects(models.Model):
    """A yearly call for projects of a cité: dates, the envelope offered, eligibility, themes sought, a grid."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="calls", verbose_name="cité éducative"
    )
    year = models.PositiveSmallIntegerField("exercice", help_text="Année budgétaire des actions financées.")
    title = models.CharField("intitulé", max_length=255)
    opens_at = models.DateTimeField("ouverture des dépôts")
    closes_at = models.DateTimeField("clôture des dépôts")
    envelope = models.DecimalField("enveloppe proposée (€)", **AMOUNT)
    eligibility = models.TextField("critères d'éligibilité")
    description = models.TextField("présentation", blank=True)
    themes = models.ManyToManyField("core.Theme", blank=True, related_name="calls", verbose_name="thématiques visées")
    is_published = models.BooleanField(
        "publié", default=False, help_text="Un appel publié se lit sans compte, sur la page publique."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-year", "-opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["cite", "title"], name="call_title_unique_in_cite"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programme:call_detail", args=[self.pk])

    def is_open(self, moment=None) -> bool:
        moment = moment or timezone.now()
        return self.is_published and self.opens_at <= moment < self.closes_at


class Criterion(models.Model):
    """One line of a call's scoring grid: each committee member gives it 0 to `max_score` points."""

    call = models.ForeignKey(CallForProjects, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField("critère", max_length=255)
    description = models.TextField("ce qui est regardé", blank=True)
    weight = models.PositiveSmallIntegerField("coefficient", default=1, validators=[MinValueValidator(1)])
    max_score = models.PositiveSmallIntegerField("note maximale", default=5, validators=[MinValueValidator(1)])
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère de notation"
        verbose_name_plural = "grille de notation"
        ordering = ["call", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "label"], name="criterion_label_unique_in_call"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_score_positive"),
        ]

    def __str__(self):
        return self.label


class ActionStatus(models.TextChoices):
    """DOMAIN.md: draft → submitted → under_review → selected | rejected → agreed → running →
    done | not_done | postponed → closed."""

    DRAFT = "draft", "brouillon"
    SUBMITTED = "submitted", "déposée"
    UNDER_REVIEW = "under_review", "en instruction"
    SELECTED = "selected", "retenue"
    REJECTED = "rejected", "non retenue"
    AGREED = "agreed", "conventionnée"
    RUNNING = "running", "en cours"
    DONE = "done", "réalisée"
    NOT_DONE = "not_done", "non réalisée"
    POSTPONED = "postponed", "reportée"
    CLOSED = "closed", "clôturée"


class Outcome(models.TextChoices):
    """What the committee proposes for an action, applied when the troïka validates the decision."""

    SELECTED = "selected", "retenue"
    REJECTED = "rejected", "non retenue"


HOLDER_STATUSES_ONLY = (ActionStatus.DRAFT,)
"""A draft is the holder's own: the cité's team sees an action once it is submitted."""


def holder_organisations(user):
    """The organisations the user acts for: those where the user is a contact with an account."""
    from maillage.partners.models import Contact

    return Contact.objects.filter(user=user).values("organisation_id")


TEAM_ROLES = tuple(role for role in Role if role not in (Role.NATIONAL, Role.PROJECT_HOLDER))
"""Cité roles that see every action and grant of the cité (a project holder sees only its own)."""


def team_or_holder(user, organisation_path: str) -> Q | None:
    """The rows of a cité's programme or money the user sees, as a filter; None means every row (admins and
    the national level). A cité's team sees its cités; a project holder the rows of its own organisations,
    found through `organisation_path`."""
    perimeter = perimeter_of(user)
    if not perimeter.is_authenticated:
        return Q(pk__in=[])
    if perimeter.sees_all:
        return None
    visible = Q(cite_id__in=perimeter.cite_ids_with(*TEAM_ROLES))
    holder_cites = perimeter.cite_ids_with(Role.PROJECT_HOLDER)
    if holder_cites:
        visible |= Q(cite_id__in=holder_cites, **{f"{organisation_path}__in": holder_organisations(user)})
    return visible


class ActionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Submitted actions of the user's cités; a project holder sees its own organisations' actions, drafts
        included. A draft is the holder's own until it is submitted."""
        visible = team_or_holder(user, "organisation_id")
        if visible is None:
            return self.exclude(status__in=HOLDER_STATUSES_ONLY)
        drafts_of_others = Q(status__in=HOLDER_STATUSES_ONLY) & ~Q(organisation_id__in=holder_organisations(user))
        return self.filter(visible).exclude(drafts_of_others)

    def funded(self):
        """Actions the committee retained, at any later stage."""
        return self.filter(status__in=FUNDED_STATUSES)


FUNDED_STATUSES = (
    ActionStatus.SELECTED,
    ActionStatus.AGREED,
    ActionStatus.RUNNING,
    ActionStatus.DONE,
    ActionStatus.NOT_DONE,
    ActionStatus.POSTPONED,
    ActionStatus.CLOSED,
)


class Action(models.Model):
    """An action sheet: what a partner proposes to run for young people, the unit of selection, funding and
    evaluation. The holder writes it as a draft and submits it before the call closes."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="actions", verbose_name="cité éducative"
    )
    call = models.ForeignKey(
        CallForProjects, on_delete=models.PROTECT, related_name="actions", verbose_name="appel à projets"
    )
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="actions", verbose_name="structure porteuse"
    )
    title = models.CharField("intitulé de l'action", max_length=255)
    summary = models.TextField("résumé", help_text="Ce que l'action propose, à qui, et ce qu'elle cherche à changer.")
    objectives = models.ManyToManyField(Objective, blank=True, related_name="actions", verbose_name="objectifs")
    themes = models.ManyToManyField("core.Theme", blank=True, related_name="actions", verbose_name="thématiques")
    age_bands = models.ManyToManyField("core.AgeBand", blank=True, related_name="actions", verbose_name="publics")
    times_of_day = models.ManyToManyField(
        "core.TimeOfDay", blank=True, related_name="actions", verbose_name="temps de l'enfant"
    )
    schools = models.ManyToManyField(
        "territories.School", blank=True, related_name="actions", verbose_name="établissements"
    )
    qpvs = models.ManyToManyField("territories.Qpv", blank=True, related_name="actions", verbose_name="quartiers (QPV)")
    address = models.CharField("autre lieu (adresse)", max_length=255, blank=True)
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    expected_beneficiaries = models.PositiveIntegerField("bénéficiaires attendus", null=True, blank=True)
    status = FSMField("statut", max_length=12, choices=ActionStatus.choices, default=ActionStatus.DRAFT, protected=True)
    is_eligible = models.BooleanField("éligible", null=True, blank=True)
    eligibility_note = models.TextField("avis d'éligibilité", blank=True)
    proposed_outcome = models.CharField("proposition du comité", max_length=10, choices=Outcome.choices, blank=True)
    selection_decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="décision de sélection",
    )
    submitted_at = models.DateTimeField("déposée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="rédigée par"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "actions"
        ordering = ["-call__year", "title", "pk"]
        indexes = [models.Index(fields=["cite", "status"], name="action_cite_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="action_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("programme:action_detail", args=[self.pk])

    # Transitions (DOMAIN.md). Services call them, save, log the event and e-mail the holder.
    @transition(field=status, source=ActionStatus.DRAFT, target=ActionStatus.SUBMITTED)
    def submit(self):
        self.submitted_at = timezone.now()

    @transition(field=status, source=ActionStatus.SUBMITTED, target=ActionStatus.UNDER_REVIEW)
    def review(self):
        pass

    @transition(field=status, source=ActionStatus.UNDER_REVIEW, target=ActionStatus.SELECTED)
    def select(self):
        pass

    @transition(field=status, source=ActionStatus.UNDER_REVIEW, target=ActionStatus.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=ActionStatus.SELECTED, target=ActionStatus.AGREED)
    def agree(self):
        pass

    @transition(field=status, source=[ActionStatus.AGREED, ActionStatus.POSTPONED], target=ActionStatus.RUNNING)
    def start(self):
        pass

    @transition(field=status, source=ActionStatus.RUNNING, target=ActionStatus.DONE)
    def finish(self):
        pass

    @transition(field=status, source=[ActionStatus.AGREED, ActionStatus.RUNNING], target=ActionStatus.NOT_DONE)
    def abandon(self):
        pass

    @transition(field=status, source=[ActionStatus.AGREED, ActionStatus.RUNNING], target=ActionStatus.POSTPONED)
    def postpone(self):
        pass

    @transition(
        field=status,
        source=[ActionStatus.DONE, ActionStatus.NOT_DONE, ActionStatus.POSTPONED],
        target=ActionStatus.CLOSED,
    )
    def close(self):
        pass


class BudgetLine(models.Model):
    """The action's planned spending in one category."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.ForeignKey(
        "core.SpendingCategory", on_delete=models.PROTECT, related_name="+", verbose_name="catégorie de dépense"
    )
    amount = models.DecimalField("montant (€)", **AMOUNT)
    description = models.CharField("détail", max_length=255, blank=True)

    class Meta:
        verbose_name = "ligne de budget"
        verbose_name_plural = "budget prévisionnel"
        ordering = ["action", "category__position"]
        constraints = [models.UniqueConstraint(fields=["action", "category"], name="budget_line_one_per_category")]

    def __str__(self):
        return f"{self.category} : {self.amount} €"


class FundingRequest(models.Model):
    """What the holder asks from one funding source (the funding plan of the sheet). A grant in `funding`
    starts from it once the action is selected."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="funding_requests")
    source = models.ForeignKey(
        "core.FundingSource", on_delete=models.PROTECT, related_name="+", verbose_name="source de financement"
    )
    amount = models.DecimalField("montant demandé (€)", **AMOUNT)

    class Meta:
        verbose_name = "financement demandé"
        verbose_name_plural = "plan de financement"
        ordering = ["action", "source__position"]
        constraints = [models.UniqueConstraint(fields=["action", "source"], name="funding_request_one_per_source")]

    def __str__(self):
        return f"{self.source} : {self.amount} €"


class Score(models.Model):
    """One committee member's score of an action on one criterion of the call's grid."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_scores", verbose_name="évaluateur"
    )
    value = models.PositiveSmallIntegerField("note")
    comment = models.TextField("commentaire", blank=True)
    scored_at = models.DateTimeField("noté le", auto_now=True)

    class Meta:
        verbose_name = "note"
        verbose_name_plural = "notes"
        constraints = [
            models.UniqueConstraint(fields=["action", "criterion", "scorer"], name="score_once_per_scorer"),
        ]

    def __str__(self):
        return f"{self.criterion} : {self.value}"


class AccountRequestStatus(models.TextChoices):
    PENDING = "pending", "à traiter"
    ACCEPTED = "accepted", "acceptée"
    REFUSED = "refused", "refusée"


class AccountRequest(models.Model):
    """A new project holder asks for an account from a call's public page; the coordinator answers."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="account_requests", verbose_name="cité éducative"
    )
    call = models.ForeignKey(
        CallForProjects, on_delete=models.SET_NULL, null=True, blank=True, related_name="account_requests"
    )
    organisation_name = models.CharField("nom de la structure", max_length=255)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    rna = models.CharField("numéro RNA", max_length=10, blank=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    job_title = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("adresse électronique professionnelle")
    phone = models.CharField("téléphone", max_length=30, blank=True)
    message = models.TextField("votre projet en quelques lignes", blank=True)
    status = models.CharField(
        "état", max_length=10, choices=AccountRequestStatus.choices, default=AccountRequestStatus.PENDING
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="structure rattachée",
    )
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField("traitée le", null=True, blank=True)
    refusal_reason = models.TextField("motif du refus", blank=True)
    created_at = models.DateTimeField("reçue le", auto_now_add=True)

    objects = CiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de compte"
        verbose_name_plural = "demandes de compte"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.first_name} {self.last_name} — {self.organisation_name}"
