"""The territory: administrative reference data, QPVs, cités éducatives, schools and their open-data
indicators. Everything here is imported from public files by `import_reference`; only a cité's
perimeter (its QPVs and schools) and its dates are edited by people.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from maillage.core.perimeter import perimeter_of
from maillage.core.validators import validate_siret

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
UAI_PATTERN = re.compile(r"[0-9]{7}[A-Z]", re.ASCII)


def uai_error(value: str) -> str | None:
    """Why `value` is not a valid UAI, or None. The check letter is the 7-digit number modulo 23,
    read in the alphabet without I, O and Q (DOMAIN.md)."""
    if not UAI_PATTERN.fullmatch(value or ""):
        return "un UAI s'écrit avec 7 chiffres suivis d'une lettre majuscule"
    expected = UAI_LETTERS[int(value[:7]) % 23]
    if value[7] != expected:
        return f"la lettre de contrôle de l'UAI {value} devrait être {expected}"
    return None


def validate_uai(value: str) -> None:
    error = uai_error(value)
    if error:
        raise ValidationError(error[0].upper() + error[1:] + ".", code="invalid_uai")


class ReferenceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Open reference data (régions, départements, EPCI, communes, QPVs, the indicator catalogue):
        readable by every signed-in user."""
        return self.all() if perimeter_of(user).is_authenticated else self.none()


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements", verbose_name="région")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    """An intercommunal body: EPCI with its own tax system (CC, CA, CU, métropole) or an EPT of the
    Grand Paris métropole."""

    class Kind(models.TextChoices):
        CC = "CC", "communauté de communes"
        CA = "CA", "communauté d'agglomération"
        CU = "CU", "communauté urbaine"
        METRO = "METRO", "métropole"
        MET69 = "MET69", "métropole de Lyon"
        EPT = "EPT", "établissement public territorial"

    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=5, choices=Kind.choices)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "EPCI ou EPT"
        verbose_name_plural = "EPCI et EPT"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=100)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", verbose_name="département"
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes", verbose_name="EPCI"
    )
    ept = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ept_communes",
        verbose_name="EPT",
    )
    population = models.PositiveIntegerField("population", null=True, blank=True)
    postal_codes = models.CharField("codes postaux", max_length=200, blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.insee_code})"


class Qpv(models.Model):
    """A quartier prioritaire de la politique de la ville (2024 geography, codes QN…)."""

    code = models.CharField("code", max_length=8, unique=True)
    name = models.CharField("nom", max_length=200)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="qpvs", verbose_name="département"
    )
    communes = models.ManyToManyField(Commune, related_name="qpvs", verbose_name="communes")

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "quartier prioritaire (QPV)"
        verbose_name_plural = "quartiers prioritaires (QPV)"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"


def cite_slug(name: str, anct_id: str) -> str:
    """The cité's name as a clean URL part (« Créteil » → creteil). The ANCT names are distinct; a cité added by
    hand whose name is taken gets its ANCT number appended."""
    slug = slugify(name)[:80] or anct_id
    if Cite.objects.filter(slug=slug).exclude(anct_id=anct_id).exists():
        slug = f"{slug}-{anct_id.removeprefix('cite-')}"
    return slug


class CiteQuerySet(models.QuerySet):
    def for_user(self, user):
        """Every cité for admins and the national level; otherwise the cités the user belongs to."""
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        return self.filter(pk__in=perimeter.cite_ids)


class Cite(models.Model):
    """A cité éducative: a labelled territory (ANCT list)."""

    class Wave(models.IntegerChoices):
        FIRST = 1, "1re vague (2019)"
        SECOND = 2, "2e vague (2020-2021)"
        THIRD = 3, "3e vague (2022)"
        LATER = 4, "vagues suivantes (2023 et après)"

    anct_id = models.CharField("identifiant ANCT", max_length=12, unique=True)
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField(
        "adresse publique",
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="Dans l'adresse des pages publiques (/offre/creteil/).",
    )
    wave = models.PositiveSmallIntegerField("vague de labellisation", choices=Wave.choices)
    label_date = models.DateField("date de labellisation", null=True, blank=True)
    convention_start = models.DateField("début de la convention", null=True, blank=True)
    convention_end = models.DateField("fin de la convention", null=True, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    communes = models.ManyToManyField(Commune, related_name="cites", verbose_name="communes")
    qpvs = models.ManyToManyField(Qpv, related_name="cites", blank=True, verbose_name="quartiers prioritaires")
    schools = models.ManyToManyField(
        "School", related_name="cites", blank=True, verbose_name="établissements scolaires"
    )
    perimeter_edited_at = models.DateTimeField(
        "périmètre modifié à la main le",
        null=True,
        blank=True,
        help_text="Tant qu'il est vide, l'import recalcule les QPV et écoles de la cité à partir de ses communes.",
    )

    objects = CiteQuerySet.as_manager()

    class Meta:
        verbose_name = "cité éducative"
        verbose_name_plural = "cités éducatives"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(convention_end__isnull=True)
                | Q(convention_start__isnull=True)
                | Q(convention_end__gte=models.F("convention_start")),
                name="cite_convention_ends_after_start",
            )
        ]

    def __str__(self):
        return f"Cité éducative {self.name}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = cite_slug(self.name, self.anct_id)
        super().save(*args, **kwargs)

    def clean(self):
        if self.convention_start and self.convention_end and self.convention_end < self.convention_start:
            raise ValidationError({"convention_end": "La convention ne peut pas finir avant d'avoir commencé."})


class PriorityNetwork(models.TextChoices):
    REP_PLUS = "REP+", "REP+"
    REP = "REP", "REP"
    NONE = "", "hors éducation prioritaire"


IPS_INDICATORS = ("ips_ecole", "ips_college")


class SchoolQuerySet(models.QuerySet):
    def with_latest_ips(self):
        """Each school with its most recent IPS (`ips`) and the school year of it (`ips_period`), as subqueries."""
        rows = IndicatorValue.objects.filter(school=models.OuterRef("pk"), indicator__code__in=IPS_INDICATORS)
        latest = rows.order_by("-period")
        return self.annotate(
            ips=models.Subquery(latest.values("value")[:1], output_field=models.DecimalField()),
            ips_period=models.Subquery(latest.values("period")[:1], output_field=models.CharField()),
        )

    def for_user(self, user):
        """Schools of the communes of the user's cités (all of them for admins and the national level)."""
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        return self.filter(commune__cites__in=perimeter.cite_ids).distinct()


