"""Users, their memberships (cité, role) and the domain event log.

The perimeter's unit is the cité: `Membership` and `Event` refer to `territories.Cite` by its lazy
name (see docs/adr/0001-perimeter-and-reference-data.md).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

from maillage.core.perimeter import Perimeter, perimeter_of


class Role(models.TextChoices):
    """The roles of ARCHITECTURE.md. `national` has no cité; every other role is held in one cité.

    The platform administrator is not a membership: it is the account's `is_superuser` flag.
    """

    NATIONAL = "national", "Niveau national (ANCT, DGESCO)"
    TROIKA_STATE = "troika_state", "Troïka — État (délégué du préfet)"
    TROIKA_EDUCATION = "troika_education", "Troïka — Éducation nationale (collège chef de file)"
    TROIKA_CITY = "troika_city", "Troïka — Ville"
    COORDINATOR = "coordinator", "Chef de projet opérationnel (coordination)"
    GRANT_OFFICER = "grant_officer", "Gestionnaire des subventions (préfecture)"
    CITY_FUND_MANAGER = "city_fund_manager", "Gestionnaire du fonds de la cité (EPLE)"
    PROJECT_HOLDER = "project_holder", "Porteur de projet"
    COMMITTEE_MEMBER = "committee_member", "Membre du comité de sélection"
    SCHOOL_CONTACT = "school_contact", "Référent d'établissement scolaire"
    EVALUATOR = "evaluator", "Évaluateur (données agrégées)"
    PATHWAY_REFERENT = "pathway_referent", "Référent de parcours"


CITE_ROLES = tuple(role for role in Role if role != Role.NATIONAL)
TROIKA_ROLES = (Role.TROIKA_STATE, Role.TROIKA_EDUCATION, Role.TROIKA_CITY)


class UserQuerySet(models.QuerySet):
    def for_user(self, user):
        """Accounts a user may see: everyone for admins and the national level, else the people of
        their own cités (and themselves)."""
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        if not perimeter.is_authenticated:
            return self.none()
        return self.filter(Q(pk=user.pk) | Q(memberships__cite__in=perimeter.cite_ids)).distinct()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=normalise_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


def normalise_email(email: str) -> str:
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Only what the work needs: e-mail, name, job title."""

    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    job_title = models.CharField("fonction", max_length=200, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "accès à l'administration",
        default=False,
        help_text="Donne accès aux écrans d'administration de la plateforme.",
    )
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @cached_property
    def perimeter(self) -> Perimeter:
        """What this user may see and do, read once per request (one query)."""
        return Perimeter.load(self)


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        return self.filter(Q(user=user) | Q(cite__in=perimeter.cite_ids)) if perimeter.is_authenticated else self.none()


class Membership(models.Model):
    """A role held by a user, in one cité (or at the national level)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    cite = models.ForeignKey(
        "territories.Cite",
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name="cité éducative",
    )
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement"
        verbose_name_plural = "rattachements"
        constraints = [
            models.UniqueConstraint(fields=["user", "cite", "role"], name="membership_unique_in_cite"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(cite__isnull=True), name="membership_unique_national"
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.NATIONAL) & Q(cite__isnull=True))
                | (~Q(role=Role.NATIONAL) & Q(cite__isnull=False)),
                name="membership_national_has_no_cite",
            ),
        ]

    def __str__(self):
        where = self.cite.name if self.cite_id else "national"
        return f"{self.get_role_display()} — {where}"


class Vocabulary(models.Model):
    """A controlled vocabulary (DOMAIN.md) that an administrator can extend: a stable code, a French label."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=100)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class Theme(Vocabulary):
    """A theme of educational work (parentalité, culture, numérique…)."""

    class Meta(Vocabulary.Meta):
        verbose_name = "thématique"
        verbose_name_plural = "thématiques"


class AgeBand(Vocabulary):
    """An age band (0-2 … 18-25) or an adult audience (parents, professionnels), which has no ages."""

    min_age = models.PositiveSmallIntegerField("âge minimum", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True)

    class Meta(Vocabulary.Meta):
        verbose_name = "tranche d'âge ou public"
        verbose_name_plural = "tranches d'âge et publics"


class TimeOfDay(Vocabulary):
    """When an action takes place for the young people: scolaire, périscolaire, extrascolaire, vacances, familial."""

    class Meta(Vocabulary.Meta):
        verbose_name = "temps de l'enfant"
        verbose_name_plural = "temps de l'enfant"


class SpendingCategory(Vocabulary):
    """What the State grant pays for: project engineering, supervisors, equipment, communication, evaluation…"""

    class Meta(Vocabulary.Meta):
        verbose_name = "catégorie de dépense"
        verbose_name_plural = "catégories de dépense"


