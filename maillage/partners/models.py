"""The shared partner directory: organisations (structures partenaires) and their contacts.

An organisation is shared between the cités it works in (`cites`); a contact is a person at one
organisation, with only the personal data the work needs (name, job title, professional e-mail and phone).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from unidecode import unidecode

from maillage.core.models import AgeBand, Role, Theme
from maillage.core.perimeter import perimeter_of
from maillage.core.validators import validate_rna, validate_siren, validate_siret


def name_key(name: str) -> str:
    """The name as duplicates are compared: without accents, case, punctuation or repeated spaces."""
    letters = "".join(c if c.isalnum() else " " for c in unidecode(name or "").lower())
    return " ".join(letters.split())


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", "Association"
    CITY_SERVICE = "city_service", "Service municipal"
    EPCI = "epci", "EPCI ou établissement public territorial"
    ECOLE = "ecole", "École"
    COLLEGE = "college", "Collège"
    LYCEE = "lycee", "Lycée"
    STATE_SERVICE = "state_service", "Service de l'État"
    CAF = "caf", "Caisse d'allocations familiales (CAF)"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    COMPANY = "company", "Entreprise"
    OTHER = "other", "Autre"


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Organisations working in one of the user's cités (every one for admins and the national level)."""
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        return self.in_cites(perimeter.cite_ids)

    def in_cites(self, cite_ids):
        """Organisations working in any of `cite_ids`, without duplicating rows (an EXISTS, no DISTINCT)."""
        links = Organisation.cites.through.objects.filter(organisation_id=OuterRef("pk"), cite_id__in=cite_ids)
        return self.filter(Exists(links))