class School(models.Model):
    class Kind(models.TextChoices):
        NURSERY = "maternelle", "école maternelle"
        PRIMARY = "elementaire", "école élémentaire ou primaire"
        COLLEGE = "college", "collège"

    class Sector(models.TextChoices):
        PUBLIC = "public", "public"
        PRIVATE = "prive", "privé"

    uai = models.CharField("UAI", max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    sector = models.CharField("secteur", max_length=6, choices=Sector.choices)
    priority_network = models.CharField(
        "éducation prioritaire", max_length=4, choices=PriorityNetwork.choices, blank=True
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="schools", verbose_name="commune")
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    address = models.CharField("adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    circonscription = models.CharField("circonscription", max_length=200, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement scolaire"
        verbose_name_plural = "établissements scolaires"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.uai})"


class PeriodKind(models.TextChoices):
    SCHOOL_YEAR = "school_year", "année scolaire"
    FINANCIAL_YEAR = "financial_year", "exercice budgétaire"


SCHOOL_YEAR_PATTERN = re.compile(r"^(\d{4})-(\d{4})$")


def validate_period(kind: str, period: str) -> None:
    """A school year is written `2024-2025`; a financial year `2024`."""
    if kind == PeriodKind.SCHOOL_YEAR:
        match = SCHOOL_YEAR_PATTERN.match(period)
        if not match or int(match[2]) != int(match[1]) + 1:
            raise ValidationError(f"« {period} » n'est pas une année scolaire (attendu : 2024-2025).")
    elif not re.fullmatch(r"\d{4}", period):
        raise ValidationError(f"« {period} » n'est pas un exercice budgétaire (attendu : 2024).")


