"""Payments: never more than granted (even in two payments), only once the act is signed, nothing after
the balance."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.models import Event, Verb
from maillage.funding.models import Payment
from maillage.funding.services.payments import record_payment
from tests.funding.scenarios import envelope_of, granted, officer_of, selected_action, signed

pytestmark = pytest.mark.django_db
SIGNED_ON = date(2024, 3, 1)


@pytest.fixture
def grant(creteil):
    return signed(granted(selected_action(creteil), envelope_of(creteil), "10000"), on=SIGNED_ON)


def pay(grant, amount, kind="advance", paid_on=SIGNED_ON, **kwargs):
    return record_payment(
        actor=officer_of(grant.cite), grant=grant, kind=kind, amount=Decimal(amount), paid_on=paid_on, **kwargs
    )


def test_an_advance_then_the_balance(grant):
    pay(grant, "6000", reference="Mandat 2024-118")
    pay(grant, "4000", kind="balance", paid_on=date(2024, 11, 30))
    assert list(Payment.objects.values_list("kind", "amount")) == [
        ("advance", Decimal("6000")),
        ("balance", Decimal("4000")),
    ]
    event = Event.objects.filter(verb=Verb.PAYMENT_RECORDED).first()
    assert event.object_id == str(grant.pk)


def test_one_payment_above_the_grant_is_refused(grant):
    with pytest.raises(ValidationError) as error:
        pay(grant, "10000.01")
    message = error.value.message_dict["amount"][0]
    assert "10\u202f000,00\u00a0€ attribués" in message
    assert not Payment.objects.exists()


def test_two_payments_summing_over_the_grant_are_refused(grant):
    pay(grant, "6000")
    with pytest.raises(ValidationError) as error:
        pay(grant, "4000.01", kind="instalment")
    assert "il reste 4\u202f000,00\u00a0€ à verser" in error.value.message_dict["amount"][0]
    assert Payment.objects.count() == 1
    pay(grant, "4000", kind="instalment")
    assert Payment.objects.count() == 2


def test_nothing_is_paid_after_the_balance(grant):
    pay(grant, "5000", kind="balance")
    with pytest.raises(ValidationError, match="solde"):
        pay(grant, "100", kind="instalment")
    assert Payment.objects.count() == 1


def test_nothing_is_paid_before_the_act_is_signed(creteil):
    grant = granted(selected_action(creteil), envelope_of(creteil), "10000")
    with pytest.raises(ValidationError, match="pas encore signé"):
        pay(grant, "1000")
    assert not Payment.objects.exists()


def test_a_refused_grant_is_not_paid(creteil):
    from maillage.funding.services.grants import refuse_grant

    grant = refuse_grant(
        actor=officer_of(creteil), action=selected_action(creteil), envelope=envelope_of(creteil), reason="Non."
    )
    with pytest.raises(ValidationError, match="seule une subvention attribuée"):
        pay(grant, "1000")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("amount", {"amount": "0"}),
        ("kind", {"kind": "gift"}),
        ("paid_on", {"paid_on": None}),
        ("paid_on", {"paid_on": SIGNED_ON - timedelta(days=1)}),
    ],
)
def test_bad_payments_are_refused(grant, field, kwargs):
    with pytest.raises(ValidationError) as error:
        pay(grant, **{"amount": "100", **kwargs})
    assert field in error.value.message_dict
    assert not Payment.objects.exists()


def test_a_payment_in_the_future_is_refused(grant):
    with pytest.raises(ValidationError) as error:
        pay(grant, "100", paid_on=timezone.localdate() + timedelta(days=1))
    assert "paid_on" in error.value.message_dict
