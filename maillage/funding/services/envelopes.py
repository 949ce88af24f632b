"""Use cases of the envelopes: what a cité has for a year from each source, and how much of it is granted.

The grant officer sets each envelope (its amount and the funder whose SIRET goes into the open data); an
envelope is never lowered below what is already granted on it.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Sum

from maillage.core.events import record_event
from maillage.core.models import FundingSource, Verb
from maillage.core.queries import ZERO, sum_of
from maillage.core.templatetags.ui import euros
from maillage.funding.models import Envelope, Grant, GrantStatus, Payment
from maillage.partners.models import Organisation
from maillage.territories.models import Cite

FIRST_YEAR, LAST_YEAR = 2019, 2100
"""The first cités éducatives were labelled in 2019."""


def granted_grants():
    return Grant.objects.filter(status=GrantStatus.GRANTED)


def with_totals(envelopes):
    """Envelopes annotated with `granted` (their granted grants), `paid` (their payments) and `remaining`
    (amount - granted), in SQL."""
    return envelopes.annotate(
        granted=sum_of(granted_grants().filter(envelope=OuterRef("pk")), "envelope", "granted"),
        paid=sum_of(Payment.objects.filter(grant__envelope=OuterRef("pk")), "grant__envelope", "amount"),
    ).annotate(remaining=F("amount") - F("granted"))


def granted_on(envelope: Envelope, *, excluding: Grant | None = None) -> Decimal:
    """What is granted on `envelope`, leaving out the grant `excluding` (the one being decided)."""
    grants = granted_grants().filter(envelope=envelope)
    if excluding is not None and excluding.pk:
        grants = grants.exclude(pk=excluding.pk)
    return grants.aggregate(total=Sum("granted"))["total"] or ZERO


def funders_of(cite: Cite):
    """Who may be named as the funder of an envelope: an organisation of the cité's directory."""
    return Organisation.objects.in_cites([cite.pk]).order_by("name")


@transaction.atomic
def set_envelope(
    *,
    actor,
    cite: Cite,
    year: int,
    source: FundingSource,
    amount: Decimal,
    funder: Organisation | None = None,
    note: str = "",
) -> Envelope:
    """Create the cité's envelope for (`year`, `source`), or change its amount, funder and note.

    Refused, in French, when the year or amount are out of range, when the funder is not in the cité's
    directory, or when the new amount is below what is already granted on the envelope."""
    note = (note or "").strip()
    errors = {}
    if year is None or not FIRST_YEAR <= int(year) <= LAST_YEAR:
        errors["year"] = f"Indiquez un exercice entre {FIRST_YEAR} et {LAST_YEAR}."
    if amount is None or Decimal(amount) < 0:
        errors["amount"] = "Le montant de l'enveloppe est un nombre d'euros positif ou nul."
    if funder is not None and not funders_of(cite).filter(pk=funder.pk).exists():
        errors["funder"] = "L'attribuant doit être une structure de l'annuaire de la cité."
    if errors:
        raise ValidationError(errors)
    amount = Decimal(amount)
    envelope = Envelope.objects.select_for_update(of=("self",)).filter(cite=cite, year=year, source=source).first()
    if envelope is None:
        envelope = Envelope.objects.create(cite=cite, year=year, source=source, amount=amount, funder=funder, note=note)
        record_event(
            actor=actor,
            verb=Verb.CREATED,
            obj=envelope,
            summary=f"Enveloppe {source} {year} fixée à {euros(amount)}",
            after=envelope_snapshot(envelope),
        )
        return envelope

    already = granted_on(envelope)
    if amount < already:
        raise ValidationError(
            {
                "amount": f"{euros(already)} sont déjà attribués sur cette enveloppe : "
                f"son montant ne peut pas descendre en dessous."
            }
        )
    before = envelope_snapshot(envelope)
    envelope.amount, envelope.funder, envelope.note = amount, funder, note
    envelope.save(update_fields=["amount", "funder", "note"])
    after = envelope_snapshot(envelope)
    if after != before:
        record_event(
            actor=actor,
            verb=Verb.UPDATED,
            obj=envelope,
            summary=f"Enveloppe {source} {year} modifiée",
            before=before,
            after=after,
        )
    return envelope


def envelope_snapshot(envelope: Envelope) -> dict:
    return {
        "montant": euros(envelope.amount),
        "attribuant": envelope.funder.name if envelope.funder_id else None,
        "précision": envelope.note,
    }


def years_of(cite: Cite, *, source_code: str | None = None) -> list[int]:
    """The years for which the cité has envelopes (of one source if given), latest first."""
    envelopes = Envelope.objects.filter(cite=cite)
    if source_code:
        envelopes = envelopes.filter(source__code=source_code)
    return list(envelopes.order_by("-year").values_list("year", flat=True).distinct())
