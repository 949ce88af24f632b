"""Use cases of the legal acts (actes attributifs): preparing the act that binds a holder's grants of one
funder for one year, and signing it.

The act's kind follows the €23,000 rule (DOMAIN.md): the total granted to one holder by one funder in one
year, across the platform, decides arrêté (under €23,000) or convention (€23,000 and above). Once signed,
an act is frozen (an avenant is needed to change its grants) and its selected actions become `agreed`.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import FundingSource, Verb
from maillage.core.templatetags.ui import euros
from maillage.funding.models import CONVENTION_THRESHOLD, Grant, GrantStatus, LegalAct, LegalActKind
from maillage.partners.models import Organisation
from maillage.programme.models import ActionStatus
from maillage.programme.services.transitions import move_action
from maillage.territories.models import Cite

SIGNED_ACT_IS_FROZEN = (
    "{act} est signé : ses subventions ne changent plus. Un avenant est nécessaire pour modifier ce financement."
)


def total_granted_to(organisation: Organisation, source: FundingSource, year: int) -> Decimal:
    """What `organisation` is granted by `source` in `year`, in every cité of the platform."""
    total = Grant.objects.filter(
        status=GrantStatus.GRANTED,
        action__organisation=organisation,
        envelope__source=source,
        envelope__year=year,
    ).aggregate(total=Sum("granted"))["total"]
    return total or Decimal("0")


def kind_for(total: Decimal) -> LegalActKind:
    """The €23,000 rule: an arrêté under the threshold, a convention from it."""
    return LegalActKind.CONVENTION if total >= CONVENTION_THRESHOLD else LegalActKind.ARRETE


def next_reference(cite: Cite, year: int, source: FundingSource) -> str:
    """`CITE-021-2024-P147-001`: the cité, the year, the source and a number counted per cité and year. The
    cité's row is locked first, so two acts prepared at once get two numbers."""
    Cite.objects.select_for_update(of=("self",)).filter(pk=cite.pk).exists()
    number = LegalAct.objects.filter(cite=cite, year=year).count() + 1
    prefix = f"{cite.anct_id.upper()}-{year}-{source.code.upper().replace('_', '-')}"
    while LegalAct.objects.filter(reference=f"{prefix}-{number:03d}").exists():
        number += 1
    return f"{prefix}-{number:03d}"


def prepare_legal_act(*, actor, grant: Grant) -> LegalAct:
    """Find or create the unsigned act of the grant's (cité, holder, source, year), link the grant to it, and
    give every unsigned act of that holder, source and year the kind its total calls for.

    Called inside `decide_grant`'s transaction, after the grant is granted."""
    envelope = grant.envelope
    organisation = grant.action.organisation
    act = (
        LegalAct.objects.select_for_update(of=("self",))
        .filter(cite_id=grant.cite_id, organisation=organisation, source=envelope.source, year=envelope.year)
        .first()
    )
    if act is not None and act.is_signed:
        raise ValidationError(SIGNED_ACT_IS_FROZEN.format(act=str(act).capitalize()))
    total = total_granted_to(organisation, envelope.source, envelope.year)
    kind = kind_for(total)
    if act is None:
        act = LegalAct.objects.create(
            cite_id=grant.cite_id,
            organisation=organisation,
            source=envelope.source,
            year=envelope.year,
            kind=kind,
            reference=next_reference(grant.cite, envelope.year, envelope.source),
        )
        record_event(
            actor=actor,
            verb=Verb.CREATED,
            obj=act,
            summary=f"Acte attributif ({act.get_kind_display()}) préparé pour {organisation.name} "
            f"({envelope.source} {envelope.year}, {euros(total)} attribués en tout)",
            after={"nature": act.get_kind_display(), "référence": act.reference},
        )
    if grant.legal_act_id != act.pk:
        Grant.objects.filter(pk=grant.pk).update(legal_act=act)
        grant.legal_act = act
    for other in LegalAct.objects.filter(
        organisation=organisation, source=envelope.source, year=envelope.year, signed_on__isnull=True
    ).exclude(kind=kind):
        before = other.get_kind_display()
        other.kind = kind
        other.save(update_fields=["kind"])
        record_event(
            actor=actor,
            verb=Verb.UPDATED,
            obj=other,
            summary=f"Nature de l'acte : {before} → {other.get_kind_display()} "
            f"({euros(total)} attribués en tout à {organisation.name} par {envelope.source} en {envelope.year})",
            before={"nature": before},
            after={"nature": other.get_kind_display()},
        )
    act.kind = kind  # saved above with the other unsigned acts of this holder, source and year
    return act


@transaction.atomic
def sign_legal_act(*, actor, act: LegalAct, signed_on: date | None) -> LegalAct:
    """Record the signature of `act` on `signed_on` (not in the future), then move each of its selected actions
    to `agreed` (conventionnée)."""
    if signed_on is None:
        raise ValidationError({"signed_on": "Indiquez la date de signature."})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "La date de signature ne peut pas être dans le futur."})
    locked = LegalAct.objects.select_for_update(of=("self",)).get(pk=act.pk)
    if locked.is_signed:
        raise ValidationError(f"Cet acte est déjà signé, le {locked.signed_on:%d/%m/%Y}.")
    grants = list(
        Grant.objects.filter(legal_act=locked, status=GrantStatus.GRANTED).select_related("action__organisation")
    )
    if not grants:
        raise ValidationError("Cet acte ne porte aucune subvention attribuée : il n'y a rien à signer.")
    locked.signed_on, locked.signed_by = signed_on, actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["signed_on", "signed_by"])
    total = sum((grant.granted for grant in grants), Decimal("0"))
    record_event(
        actor=actor,
        verb=Verb.LEGAL_ACT_SIGNED,
        obj=locked,
        summary=f"{str(locked).capitalize()} signé le {signed_on:%d/%m/%Y} ({euros(total)})",
        before={"signé le": None},
        after={"signé le": signed_on.strftime("%d/%m/%Y"), "montant": euros(total)},
    )
    for grant in grants:
        if grant.action.status == ActionStatus.SELECTED:
            move_action(actor=actor, action=grant.action, transition="agree", note=f"{locked} signé")
    return locked