class IndicatorQuerySet(ReferenceQuerySet):
    def available_in(self, cite_id: int):
        """The active indicators a cité uses: the national set and its own local indicators."""
        return self.filter(Q(cite__isnull=True) | Q(cite_id=cite_id), is_active=True)


class Indicator(models.Model):
    """A definition in the shared indicator catalogue (see docs/adr/0001 and 0004). National indicators
    (`cite` empty) are shared by every cité; a cité adds its own local ones.

    A value is checked against the indicator before it is stored: numeric, with at most `decimals` decimals,
    between `min_value` and `max_value` when they are set (see `check_value`)."""

    class Direction(models.TextChoices):
        UP = "up", "plus haut est mieux"
        DOWN = "down", "plus bas est mieux"
        NEUTRAL = "neutral", "sans sens de progression"

    class Source(models.TextChoices):
        OPEN_DATA = "open_data", "données ouvertes"
        PARTNER_REPORT = "partner_report", "bilan de partenaire"
        SCHOOL = "school", "établissement scolaire"
        MANUAL = "manual", "saisie manuelle"
        PLATFORM = "platform", "calculé par la plateforme"

    class Level(models.TextChoices):
        ACTION = "action", "action"
        SCHOOL = "school", "établissement scolaire"
        CITE = "cite", "cité éducative"

    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=200)
    definition = models.TextField("définition", blank=True)
    unit = models.CharField("unité", max_length=30)
    direction = models.CharField("sens", max_length=8, choices=Direction.choices, default=Direction.NEUTRAL)
    source = models.CharField("source", max_length=20, choices=Source.choices)
    level = models.CharField("niveau", max_length=10, choices=Level.choices)
    period_kind = models.CharField("période", max_length=20, choices=PeriodKind.choices)
    decimals = models.PositiveSmallIntegerField(
        "décimales", default=2, help_text="0 pour un nombre entier (des personnes, des séances…)."
    )
    min_value = models.DecimalField("valeur minimale", max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField("valeur maximale", max_digits=14, decimal_places=2, null=True, blank=True)
    cite = models.ForeignKey(
        Cite,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="local_indicators",
        verbose_name="cité (indicateur local)",
        help_text="Vide pour un indicateur national, partagé par toutes les cités.",
    )
    is_active = models.BooleanField("actif", default=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["code"]

    def __str__(self):
        return self.label

    @property
    def is_local(self) -> bool:
        return self.cite_id is not None

    def check_value(self, text) -> Decimal:
        """The value typed by a person, as Decimal, or a French ValidationError: numbers only ("N/A" and
        other text are refused), French or English decimal mark, within the indicator's range and decimals."""
        return parse_indicator_value(text, self)


class ValueKind(models.TextChoices):
    """Where a stored value comes from. Values of partners' reports and of the platform's own data are not
    stored: they are computed from the reports, actions and grants (maillage.evaluation.figures)."""

    OPEN_DATA = "open_data", "données ouvertes"
    MANUAL = "manual", "saisie manuelle"


NOT_A_NUMBER = "« {text} » n'est pas un nombre : saisissez un nombre, par exemple 12 ou 45,5."
TOO_MANY_DECIMALS = "Cet indicateur accepte au plus {decimals} décimale(s)."
WHOLE_NUMBER = "Cet indicateur se compte en nombre entier : saisissez par exemple 12."
BELOW_MIN = "La valeur doit être au moins {limit} {unit}."
ABOVE_MAX = "La valeur doit être au plus {limit} {unit}."
INDICATOR_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
MAX_INDICATOR_VALUE = Decimal("999999999999.99")


def french_number(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


def parse_indicator_value(text, indicator: Indicator) -> Decimal:
    """See `Indicator.check_value`."""
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        raw = re.sub(r"[\s\u00a0\u202f]+", "", str(text or ""))
        cleaned = raw.removesuffix("%").replace(",", ".")
        if not INDICATOR_NUMBER.match(cleaned):
            raise ValidationError(NOT_A_NUMBER.format(text=str(text or "").strip() or "vide"), code="not_a_number")
        value = Decimal(cleaned)
    if abs(value) > MAX_INDICATOR_VALUE:
        raise ValidationError("Cette valeur est trop grande.", code="too_big")
    if value != value.quantize(Decimal(1).scaleb(-indicator.decimals)):
        if indicator.decimals == 0:
            raise ValidationError(WHOLE_NUMBER, code="whole_number")
        raise ValidationError(TOO_MANY_DECIMALS.format(decimals=indicator.decimals), code="decimals")
    if indicator.min_value is not None and value < indicator.min_value:
        raise ValidationError(
            BELOW_MIN.format(limit=french_number(indicator.min_value), unit=indicator.unit).strip(), code="min"
        )
    if indicator.max_value is not None and value > indicator.max_value:
        raise ValidationError(
            ABOVE_MAX.format(limit=french_number(indicator.max_value), unit=indicator.unit).strip(), code="max"
        )
    return value


class IndicatorValueQuerySet(models.QuerySet):
    def for_user(self, user):
        """School and reference values are open data; cité values follow the cité perimeter."""
        perimeter = perimeter_of(user)
        if perimeter.sees_all:
            return self.all()
        if not perimeter.is_authenticated:
            return self.none()
        return self.filter(Q(cite__isnull=True) | Q(cite__in=perimeter.cite_ids))


class IndicatorValue(models.Model):
    """A value of an indicator for one subject and one period.

    The subject is a school, a cité, a département (a reference value), or nothing: the national
    reference. The period is written in the calendar of the indicator (`Indicator.period_kind`).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, blank=True, related_name="indicator_values")
    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, null=True, blank=True, related_name="indicator_values")
    departement = models.ForeignKey(
        Departement, on_delete=models.CASCADE, null=True, blank=True, related_name="indicator_values"
    )
    period = models.CharField("période", max_length=9)
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    kind = models.CharField("provenance", max_length=10, choices=ValueKind.choices, default=ValueKind.OPEN_DATA)
    origin = models.CharField("source", max_length=250, help_text="D'où vient la valeur : fichier, enquête, document…")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    entered_at = models.DateTimeField("saisie le", null=True, blank=True)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = "valeur d'indicateur"
        verbose_name_plural = "valeurs d'indicateurs"
        ordering = ["indicator", "period"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=True, cite__isnull=True)
                | Q(school__isnull=True, departement__isnull=True)
                | Q(cite__isnull=True, departement__isnull=True),
                name="indicator_value_one_subject",
            ),
            models.UniqueConstraint(
                fields=["indicator", "school", "period"],
                condition=Q(school__isnull=False),
                name="indicator_value_unique_school",
            ),
            models.UniqueConstraint(
                fields=["indicator", "cite", "period"],
                condition=Q(cite__isnull=False),
                name="indicator_value_unique_cite",
            ),
            models.UniqueConstraint(
                fields=["indicator", "departement", "period"],
                condition=Q(departement__isnull=False),
                name="indicator_value_unique_departement",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(school__isnull=True, cite__isnull=True, departement__isnull=True),
                name="indicator_value_unique_national",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period} = {self.value}"

    def clean(self):
        """The period is written in the indicator's calendar (school year or financial year)."""
        validate_period(self.indicator.period_kind, self.period)
