"""The public offer: what a cité offers to families and young people, published without an account.

An activity is either an action of the programme that its holder made public (selected or running), or a regular
activity an organisation declares (a Wednesday chess club, homework help at the social centre). Holders write
their own; the cité's coordinator moderates: nothing is public before the coordinator publishes it.
It names organisations and their public contact, never a person.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from maillage.core.models import Role
from maillage.core.perimeter import perimeter_of
from maillage.programme.models import holder_organisations


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", "brouillon"
    PENDING = "pending", "en attente de modération"
    PUBLISHED = "published", "publiée"
    REFUSED = "refused", "refusée"
    WITHDRAWN = "withdrawn", "retirée"


class Period(models.TextChoices):
    """When in the year the activity's weekly sessions take place."""

    ALL_YEAR = "all_year", "toute l'année"
    SCHOOL_WEEKS = "school_weeks", "en période scolaire"
    HOLIDAYS = "holidays", "pendant les vacances scolaires"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "lundi"
    TUESDAY = 1, "mardi"
    WEDNESDAY = 2, "mercredi"
    THURSDAY = 3, "jeudi"
    FRIDAY = 4, "vendredi"
    SATURDAY = 5, "samedi"
    SUNDAY = 6, "dimanche"


class ActivityQuerySet(models.QuerySet):
    def published(self):
        """What the public sees."""
        return self.filter(status=ActivityStatus.PUBLISHED)

    def for_user(self, user):
        """The activities a signed-in user manages or reads: every activity of the cités where the user is on
        the team (any role but project holder), and its own organisations' activities for a project holder."""
        perimeter = perimeter_of(user)
        if not perimeter.is_authenticated:
            return self.none()
        if perimeter.sees_all:
            return self.all()
        team = [cite_id for cite_id in perimeter.cite_ids if not perimeter.only_holds_projects_in(cite_id)]
        visible = Q(cite_id__in=team)
        holder_cites = perimeter.cite_ids_with(Role.PROJECT_HOLDER)
        if holder_cites:
            visible |= Q(cite_id__in=holder_cites, organisation_id__in=holder_organisations(user))
        return self.filter(visible)


class Activity(models.Model):
    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="activities", verbose_name="cité éducative"
    )
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="activities", verbose_name="structure"
    )
    action = models.OneToOneField(
        "programme.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_activity",
        verbose_name="action du programme",
    )
    title = models.CharField("titre", max_length=200)
    slug = models.SlugField("adresse", max_length=120)
    summary = models.CharField(
        "en bref",
        max_length=300,
        help_text="Une ou deux phrases, reprises dans les listes et par les moteurs de recherche.",
    )
    description = models.TextField("description")
    age_bands = models.ManyToManyField("core.AgeBand", blank=True, related_name="activities", verbose_name="publics")
    min_age = models.PositiveSmallIntegerField("âge minimum", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("âge maximum", null=True, blank=True)
    themes = models.ManyToManyField("core.Theme", blank=True, related_name="activities", verbose_name="thématiques")
    times_of_day = models.ManyToManyField(
        "core.TimeOfDay", blank=True, related_name="activities", verbose_name="temps de l'enfant"
    )
    place_name = models.CharField("lieu", max_length=200, blank=True, help_text="Par exemple : centre social Kennedy.")
    address = models.CharField("adresse", max_length=255, blank=True)
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune"
    )
    qpv = models.ForeignKey(
        "territories.Qpv", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="quartier"
    )
    school = models.ForeignKey(
        "territories.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="établissement",
    )
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    starts_on = models.DateField("à partir du", null=True, blank=True)
    ends_on = models.DateField("jusqu'au", null=True, blank=True)
    period = models.CharField("période", max_length=12, choices=Period.choices, default=Period.ALL_YEAR)
    is_free = models.BooleanField("gratuit", default=True)
    price = models.CharField("tarif", max_length=200, blank=True, help_text="Si l'activité est payante.")
    how_to_join = models.TextField("comment participer", help_text="Inscription, pièces à fournir, premier contact…")
    contact_email = models.EmailField("e-mail de contact", blank=True, help_text="L'adresse publique de la structure.")
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    registration_url = models.URLField("lien d'inscription", blank=True)
    accessibility = models.TextField(
        "accessibilité", blank=True, help_text="Accès en fauteuil, accueil des enfants en situation de handicap…"
    )
    status = models.CharField("statut", max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT)
    moderation_note = models.TextField("message de la modération", blank=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="créée par"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "activité de l'offre publique"
        verbose_name_plural = "activités de l'offre publique"
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["cite", "status"], name="activity_cite_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["cite", "slug"], name="activity_slug_unique_in_cite"),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(min_age__isnull=True) | Q(max_age__gte=models.F("min_age")),
                name="activity_ages_in_order",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The public page (it answers only once the activity is published)."""
        return reverse("offer:activity", args=[self.cite.slug, self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == ActivityStatus.PUBLISHED


class ActivitySlot(models.Model):
    """A weekly session of an activity (créneau): a weekday and its hours."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    starts_at = models.TimeField("de")
    ends_at = models.TimeField("à")

    class Meta:
        verbose_name = "créneau"
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start")
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"