class Organisation(models.Model):
    name = models.CharField("nom", max_length=255)
    kind = models.CharField("type de structure", max_length=20, choices=OrganisationKind.choices)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[validate_siret], help_text="14 chiffres, sans espace."
    )
    siren = models.CharField(
        "SIREN",
        max_length=9,
        blank=True,
        validators=[validate_siren],
        help_text="9 chiffres ; déduit du SIRET s'il est connu.",
    )
    rna = models.CharField(
        "numéro RNA",
        max_length=10,
        blank=True,
        validators=[validate_rna],
        help_text="Pour une association : W suivi de 9 chiffres.",
    )
    school = models.ForeignKey(
        "territories.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="établissement scolaire",
        help_text="Pour une école, un collège ou un lycée : l'établissement de la base officielle.",
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name="commune",
    )
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    description = models.TextField("présentation", blank=True)
    themes = models.ManyToManyField(Theme, related_name="organisations", blank=True, verbose_name="thématiques")
    age_bands = models.ManyToManyField(
        AgeBand, related_name="organisations", blank=True, verbose_name="publics accueillis"
    )
    website = models.URLField("site internet", blank=True)
    email = models.EmailField("e-mail de la structure", blank=True)
    phone = models.CharField("téléphone de la structure", max_length=20, blank=True)
    cites = models.ManyToManyField(
        "territories.Cite", related_name="organisations", verbose_name="cités éducatives où elle intervient"
    )
    name_key = models.CharField("nom normalisé", max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "structure partenaire"
        verbose_name_plural = "structures partenaires"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["siret"], condition=~Q(siret=""), name="organisation_siret_unique"),
            models.UniqueConstraint(fields=["rna"], condition=~Q(rna=""), name="organisation_rna_unique"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="organisation_coordinates_valid",
            ),
        ]
        indexes = [models.Index(fields=["name_key", "commune"], name="organisation_name_commune_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.name)
        if self.siret and not self.siren:
            self.siren = self.siret[:9]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_key", "siren"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partners:organisation_detail", args=[self.pk])


CONTACT_READERS = tuple(role for role in Role if role not in (Role.NATIONAL, Role.EVALUATOR))
"""Cité roles that may read contacts' names: the evaluator and the national level work on aggregates."""


class ContactQuerySet(models.QuerySet):
    def for_user(self, user):
        """Contacts of organisations working in a cité where the user holds a role that reads names."""
        perimeter = perimeter_of(user)
        if perimeter.is_admin:
            return self.all()
        return self.filter(organisation__in=Organisation.objects.in_cites(perimeter.cite_ids_with(*CONTACT_READERS)))


class Contact(models.Model):
    """A person at an organisation. Only what the work needs: no birth date, no home address."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name="structure"
    )
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    job_title = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("e-mail professionnel", blank=True)
    phone = models.CharField("téléphone professionnel", max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name="compte sur la plateforme",
        help_text="Relie la personne à son compte : un porteur de projet modifie alors la fiche de sa structure.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ImportStatus(models.TextChoices):
    """Where a partner import stands. Nothing reaches the directory before `importing`."""

    UPLOADED = "uploaded", "fichier déposé"
    MAPPED = "mapped", "colonnes associées, analyse à venir"
    ANALYSING = "analysing", "analyse en cours"
    PREVIEWED = "previewed", "aperçu prêt, en attente de confirmation"
    IMPORTING = "importing", "import en cours"
    DONE = "done", "import terminé"
    FAILED = "failed", "échec"


class ImportOutcome(models.TextChoices):
    """What the import does with one data line of the file."""

    CREATED = "created", "création"
    UPDATED = "updated", "mise à jour"
    DUPLICATE_IN_FILE = "duplicate_in_file", "doublon dans le fichier"
    REJECTED = "rejected", "rejetée"


def partner_import_path(partner_import, filename: str) -> str:
    """Uploaded files are stored under a random name (the original name is kept in `file_name`)."""
    extension = "xlsx" if filename.lower().endswith(".xlsx") else "csv"  # the only two the form accepts
    return f"imports/partners/{partner_import.cite.anct_id}/{uuid.uuid4().hex}.{extension}"


class PartnerImportQuerySet(models.QuerySet):
    def for_user(self, user):
        """Imports of the cités where the user manages the directory (every import for admins)."""
        perimeter = perimeter_of(user)
        if perimeter.is_admin:
            return self.all()
        return self.filter(cite__in=perimeter.cite_ids_with(Role.COORDINATOR))


class PartnerImport(models.Model):
    """One import of a partner file into a cité's directory: upload → column mapping → analysis (a preview
    of every line) → confirmation → one transaction. See maillage/partners/importers.py."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="partner_imports", verbose_name="cité éducative"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="déposé par"
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    file = models.FileField("fichier", upload_to=partner_import_path, max_length=255)
    file_name = models.CharField("nom du fichier", max_length=255)
    status = models.CharField("état", max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    headers = models.JSONField("colonnes du fichier", default=list, blank=True)
    sample_rows = models.JSONField("premières lignes", default=list, blank=True)
    mapping = models.JSONField("association des colonnes", default=dict, blank=True)
    preview = models.JSONField("aperçu ligne à ligne", default=list, blank=True)
    counts = models.JSONField("décompte de l'aperçu", default=dict, blank=True)
    result = models.JSONField("résultat de l'import", default=dict, blank=True)
    processed_rows = models.PositiveIntegerField("lignes traitées", default=0)
    total_rows = models.PositiveIntegerField("lignes du fichier", default=0)
    error = models.TextField("erreur", blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = PartnerImportQuerySet.as_manager()

    class Meta:
        verbose_name = "import de structures partenaires"
        verbose_name_plural = "imports de structures partenaires"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cite", "-created_at"], name="partner_import_cite_idx")]

    def __str__(self):
        return f"Import « {self.file_name} »"

    def get_absolute_url(self):
        return reverse("partners:import_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        """A background task is on it, or about to be: the page shows the progress and polls."""
        return self.status in (ImportStatus.MAPPED, ImportStatus.ANALYSING, ImportStatus.IMPORTING)

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class ImportMapping(models.Model):
    """The column mapping a cité used last (file header → target field), pre-filled at its next import."""

    cite = models.OneToOneField(
        "territories.Cite",
        on_delete=models.CASCADE,
        related_name="partner_import_mapping",
        verbose_name="cité éducative",
    )
    columns = models.JSONField("colonnes", default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "association des colonnes d'import"
        verbose_name_plural = "associations des colonnes d'import"

    def __str__(self):
        return f"Colonnes d'import — {self.cite}"
