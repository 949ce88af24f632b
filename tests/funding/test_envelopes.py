"""Envelopes: setting one (never below what is granted), the list with granted and remaining, who sees and
who sets them, and the page's fixed number of queries."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.models import Event, Role, Verb
from maillage.funding.models import Envelope
from maillage.funding.services.envelopes import set_envelope
from tests.factories import OrganisationFactory, source
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
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def test_setting_an_envelope_creates_then_updates_it(creteil):
    officer = officer_of(creteil)
    prefecture = OrganisationFactory(cites=[creteil], name="Préfecture du Val-de-Marne")
    envelope = set_envelope(
        actor=officer, cite=creteil, year=2024, source=source("p147"), amount=Decimal("250000"), funder=prefecture
    )
    again = set_envelope(actor=officer, cite=creteil, year=2024, source=source("p147"), amount=Decimal("260000"))

    assert again.pk == envelope.pk
    assert Envelope.objects.get().amount == Decimal("260000")
    assert Envelope.objects.get().funder is None
    events = Event.objects.filter(object_id=str(envelope.pk), object_repr=str(envelope)).order_by("pk")
    assert list(events.values_list("verb", flat=True)) == [Verb.CREATED, Verb.UPDATED]


def test_an_envelope_is_not_lowered_below_what_is_granted(creteil):
    envelope = envelope_of(creteil, amount="50000")
    granted(selected_action(creteil), envelope, "30000")
    with pytest.raises(ValidationError) as error:
        set_envelope(
            actor=officer_of(creteil), cite=creteil, year=2024, source=envelope.source, amount=Decimal("29999")
        )
    assert "30\u202f000,00\u00a0€ sont déjà attribués" in error.value.message_dict["amount"][0]
    assert Envelope.objects.get().amount == Decimal("50000")
    set_envelope(actor=officer_of(creteil), cite=creteil, year=2024, source=envelope.source, amount=Decimal("30000"))
    assert Envelope.objects.get().amount == Decimal("30000")


def test_the_funder_comes_from_the_cite_s_directory(creteil, other_cite):
    stranger = OrganisationFactory(cites=[other_cite])
    with pytest.raises(ValidationError) as error:
        set_envelope(
            actor=officer_of(creteil),
            cite=creteil,
            year=2024,
            source=source("p147"),
            amount=Decimal("1"),
            funder=stranger,
        )
    assert "funder" in error.value.message_dict
    assert not Envelope.objects.exists()


@pytest.mark.parametrize("who", WHO)
def test_who_reads_the_envelopes(client, user_in, creteil, other_cite, who):
    envelope_of(creteil)
    sign_in_as(client, user_in, who, creteil, other_cite)
    response = client.get(reverse("funding:envelopes", args=[creteil.anct_id]))
    assert response.status_code == expected(who, READERS)
    if response.status_code == 200:
        assert "250\u202f000,00\u00a0€" in response.content.decode()
        assert (response.context["form"] is not None) == (who in {"admin", Role.GRANT_OFFICER.value})


@pytest.mark.parametrize("who", [role for role in WHO if role not in ("admin", Role.GRANT_OFFICER.value)])
def test_only_the_grant_officer_sets_an_envelope(client, user_in, creteil, other_cite, who):
    sign_in_as(client, user_in, who, creteil, other_cite)
    data = {"year": "2024", "source": source("p147").pk, "amount": "1000"}
    response = client.post(reverse("funding:envelopes", args=[creteil.anct_id]), data)
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert not Envelope.objects.exists()


def test_the_grant_officer_sets_an_envelope_on_the_page(client, signed_in, creteil):
    signed_in(Role.GRANT_OFFICER)
    prefecture = OrganisationFactory(cites=[creteil], name="Préfecture du Val-de-Marne")
    data = {"year": "2024", "source": source("p147").pk, "amount": "250 000,50", "funder": prefecture.pk, "note": ""}
    response = client.post(reverse("funding:envelopes", args=[creteil.anct_id]), data, follow=True)
    envelope = Envelope.objects.get()
    assert (envelope.amount, envelope.funder) == (Decimal("250000.50"), prefecture)
    assert "250\u202f000,50\u00a0€" in response.content.decode()


def test_a_lowered_envelope_shows_the_french_error_and_changes_nothing(client, signed_in, creteil):
    signed_in(Role.GRANT_OFFICER)
    envelope = envelope_of(creteil, amount="50000")
    granted(selected_action(creteil), envelope, "30000")
    data = {"year": "2024", "source": envelope.source.pk, "amount": "1000"}
    response = client.post(reverse("funding:envelopes", args=[creteil.anct_id]), data)
    assert response.status_code == 200
    assert "sont déjà attribués sur cette enveloppe" in response.content.decode()
    assert Envelope.objects.get().amount == Decimal("50000")


@pytest.mark.parametrize("amount", ["abc", "-10", "1.234"])
def test_a_bad_amount_is_refused(client, signed_in, creteil, amount):
    signed_in(Role.GRANT_OFFICER)
    data = {"year": "2024", "source": source("p147").pk, "amount": amount}
    response = client.post(reverse("funding:envelopes", args=[creteil.anct_id]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not Envelope.objects.exists()


def test_the_list_shows_granted_paid_and_remaining(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    envelope = envelope_of(creteil, amount="50000")
    granted(selected_action(creteil), envelope, "12000")
    granted(selected_action(creteil, call=call_of(creteil)), envelope, "8000")
    response = client.get(reverse("funding:envelopes", args=[creteil.anct_id]), {"annee": 2024})
    [row] = response.context["page_obj"]
    assert (row.granted, row.paid, row.remaining) == (Decimal("20000"), Decimal("0"), Decimal("30000"))


def make_envelopes(cite, years):
    call = call_of(cite)
    for year in years:
        for code in ("p147", "city_fund", "commune"):
            envelope = envelope_of(cite, code, year=year)
            if year == 2024:
                granted(selected_action(cite, call=call), envelope, "1000")


def test_the_list_runs_a_fixed_number_of_queries(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    url = reverse("funding:envelopes", args=[creteil.anct_id])
    make_envelopes(creteil, [2024])
    small = count_queries(client, url)
    make_envelopes(creteil, [2020, 2021, 2022, 2023])
    assert count_queries(client, url) == small