class FundingSource(Vocabulary):
    """Who pays: the State programmes (P147, P230), the fonds de la cité, and the co-funders (city, CAF…)."""

    is_state = models.BooleanField(
        "crédits de l'État",
        default=False,
        help_text="Les autres sources forment le cofinancement (ville, EPCI, CAF, département…).",
    )

    class Meta(Vocabulary.Meta):
        verbose_name = "source de financement"
        verbose_name_plural = "sources de financement"


class Verb(models.TextChoices):
    """The closed list of what can happen. Every later module adds its own verbs here."""

    CREATED = "created", "création"
    UPDATED = "updated", "modification"
    DELETED = "deleted", "suppression"
    REFERENCE_IMPORTED = "reference_imported", "import des données de référence"
    USER_INVITED = "user_invited", "invitation d'un utilisateur"
    MEMBERSHIP_GRANTED = "membership_granted", "rattachement accordé"
    MEMBERSHIP_REVOKED = "membership_revoked", "rattachement retiré"
    PERIMETER_CHANGED = "perimeter_changed", "périmètre de la cité modifié"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "double authentification activée"
    SECOND_FACTOR_REMOVED = "second_factor_removed", "double authentification retirée"
    PARTNERS_IMPORTED = "partners_imported", "import de structures partenaires"
    ORGANISATIONS_MERGED = "organisations_merged", "fusion de deux structures"
    INVITATIONS_SENT = "invitations_sent", "invitations envoyées"
    ATTENDANCE_RECORDED = "attendance_recorded", "émargement enregistré"
    MINUTES_WRITTEN = "minutes_written", "compte rendu rédigé"
    ATTACHMENT_ADDED = "attachment_added", "pièce jointe ajoutée"
    DECISION_APPROVED = "decision_approved", "décision approuvée par un pilier"
    DECISION_REJECTED = "decision_rejected", "décision rejetée"
    DECISION_VALIDATED = "decision_validated", "décision validée par la troïka"
    TASK_STATUS_CHANGED = "task_status_changed", "statut d'une tâche modifié"
    ACTION_STATUS_CHANGED = "action_status_changed", "statut d'une action modifié"
    ACTION_SCORED = "action_scored", "action notée"
    SELECTION_PROPOSED = "selection_proposed", "sélection proposée à la troïka"
    ACCOUNT_REQUESTED = "account_requested", "demande de compte"
    GRANT_DECIDED = "grant_decided", "subvention attribuée"
    ENVELOPE_OVERRIDDEN = "envelope_overridden", "dépassement de l'enveloppe autorisé"
    LEGAL_ACT_SIGNED = "legal_act_signed", "acte attributif signé"
    PAYMENT_RECORDED = "payment_recorded", "versement enregistré"
    INDICATOR_VALUE_RECORDED = "indicator_value_recorded", "valeur d'indicateur saisie"
    TARGET_SET = "target_set", "cible d'indicateur fixée"
    REPORT_SUBMITTED = "report_submitted", "bilan d'action déposé"
    REVIEW_SUBMITTED = "review_submitted", "revue de projet soumise à la troïka"
    REVIEW_VALIDATED = "review_validated", "revue de projet validée"


class CiteScopedQuerySet(models.QuerySet):
    """Rows that each belong to one cité (a `cite` foreign key): events, bodies, meetings, decisions, tasks…"""

    def for_user(self, user):
        """Rows of the cités in the user's perimeter (all of them for admins and the national level)."""
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        return self.filter(cite_id__in=perimeter.cite_ids)


class EventQuerySet(CiteScopedQuerySet):
    def for_object(self, obj):
        return self.filter(object_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class Event(models.Model):
    """One entry of the domain event log: who did what, when, in which cité, to which object."""

    occurred_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    cite = models.ForeignKey(
        "territories.Cite",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="cité éducative",
    )
    verb = models.CharField("action", max_length=40, choices=Verb.choices)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("objet", max_length=255, blank=True)
    summary = models.CharField("résumé", max_length=500, blank=True)
    before = models.JSONField("avant", default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("après", default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "journal des événements"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-occurred_at"], name="event_object_idx"),
            models.Index(fields=["cite", "-occurred_at"], name="event_cite_idx"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%d/%m/%Y %H:%M} — {self.get_verb_display()} — {self.object_repr}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs, for the history block."""
        keys = list(dict.fromkeys([*self.before, *self.after]))
        return [
            (key, self.before.get(key), self.after.get(key))
            for key in keys
            if self.before.get(key) != self.after.get(key)
        ]
