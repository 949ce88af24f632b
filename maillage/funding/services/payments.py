"""Recording a payment on a grant: an advance (avance), an instalment (acompte) or the balance (solde).

A grant is paid once it is granted and its legal act signed; its payments never exceed what was granted
(the grant's row is locked, so two payments recorded at once cannot both pass); nothing is paid after the
balance.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.core.templatetags.ui import euros
from maillage.funding.models import Grant, GrantStatus, Payment, PaymentKind


def check_payable(grant: Grant) -> None:
    """Raise the French reason why nothing can be paid on `grant` now (its legal act selected)."""
    if grant.status != GrantStatus.GRANTED:
        raise ValidationError(
            f"Cette subvention est « {grant.get_status_display()} » : seule une subvention attribuée est versée."
        )
    if grant.legal_act_id is None or not grant.legal_act.is_signed:
        raise ValidationError("L'acte attributif de cette subvention n'est pas encore signé : rien ne peut être versé.")
    if grant.payments.filter(kind=PaymentKind.BALANCE).exists():
        raise ValidationError("Le solde de cette subvention est déjà versé : plus aucun versement n'est possible.")


@transaction.atomic
def record_payment(*, actor, grant: Grant, kind: str, amount: Decimal, paid_on: date, reference: str = "") -> Payment:
    """Record a payment of `amount` euros on `grant`, paid on `paid_on`."""
    reference = (reference or "").strip()
    errors = {}
    if kind not in PaymentKind.values:
        errors["kind"] = "Choisissez la nature du versement : avance, acompte ou solde."
    if amount is None or Decimal(amount) <= 0:
        errors["amount"] = "Le montant du versement est un nombre d'euros positif."
    if paid_on is None:
        errors["paid_on"] = "Indiquez la date du versement."
    elif paid_on > timezone.localdate():
        errors["paid_on"] = "La date du versement ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)
    amount = Decimal(amount)
    locked = (
        Grant.objects.select_for_update(of=("self",)).select_related("legal_act", "envelope__source").get(pk=grant.pk)
    )
    check_payable(locked)
    if paid_on < locked.legal_act.signed_on:
        raise ValidationError(
            {
                "paid_on": f"L'acte attributif a été signé le {locked.legal_act.signed_on:%d/%m/%Y} : "
                f"le versement ne peut pas le précéder."
            }
        )
    paid = locked.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if paid + amount > locked.granted:
        raise ValidationError(
            {
                "amount": f"{euros(amount)} dépasseraient le montant attribué : {euros(locked.granted)} attribués, "
                f"{euros(paid)} déjà versés, il reste {euros(locked.granted - paid)} à verser."
            }
        )
    payment = Payment.objects.create(
        cite_id=locked.cite_id,
        grant=locked,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_event(
        actor=actor,
        verb=Verb.PAYMENT_RECORDED,
        obj=locked,
        summary=f"{payment.get_kind_display().capitalize()} de {euros(amount)}, le {paid_on:%d/%m/%Y}"
        + (f" (réf. {reference})" if reference else ""),
        before={"versé": euros(paid)},
        after={"versé": euros(paid + amount)},
    )
    return payment
