"""Recording payments on the grant page: who may, the French errors, nothing written on bad input."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.core.models import Role
from maillage.funding.models import Payment
from tests.funding.scenarios import WHO, envelope_of, granted, selected_action, sign_in_as, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(creteil):
    return signed(granted(selected_action(creteil), envelope_of(creteil), "10000"), on=date(2024, 3, 1))


def post(client, grant, **data):
    payload = {"kind": "advance", "amount": "6000", "paid_on": "2024-03-15", "reference": "", **data}
    return client.post(reverse("funding:payment_create", args=[grant.pk]), payload)


@pytest.mark.parametrize("who", WHO)
def test_only_the_keeper_records_a_payment(client, user_in, creteil, other_cite, grant, who):
    sign_in_as(client, user_in, who, creteil, other_cite)
    response = post(client, grant)
    keeps = who in {"admin", Role.GRANT_OFFICER.value}
    assert response.status_code == (302 if keeps or who == "anonymous" else 403)
    assert Payment.objects.count() == (1 if keeps else 0)


def test_an_advance_then_the_balance_on_the_page(client, signed_in, grant):
    signed_in(Role.GRANT_OFFICER)
    assert post(client, grant, amount="6 000,00", reference="Mandat 118").status_code == 302
    assert post(client, grant, kind="balance", amount="4000", paid_on="2024-11-30").status_code == 302
    page = client.get(grant.get_absolute_url())
    assert page.context["payment_form"] is None  # nothing after the balance
    assert "Soldée" in page.content.decode()
    assert list(Payment.objects.values_list("kind", "amount")) == [
        ("advance", Decimal("6000")),
        ("balance", Decimal("4000")),
    ]


def test_more_than_granted_shows_the_amounts_and_writes_nothing(client, signed_in, grant):
    signed_in(Role.GRANT_OFFICER)
    post(client, grant, amount="6000")
    response = post(client, grant, kind="instalment", amount="4000,01")
    assert response.status_code == 200
    assert "il reste 4\u202f000,00\u00a0€ à verser" in response.content.decode()
    assert Payment.objects.count() == 1


def test_before_the_signature_the_page_says_why(client, signed_in, creteil):
    signed_in(Role.GRANT_OFFICER)
    grant = granted(selected_action(creteil), envelope_of(creteil), "10000")
    assert client.get(grant.get_absolute_url()).context["payment_form"] is None
    response = post(client, grant)
    assert response.status_code == 200
    assert "pas encore signé" in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("amount", "beaucoup"), ("kind", ""), ("paid_on", "")])
def test_bad_input_is_refused(client, signed_in, grant, field, value):
    signed_in(Role.GRANT_OFFICER)
    response = post(client, grant, **{field: value})
    assert response.status_code == 200
    assert response.context["payment_form"].errors[field]
    assert not Payment.objects.exists()
