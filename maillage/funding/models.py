"""The money of a cité: yearly envelopes by funding source, the grants made to selected actions, the legal
acts that make them binding (arrêté under €23,000, convention from €23,000), and payments.

The fonds de la cité is the envelope of source `city_fund`: its ledger (allocation, commitments, payments,
balance) is read from that envelope, its grants and their payments, and only its manager (the collège's
gestionnaire) grants and pays from it.

Rules (DOMAIN.md): amounts are `Decimal` euros; a grant's payments never exceed what was granted; what is
granted never exceeds what is left in the envelope unless a grant officer overrides it with a written
reason; two officers editing one grant cannot overwrite each other (`Grant.version`).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_fsm import FSMField, transition

from maillage.core.models import CiteScopedQuerySet
from maillage.programme.models import AMOUNT, team_or_holder

CITY_FUND = "city_fund"
"""The code of the fonds de la cité among the funding sources."""

CONVENTION_THRESHOLD = Decimal("23000")
"""From this total granted to one holder by one funder in one year, the legal act is a convention."""


class Envelope(models.Model):
    """The money available to a cité for one year from one source (its dotation)."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="envelopes", verbose_name="cité éducative"
    )
    year = models.PositiveSmallIntegerField("exercice")
    source = models.ForeignKey(
        "core.FundingSource", on_delete=models.PROTECT, related_name="envelopes", verbose_name="source"
    )
    amount = models.DecimalField("montant (€)", **AMOUNT)
    funder = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="envelopes",
        verbose_name="attribuant",
        help_text="L'administration ou la structure qui verse (son SIRET figure dans les données ouvertes).",
    )
    note = models.CharField("précision", max_length=255, blank=True)

    objects = CiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "enveloppe"
        verbose_name_plural = "enveloppes"
        ordering = ["cite", "-year", "source__position"]
        constraints = [models.UniqueConstraint(fields=["cite", "year", "source"], name="envelope_one_per_source_year")]

    def __str__(self):
        return f"{self.source} {self.year}"

    @property
    def is_city_fund(self) -> bool:
        return self.source.code == CITY_FUND


class ScopedToHolderQuerySet(CiteScopedQuerySet):
    """Money rows: the cité's team sees its cités; a project holder only its own organisations' rows."""

    organisation_path = "action__organisation_id"

    def for_user(self, user):
        visible = team_or_holder(user, self.organisation_path)
        return self.all() if visible is None else self.filter(visible)


class LegalActQuerySet(ScopedToHolderQuerySet):
    organisation_path = "organisation_id"


class LegalActKind(models.TextChoices):
    ARRETE = "arrete", "arrêté attributif"
    CONVENTION = "convention", "convention"


class LegalAct(models.Model):
    """The act that grants a holder the money of one funder for one year. Its kind follows the €23,000 rule on
    the total of those grants; once signed it is frozen, and its actions become `agreed`."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="legal_acts", verbose_name="cité éducative"
    )
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.PROTECT, related_name="legal_acts", verbose_name="bénéficiaire"
    )
    source = models.ForeignKey("core.FundingSource", on_delete=models.PROTECT, related_name="+", verbose_name="source")
    year = models.PositiveSmallIntegerField("exercice")
    kind = models.CharField("nature de l'acte", max_length=12, choices=LegalActKind.choices)
    reference = models.CharField("référence", max_length=60, unique=True)
    signed_on = models.DateField("signé le", null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("préparé le", auto_now_add=True)

    objects = LegalActQuerySet.as_manager()

    class Meta:
        verbose_name = "acte attributif"
        verbose_name_plural = "actes attributifs"
        ordering = ["-year", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["cite", "organisation", "source", "year"], name="legal_act_one_per_holder_funder_year"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} {self.reference}"

    def get_absolute_url(self):
        return reverse("funding:legal_act_detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.signed_on is not None


class GrantStatus(models.TextChoices):
    REQUESTED = "requested", "demandée"
    GRANTED = "granted", "attribuée"
    REFUSED = "refused", "refusée"


class GrantQuerySet(ScopedToHolderQuerySet):
    pass


class Grant(models.Model):
    """The money one source gives one action: requested (from the sheet's funding plan), granted, paid (the sum
    of its payments). `version` grows at each change, so a form posted on an older version is refused."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="grants", verbose_name="cité éducative"
    )
    action = models.ForeignKey(
        "programme.Action", on_delete=models.PROTECT, related_name="grants", verbose_name="action"
    )
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="grants", verbose_name="enveloppe")
    requested = models.DecimalField("montant demandé (€)", default=Decimal("0"), **AMOUNT)
    granted = models.DecimalField("montant attribué (€)", default=Decimal("0"), **AMOUNT)
    status = FSMField(
        "statut", max_length=10, choices=GrantStatus.choices, default=GrantStatus.REQUESTED, protected=True
    )
    override_reason = models.TextField(
        "motif du dépassement de l'enveloppe",
        blank=True,
        help_text="Obligatoire quand le montant attribué dépasse ce qui reste dans l'enveloppe.",
    )
    legal_act = models.ForeignKey(
        LegalAct,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name="acte attributif",
    )
    decided_on = models.DateField("attribuée le", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField("version", default=1)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = "subvention"
        verbose_name_plural = "subventions"
        ordering = ["-envelope__year", "action__title", "envelope__source__position"]
        indexes = [models.Index(fields=["cite", "status"], name="grant_cite_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["action", "envelope"], name="grant_one_per_action_envelope"),
            models.CheckConstraint(condition=Q(granted__gte=0) & Q(requested__gte=0), name="grant_amounts_positive"),
        ]

    def __str__(self):
        return f"{self.action} — {self.envelope.source}"

    def get_absolute_url(self):
        return reverse("funding:grant_detail", args=[self.pk])

    @transition(field=status, source=[GrantStatus.REQUESTED, GrantStatus.GRANTED], target=GrantStatus.GRANTED)
    def grant(self):
        pass

    @transition(field=status, source=GrantStatus.REQUESTED, target=GrantStatus.REFUSED)
    def refuse(self):
        pass


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", "avance"
    INSTALMENT = "instalment", "acompte"
    BALANCE = "balance", "solde"


class PaymentQuerySet(ScopedToHolderQuerySet):
    organisation_path = "grant__action__organisation_id"


class Payment(models.Model):
    """A payment on a grant. The balance (solde) is the last one: nothing is paid on a grant after it."""

    cite = models.ForeignKey(
        "territories.Cite", on_delete=models.CASCADE, related_name="payments", verbose_name="cité éducative"
    )
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="payments", verbose_name="subvention")
    kind = models.CharField("nature", max_length=10, choices=PaymentKind.choices)
    amount = models.DecimalField("montant (€)", **AMOUNT)
    paid_on = models.DateField("date du versement")
    reference = models.CharField("référence comptable", max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "versement"
        verbose_name_plural = "versements"
        ordering = ["grant", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["grant"], condition=Q(kind="balance"), name="payment_one_balance_per_grant"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} de {self.amount} € le {self.paid_on:%d/%m/%Y}"
