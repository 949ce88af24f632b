"""The ledger of the fonds de la cité: allocation, commitments, dated payments, balance and what is
available; who reads it, who keeps it, and its fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.core.models import Role
from maillage.funding.services.payments import record_payment
from tests.funding.scenarios import (
    READERS,
    WHO,
    call_of,
    envelope_of,
    expected,
    granted,
    officer_of,
    selected_action,
    sign_in_as,
    signed,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def fund_with(cite, grants: int, *, call=None):
    """The 2024 fonds de la cité of `cite` (30 000 €) with `grants` grants of 2 000 €, each paid 500 € then 1 000 €."""
    from maillage.funding.models import Envelope

    envelope = Envelope.objects.filter(cite=cite, year=2024, source__code="city_fund").first()
    envelope = envelope or envelope_of(cite, "city_fund", "30000")
    call = call or call_of(cite)
    manager = officer_of(cite, Role.CITY_FUND_MANAGER)
    for _ in range(grants):
        grant = signed(granted(selected_action(cite, call=call), envelope, "2000", actor=manager), actor=manager)
        for amount, day in (("500", 10), ("1000", 20)):
            record_payment(
                actor=manager, grant=grant, kind="instalment", amount=Decimal(amount), paid_on=date(2024, 4, day)
            )
    return envelope


def test_the_ledger_adds_up(client, signed_in, creteil):
    signed_in(Role.TROIKA_EDUCATION)
    fund_with(creteil, 3)
    pending = selected_action(creteil, requests={"city_fund": "1800"}, title="Tablettes prêtées aux familles")
    granted(selected_action(creteil), envelope_of(creteil), "5000")  # P147: not in the fund's ledger

    response = client.get(reverse("funding:city_fund", args=[creteil.anct_id]), {"annee": 2024})

    context = response.context
    assert context["allocation"] == Decimal("30000")
    assert context["committed"] == Decimal("6000")
    assert context["paid"] == Decimal("4500")
    assert context["balance"] == Decimal("25500")
    assert context["available"] == Decimal("24000")
    assert len(context["commitments"]) == 3
    assert [after for _, after in context["ledger"]][-1] == Decimal("25500")
    assert [action.pk for action in context["pending"]] == [pending.pk]
    page = response.content.decode()
    assert "25\u202f500,00\u00a0€" in page and "Tablettes prêtées aux familles" in page
    assert context["keeps"] is False
    assert f"?enveloppe={context['envelope'].pk}" not in page


def test_the_manager_is_offered_to_grant_the_pending_requests(client, signed_in, creteil):
    signed_in(Role.CITY_FUND_MANAGER)
    envelope = envelope_of(creteil, "city_fund", "30000")
    selected_action(creteil, requests={"city_fund": "1800"})
    response = client.get(reverse("funding:city_fund", args=[creteil.anct_id]))
    assert response.context["year"] == 2024
    assert f"?enveloppe={envelope.pk}" in response.content.decode()


def test_a_year_without_a_fund_says_so(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    response = client.get(reverse("funding:city_fund", args=[creteil.anct_id]), {"annee": "2019"})
    assert response.status_code == 200
    assert "Aucun fonds de la cité n'est doté pour 2019" in response.content.decode()


@pytest.mark.parametrize("who", WHO)
def test_who_reads_the_ledger(client, user_in, creteil, other_cite, who):
    fund_with(creteil, 1)
    sign_in_as(client, user_in, who, creteil, other_cite)
    response = client.get(reverse("funding:city_fund", args=[creteil.anct_id]))
    assert response.status_code == expected(who, READERS)


def test_the_grant_officer_does_not_keep_the_fund(client, signed_in, creteil):
    """Only the collège's manager (and the administrator) grants and pays from the fonds de la cité."""
    signed_in(Role.GRANT_OFFICER)
    envelope = fund_with(creteil, 1)
    grant = envelope.grants.get()
    action = selected_action(creteil, call=grant.action.call)
    data = {"envelope": envelope.pk, "requested": "0", "granted": "100", "version": "0"}
    assert client.post(reverse("funding:grant_create", args=[action.pk]), data).status_code == 403
    payment = {"kind": "balance", "amount": "500", "paid_on": "2024-05-01"}
    assert client.post(reverse("funding:payment_create", args=[grant.pk]), payment).status_code == 403
    assert grant.payments.count() == 2


def test_the_ledger_runs_a_fixed_number_of_queries(client, signed_in, creteil):
    signed_in(Role.CITY_FUND_MANAGER)
    url = reverse("funding:city_fund", args=[creteil.anct_id])
    call = call_of(creteil)
    fund_with(creteil, 1, call=call)
    selected_action(creteil, call=call, requests={"city_fund": "100"})
    small = count_queries(client, url, {"annee": 2024})
    fund_with(creteil, 4, call=call)
    for _ in range(3):
        selected_action(creteil, call=call, requests={"city_fund": "100"})
    assert count_queries(client, url, {"annee": 2024}) == small
